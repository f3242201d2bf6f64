/**
 * The reliability harness: an in-process `serve` with a fault spec (contract (1) of issue 7), the
 * real CLI run against it, and the checks every scenario ends with.
 *
 * Theory of operation. A scenario is "one verb against one faulted endpoint". What it must prove is
 * never "it did not crash" but one of two outcomes, decided per cell in matrix.test.ts:
 *   recovered  exit 0, every sequence-numbered record delivered exactly once, no error line;
 *   failed     the documented exit code and ONE stderr line naming the host (never silence, never
 *              a partial output passed off as success).
 * Either way the server must hold 0 shells afterwards: a leaked shell counts against the user's
 * MaxShellsPerUser on a real Windows host and locks them out after 30 runs.
 *
 * Records carry their own sequence numbers (`seq 1 N` for WinRS, `1..N | ForEach-Object` for PSRP),
 * so a lost or replayed Receive shows up as a gap or a repeat, not just as a wrong byte count.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { finished, isolatedCliEnv, spawnCli, type CliResult } from '../helpers/cli.js';

export const USER = 'faulty';
export const PASSWORD = 'reliability-pass-42';

/** `startServer` options with contract (1)'s fault spec (typed here so this file builds before and after it lands). */
type FaultServeOptions = ServeOptions & { faultSpec?: string };
type FaultServer = RunningServer & { faultCounts?: () => Record<string, number> };

export interface Rig {
  server: RunningServer;
  /** `127.0.0.1:PORT`, one per listening port, in `ports` order. */
  hosts: string[];
  ports: number[];
  /** Lines serve logged (`fault <kind> on <op> port N` among them). */
  log: string[];
  /** Environment for the CLI: password, and a private state/config directory (sessions registry). */
  env: Record<string, string | undefined>;
  /** A scratch directory removed by close(). */
  dir: string;
  /** With https: the served certificate, for the client's --ca-file. */
  caFile?: string;
  /** Injections done so far, per fault kind (empty before engineer A's faultCounts exists). */
  faultCounts(): Record<string, number>;
  /** Connection flags every CLI call of this rig needs. */
  conn(): string[];
  close(): Promise<void>;
}

export interface RigOptions {
  /** How many listening ports (hosts); default 1. */
  ports?: number;
  /** The fault spec, or a function of the ports picked (for `port=` rules). */
  faults?: string | ((ports: number[]) => string);
  https?: boolean;
  serve?: Partial<ServeOptions>;
}

/** Free loopback ports, known before serve starts so a fault spec can name them. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Starts serve on loopback with the fault spec; retries once if a picked port was taken meanwhile. */
export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsr-rel-'));
  const log: string[] = [];
  let server: FaultServer | undefined;
  let ports: number[] = [];
  for (let attempt = 0; server === undefined; attempt++) {
    ports = await freePorts(opts.ports ?? 1);
    const spec = typeof opts.faults === 'function' ? opts.faults(ports) : opts.faults;
    const options: FaultServeOptions = {
      listen: ports.map((p) => `127.0.0.1:${p}`),
      users: [{ username: USER, password: PASSWORD }],
      https: opts.https ?? false,
      log: (line) => log.push(line),
      ...opts.serve,
      ...(spec === undefined ? {} : { faultSpec: spec }),
    };
    try {
      server = await startServer(options);
    } catch (err) {
      if (attempt >= 2 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  const running = server;
  let caFile: string | undefined;
  if (running.certPem !== undefined) {
    caFile = path.join(dir, 'serve.pem');
    writeFileSync(caFile, running.certPem);
  }
  const env = isolatedCliEnv(dir, PASSWORD);
  return {
    server: running,
    hosts: ports.map((p) => `127.0.0.1:${p}`),
    ports,
    log,
    env,
    dir,
    ...(caFile === undefined ? {} : { caFile }),
    faultCounts: () => running.faultCounts?.() ?? {},
    conn: () => ['-u', USER, ...(caFile === undefined ? [] : ['--https', '--ca-file', caFile])],
    close: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface MeasuredResult extends CliResult {
  /** The CLI process's peak resident set (VmHWM, kB), sampled while it ran; 0 if it ended first. */
  peakRssKb: number;
}

/** The VmHWM of a live process in kB (0 once it is gone). */
export function peakRssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited between samples
  }
}

/** Runs the CLI with the rig's environment, sampling its peak memory. */
export async function cli(rig: Rig, args: string[], timeoutMs = 90_000): Promise<MeasuredResult> {
  const child = spawnCli(args, { env: rig.env });
  child.stdin.end();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid))), 100);
  try {
    const result = await finished(child, timeoutMs);
    return { ...result, peakRssKb: peak };
  } finally {
    clearInterval(sampler);
  }
}

export { finished, spawnCli };

// ---------------------------------------------------------------------------------------------
// Reading what the CLI printed

/**
 * Text-mode stdout, split per host. With several hosts each line is `[host] text`; with one host
 * lines carry no prefix (invoke's documented rendering).
 */
export function linesByHost(stdout: string, hosts: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(hosts.map((h) => [h, []]));
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (hosts.length === 1) {
      out.get(hosts[0]!)!.push(line);
      continue;
    }
    const m = /^\[([^\]]+)\] ?(.*)$/.exec(line);
    const bucket = m === null ? undefined : out.get(m[1]!);
    if (m === null || bucket === undefined) throw new Error(`stdout line without a known host prefix: ${JSON.stringify(line)}`);
    bucket.push(m[2]!);
  }
  return out;
}

/** What a run delivered against what it should have: counted, so a report can show figures. */
export interface SequenceCheck {
  expected: number;
  received: number;
  missing: number;
  duplicated: number;
  /** Lines that are not records of the sequence at all (garbage, a half line). */
  foreign: number;
  /** Exactly the expected lines, each once, in order. */
  exact: boolean;
}

/** Compares delivered lines with `format(1..n)`. */
export function checkSequence(lines: readonly string[], n: number, format: (i: number) => string): SequenceCheck {
  const want = Array.from({ length: n }, (_, i) => format(i + 1));
  const index = new Map(want.map((w, i) => [w, i]));
  const seen = new Array<number>(n).fill(0);
  let foreign = 0;
  for (const l of lines) {
    const i = index.get(l);
    if (i === undefined) foreign++;
    else seen[i]!++;
  }
  const missing = seen.filter((c) => c === 0).length;
  const duplicated = seen.reduce((acc, c) => acc + Math.max(0, c - 1), 0);
  const exact = lines.length === n && lines.every((l, i) => l === want[i]);
  return { expected: n, received: lines.length, missing, duplicated, foreign, exact };
}

/** The WinRS record format: `seq 1 N` prints the bare number. */
export const cmdRecord = (i: number): string => String(i);
/** The PSRP record format of {@link psScript}. */
export const psRecord = (i: number): string => `rec ${i}`;
/** A remote pipeline of N sequence-numbered records that serve's engine runs. */
export const psScript = (n: number): string => `1..${n} | ForEach-Object { "rec $_" }`;
/** A WinRS command line of N sequence-numbered records. */
export const cmdLine = (n: number): string => `seq 1 ${n}`;

/**
 * The per-host error lines on stderr: everything before the fan-out summary
 * (`tsremote: K of M hosts did not succeed …` and its table), minus the interrupt notice.
 */
export function errorLines(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const summary = lines.findIndex((l) => /^tsremote: \d+ of \d+ hosts did not succeed/.test(l));
  return (summary < 0 ? lines : lines.slice(0, summary)).filter((l) => !l.startsWith('tsremote: interrupted'));
}

// ---------------------------------------------------------------------------------------------
// Server-side checks

/** Waits until serve holds no shell (deletes may still be in flight when the CLI exits). */
export async function waitForNoShells(server: RunningServer, timeoutMs = 15_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (server.stats().shells > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return server.stats().shells;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
