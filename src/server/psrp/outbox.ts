/**
 * The bytes waiting for one Receive target of a PowerShell shell: the RunspacePool (Receive without
 * CommandId) or one pipeline (Receive with its CommandId).
 *
 * The shell moves every payload out of the ServerRunspacePool (`dataToSend`) as soon as it is
 * queued, so what the client has not fetched yet is counted here, exactly, in bytes: that count
 * drives backpressure (the engine's `output()` waits while a pipeline holds more than two
 * responses' worth, see {@link Outbox.whenBelow}) and the server's `stats().bufferedBytes`.
 *
 * Payloads are whole PSRP fragments, each cut to fit one response, so a Receive takes whole
 * payloads back to back until its budget is used and sends them as one rsp:Stream (fragments are
 * self-delimiting, MS-PSRP §2.2.4; Windows writes one Stream per fragment, clients accept both).
 */
import type { BufferStats } from '../winrs/command.js';

export type WaitOutcome = 'ready' | 'timeout' | 'aborted';

interface Drain {
  limit: number;
  resolve: () => void;
}

/** Milliseconds a waiting Receive lingers after the first new bytes, to gather a few more writes. */
const COALESCE_MS = 4;

export class Outbox {
  readonly #stats: BufferStats;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #ended = false;
  #waiter: ((o: WaitOutcome) => void) | undefined;
  #drain: Drain[] = [];

  constructor(stats: BufferStats) {
    this.#stats = stats;
  }

  /** Bytes not yet handed to a Receive. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True once the target will get nothing more (the pipeline's PIPELINE_STATE is queued). */
  get ended(): boolean {
    return this.#ended;
  }

  /** True when a Receive would get something now (data, or the end). */
  get ready(): boolean {
    return this.#chunks.length > 0 || this.#ended;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#chunks.push(data);
    this.#account(data.length);
    this.#wake();
  }

  /** Marks the end: after the last bytes are taken the Receive reports CommandState Done. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /**
   * Takes whole payloads up to `maxBytes` (at least one, even if larger).
   * @returns the bytes and whether the target is finished (ended and now empty).
   */
  take(maxBytes: number): { data: Uint8Array; done: boolean } {
    const parts: Uint8Array[] = [];
    let size = 0;
    while (this.#chunks.length > 0) {
      const head = this.#chunks[0] as Uint8Array;
      if (parts.length > 0 && size + head.length > maxBytes) break;
      parts.push(head);
      size += head.length;
      this.#chunks.shift();
    }
    this.#account(-size);
    this.#releaseDrainWaiters();
    const data = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
    return { data, done: this.#ended && this.#chunks.length === 0 };
  }

  /**
   * Waits until {@link ready} or `timeoutMs` or `signal`. A newer wait supersedes an older one
   * (that one resolves 'timeout', as a second Receive for the same target replaces the first).
   */
  wait(timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome> {
    this.#waiter?.('timeout');
    if (this.ready) return Promise.resolve('ready');
    if (signal.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      let coalesce: NodeJS.Timeout | undefined;
      const finish = (o: WaitOutcome): void => {
        clearTimeout(timer);
        clearTimeout(coalesce);
        signal.removeEventListener('abort', onAbort);
        if (this.#waiter === wake) this.#waiter = undefined;
        resolve(o);
      };
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const wake = (o: WaitOutcome): void => {
        if (o !== 'ready' || this.#ended) finish(o);
        else coalesce ??= setTimeout(() => finish('ready'), COALESCE_MS);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiter = wake;
    });
  }

  /** Resolves once fewer than `limit` bytes wait (backpressure for the engine's output). */
  whenBelow(limit: number): Promise<void> | undefined {
    if (this.#bytes < limit) return undefined;
    return new Promise((resolve) => this.#drain.push({ limit, resolve }));
  }

  /** Drops everything (the pipeline or shell is gone) and releases every waiter. */
  discard(): void {
    this.#account(-this.#bytes);
    this.#chunks = [];
    this.#ended = true;
    this.#waiter?.('aborted');
    for (const d of this.#drain.splice(0)) d.resolve();
  }

  #releaseDrainWaiters(): void {
    const keep: Drain[] = [];
    for (const d of this.#drain) {
      if (this.#bytes < d.limit) d.resolve();
      else keep.push(d);
    }
    this.#drain = keep;
  }

  #wake(): void {
    this.#waiter?.('ready');
  }

  #account(delta: number): void {
    this.#bytes += delta;
    this.#stats.bufferedBytes += delta;
    if (this.#stats.bufferedBytes > this.#stats.bufferedHighWater) this.#stats.bufferedHighWater = this.#stats.bufferedBytes;
  }
}
