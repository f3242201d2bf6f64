import { TsrError } from '../errors.js';
import { scrubSecrets } from './password.js';

/**
 * Prints one line for an error: `host: message; hint: …`. With `debug`, the stack and the cause
 * chain follow. Never prints secrets: errors are built without them, and every password the CLI
 * read is blanked again here (a message from a library or the OS is not ours to trust).
 */
export function printError(
  out: NodeJS.WritableStream,
  err: unknown,
  opts: { debug?: boolean; host?: string } = {},
): void {
  out.write(`${formatError(err, opts.host)}\n`);
  if (opts.debug) {
    let cur: unknown = err;
    let depth = 0;
    while (cur instanceof Error && depth < 8) {
      out.write(`${depth === 0 ? '' : 'caused by: '}${scrubSecrets(cur.stack ?? cur.message)}\n`);
      cur = cur.cause;
      depth++;
    }
  }
}

/** The one-line form of an error, naming the host when one is known (secrets blanked, one line). */
export function formatError(err: unknown, host?: string): string {
  return scrubSecrets(oneLine(err, host));
}

function oneLine(err: unknown, host?: string): string {
  if (err instanceof TsrError) {
    const who = err.host ?? host;
    const hint = err.hint ? `; hint: ${err.hint}` : '';
    return `${who ? `${who}: ` : 'tsremote: '}${err.message}${hint}`;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return `${host ? `${host}: ` : 'tsremote: '}${msg}`;
}

/**
 * What the CLI prints for an exception nothing handled (a bug): one line, and the stack only with
 * `debug`. The message is cut at its first line: a multi-line message from deep inside a library
 * is where a dumped buffer or header would hide.
 */
export function formatCrash(err: unknown, debug: boolean): string {
  const first = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split(/\r?\n/, 1)[0] ?? '';
  const line = `tsremote: internal error: ${scrubSecrets(first.slice(0, 500))}${debug ? '' : ' (run with --debug for the stack)'}\n`;
  if (!debug || !(err instanceof Error) || err.stack === undefined) return line;
  return `${line}${scrubSecrets(err.stack)}\n`;
}
