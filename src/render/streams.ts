/**
 * The non-output streams, one small function each, as pwsh 7's console host prints them:
 *
 * | stream      | text                                   | colour ($PSStyle.Formatting) |
 * |-------------|----------------------------------------|------------------------------|
 * | warning     | `WARNING: <message>`                   | Warning, bold yellow         |
 * | verbose     | `VERBOSE: <message>`                   | Verbose, bold yellow         |
 * | debug       | `DEBUG: <message>`                     | Debug, bold yellow           |
 * | information | Write-Host text in its colours, else MessageData as text | —              |
 * | host        | what the PIPELINE_HOST_CALL Write* method writes (MS-PSRP §2.2.3.17) | —   |
 *
 * The prefixes are the console host's (ConsoleHostUserInterface.WriteWarningLine and friends);
 * the colours are PSStyle's defaults (see terminal.ts).
 */
import { PSObject, type PSValue } from '../psrp/clixml/index.js';
import { conciseErrorView } from './error-view.js';
import type { Style } from './terminal.js';
import { cellText, hasType, scalarText } from './value-text.js';
import { numberOf } from './views/types.js';

/** The message of a warning/verbose/debug record: the InformationalRecord object, or its text. */
export function informationalMessage(value: PSValue): string {
  if (value instanceof PSObject) {
    for (const name of ['InformationalRecord_Message', 'Message']) {
      const m = value.get(name);
      if (typeof m === 'string') return m;
    }
    return value.toString();
  }
  return cellText(value);
}

/** `WARNING: message`, in the warning colour. */
export function warningText(value: PSValue, style: Style): string {
  return style.warning(`WARNING: ${informationalMessage(value)}`);
}

/** `VERBOSE: message`, in the verbose colour. */
export function verboseText(value: PSValue, style: Style): string {
  return style.verbose(`VERBOSE: ${informationalMessage(value)}`);
}

/** `DEBUG: message`, in the debug colour. */
export function debugText(value: PSValue, style: Style): string {
  return style.debug(`DEBUG: ${informationalMessage(value)}`);
}

const CONSOLE_COLORS = [
  'Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray',
  'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White',
];

/** A System.ConsoleColor (number, enum object or name) as 0–15; anything else (-1 = unset) as undefined. */
export function consoleColor(v: PSValue | undefined): number | undefined {
  if (v instanceof PSObject && v.toStringText !== undefined) {
    const byName = CONSOLE_COLORS.indexOf(v.toStringText);
    if (byName >= 0) return byName;
  }
  if (typeof v === 'string') {
    const byName = CONSOLE_COLORS.indexOf(v);
    return byName >= 0 ? byName : undefined;
  }
  const n = numberOf(v);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 15 ? n : undefined;
}

/** Text for the terminal, and whether a line break follows it. */
export interface StreamText {
  text: string;
  newline: boolean;
}

/**
 * An information record: Write-Host's HostInformationMessage (Message, ForegroundColor,
 * BackgroundColor, NoNewLine) in its colours, or any other MessageData as plain text.
 * `value` is the InformationRecord object or its MessageData.
 */
export function informationText(value: PSValue, style: Style): StreamText {
  const data = value instanceof PSObject && value.has('MessageData') ? (value.get('MessageData') ?? null) : value;
  if (data instanceof PSObject && (hasType(data, 'System.Management.Automation.HostInformationMessage') || (data.has('Message') && data.has('NoNewLine')))) {
    const text = cellText(data.get('Message'));
    const paint = style.console(consoleColor(data.get('ForegroundColor')), consoleColor(data.get('BackgroundColor')));
    return { text: paint(text), newline: data.get('NoNewLine') !== true };
  }
  return { text: data instanceof PSObject && data.toStringText !== undefined ? data.toStringText : scalarText(data), newline: true };
}

/** A host method call as the records carry it (the PipelineHostCall event's fields suffice). */
export interface HostCallValue {
  methodName: string;
  parameters: PSValue[];
}

/** True for a {@link HostCallValue}. */
export function isHostCall(v: unknown): v is HostCallValue {
  return typeof v === 'object' && v !== null && !(v instanceof PSObject) && typeof (v as HostCallValue).methodName === 'string'
    && Array.isArray((v as HostCallValue).parameters);
}

/**
 * What a host Write* call prints (`undefined` for calls that print nothing, such as
 * SetForegroundColor, and for WriteProgress, which progress.ts draws).
 * Write1/WriteLine2: (value); Write2/WriteLine3: (foregroundColor, backgroundColor, value);
 * WriteLine1: (); WriteErrorLine/WriteDebugLine/WriteVerboseLine/WriteWarningLine: (message).
 */
export function hostCallText(call: HostCallValue, style: Style): StreamText | undefined {
  const p = call.parameters;
  const text = (v: PSValue | undefined): string => cellText(v);
  switch (call.methodName) {
    case 'Write1': return { text: text(p[0]), newline: false };
    case 'Write2': return { text: style.console(consoleColor(p[0]), consoleColor(p[1]))(text(p[2])), newline: false };
    case 'WriteLine1': return { text: '', newline: true };
    case 'WriteLine2': return { text: text(p[0]), newline: true };
    case 'WriteLine3': return { text: style.console(consoleColor(p[0]), consoleColor(p[1]))(text(p[2])), newline: true };
    case 'WriteErrorLine': return { text: conciseErrorView(text(p[0]), { style }), newline: true };
    case 'WriteDebugLine': return { text: debugText(text(p[0]), style), newline: true };
    case 'WriteVerboseLine': return { text: verboseText(text(p[0]), style), newline: true };
    case 'WriteWarningLine': return { text: warningText(text(p[0]), style), newline: true };
    default: return undefined;
  }
}
