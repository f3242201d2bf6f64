/**
 * Throttled fan-out: run one task per host, at most `throttle` at once, each isolated — one host's
 * failure becomes its outcome and never stops the others.
 *
 * Each task gets its own AbortSignal. It aborts when the run's signal does (Ctrl+C) or when the
 * host's time is up (`timeoutSec`, reason {@link HostTimeoutError}); the task is expected to stop
 * its remote work and clean up, then return. The pool slot frees only when the task returns, so a
 * host that ignores its signal still holds one slot — never the others' output.
 */
import { TsrError } from '../errors.js';

export interface FanoutOptions {
  /** How many hosts run at once (PowerShell's ThrottleLimit defaults to 32). */
  throttle?: number;
  signal?: AbortSignal;
  /** Per-host time limit in seconds, from the moment the host starts (Invoke-Command has none; this is ours). */
  timeoutSec?: number;
  /** Told when a host starts, for a status line. */
  onStart?: (host: string) => void;
}

export type HostOutcome<T> = { host: string; ok: true; value: T } | { host: string; ok: false; error: unknown };

/** The abort reason of a host that ran out of time. */
export class HostTimeoutError extends TsrError {
  readonly seconds: number;

  constructor(host: string, seconds: number) {
    super('ETSR_TIMEOUT', `timed out after ${seconds} s`, { host, hint: 'its remote work was stopped; raise --timeout if it needs longer' });
    this.name = 'HostTimeoutError';
    this.seconds = seconds;
  }
}

/** The signal one host's task gets: the run's signal, plus its own timer. */
function hostSignal(host: string, opts: FanoutOptions): { signal: AbortSignal | undefined; dispose: () => void } {
  if (opts.timeoutSec === undefined) return { signal: opts.signal, dispose: () => undefined };
  const controller = new AbortController();
  const seconds = opts.timeoutSec;
  const timer = setTimeout(() => controller.abort(new HostTimeoutError(host, seconds)), seconds * 1000);
  const onRunAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onRunAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onRunAbort);
    },
  };
}

/**
 * Runs `task` for every host and resolves with one outcome per host, in host order.
 * Hosts not yet started when `signal` aborts are reported as failed with the abort reason.
 */
export async function fanout<T>(
  hosts: readonly string[],
  task: (host: string, index: number, signal: AbortSignal | undefined) => Promise<T>,
  opts: FanoutOptions = {},
): Promise<HostOutcome<T>[]> {
  const throttle = Math.max(1, Math.floor(opts.throttle ?? 32));
  const outcomes = new Array<HostOutcome<T>>(hosts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= hosts.length) return;
      const host = hosts[index] as string;
      if (opts.signal?.aborted) {
        outcomes[index] = { host, ok: false, error: opts.signal.reason };
        continue;
      }
      opts.onStart?.(host);
      const { signal, dispose } = hostSignal(host, opts);
      try {
        outcomes[index] = { host, ok: true, value: await task(host, index, signal) };
      } catch (error) {
        outcomes[index] = { host, ok: false, error };
      } finally {
        dispose();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(throttle, hosts.length) }, worker));
  return outcomes;
}

/** True when `signal` was aborted because the host ran out of time. */
export function timedOut(signal: AbortSignal | undefined): HostTimeoutError | undefined {
  return signal?.aborted && signal.reason instanceof HostTimeoutError ? signal.reason : undefined;
}
