/**
 * When and how long to wait before trying an idempotent WS-Man operation again (after undici's
 * RetryHandler): exponential backoff with a cap, Retry-After honoured (RFC 9110 section 10.2.3),
 * and every wait cut short by the caller's AbortSignal.
 */
import { AbortedError } from './errors.js';

export interface RetryPolicy {
  /** Total attempts, the first included (default 3). */
  tries: number;
  /** Wait before the second attempt; doubles each time (default 200 ms). */
  baseDelayMs: number;
  /** No wait is longer; a Retry-After beyond it ends the retries (default 10 s). */
  maxDelayMs: number;
  /**
   * Total attempts for a request that never left (connection refused, connect timeout, DNS
   * EAI_AGAIN), for every operation (default 5: 200+400+800+1600 ms of waits ride out a listener
   * that restarts within about 3 s).
   */
  connectTries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { tries: 3, baseDelayMs: 200, maxDelayMs: 10_000, connectTries: 5 };

/** HTTP statuses that say "try again later". */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * Milliseconds to wait before attempt number `attempt + 1` (attempt counts from 1), or null when the
 * server asks for longer than the policy allows.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number | null {
  const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  if (retryAfterMs === undefined) return backoff;
  if (retryAfterMs > policy.maxDelayMs) return null;
  return Math.max(backoff, retryAfterMs);
}

/** Reads Retry-After (delay-seconds or an HTTP-date) as milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with AbortedError as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError({ host, cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError({ host, cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
