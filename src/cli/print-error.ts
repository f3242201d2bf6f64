import { TsrError } from '../errors.js';

/**
 * Prints one line for an error: `host: message; hint: …`. With `debug`, the stack and the cause
 * chain follow. Never prints secrets: errors are built without them.
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
      out.write(`${depth === 0 ? '' : 'caused by: '}${cur.stack ?? cur.message}\n`);
      cur = cur.cause;
      depth++;
    }
  }
}

/** The one-line form of an error, naming the host when one is known. */
export function formatError(err: unknown, host?: string): string {
  if (err instanceof TsrError) {
    const who = err.host ?? host;
    const hint = err.hint ? `; hint: ${err.hint}` : '';
    return `${who ? `${who}: ` : 'tsremote: '}${err.message}${hint}`;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return `${host ? `${host}: ` : 'tsremote: '}${msg}`;
}
