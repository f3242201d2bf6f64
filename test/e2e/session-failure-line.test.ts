/**
 * Issue 7 (fault matrix, session cells): when `invoke --session` fails, the host's error is ONE
 * stderr line. A session that failed cannot disconnect its pool (the disconnect reports the same
 * error again), and that line used to follow the first one with the session advice appended; now
 * the advice rides on the one line. The advice matches what happened to the pool: gone (broken,
 * remove it) or still there (connected until the host's idle timeout).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
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

/** serve with `faults`, a session on it, then one `invoke --session` run and `session remove`. */
async function failingSessionRun(faults: string) {
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-sessline-'));
  const env = isolatedCliEnv(dir, PASSWORD);
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], faultSpec: faults });
  const host = server.urls[0]!.host;
  const created = await runCli(['session', 'new', '-c', host, '-u', USER, '--name', 'rel'], { env });
  expect(created.stderr).toBe('');
  const invoked = await runCli(['invoke', '--session', 'rel', '-s', '1..3 | ForEach-Object { Start-Sleep -Milliseconds 100; "rec $_" }'], { env });
  const removed = await runCli(['session', 'remove', 'rel'], { env });
  // Never leave a record behind, even when remove itself was the step under test.
  const forced = removed.code === 0 ? undefined : await runCli(['session', 'remove', 'rel', '--force'], { env });
  return { host, invoked, removed, forced };
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

  it('the Command was refused and the pool is still there: one line, saying it may stay connected', async () => {
    const { host, invoked, removed } = await failingSessionRun('http500@command:nth=1');
    expect(invoked.code).toBe(1);
    const errors = lines(invoked.stderr);
    expect(errors, invoked.stderr).toHaveLength(1);
    expect(errors[0]!.startsWith(`${host}: `)).toBe(true);
    expect(errors[0]).toMatch(/InternalError.*\(session rel may stay connected until the host's idle timeout\)$/);
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
