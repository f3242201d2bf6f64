/**
 * The fan-out headline: `tsremote invoke` against 100 loopback hosts — 98 ports of one `serve`
 * (a 98-port range), one port nothing listens on, and one `serve` that knows another password.
 * The good hosts' output must all arrive exactly once, the two bad hosts get one error line each,
 * the exit code is 2 and the retry file names exactly those two. The same hosts then run a WinRS
 * command with --json.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

const USER = 'fan';
const PASSWORD = 'fanout-100-e2e';
const GOOD = 98;
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-fan-'));
const hostsFile = path.join(dir, 'hosts.txt');
const retryFile = path.join(dir, 'retry.txt');
const env = {
  TSREMOTE_PASSWORD: PASSWORD,
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_STATE_HOME: path.join(dir, 'state'),
  TSREMOTE_CONFIG: undefined,
  TSREMOTE_USERNAME: undefined,
};
let good: RunningServer;
let other: RunningServer;
let goodHosts: string[];
let dead: string;
let wrong: string;
let all: string[];

/** A loopback port nothing listens on (bound, then let go). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  // Below the ephemeral range (32768+), where client sockets would collide; retried when taken.
  for (let attempt = 0; ; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    try {
      // 98 "hosts" share this one server, and WinRM's quota of 30 shells per user is per host.
      good = await startServer({
        listen: [`127.0.0.1:${base}-${base + GOOD - 1}`],
        users: [{ username: USER, password: PASSWORD }],
        maxShellsPerUser: GOOD,
      });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 4) throw err;
    }
  }
  other = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: 'not-the-same-password' }] });
  goodHosts = good.urls.map((u) => u.host);
  dead = `127.0.0.1:${await deadPort()}`;
  wrong = (other.urls[0] as URL).host;
  // The bad ones in the middle: they must not delay or hide the hosts after them.
  all = [...goodHosts.slice(0, 40), dead, ...goodHosts.slice(40, 70), wrong, ...goodHosts.slice(70)];
  writeFileSync(hostsFile, `# 100 loopback hosts\n${all.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  await Promise.all([good?.close(), other?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('invoke against 100 hosts (98 good, 1 dead, 1 wrong password)', () => {
  it('shows every good host once, one error line per bad host, exit 2, and a retry file of the 2', async () => {
    const script = '"ready"; [pscustomobject]@{ Name = "svc"; State = "Running" }';
    const started = Date.now();
    const res = await runCli(['invoke', '-c', `@${hostsFile}`, '-u', USER, '--retry-file', retryFile, '-s', script], { env, timeoutMs: 240_000 });
    const wall = Date.now() - started;
    process.stdout.write(`[fanout-100] text run: ${wall} ms for ${all.length} hosts (exit ${res.code})\n`);
    if (process.env.FANOUT_SHOW) process.stdout.write(`${res.stdout.slice(0, 1500)}\n…\n${res.stdout.slice(-600)}\n--- stderr:\n${res.stderr}\n`);
    const width = Math.max(...all.map((h) => h.length));

    // Scalars: `[host]` padded to the longest host name, once per good host.
    const ready = res.stdout.split('\n').filter((l) => l.endsWith('ready'));
    expect(ready).toHaveLength(GOOD);
    expect(new Set(ready).size).toBe(GOOD);
    for (const h of goodHosts) expect(ready).toContain(`[${h}]${' '.repeat(width - h.length + 1)}ready`);

    // Objects: ONE table across hosts, a PSComputerName column, one row per good host.
    expect(res.stdout.match(/^Name State +PSComputerName$/gm)).toHaveLength(1);
    const rows = res.stdout.split('\n').filter((l) => /^svc +Running +\S+$/.test(l));
    expect(rows.map((l) => l.split(/ +/)[2]).sort()).toEqual([...goodHosts].sort());

    // The bad hosts: one error line each (then the summary's rows, indented).
    const errorLines = res.stderr.split('\n').filter((l) => l.startsWith(`${dead}: `) || l.startsWith(`${wrong}: `));
    expect(errorLines).toHaveLength(2);
    expect(errorLines.find((l) => l.startsWith(`${dead}: `))).toMatch(/connect|refused/i);
    expect(errorLines.find((l) => l.startsWith(`${wrong}: `))).toMatch(/rejected|logon|password|credentials/i);
    expect(res.stderr).toMatch(new RegExp(`^tsremote: 2 of 100 hosts did not succeed \\(98 ok, 2 unreachable\\) in [0-9.]+ s$`, 'm'));
    expect(res.stderr).toMatch(new RegExp(`^  ${escape(dead)} +unreachable +[0-9.]+ s +\\S`, 'm'));
    expect(res.stderr).toMatch(new RegExp(`^  ${escape(wrong)} +unreachable +[0-9.]+ s +\\S`, 'm'));
    expect(res.code).toBe(2);
    expect(readFileSync(retryFile, 'utf8')).toBe(`${dead}\n${wrong}\n`);
  }, 250_000);

  it('--json: 100 end records with statuses, durations and errors, and no text on stderr', async () => {
    const started = Date.now();
    const res = await runCli(['invoke', '-c', `@${hostsFile}`, '-u', USER, '--json', '-s', '"ready"'], { env, timeoutMs: 240_000 });
    process.stdout.write(`[fanout-100] --json run: ${Date.now() - started} ms for ${all.length} hosts (exit ${res.code})\n`);
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: string; stream: string; status?: string; value?: unknown; error?: unknown; durationMs?: number });
    const ends = records.filter((r) => r.stream === 'end');
    expect(ends).toHaveLength(100);
    expect(new Set(ends.map((r) => r.host))).toEqual(new Set(all));
    const status = Object.fromEntries(ends.map((r) => [r.host, r.status]));
    expect(Object.values(status).filter((s) => s === 'ok')).toHaveLength(GOOD);
    expect([status[dead], status[wrong]]).toEqual(['unreachable', 'unreachable']);
    for (const r of ends) expect(typeof r.durationMs).toBe('number');
    expect(ends.filter((r) => r.error !== null).map((r) => r.host).sort()).toEqual([dead, wrong].sort());
    const outputs = records.filter((r) => r.stream === 'output');
    expect(outputs.map((r) => r.host).sort()).toEqual([...goodHosts].sort());
    expect(outputs.every((r) => r.value === 'ready')).toBe(true);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(2);
  }, 250_000);

  // 32 WinRS shells open at once share the run's signals: a listener-leak warning on stderr would
  // show here (one slipped in once, when every Create began sharing one grace signal).
  it('--cmd --json: a WinRS command on the same hosts, one end record each, and nothing on stderr', async () => {
    const res = await runCli(['invoke', '-c', `@${hostsFile}`, '-u', USER, '--json', '--cmd', 'echo ready'], { env, timeoutMs: 240_000 });
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: string; stream: string; status?: string; value?: string });
    const ends = records.filter((r) => r.stream === 'end');
    expect(new Set(ends.map((r) => r.host))).toEqual(new Set(all));
    expect(ends.filter((r) => r.status === 'ok')).toHaveLength(GOOD);
    const said = records.filter((r) => r.stream === 'stdout').map((r) => `${r.host} ${r.value?.trim()}`);
    expect(said.sort()).toEqual(goodHosts.map((h) => `${h} ready`).sort());
    expect(res.stderr).toBe('');
    expect(res.code).toBe(2);
  }, 250_000);
});
