/**
 * Throttled fan-out: run one task per host, at most `throttle` at once, each isolated — one host's
 * failure becomes its outcome and never stops the others.
 */

export interface FanoutOptions {
  /** How many hosts run at once (PowerShell's ThrottleLimit defaults to 32). */
  throttle?: number;
  signal?: AbortSignal;
}

export type HostOutcome<T> = { host: string; ok: true; value: T } | { host: string; ok: false; error: unknown };

/**
 * Runs `task` for every host and resolves with one outcome per host, in host order.
 * Hosts not yet started when `signal` aborts are reported as failed with the abort reason.
 */
export async function fanout<T>(
  hosts: readonly string[],
  task: (host: string, index: number) => Promise<T>,
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
      try {
        outcomes[index] = { host, ok: true, value: await task(host, index) };
      } catch (error) {
        outcomes[index] = { host, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(throttle, hosts.length) }, worker));
  return outcomes;
}
