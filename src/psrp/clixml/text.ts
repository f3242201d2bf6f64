/**
 * powershell.exe's `#< CLIXML` stderr → readable text (for `tsremote clixml --text` and for WinRS
 * commands that ran powershell.exe).
 *
 * When powershell.exe writes to a redirected stderr it emits a `#< CLIXML` line and then one or
 * more `<Objs>` documents. Each top-level value carries `S="…"`, the stream it belongs to:
 * `Error` strings are pieces of the error text (line breaks escaped as `_x000D__x000A_`, so they
 * concatenate as they are), `progress` objects hold a ProgressRecord under `Record`, and the other
 * streams carry strings.
 */
import { deserializeRecords, type DeserializeOptions } from './deserialize.js';
import { PSObject, type PSValue } from './model.js';
import { toJSON } from './project.js';

/** One value read from a `#< CLIXML` blob and its stream, lower-cased (`error`, `progress` …). */
export interface StreamRecord {
  stream?: string;
  value: PSValue;
}

const HEADER = /^#< CLIXML[ \t]*\r?$/gm;
const PREFIX: Record<string, string> = { warning: 'WARNING: ', verbose: 'VERBOSE: ', debug: 'DEBUG: ' };

/**
 * Reads the values of a `#< CLIXML` blob: header lines dropped, several `<Objs>` documents
 * accepted one after another (each with its own RefIds).
 *
 * @throws ClixmlError when the rest is not CLIXML.
 */
export function clixmlToRecords(input: string, opts: DeserializeOptions = {}): StreamRecord[] {
  return deserializeRecords(input.replace(HEADER, ''), opts).map((r) =>
    r.stream === undefined ? { value: r.value } : { stream: r.stream.toLowerCase(), value: r.value });
}

/** The plain text of a value: strings as they are, objects by their ToString. */
function textOf(v: PSValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  if (v instanceof PSObject) return v.toStringText ?? (v.value !== undefined ? textOf(v.value) : v.toString());
  const data = toJSON(v);
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function progressLine(v: PSValue): string | undefined {
  const record = v instanceof PSObject ? v.get('Record') : v;
  if (!record || typeof record !== 'object' || record instanceof PSObject || record.kind !== 'PR') return undefined;
  const status = record.statusDescription.trim();
  return status ? `${record.activity}: ${status}` : record.activity;
}

/**
 * Renders a `#< CLIXML` blob as text: error text concatenated (its escaped CRLFs become line
 * breaks), progress as `Activity: StatusDescription` lines, warning/verbose/debug lines prefixed
 * `WARNING: ` / `VERBOSE: ` / `DEBUG: `, anything else as its text. Line ends are `\n`.
 *
 * @throws ClixmlError when the input is not CLIXML.
 */
export function clixmlToText(input: string, opts: DeserializeOptions = {}): string {
  // Pieces joined once at the end: asking a growing string `endsWith` flattens it every time,
  // which made 16,000 values take a minute.
  const out: string[] = [];
  let lastProgress: string | undefined;
  const append = (s: string): void => {
    if (s !== '') out.push(s);
  };
  const line = (s: string): void => {
    const last = out[out.length - 1];
    if (last !== undefined && !last.endsWith('\n')) out.push('\n');
    append(s.endsWith('\n') ? s : `${s}\n`);
  };
  for (const r of clixmlToRecords(input, opts)) {
    lastProgress = r.stream === 'progress' ? lastProgress : undefined;
    if (r.stream === 'error') {
      append(textOf(r.value).replace(/\r\n?/g, '\n'));
    } else if (r.stream === 'progress') {
      // A Completed record repeats the last Processing one: show each distinct line once.
      const p = progressLine(r.value);
      if (p !== undefined && p !== lastProgress) line(p);
      lastProgress = p;
    } else {
      line(`${PREFIX[r.stream ?? ''] ?? ''}${textOf(r.value).replace(/\r\n?/g, '\n')}`);
    }
  }
  return out.join('');
}
