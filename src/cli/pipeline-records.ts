/**
 * How a pipeline event becomes a renderer record, shared by `invoke` and the `enter` REPL so both
 * show a remote pipeline the same way.
 */
import type { PipelineRecord, PipelineStream } from '../render/index.js';
import type { PipelineEvent } from '../session/index.js';

const STREAM_OF: Partial<Record<PipelineEvent['type'], PipelineStream>> = {
  PipelineOutput: 'output',
  ErrorRecord: 'error',
  WarningRecord: 'warning',
  VerboseRecord: 'verbose',
  DebugRecord: 'debug',
  InformationRecord: 'information',
  ProgressRecord: 'progress',
  PipelineHostCall: 'host',
};

/** Host calls that write text (Write-Host and friends reach us as these when we offer a host). */
export const HOST_WRITES: ReadonlySet<string> = new Set(['Write1', 'Write2', 'WriteLine1', 'WriteLine2', 'WriteLine3']);

/** The record a pipeline event becomes, or null when it shows nothing by itself. */
export function toRecord(host: string, seq: number, event: PipelineEvent): PipelineRecord | null {
  const stream = STREAM_OF[event.type];
  if (!stream || event.type === 'PipelineState') return null;
  const value = event.type === 'ProgressRecord' || event.type === 'PipelineHostCall' ? event : event.value;
  return { host, stream, value, seq };
}

/** Write-Host reaches us twice when we offer a host: as a host call and as an information record tagged PSHOST. */
export function isHostEcho(event: PipelineEvent): boolean {
  return event.type === 'InformationRecord' && event.tags.includes('PSHOST');
}
