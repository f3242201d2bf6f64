/**
 * Building the stream records a server writes (MS-PSRP §2.2.2.22–§2.2.2.26), in the shape Windows
 * serializes them, so a client (ours or PowerShell's) reads them as it reads real traffic.
 */
import { PSObject, ps, type PSValue } from '../clixml/index.js';

const INFORMATIONAL = 'System.Management.Automation.InformationalRecord';

/** A WarningRecord / VerboseRecord / DebugRecord (§2.2.3.16). */
export function informationalRecord(kind: 'Warning' | 'Verbose' | 'Debug', message: string): PSObject {
  return new PSObject({
    typeNames: [`System.Management.Automation.${kind}Record`, INFORMATIONAL, 'System.Object'],
    toStringText: message,
    extended: [
      ['InformationalRecord_Message', message],
      ['InformationalRecord_SerializeInvocationInfo', false],
    ],
  });
}

/** What an InformationRecord carries besides its MessageData (§2.2.3.x, protocol 2.3). */
export interface InformationRecordOptions {
  source?: string;
  tags?: string[];
  timeGenerated?: Date;
  user?: string;
  computer?: string;
  processId?: number;
}

/** An InformationRecord (Write-Information / Write-Host). */
export function informationRecord(messageData: PSValue, o: InformationRecordOptions = {}): PSObject {
  const tags = new PSObject({
    typeNames: ['System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]', 'System.Object'],
    value: ps.list(o.tags ?? []),
  });
  return new PSObject({
    typeNames: ['System.Management.Automation.InformationRecord', 'System.Object'],
    toStringText: typeof messageData === 'string' ? messageData : String(messageData),
    extended: [
      ['MessageData', messageData],
      ['Source', o.source ?? ''],
      ['TimeGenerated', ps.dateTime(o.timeGenerated ?? new Date())],
      ['Tags', tags],
      ['User', o.user ?? ''],
      ['Computer', o.computer ?? ''],
      ['ProcessId', ps.num('U32', o.processId ?? 0)],
      ['NativeThreadId', ps.num('U32', 0)],
      ['ManagedThreadId', ps.num('U32', 0)],
    ],
  });
}
