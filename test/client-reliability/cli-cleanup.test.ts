/**
 * Isolation and clean-up through the real CLI (issue 7): a host that never answers does not hold
 * up the others' output and costs one line (one record with --json); SIGINT and SIGTERM in the
 * middle of a run — while a command runs, and while its shell is still being created — leave no
 * shell behind on serve; an interrupted `invoke --session` hands its pool back (Disconnected).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { finished, isolatedCliEnv, runCli, spawnCli } from '../helpers/cli.js';

const USER = 'rel';
const PASSWORD = 'Reliable-7';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-rel-'));
const env = isolatedCliEnv(dir, PASSWORD);
const conn = ['-u', USER, '--auth', 'basic', '--allow-unencrypted'];

let healthy: RunningServer;
/** Every Create response dripped at 600 B/s: a signal can land while the shell is being created. */
let slowCreate: RunningServer;
let stalled: net.Server;
let stalledHost: string;
const stalledSockets: net.Socket[] = [];

const serve = (faultSpec?: string): Promise<RunningServer> =>
  startServer({
    listen: ['127.0.0.1:0', '127.0.0.1:0', '127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], allowUnencrypted: true,
    log: () => undefined, ...(faultSpec ? { faultSpec } : {}),
  });

beforeAll(async () => {
  [healthy, slowCreate] = await Promise.all([serve(), serve('drip@create:bps=600')]);
  // Accepts connections and reads requests, but never answers.
  stalled = net.createServer((socket) => {
    stalledSockets.push(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  stalledHost = `127.0.0.1:${(stalled.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of stalledSockets) s.destroy();
  stalled.close();
  await Promise.all([healthy.close(), slowCreate.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const hostsOf = (server: RunningServer): string[] => server.urls.map((u) => u.host);

/** Resolves once `text` has appeared on the child's stdout. */
function seen(child: ReturnType<typeof spawnCli>, text: string | RegExp): Promise<void> {
  let out = '';
  return new Promise((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (typeof text === 'string' ? out.includes(text) : text.test(out)) resolve();
    });
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a stalled host among healthy ones', () => {
  it('healthy output arrives while the stalled host still waits; it costs one stderr line', async () => {
    const hosts = [stalledHost, ...hostsOf(healthy)];
    const child = spawnCli(['invoke', '-c', hosts.join(','), ...conn, '--timeout', '3', '--cmd', 'echo hi'], { env });
    child.stdin.end();
    const done = finished(child, 40_000);
    const healthyLines = hostsOf(healthy).map((h) => `[${h}] hi`);
    await seen(child, new RegExp(healthyLines.map((l) => `(?=[\\s\\S]*${l.replace(/[.[\]]/g, '\\$&')})`).join('')));
    // All three healthy hosts are done, and the run is still going: the stalled one holds only itself.
    expect(child.exitCode).toBeNull();
    const res = await done;
    expect(res.stdout.trim().split('\n').sort()).toEqual(healthyLines.sort());
    const lines = res.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith(`${stalledHost}: `))).toEqual([expect.stringMatching(/timed out after 3 s/)]);
    expect(res.code).not.toBe(0);
    expect(healthy.stats().shells).toBe(0);
  }, 40_000);

  it('--json: one end record per host, the stalled one failed with its error', async () => {
    const hosts = [stalledHost, ...hostsOf(healthy)];
    const res = await runCli(['invoke', '-c', hosts.join(','), ...conn, '--timeout', '3', '--json', '--cmd', 'echo hi'], { env, timeoutMs: 40_000 });
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ends = records.filter((r) => r.stream === 'end');
    expect(ends).toHaveLength(4);
    expect(ends.filter((r) => r.status === 'ok').map((r) => r.host).sort()).toEqual(hostsOf(healthy).sort());
    expect(ends.filter((r) => r.host === stalledHost)).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.stringMatching(/timed out after 3 s/) }),
    ]);
  }, 40_000);
});

describe('signals mid-run leave no shell behind', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('invoke --cmd, %s while the command runs', async (sig) => {
    const host = hostsOf(healthy)[0]!;
    const child = spawnCli(['invoke', '-c', host, ...conn, '--cmd', 'echo started; sleep 30'], { env });
    child.stdin.end();
    const done = finished(child, 30_000);
    await seen(child, 'started');
    expect(healthy.stats().shells).toBe(1);
    child.kill(sig);
    const res = await done;
    expect(res.code).toBe(sig === 'SIGTERM' ? 143 : 130);
    expect(healthy.stats().shells).toBe(0);
    expect(healthy.stats().pids).toEqual([]);
  }, 30_000);

  it.each(['SIGINT', 'SIGTERM'] as const)('invoke --cmd, %s while the shell is being created', async (sig) => {
    const host = hostsOf(slowCreate)[0]!;
    const child = spawnCli(['invoke', '-c', host, ...conn, '--cmd', 'echo never'], { env });
    child.stdin.end();
    const done = finished(child, 30_000);
    await until(() => slowCreate.stats().shells === 1, 'the shell to exist on the server');
    child.kill(sig);
    const res = await done;
    expect(res.code).toBe(sig === 'SIGTERM' ? 143 : 130);
    expect(res.stdout).toBe('');
    expect(slowCreate.stats().shells).toBe(0);
  }, 30_000);

  it('invoke -s, SIGTERM while the pipeline runs', async () => {
    const host = hostsOf(healthy)[1]!;
    const child = spawnCli(['invoke', '-c', host, ...conn, '-s', '"sleeping"; Start-Sleep 30; "woke"'], { env });
    child.stdin.end();
    const done = finished(child, 30_000);
    await seen(child, 'sleeping');
    child.kill('SIGTERM');
    const res = await done;
    expect(res.code).toBe(143);
    expect(res.stdout).not.toContain('woke');
    expect(healthy.stats().shells).toBe(0);
  }, 30_000);

  it('invoke -s, SIGINT while the runspace pool is being created', async () => {
    const host = hostsOf(slowCreate)[1]!;
    const child = spawnCli(['invoke', '-c', host, ...conn, '-s', '"never"'], { env });
    child.stdin.end();
    const done = finished(child, 30_000);
    await until(() => slowCreate.stats().shells === 1, 'the pool to exist on the server');
    child.kill('SIGINT');
    const res = await done;
    expect(res.code).toBe(130);
    expect(slowCreate.stats().shells).toBe(0);
  }, 30_000);

  it('invoke --session, SIGINT while the pipeline runs: the pool is handed back, then session remove deletes it', async () => {
    const host = hostsOf(healthy)[2]!;
    // Default auth (NTLM, sealed): a session record does not keep --allow-unencrypted.
    const created = await runCli(['session', 'new', '-c', host, '-u', USER, '--name', 'rel1'], { env });
    expect(created.stderr).toBe('');
    expect(healthy.stats().shells).toBe(1);
    const child = spawnCli(['invoke', '--session', 'rel1', '-s', '"sleeping"; Start-Sleep 30; "woke"'], { env });
    child.stdin.end();
    const done = finished(child, 30_000);
    await seen(child, 'sleeping');
    child.kill('SIGINT');
    const res = await done;
    expect(res.code).toBe(130);
    expect(healthy.stats().shells).toBe(1);
    const listed = await runCli(['session', 'list', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'rel1', state: 'Disconnected' })]);
    const removed = await runCli(['session', 'remove', 'rel1'], { env });
    expect(removed.code).toBe(0);
    expect(healthy.stats().shells).toBe(0);
  }, 40_000);
});
