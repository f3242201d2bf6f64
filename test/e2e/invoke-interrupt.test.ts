/**
 * Ctrl+C in the middle of a 40-host `invoke -s` fan-out: every host stops because of the user, so
 * every host that had not finished is "interrupted" (never "failed"), in the summary and in --json
 * (hosts the throttle had not started yet included: they get an end record too); no
 * MaxListenersExceededWarning reaches stderr (40 hosts share one abort signal); every runspace
 * pool is closed on serve. SIGTERM does the same and exits 143 (128 + 15) instead of 130.
 *
 * serve's MaxShellsPerUser (30, as on Windows) counts one user's shells over all its ports: left
 * at 30, ten of these hosts fail with QuotaLimit before the interrupt, rightly reported as failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { finished, spawnCli } from '../helpers/cli.js';

const USER = 'ctrlc';
const PASSWORD = 'invoke-interrupt-e2e';
const HOSTS = 40;
// serve's interpreter knows ForEach-Object, not its `%` alias.
const SCRIPT = '1..5 | ForEach-Object { Start-Sleep -Milliseconds 500; $_ }';

let dir: string;
let server: RunningServer;
let hosts: string[];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-ctrlc-'));
  server = await startServer({
    listen: Array.from({ length: HOSTS }, () => '127.0.0.1:0'),
    users: [{ username: USER, password: PASSWORD }],
    // One user on 40 hosts: serve counts MaxShellsPerUser over all its ports.
    maxShellsPerUser: HOSTS,
  });
  hosts = server.urls.map((u) => u.host);
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (): Record<string, string | undefined> => ({
  TSREMOTE_PASSWORD: PASSWORD,
  TSREMOTE_CONFIG: undefined,
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_STATE_HOME: path.join(dir, 'state'),
});

async function noShellsLeft(): Promise<number> {
  for (let i = 0; i < 100 && server.stats().shells > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return server.stats().shells;
}

/** Runs `invoke` (default `-s SCRIPT`) on every host and sends `signal` once the first output arrived. */
async function interruptedRun(extra: string[], signal: NodeJS.Signals = 'SIGINT', run: string[] = ['-s', SCRIPT]) {
  const child = spawnCli(['invoke', '-c', hosts.join(','), '-u', USER, ...extra, ...run], { env: env() });
  child.stdin.end();
  const done = finished(child, 60_000);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill(signal);
  return done;
}

describe('Ctrl+C during a 40-host invoke -s', () => {
  it('reports every unfinished host as interrupted, prints no MaxListeners warning and leaves no shell', async () => {
    const res = await interruptedRun([]);
    expect(res.code, res.stderr).toBe(130);
    expect(res.stderr).not.toMatch(/MaxListeners/);
    expect(res.stderr).toMatch(/^tsremote: interrupted; /m);
    // The summary counts every host that did not succeed, and none of them as failed.
    const summary = /^tsremote: (\d+) of 40 hosts did not succeed \(([^)]*)\)/m.exec(res.stderr);
    expect(summary, res.stderr).not.toBeNull();
    expect(summary![2], res.stderr).not.toMatch(/failed|unreachable/);
    const rows = res.stderr.split('\n').filter((l) => /^ {2}127\.0\.0\.1:\d+ /.test(l));
    expect(rows.length, res.stderr).toBe(Number(summary![1]));
    for (const row of rows) expect(row, res.stderr).toMatch(/^ {2}\S+\s+interrupted\s/);
    expect(await noShellsLeft()).toBe(0);
  }, 90_000);

  it.each([
    ['-s', 'SIGINT', ['-s', SCRIPT], 130],
    ['-s', 'SIGTERM', ['-s', SCRIPT], 143],
    ['--cmd', 'SIGINT', ['--cmd', 'for i in 1 2 3 4 5; do sleep 0.5; echo $i; done'], 130],
  ] as const)('%s --json, %s: every host has one end record, ok or interrupted', async (_verb, signal, run, code) => {
    const res = await interruptedRun(['--json'], signal, [...run]);
    expect(res.code, res.stderr).toBe(code);
    expect(res.stderr).not.toMatch(/MaxListeners/);
    const ends = res.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { host: string; stream: string; status?: string })
      .filter((r) => r.stream === 'end');
    expect(ends.map((r) => r.host).sort(), res.stdout.slice(-2000)).toEqual([...hosts].sort());
    const statuses = new Map(ends.map((r) => [r.host, r.status]));
    const bad = [...statuses].filter(([, s]) => s !== 'ok' && s !== 'interrupted');
    expect(bad, res.stderr).toEqual([]);
    expect([...statuses.values()]).toContain('interrupted');
    expect(await noShellsLeft()).toBe(0);
  }, 90_000);
});

describe('a slow reader of a 40-host invoke --cmd', () => {
  it('gets every line and no MaxListeners warning (each host waits for stdout to drain)', async () => {
    const child = spawnCli(['invoke', '-c', hosts.join(','), '-u', USER, '--cmd', 'seq 1 20000'], { env: env() });
    child.stdin.end();
    // Read nothing for a while: the pipe fills and every host waits for 'drain' on the one stdout.
    child.stdout.pause();
    const done = finished(child, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    child.stdout.resume();
    const res = await done;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').filter((l) => l.endsWith(' 20000'))).toHaveLength(HOSTS);
  }, 90_000);
});
