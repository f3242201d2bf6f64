/**
 * Rendering of native-command output (bytes) for people and for machines.
 *
 * - One host: bytes go straight through to stdout/stderr as they arrive (exactly what the remote
 *   command wrote, like ssh).
 * - Several hosts: whole lines, each prefixed with `[host] `, so interleaved hosts stay readable;
 *   a partial line waits for its end (or for the command's end).
 * - JSON: NDJSON records `{host, stream, seq, value}` with the text decoded as UTF-8 across chunk
 *   boundaries, and one `{host, stream: "end", status, exitCode, error, durationMs}` line per host.
 */
import { isAscii } from 'node:buffer';

export interface Sink {
  write(chunk: string | Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface Terminal {
  stdout: Sink;
  stderr: Sink;
}

export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'interrupted';

/** Receives one host's output; `end` is called exactly once. */
export interface HostOutput {
  /** Resolves when the sink can take more (so a slow reader slows the remote reads, not memory). */
  data(stream: 'stdout' | 'stderr', bytes: Uint8Array): Promise<void> | void;
  end(status: HostStatus, exitCode: number | undefined, error: string | undefined, durationMs?: number): void;
}

/**
 * A stream's bytes as UTF-8 text, sequences split across chunks kept whole. Until a byte above
 * 0x7f arrives no decoder is made (most output is ASCII, and a TextDecoder costs tens of µs to
 * make, two per host in a fan-out): an ASCII chunk leaves nothing pending, so it decodes alone.
 */
class Utf8Stream {
  #decoder: InstanceType<typeof TextDecoder> | undefined;
  /** Bytes went by before the decoder was made: a BOM it meets first is then text, not a mark. */
  #started = false;

  decode(bytes: Uint8Array): string {
    if (this.#decoder === undefined) {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (isAscii(buf)) {
        this.#started ||= buf.length > 0;
        return buf.toString('latin1');
      }
      this.#decoder = new TextDecoder('utf-8', { ignoreBOM: this.#started });
    }
    return this.#decoder.decode(bytes, { stream: true });
  }

  /** What is left at the end: a sequence cut short becomes U+FFFD, as TextDecoder does. */
  end(): string {
    return this.#decoder?.decode() ?? '';
  }
}

/** Writes, and when the sink's buffer is full, waits for it to drain. */
function write(sink: Sink, chunk: string | Uint8Array): Promise<void> | void {
  if (!sink.write(chunk)) return new Promise((resolve) => void sink.once('drain', resolve));
}

/** Passes bytes through untouched (single host, human output). */
export function rawOutput(term: Terminal, onError: (line: string) => void): HostOutput {
  return {
    data: (stream, bytes) => write(term[stream], bytes),
    end: (_status, _code, error) => {
      if (error) onError(error);
    },
  };
}

/** Whole lines prefixed with `prefix` (default `[host] `; several hosts, human output). */
export function prefixedOutput(term: Terminal, host: string, onError: (line: string) => void, prefix = `[${host}] `): HostOutput {
  const decoders = { stdout: new Utf8Stream(), stderr: new Utf8Stream() };
  const partial = { stdout: '', stderr: '' };
  const flush = (stream: 'stdout' | 'stderr', text: string, final: boolean): Promise<void> | void => {
    const all = partial[stream] + text;
    const lines = all.split('\n');
    partial[stream] = final ? '' : (lines.pop() ?? '');
    if (final && lines[lines.length - 1] === '') lines.pop();
    if (lines.length > 0) return write(term[stream], lines.map((l) => `${prefix}${l.replace(/\r$/, '')}\n`).join(''));
  };
  return {
    data: (stream, bytes) => flush(stream, decoders[stream].decode(bytes), false),
    end: (_status, _code, error) => {
      void flush('stdout', decoders.stdout.end(), true);
      void flush('stderr', decoders.stderr.end(), true);
      if (error) onError(error);
    },
  };
}

/** NDJSON records on stdout (any number of hosts). `seq` counts records per host from 1. */
export function jsonOutput(term: Terminal, host: string): HostOutput {
  const decoders = { stdout: new Utf8Stream(), stderr: new Utf8Stream() };
  let seq = 0;
  const emit = (record: Record<string, unknown>): Promise<void> | void => write(term.stdout, `${JSON.stringify(record)}\n`);
  const text = (stream: 'stdout' | 'stderr', value: string): Promise<void> | void => {
    if (value) return emit({ host, stream, seq: ++seq, value });
  };
  return {
    data: (stream, bytes) => text(stream, decoders[stream].decode(bytes)),
    end: (status, exitCode, error, durationMs) => {
      void text('stdout', decoders.stdout.end());
      void text('stderr', decoders.stderr.end());
      void emit({ host, stream: 'end', status, exitCode: exitCode ?? null, error: error ?? null, ...(durationMs === undefined ? {} : { durationMs }) });
    },
  };
}
