/**
 * What a fan-out run tells the admin at the end: how each host ended (status, time taken, first
 * error), a summary of the hosts that did not succeed, and the retry file — those hosts one per
 * line, so `-c @FILE` runs them again.
 *
 * The tally is also what the status line counts from, so both always agree.
 */
import { writeFile } from 'node:fs/promises';
import type { HostStatus } from '../render/record.js';

/** How one host ended. */
export interface HostReport {
  host: string;
  status: HostStatus;
  durationMs: number;
  /** The error that ended the host, else its first error record; without the `host: ` prefix. */
  error: string | undefined;
}

/** Counts hosts as they start and end; `onChange` runs after each change (to redraw a status line). */
export class HostTally {
  readonly #hosts: readonly string[];
  readonly #onChange: () => void;
  readonly #started = new Map<string, number>();
  readonly #ended = new Map<string, HostReport>();
  #failed = 0;

  constructor(hosts: readonly string[], onChange: () => void = () => undefined) {
    this.#hosts = hosts;
    this.#onChange = onChange;
  }

  get total(): number {
    return this.#hosts.length;
  }

  get done(): number {
    return this.#ended.size;
  }

  /** Hosts that ended in anything but `ok`. */
  get failed(): number {
    return this.#failed;
  }

  get running(): number {
    return this.#started.size - this.#ended.size;
  }

  start(host: string): void {
    this.#started.set(host, Date.now());
    this.#onChange();
  }

  /** Records how `host` ended (once; a second call for the same host is ignored). */
  end(host: string, status: HostStatus, error?: string): HostReport {
    const known = this.#ended.get(host);
    if (known) return known;
    const began = this.#started.get(host) ?? Date.now();
    if (!this.#started.has(host)) this.#started.set(host, began);
    const report: HostReport = { host, status, durationMs: Date.now() - began, error: error === undefined ? undefined : withoutHost(host, error) };
    this.#ended.set(host, report);
    if (status !== 'ok') this.#failed++;
    this.#onChange();
    return report;
  }

  /** One report per host, in the order the hosts were given (hosts that never ended are left out). */
  reports(): HostReport[] {
    return this.#hosts.flatMap((h) => {
      const r = this.#ended.get(h);
      return r ? [r] : [];
    });
  }
}

/** `web1: connection refused` → `connection refused` (the summary has a host column). */
function withoutHost(host: string, line: string): string {
  const first = line.split('\n', 1)[0] ?? '';
  return first.startsWith(`${host}: `) ? first.slice(host.length + 2) : first;
}

/** `0.4 s`, `12.3 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * The end-of-run summary, or no lines when every host succeeded:
 *
 *     tsremote: 2 of 100 hosts did not succeed (98 ok, 1 failed, 1 unreachable) in 8.4 s
 *       HOST             STATUS       TIME   FIRST ERROR
 *       10.0.0.7         unreachable  0.0 s  connection refused; hint: …
 */
export function summaryLines(reports: readonly HostReport[], elapsedMs: number): string[] {
  const bad = reports.filter((r) => r.status !== 'ok');
  if (bad.length === 0) return [];
  const counts = new Map<HostStatus, number>();
  for (const r of reports) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const order: HostStatus[] = ['ok', 'failed', 'unreachable', 'interrupted'];
  const parts = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  const rows = bad.map((r) => [r.host, r.status, formatDuration(r.durationMs), r.error ?? '']);
  const head = ['HOST', 'STATUS', 'TIME', 'FIRST ERROR'];
  const widths = [0, 1, 2].map((k) => Math.max(head[k]!.length, ...rows.map((row) => row[k]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((c, k) => (k < 3 ? c.padEnd(widths[k]!) : c)).join('  ')}`.trimEnd();
  return [
    `tsremote: ${bad.length} of ${reports.length} hosts did not succeed (${parts.join(', ')}) in ${formatDuration(elapsedMs)}`,
    line(head),
    ...rows.map(line),
  ];
}

/** The hosts to run again: every one that did not end `ok`, in the order given. */
export function retryHosts(reports: readonly HostReport[]): string[] {
  return reports.filter((r) => r.status !== 'ok').map((r) => r.host);
}

/** Writes the retry file: one host per line; an empty file when every host succeeded. */
export async function writeRetryFile(path: string, reports: readonly HostReport[]): Promise<void> {
  const hosts = retryHosts(reports);
  await writeFile(path, hosts.length ? `${hosts.join('\n')}\n` : '');
}
