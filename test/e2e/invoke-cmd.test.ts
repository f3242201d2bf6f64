/**
 * `tsremote invoke --cmd` end to end: the real CLI process against a real `serve` endpoint on
 * loopback, running real commands.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';

const USER = 'e2e';
const PASSWORD = 'pässwörd-e2e-7f3a'; // non-ASCII on purpose: Basic is UTF-8
let server: RunningServer;
let hosts: string[];
const env = { TSREMOTE_PASSWORD: PASSWORD };
const conn = (): string[] => ['-u', USER, '--allow-unencrypted'];

beforeAll(async () => {
  server = await startServer({
    listen: ['127.0.0.1:0', '127.0.0.1:0', '127.0.0.1:0'],
    users: [{ username: USER, password: PASSWORD }],
    allowUnencrypted: true,
  });
  hosts = server.urls.map((u) => u.host);
});

afterAll(async () => {
  await server.close();
});

async function openShells(host: string): Promise<unknown[]> {
  const res = await runCli(['wsman', 'enumerate', host, 'shell', ...conn(), '--json'], { env });
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as unknown[];
}

describe('invoke --cmd against serve', () => {
  it('streams stdout and stderr and returns the remote exit code (3)', async () => {
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--cmd', 'echo out; echo err >&2; exit 3'], { env });
    expect(res.stdout).toBe('out\n');
    expect(res.stderr).toBe('err\n');
    expect(res.code).toBe(3);
  });

  it('sends stdin to the remote command with --stdin', async () => {
    const input = 'line one\nline two\n'.repeat(1000);
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--stdin', '--cmd', 'cat; echo done'], { env, input });
    expect(res.stdout).toBe(`${input}done\n`);
    expect(res.code).toBe(0);
  });

  it('keeps Unicode intact both ways (arguments and output)', async () => {
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--cmd', "printf '%s\\n' 'こんにちは 👋 ünïcödé'"], { env });
    expect(res.stdout).toBe('こんにちは 👋 ünïcödé\n');
    expect(res.code).toBe(0);
  });

  it('prefixes lines per host, and a dead host costs one error line but no other host output', async () => {
    const dead = '127.0.0.1:1';
    const res = await runCli(['invoke', '-c', `${hosts.join(',')},${dead}`, ...conn(), '--cmd', 'echo one; echo two'], { env });
    const lines = res.stdout.trim().split('\n').sort();
    expect(lines).toEqual(hosts.flatMap((h) => [`[${h}] one`, `[${h}] two`]).sort());
    // Its error line as it happens, then the summary of the hosts that did not succeed.
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^127\.0\.0\.1:1: connection refused/),
      expect.stringMatching(/^tsremote: 1 of 4 hosts did not succeed \(3 ok, 1 unreachable\) in \d+\.\d s$/),
      '  HOST         STATUS       TIME   FIRST ERROR',
      expect.stringMatching(/^  127\.0\.0\.1:1  unreachable  \d+\.\d s  connection refused/),
    ]);
    expect(res.code).toBe(2);
  });

  it('--json gives NDJSON records and one end record per host', async () => {
    const res = await runCli(['invoke', '-c', hosts.slice(0, 2).join(','), ...conn(), '--json', '--cmd', 'echo hi; exit 4'], { env });
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const host of hosts.slice(0, 2)) {
      expect(records.filter((r) => r.host === host)).toEqual([
        { host, stream: 'stdout', seq: 1, value: 'hi\n' },
        { host, stream: 'end', status: 'failed', exitCode: 4, error: null, durationMs: expect.any(Number) },
      ]);
    }
    expect(res.code).toBe(1);
  });

  it('a wrong password gives one line naming the host and exit 2', async () => {
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--cmd', 'echo no'], { env: { TSREMOTE_PASSWORD: 'wrong' } });
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${hosts[0]}: .*401`))]);
    expect(res.code).toBe(2);
  });

  it('refuses Basic over plain HTTP without --allow-unencrypted, before sending anything', async () => {
    const res = await runCli(['invoke', '-c', hosts[0]!, '-u', USER, '--auth', 'basic', '--cmd', 'echo no'], { env });
    expect(res.stderr).toMatch(new RegExp(`^${hosts[0]}: refusing to send Basic credentials over unencrypted HTTP`));
    expect(res.stderr).toContain('--allow-unencrypted');
    expect(res.stderr).not.toContain(PASSWORD);
    expect(res.code).toBe(2);
  });

  it('streams 50 MB of output through in bounded memory on both ends', async () => {
    const size = 50 * 1024 * 1024;
    const child = spawnCli(['invoke', '-c', hosts[1]!, ...conn(), '--cmd', `yes 0123456789abcdef | head -c ${size}`], { env });
    child.stdin.end();
    let bytes = 0;
    let peakKb = 0;
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // the process has exited
      }
    }, 50);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sample);
    expect(code).toBe(0);
    expect(bytes).toBe(size);
    // The CLI never holds the output: its peak RSS stays far below the 50 MB it relayed (+ Node's ~50 MB).
    // /proc is what we sample: on Linux a missing sample is a failure, not a pass.
    if (process.platform === 'linux') expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(140 * 1024);
    // The server paused the child rather than buffering its output.
    expect(server.stats().bufferedHighWater).toBeLessThan(4 * 1024 * 1024);
  }, 120_000);

  it('Ctrl+C stops the remote command, deletes the shell, and exits 130 promptly', async () => {
    const host = hosts[2]!;
    const child = spawnCli(['invoke', '-c', host, ...conn(), '--cmd', 'echo started; sleep 30'], { env });
    child.stdin.end();
    const done = finished(child, 20_000);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('started')) resolve();
      });
    });
    expect(await openShells(host)).toHaveLength(1);
    const t0 = Date.now();
    child.kill('SIGINT');
    const res = await done;
    expect(res.code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.stderr).toContain('interrupted');
    expect(await openShells(host)).toEqual([]);
    expect(server.stats().pids).toEqual([]);
  });
});

describe('invoke --cmd over HTTPS', () => {
  let tls: RunningServer;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    tls = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], https: true });
    dir = mkdtempSync(path.join(tmpdir(), 'tsr-e2e-'));
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, tls.certPem ?? '');
  });

  afterAll(async () => {
    await tls.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('works when the certificate is trusted with --ca-file', async () => {
    const host = tls.urls[0]!.host;
    const res = await runCli(['invoke', '-c', host, '-u', USER, '--https', '--ca-file', caFile, '--cmd', 'echo secure'], { env });
    expect([res.stdout, res.code]).toEqual(['secure\n', 0]);
  });

  it('refuses an untrusted certificate with one line naming the host (exit 2)', async () => {
    const host = tls.urls[0]!.host;
    const res = await runCli(['invoke', '-c', host, '-u', USER, '--https', '--cmd', 'echo no'], { env });
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(new RegExp(`^${host}: .*certificate`));
    expect(res.code).toBe(2);
  });

  it('--skip-cert-check connects and warns', async () => {
    const host = tls.urls[0]!.host;
    const res = await runCli(['invoke', '-c', host, '-u', USER, '--https', '--skip-cert-check', '--cmd', 'echo risky'], { env });
    expect(res.stdout).toBe('risky\n');
    expect(res.stderr).toMatch(/warning: .*not verified/i);
    expect(res.code).toBe(0);
  });
});
