/**
 * `--json`: one JSON object per line (NDJSON), written as records arrive.
 *
 *     {"host":"web1","stream":"output","seq":1,"types":["System.Management.Automation.PSCustomObject","System.Object"],"value":{"Name":"a"}}
 *     {"host":"web1","stream":"warning","seq":2,"types":[…],"value":{…},"message":"disk low"}
 *     {"host":"web1","stream":"end","status":"ok","error":null,"durationMs":412}
 *
 * `types` are the value's type names as sent (primitives get their .NET type), `value` is the
 * CLIXML JSON projection (src/psrp/clixml/project.ts). Records of the other streams add `message`,
 * the plain text a terminal would show (for errors, the ConciseView text without colour).
 */
import { isPSObject, toJSON, type ProjectOptions, type PSValue } from '../psrp/clixml/index.js';
import { conciseErrorView } from './error-view.js';
import { progressInfo } from './progress.js';
import type { HostStatus, PipelineRecord } from './record.js';
import { createStyle } from './terminal.js';
import { hostCallText, informationalMessage, informationText, isHostCall } from './streams.js';
import { stripAnsi } from './width.js';

const PRIMITIVE_TYPES: Record<string, string> = {
  string: 'System.String', boolean: 'System.Boolean', number: 'System.Int32',
  By: 'System.Byte', SB: 'System.SByte', I16: 'System.Int16', U16: 'System.UInt16', U32: 'System.UInt32',
  I64: 'System.Int64', U64: 'System.UInt64', Sg: 'System.Single', Db: 'System.Double', D: 'System.Decimal',
  C: 'System.Char', G: 'System.Guid', Version: 'System.Version', URI: 'System.Uri', XD: 'System.Xml.XmlDocument',
  SBK: 'System.Management.Automation.ScriptBlock', SS: 'System.Security.SecureString', DT: 'System.DateTime',
  TS: 'System.TimeSpan', BA: 'System.Byte[]', PR: 'System.Management.Automation.ProgressRecord',
  LST: 'System.Collections.ArrayList', IE: 'System.Collections.IEnumerable', STK: 'System.Collections.Stack',
  QUE: 'System.Collections.Queue', DCT: 'System.Collections.Hashtable',
};

/** The type names of a value: an object's own, else the .NET type of the primitive. */
export function typesOf(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (isPSObject(value)) return [...value.typeNamesView];
  if (typeof value === 'object' && 'kind' in value && typeof value.kind === 'string') {
    const t = PRIMITIVE_TYPES[value.kind];
    return t ? [t] : [];
  }
  const t = PRIMITIVE_TYPES[typeof value];
  return t ? [t] : [];
}

const PLAIN = createStyle(false);

function projectRecord(record: PipelineRecord, opts: ProjectOptions): { types: string[]; value: unknown; message?: string } {
  const v = record.value;
  if (record.stream === 'host' && isHostCall(v)) {
    const shown = hostCallText(v, PLAIN);
    return {
      types: [],
      value: { methodName: v.methodName, parameters: v.parameters.map((p) => toJSON(p, opts)) },
      ...(shown ? { message: shown.text } : {}),
    };
  }
  if (record.stream === 'progress' && !isPSObject(v)) {
    const p = progressInfo(v);
    return {
      types: ['System.Management.Automation.ProgressRecord'],
      value: p && {
        Activity: p.activity, ActivityId: p.activityId, StatusDescription: p.statusDescription,
        CurrentOperation: p.currentOperation, ParentActivityId: p.parentActivityId, PercentComplete: p.percentComplete,
        RecordType: p.completed ? 'Completed' : 'Processing', SecondsRemaining: p.secondsRemaining,
      },
    };
  }
  const value = v as PSValue;
  const out = { types: typesOf(value), value: toJSON(value, opts) };
  switch (record.stream) {
    case 'error': return { ...out, message: stripAnsi(conciseErrorView(value, { style: PLAIN })) };
    case 'warning': case 'verbose': case 'debug': return { ...out, message: informationalMessage(value) };
    case 'information': return { ...out, message: stripAnsi(informationText(value, PLAIN).text) };
    default: return out;
  }
}

/** One NDJSON line (with its `\n`) for a record. */
export function ndjsonRecord(record: PipelineRecord, opts: ProjectOptions = {}): string {
  const { types, value, message } = projectRecord(record, opts);
  const line: Record<string, unknown> = { host: record.host, stream: record.stream, seq: record.seq, types, value };
  if (message !== undefined) line.message = message;
  return `${JSON.stringify(line)}\n`;
}

/** The error of a final line: a message, or `{ code, message, hint }` for a TsrError-like value. */
export type EndError = string | { code?: string; message: string; hint?: string } | null | undefined;

/**
 * The last NDJSON line of a host: `{"host","stream":"end","status","error"}`, plus `durationMs`
 * when known (`error` is the error that ended the host, else its first error record, else null).
 */
export function ndjsonEnd(host: string, status: HostStatus, error?: EndError, durationMs?: number): string {
  let err: unknown = null;
  if (typeof error === 'string') err = error;
  else if (error) err = { ...(error.code ? { code: error.code } : {}), message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return `${JSON.stringify({ host, stream: 'end', status, error: err, ...(durationMs === undefined ? {} : { durationMs }) })}\n`;
}
