/**
 * ErrorRecords as PowerShell 7's ConciseView (`$ErrorView = 'ConciseView'`, the default since 7.0).
 *
 * Follows the ErrorRecord view script PowerShell ships (PowerShellCore_format_ps1xml.cs,
 * `Get-ConciseViewPositionMessage`):
 *
 * - Native command errors (`NativeCommandError`, `NativeCommandErrorMessage`): the message alone.
 * - Otherwise `<reason>: <message>`, where reason is the first of: `Exception` (thrown by `throw`),
 *   the command name (`MyCommand`, when it names a command), the category's activity, `MyCommand`,
 *   the invocation name, the category name, the category reason, `Error`.
 * - When the error comes from a script file or a line after the first (or is a parse error), the
 *   offending line is shown between `Line |` markers with `~~~` under the failing part, and the
 *   message follows under a `     | ` margin (wrapped to the screen when a file is named).
 * - The message is ErrorDetails.Message when set, else Exception.Message.
 * - ErrorDetails.RecommendedAction adds a `  Recommendation: …` line.
 *
 * Remote records vary by version: pwsh 7 serializes InvocationInfo as an object, Windows
 * PowerShell 5.1 flattens it into `InvocationInfo_*` members when SerializeExtendedInfo is true;
 * either may be missing. PowerShell checks `Get-Command $MyCommand` locally; we cannot, so we
 * accept MyCommand when it looks like a command name. Whitespace-only fields count as empty.
 */
import { PSObject, type PSValue } from '../psrp/clixml/index.js';
import type { Paint, Style } from './terminal.js';
import { cellText, hasType } from './value-text.js';
import { numberOf } from './views/types.js';

/** ErrorCategory names (MS-PSRP §2.2.3.9), by value. */
const CATEGORIES = [
  'NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument', 'InvalidData',
  'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError', 'NotImplemented', 'NotInstalled',
  'ObjectNotFound', 'OperationStopped', 'OperationTimeout', 'SyntaxError', 'ParserError', 'PermissionDenied',
  'ResourceBusy', 'ResourceExists', 'ResourceUnavailable', 'ReadError', 'WriteError', 'FromStdErr', 'SecurityError',
  'ProtocolError', 'ConnectionError', 'AuthenticationError', 'LimitsExceeded', 'QuotaExceeded', 'NotEnabled',
];
const PARSER_ERROR = 17;

function str(v: PSValue | undefined): string {
  if (v === undefined || v === null) return '';
  const s = v instanceof PSObject ? (v.toStringText ?? cellText(v.get('Name'))) : cellText(v);
  return s.trim() === '' ? '' : s;
}

/** The fields of an ErrorRecord the view reads, wherever this PowerShell version put them. */
interface ErrorFields {
  exceptionMessage: string;
  exceptionTypes: string[];
  thrown: boolean;
  fqid: string;
  myCommand: string;
  scriptName: string;
  scriptLineNumber: number;
  positionMessage: string;
  invocationName: string;
  category: number;
  activity: string;
  reason: string;
  detailsMessage: string;
  recommendedAction: string;
  psMessageDetails: string;
  toString: string;
}

function fields(rec: PSObject): ErrorFields {
  const exception = rec.get('Exception');
  const ex = exception instanceof PSObject ? exception : undefined;
  const inv = rec.get('InvocationInfo');
  const invObj = inv instanceof PSObject ? inv : undefined;
  const invField = (name: string): PSValue | undefined => (invObj?.has(name) ? invObj.get(name) : rec.get(`InvocationInfo_${name}`));
  const myCommand = invField('MyCommand');
  return {
    exceptionMessage: ex ? str(ex.get('Message')) : str(exception),
    exceptionTypes: ex?.typeNames ?? [],
    thrown: ex?.get('WasThrownFromThrowStatement') === true,
    fqid: str(rec.get('FullyQualifiedErrorId')),
    myCommand: myCommand === undefined || myCommand === null ? str(rec.get('CommandInfo_Name')) : str(myCommand),
    scriptName: str(invField('ScriptName')),
    scriptLineNumber: numberOf(invField('ScriptLineNumber')) ?? 0,
    positionMessage: str(invField('PositionMessage')),
    invocationName: str(invField('InvocationName')),
    category: numberOf(rec.get('ErrorCategory_Category')) ?? 0,
    activity: str(rec.get('ErrorCategory_Activity')),
    reason: str(rec.get('ErrorCategory_Reason')),
    detailsMessage: str(rec.get('ErrorDetails_Message')),
    recommendedAction: str(rec.get('ErrorDetails_RecommendedAction')),
    psMessageDetails: str(rec.get('PSMessageDetails')),
    toString: rec.toStringText ?? '',
  };
}

const COMMAND_NAME = /^[A-Za-z_][\w.-]*$/;

function reasonOf(f: ErrorFields): string {
  if (f.thrown) return 'Exception';
  if (COMMAND_NAME.test(f.myCommand)) return f.myCommand;
  return f.activity || f.myCommand || f.invocationName || (f.category > 0 ? (CATEGORIES[f.category] ?? '') : '') || f.reason || 'Error';
}

function messageOf(f: ErrorFields, isParseError: boolean): string {
  if (f.detailsMessage) return f.detailsMessage;
  if (isParseError) {
    // The parser's message repeats the position; keep the text after the `~` line.
    const after = f.exceptionMessage.split(/~\r?\n/)[1];
    if (after !== undefined) return after.split(/\r?\n\r?\n/)[0] ?? after;
  }
  return f.exceptionMessage || f.toString;
}

/** `(s.Substring(0, n) -split '\s', -2)[0]`: cut at n, then drop the word the cut went through. */
function truncatedString(s: string, n: number): string {
  if (s.length <= n) return s;
  const cut = s.slice(0, n);
  const i = cut.search(/\s(?=\S*$)/);
  return i < 0 ? cut : cut.slice(0, i);
}

/** Wraps a `prefix + message` line to the window the way the view script does. */
function wrapMessage(prefix: string, message: string, width: number): string[] {
  const text = prefix + message.replace(/\r?\n|\t/g, ' ');
  if (width <= 0 || text.length <= width) return [text];
  const lines: string[] = [];
  const first = truncatedString(text, width);
  lines.push(first);
  let rest = text.slice(first.length).trim();
  while (rest.length + prefix.length > width) {
    const sub = truncatedString(prefix + rest, width);
    if (sub.length - prefix.length <= 0) break;
    lines.push(sub);
    rest = rest.slice(sub.length - prefix.length).trim();
  }
  lines.push(prefix + rest);
  return lines;
}

export interface ErrorViewOptions {
  style: Style;
  /** Window width, for wrapping messages under a script position (default 120, PowerShell's fallback). */
  columns?: number;
}

/**
 * The ConciseView text of an error (no trailing newline). `value` is normally a deserialized
 * ErrorRecord; anything else is shown as its text, in the error colour.
 */
export function conciseErrorView(value: PSValue, opts: ErrorViewOptions): string {
  const { style } = opts;
  const E: Paint = style.error;
  const A: Paint = style.errorAccent;
  if (!(value instanceof PSObject) || !(value.has('Exception') || value.has('FullyQualifiedErrorId') || value.has('ErrorCategory_Category'))) {
    return E(value instanceof PSObject ? value.toString() : cellText(value));
  }
  const f = fields(value);
  if (f.fqid === 'NativeCommandError' || f.fqid === 'NativeCommandErrorMessage') return E(f.exceptionMessage);

  const isParseError = f.category === PARSER_ERROR && f.exceptionTypes.some((t) => t.endsWith('ParentContainsErrorRecordException'));
  const multiLineOrExternal = f.scriptName !== '' || f.scriptLineNumber > 1;
  const showLine = (isParseError || multiLineOrExternal) && !/\.psm1$/i.test(f.scriptName) && f.positionMessage !== '';
  const message = messageOf(f, isParseError);

  const reason = reasonOf(f);
  let out: string;
  if (!showLine) {
    out = E(`${reason}: ${message}`);
  } else {
    let pos = '';
    const lineNo = String(f.scriptLineNumber);
    const headerWs = ' '.repeat(Math.max(0, lineNo.length - 4));
    const lineWs = ' '.repeat(Math.max(0, 4 - lineNo.length));
    pos += f.scriptName ? `${f.scriptName}:${lineNo}\n` : '\n';
    pos += `${A(`${headerWs}Line |`)}\n`;
    const pm = f.positionMessage.split(/\r?\n/);
    const line = (pm[1] ?? '').slice(1);
    const highlight = pm.length > 2 ? (pm[pm.length - 1] ?? '').slice(1) : '';
    const offsetLength = highlight.trim().length;
    const offset = highlight.indexOf('~');
    // The view colours only the failing part, and only when it is not the whole line.
    const shown = offset >= 0 && offsetLength < line.length - 1
      ? line.slice(0, offset) + A(line.slice(offset, offset + offsetLength)) + line.slice(offset + offsetLength)
      : line;
    pos += `${A(`${lineWs}${lineNo} | `)}${shown}\n`;
    const margin = `${headerWs}     | `;
    if (highlight !== '') pos += `${A(margin)}${E(highlight)}\n`;
    const wrap = f.scriptName !== '' || isParseError;
    const lines = wrap ? wrapMessage(margin, message, opts.columns ?? 120) : [margin + message];
    pos += lines.map((l) => A(margin) + E(l.slice(margin.length))).join('\n');
    out = `${E(`${reason}: `)}${pos}`;
  }
  if (f.psMessageDetails) out = E(` : ${f.psMessageDetails}`) + out;
  if (f.recommendedAction) out += `\n${E(`  Recommendation: ${f.recommendedAction}`)}`;
  return out;
}

/** True when `value` looks like a (deserialized) ErrorRecord. */
export function isErrorRecord(value: PSValue): value is PSObject {
  return value instanceof PSObject && (hasType(value, 'System.Management.Automation.ErrorRecord') || value.has('ErrorCategory_Category'));
}
