/**
 * What the engine writes into: the server-side pipeline (the lead binds it to a PSRP
 * ServerPipeline). The engine never sees a PSRP message.
 */
import type { PSObject, PSValue } from '../../psrp/clixml/index.js';
import type { HostMethodIdentifier } from '../../psrp/constants.js';
import type { ProgressRecord } from '../../psrp/messages/records.js';

/** A progress record as Write-Progress describes it: the PROGRESS_RECORD fields (MS-PSRP §2.2.2.25). */
export type ProgressRecordData = ProgressRecord;

/** The server-side pipeline the engine writes into. */
export interface EngineHost {
  /** One output object. A returned promise applies backpressure: the engine waits for it. */
  output(value: PSValue): void | Promise<void>;
  /** A non-terminating ErrorRecord (built by error-record.ts, `writeErrorStream` true). */
  error(record: PSObject): void;
  warning(message: string): void;
  verbose(message: string): void;
  debug(message: string): void;
  /** An InformationRecord (Write-Information; Write-Host's is tagged PSHOST). */
  information(record: PSObject): void;
  progress(record: ProgressRecordData): void;
  /** A host call (MS-PSRP §2.2.3.17) whose answer comes from the client: Read-Host, Get-Credential … */
  hostCall(method: HostMethodIdentifier, params: PSValue[]): Promise<PSValue>;
}
