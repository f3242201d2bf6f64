/**
 * Issue 7 (fault matrix, session cells): when `invoke --session` fails, the host's error is ONE
 * stderr line. A session that failed cannot disconnect its pool (the disconnect reports the same
 * error again), and that line used to follow the first one with the session advice appended; now
 * the advice rides on the one line. The advice matches what happened to the pool: gone (broken,
 * remove it) or still there. A failed or lost Command ends only its pipeline: the pool is handed
 * back (Disconnected) and the next run uses it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { connect, queryShellState } from '../../src/session/index.js';
import { isolatedCliEnv, runCli } from '../helpers/cli.js';

const USER = 'oneline';
const PASSWORD = 'One-line-per-host-7';

let server: RunningServer | undefined;
let dir: string | undefined;

afterEach(async () => {
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

/** The recorded session's pool as the server sees it (rsp:State). */
async function poolState(host: string, shellId: string): Promise<string> {
  const client = connect(host, { https: false, auth: 'ntlm', credential: new Credential(USER, PASSWORD), operationTimeoutSec: 5, connectTimeoutSec: 5 });
  try {
    return await queryShellState(client, shellId);
  } finally {
    await client.close();
  }
}

/**
 * serve with `faults`, a session on it, then one `invoke --session` run (and, with `again`, a
 * second), the pool's state on the server after the first run, and `session remove`.
 */
async function failingSessionRun(faults: string, again = false) {
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-sessline-'));
  const env = isolatedCliEnv(dir, PASSWORD);
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], faultSpec: faults });
  const host = server.urls[0]!.host;
  const created = await runCli(['session', 'new', '-c', host, '-u', USER, '--name', 'rel'], { env });
  expect(created.stderr).toBe('');
  const shellId = /runspace pool (\S+)/.exec(created.stdout)?.[1] ?? '';
  const invoked = await runCli(['invoke', '--session', 'rel', '-s', '1..3 | ForEach-Object { Start-Sleep -Milliseconds 100; "rec $_" }'], { env });
  const stateAfter = await poolState(host, shellId);
  const second = again ? await runCli(['invoke', '--session', 'rel', '-s', '"second run"'], { env }) : undefined;
  const removed = await runCli(['session', 'remove', 'rel'], { env });
  // Never leave a record behind, even when remove itself was the step under test.
  const forced = removed.code === 0 ? undefined : await runCli(['session', 'remove', 'rel', '--force'], { env });
  return { host, invoked, stateAfter, second, removed, forced };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

describe('invoke --session prints a failing host once (issue 7)', () => {
  it('the pool vanished: one line, with the broken-session advice', async () => {
    const { host, invoked, removed } = await failingSessionRun('vanish@receive:nth=2');
    expect(invoked.code).toBe(1);
    const errors = lines(invoked.stderr);
    expect(errors, invoked.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}: .*InvalidSelectors.*\\(session rel is broken; tsremote session remove rel\\)$`));
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(server!.stats().shells).toBe(0);
  }, 60_000);

  it('the Command was refused: one line, and the pool is handed back for the next run', async () => {
    const { host, invoked, stateAfter, second, removed } = await failingSessionRun('http500@command:nth=1', true);
    expect(invoked.code).toBe(1);
    const errors = lines(invoked.stderr);
    expect(errors, invoked.stderr).toHaveLength(1);
    expect(errors[0]!.startsWith(`${host}: `)).toBe(true);
    expect(errors[0]).toMatch(/InternalError/);
    expect(errors[0]).not.toMatch(/session rel/);
    expect(stateAfter).toBe('Disconnected');
    expect([second?.code, second?.stdout, second?.stderr]).toEqual([0, 'second run\n', '']);
    expect(removed.code).toBe(0);
    expect(server!.stats().shells).toBe(0);
  }, 60_000);

  it('the Command\'s answer was lost: one line saying it may have run, a terminate for it, and the pool handed back', async () => {
    // The terminate is refused too: that changes nothing for the session.
    const { host, invoked, stateAfter, second, removed } = await failingSessionRun('reset@command:nth=1;http500@signal:nth=1', true);
    expect(invoked.code).toBe(1);
    const errors = lines(invoked.stderr);
    expect(errors, invoked.stderr).toHaveLength(1);
    expect(errors[0]!.startsWith(`${host}: `)).toBe(true);
    expect(errors[0]).toMatch(/may or may not have run/);
    expect(stateAfter).toBe('Disconnected');
    // The Signal terminate for the pipeline that may have started (serve had not started it).
    expect(server!.stats().requests.wsman.Signal).toBeGreaterThanOrEqual(1);
    expect(server!.faultCounts()).toMatchObject({ reset: 1, http500: 1 });
    expect([second?.code, second?.stdout, second?.stderr]).toEqual([0, 'second run\n', '']);
    expect(removed.code).toBe(0);
    expect(server!.stats().shells).toBe(0);
  }, 60_000);

  it('a run that succeeds prints nothing on stderr and leaves the pool for the next run', async () => {
    const { invoked, removed } = await failingSessionRun('http500@command:nth=99');
    expect(invoked.stderr).toBe('');
    expect(invoked.code).toBe(0);
    expect(lines(invoked.stdout)).toEqual(['rec 1', 'rec 2', 'rec 3']);
    expect(removed.code).toBe(0);
  }, 60_000);

  it('session remove whose Delete fails: one line, saying the session is kept', async () => {
    const { host, invoked, removed, forced } = await failingSessionRun('http500@delete:nth=1');
    expect(invoked.code).toBe(0);
    expect(removed.code).toBe(1);
    const errors = lines(removed.stderr);
    expect(errors, removed.stderr).toHaveLength(1);
    expect(errors[0]!.startsWith(`${host}: `)).toBe(true);
    expect(errors[0]).toMatch(/InternalError.*\(session rel kept; --force drops the record anyway\)$/);
    expect(forced?.code).toBe(0);
  }, 60_000);
});
