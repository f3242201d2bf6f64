/**
 * `invoke --stdin`: this process's standard input, for one host (streamed) or several (read once,
 * up to a cap, and replayed to each). WinRS commands get the bytes; PowerShell scripts get the lines
 * as pipeline input (`$input`), as `Get-Content file | Invoke-Command { $input | … }` would.
 */
import { TsrError } from '../../errors.js';

/** Largest stdin buffered to send to several hosts (one host streams it instead). */
export const MAX_SHARED_STDIN = 64 * 1024 * 1024;

export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.from(chunk as Uint8Array | string);
    size += buf.length;
    if (size > MAX_SHARED_STDIN) {
      throw new TsrError('ETSR_INVALID_ARGUMENT', 'stdin is larger than 64 MiB; send it to one host at a time');
    }
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * Returns a function giving each host its own pass over stdin: the shared buffer when there are
 * several hosts, else the live stream (read at most once).
 */
export async function stdinSource(enabled: boolean, multiHost: boolean): Promise<() => AsyncIterable<Uint8Array> | undefined> {
  if (!enabled) return () => undefined;
  const shared = multiHost ? await readAll(process.stdin) : undefined;
  return () => (shared ? once(shared) : (process.stdin as AsyncIterable<Uint8Array>));
}

/** Splits UTF-8 bytes into lines without their `\n` / `\r\n`; a last line without one still counts. */
export async function* lines(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, nl > 0 && pending[nl - 1] === '\r' ? nl - 1 : nl);
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}
