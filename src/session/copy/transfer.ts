/**
 * One file up or down over a PowerShell session, verified by SHA-256 at both ends.
 *
 * Upload: hash the local file, then send it as base64 chunks of pipeline input to UPLOAD_SCRIPT,
 * a segment (at most SEGMENT_CHUNKS chunks) per pipeline. Segments bound our memory: the session
 * sends a pipeline's input in batches of 256 objects, so a whole segment is read before it goes;
 * at 256 KiB a chunk a segment is 16 MiB. The last segment's script checks the hash and moves the
 * temp file into place; any failure runs UPLOAD_CLEANUP_SCRIPT, so no partial file stays behind.
 *
 * Download: DOWNLOAD_SCRIPT streams base64 chunks and then the remote SHA-256; we write to a temp
 * file beside the destination while hashing, and rename it into place only when the hashes match.
 *
 * Chunk size. A Send or Receive carries at most MaxEnvelopeSize (150 KiB by default) and
 * PSRP fragments messages across as many as needed, so a chunk need not fit one envelope; larger
 * chunks only mean fewer, larger pipeline messages. 256 KiB measured best (docs/performance.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TsrError } from '../../errors.js';
import { PSInvocationState, PSObject, type PSValue } from '../../psrp/index.js';
import type { PipelineEvent, RunOptions } from '../powershell.js';
import { DOWNLOAD_SCRIPT, UPLOAD_CLEANUP_SCRIPT, UPLOAD_SCRIPT } from './scripts.js';

/** What a transfer needs of a session (PowerShellSession has it; tests may fake it). */
export interface CopySession {
  readonly host: string;
  run(script: string, opts?: RunOptions): AsyncGenerator<PipelineEvent, void, undefined>;
}

/** One copied file, as `--json` prints it. */
export interface CopyRecord {
  host: string;
  source: string;
  destination: string;
  bytes: number;
  sha256: string;
  seconds: number;
}

export interface TransferOptions {
  /** Raw bytes per chunk (default 256 KiB). */
  chunkSize?: number;
  /** Chunks per upload pipeline (default 64). */
  segmentChunks?: number;
  /** Called with the bytes moved so far for this file. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  /** The SHA-256 the remote end must find; default the local file's (tests give a wrong one). */
  expectSha256?: string;
}

export const DEFAULT_CHUNK = 256 * 1024;
const SEGMENT_CHUNKS = 64;

/** The text of a remote error record (its ToString: the message), or a fallback. */
function recordText(value: PSValue | undefined): string {
  if (value instanceof PSObject) {
    const text = value.toString();
    if (text && !text.startsWith('System.')) return text.split('\n')[0] ?? text;
    const ex = value.get('Exception');
    if (ex instanceof PSObject) return String(ex.get('Message') ?? ex.toString());
  }
  return 'the remote script failed';
}

/**
 * Runs a script and returns its output; the first error record or a failed state throws.
 * @throws TsrError ETSR_COPY_FAILED with the remote message.
 */
export async function runChecked(session: CopySession, script: string, opts: RunOptions, onOutput?: (v: PSValue) => void): Promise<PSValue[]> {
  const out: PSValue[] = [];
  let failure: string | undefined;
  for await (const event of session.run(script, opts)) {
    if (event.type === 'PipelineOutput') {
      if (onOutput) onOutput(event.value);
      else out.push(event.value);
    } else if (event.type === 'ErrorRecord') {
      failure ??= recordText(event.value);
    } else if (event.type === 'PipelineState' && event.state !== PSInvocationState.Completed) {
      failure ??= event.state === PSInvocationState.Stopped ? 'stopped' : recordText(event.error);
    }
  }
  if (failure !== undefined) {
    const integrity = failure.startsWith('SHA-256 mismatch');
    throw new TsrError(integrity ? 'ETSR_COPY_INTEGRITY' : 'ETSR_COPY_FAILED', failure, { host: session.host });
  }
  return out;
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, signal ? { signal } : {})) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Base64 chunks of `[start, end)` of a file. */
async function* chunksOf(file: string, start: number, end: number, size: number, onChunk: (n: number) => void): AsyncGenerator<PSValue> {
  if (end <= start) return;
  // highWaterMark = chunk size, so each read is one chunk (the last may be short).
  for await (const buf of createReadStream(file, { start, end: end - 1, highWaterMark: size })) {
    onChunk((buf as Buffer).length);
    yield (buf as Buffer).toString('base64');
  }
}

const prop = (v: PSValue | undefined, name: string): PSValue | undefined => (v instanceof PSObject ? v.get(name) : undefined);
const num = (v: PSValue | undefined): number => (typeof v === 'number' ? v : v !== null && typeof v === 'object' && 'value' in v ? Number(v.value) : 0);

/**
 * Uploads `local` to `remote` (a file path, or a directory — trailing separator or existing —
 * that receives it under its own name).
 * @returns the record, with the final remote path.
 * @throws TsrError ETSR_COPY_INTEGRITY when the remote hash differs (the temp file is removed),
 *   ETSR_COPY_FAILED for any other remote failure.
 */
export async function uploadFile(session: CopySession, local: string, remote: string, opts: TransferOptions = {}): Promise<CopyRecord> {
  const started = performance.now();
  const chunk = opts.chunkSize ?? DEFAULT_CHUNK;
  const perSegment = chunk * (opts.segmentChunks ?? SEGMENT_CHUNKS);
  const { size } = await stat(local);
  const sha256 = await sha256File(local, opts.signal);
  const name = path.basename(local);
  const token = randomBytes(6).toString('hex');
  let sent = 0;
  let result: PSValue[] = [];
  try {
    for (let start = 0; start === 0 || start < size; start += perSegment) {
      const end = Math.min(size, start + perSegment);
      const last = end >= size;
      const input = chunksOf(local, start, end, chunk, (n) => {
        sent += n;
        opts.onProgress?.(sent);
      });
      const args = [remote, name, token, start === 0, last, opts.expectSha256 ?? sha256];
      result = await runChecked(session, UPLOAD_SCRIPT, { args, input, ...(opts.signal ? { signal: opts.signal } : {}) });
      if (last) break;
    }
  } catch (err) {
    // Bounded: a dead session fails fast, and the user is told about the original error.
    await runChecked(session, UPLOAD_CLEANUP_SCRIPT, { args: [remote, name, token], signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
    throw err;
  }
  const done = result[result.length - 1];
  return {
    host: session.host,
    source: local,
    destination: String(prop(done, 'Path') ?? remote),
    bytes: num(prop(done, 'Length')),
    sha256: String(prop(done, 'Sha256') ?? sha256),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Downloads the remote file `remote` to `local` (a file path; the caller resolves directories).
 * The file appears only once complete and verified.
 * @throws TsrError ETSR_COPY_INTEGRITY when the hashes differ (nothing is left behind),
 *   ETSR_COPY_FAILED when the remote side fails (missing file, a directory without -r …).
 */
export async function downloadFile(session: CopySession, remote: string, local: string, opts: TransferOptions = {}): Promise<CopyRecord> {
  const started = performance.now();
  const tmp = path.join(path.dirname(local), `.${path.basename(local)}.${randomBytes(6).toString('hex')}.tsrpart`);
  const hash = createHash('sha256');
  const file = await open(tmp, 'wx');
  let received = 0;
  let summary: PSValue | undefined;
  let pending: Promise<unknown> = Promise.resolve();
  try {
    const args = [remote, opts.chunkSize ?? DEFAULT_CHUNK];
    await runChecked(session, DOWNLOAD_SCRIPT, { args, ...(opts.signal ? { signal: opts.signal } : {}) }, (value) => {
      if (typeof value !== 'string') {
        summary = value;
        return;
      }
      const bytes = Buffer.from(value, 'base64');
      hash.update(bytes);
      received += bytes.length;
      opts.onProgress?.(received);
      // Writes are queued in order; each waits for the one before.
      pending = pending.then(() => file.write(bytes));
    });
    await pending;
    await file.close();
    const got = hash.digest('hex');
    const expected = String(prop(summary, 'Sha256') ?? '');
    if (got !== expected) {
      throw new TsrError('ETSR_COPY_INTEGRITY', `SHA-256 mismatch for '${remote}': received ${got}, the remote file has ${expected || 'no hash'}; the partial file was removed`, {
        host: session.host,
        hint: 'the file may have changed while it was copied; try again',
      });
    }
    await rename(tmp, local);
    return { host: session.host, source: remote, destination: local, bytes: received, sha256: got, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    await pending.catch(() => undefined);
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
