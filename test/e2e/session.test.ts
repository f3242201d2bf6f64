/**
 * `tsremote session …` and `invoke --session` end to end (issue 6): the real CLI, one process per
 * step, against `serve` over sealed NTLM. A variable set by one process is read by the next,
 * because the runspace pool is disconnected and connected again (MS-PSRP §3.1.4.9–10), not
 * because commands are replayed.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { connect, deleteShell } from '../../src/session/index.js';
import { runCli } from '../helpers/cli.js';

const USER = 'keeper';
const PASSWORD = 'Sessions-outlive-1';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-sess-'));
const env = {
  TSREMOTE_PASSWORD: PASSWORD,
  TSREMOTE_USERNAME: undefined,
  TSREMOTE_STATE_DIR: path.join(dir, 'state'),
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_STATE_HOME: path.join(dir, 'xdg-state'),
};
let server: RunningServer;
let host: string;

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }] });
  host = server.urls[0]!.host;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, { env });
interface Listed {
  name: string;
  state: string;
  detail?: string;
  commands: number;
  shellId: string;
}
const list = async (): Promise<Listed[]> => {
  const res = await cli('session', 'list', '--json');
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout) as Listed[];
};

describe('session new → invoke --session → list → remove', () => {
  it('keeps $x across processes, shows Disconnected, and remove deletes the remote shell', async () => {
    const created = await cli('session', 'new', '-c', host, '-u', USER, '--name', 's1', '--idle-timeout', '600');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^session s1: runspace pool [0-9A-F-]{36} on 127\.0\.0\.1:\d+, disconnected \(kept 600 s when idle\)\n$/);
    expect(server.stats().shells).toBe(1);

    const file = path.join(env.TSREMOTE_STATE_DIR, 'sessions.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(PASSWORD);

    const set = await cli('invoke', '--session', 's1', '-s', '$x = 42');
    expect([set.code, set.stdout, set.stderr]).toEqual([0, '', '']);
    const read = await cli('invoke', '--session', 's1', '-s', '$x');
    expect([read.code, read.stdout, read.stderr]).toEqual([0, '42\n', '']);
    expect(server.stats().shells).toBe(1);

    const listed = await list();
    expect(listed.map((l) => [l.name, l.state, l.commands])).toEqual([['s1', 'Disconnected', 2]]);
    const table = await cli('session', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME +HOST +USER +STATE +COMMANDS +LAST USED$/);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^s1 +${host.replace(/\./g, '\\.')} +${USER} +Disconnected +2 +\\d+s ago$`));

    const removed = await cli('session', 'remove', 's1');
    expect([removed.code, removed.stdout, removed.stderr]).toEqual([0, `removed session s1 (runspace pool deleted on ${host})\n`, '']);
    expect(server.stats().shells).toBe(0);
    expect(await list()).toEqual([]);
  });

  it('refuses a duplicate name (exit 64) and names a default <host>-<n>', async () => {
    const first = await cli('session', 'new', '-c', host, '-u', USER);
    expect(first.code).toBe(0);
    const name = `${host.replace(/:\d+$/, '')}-1`;
    expect(first.stdout.startsWith(`session ${name}: `)).toBe(true);
    const dup = await cli('session', 'new', '-c', host, '-u', USER, '--name', name.toUpperCase());
    expect(dup.code).toBe(64);
    expect(dup.stderr).toBe(`tsremote: a session named ${name.toUpperCase()} already exists; hint: pick another --name, or tsremote session remove ${name.toUpperCase()}\n`);
    expect(server.stats().shells).toBe(1);
    const all = await cli('session', 'remove', '--all');
    expect(all.code).toBe(0);
    expect(server.stats().shells).toBe(0);
  });
});

describe('a broken session', () => {
  it('says so in list, in invoke (with the way out), and remove just drops it', async () => {
    expect((await cli('session', 'new', '-c', host, '-u', USER, '--name', 'gone')).code).toBe(0);
    const [rec] = await list();
    // The server forgets the pool behind the CLI's back (as a restart or an idle timeout would).
    const client = connect(host, { https: false, auth: 'negotiate', credential: new Credential(USER, PASSWORD), operationTimeoutSec: 20, connectTimeoutSec: 5 });
    expect(await deleteShell(client, rec!.shellId)).toBe(true);
    await client.close();

    expect((await list()).map((l) => [l.name, l.state, l.detail])).toEqual([['gone', 'Broken', 'gone from the host']]);
    const run = await cli('invoke', '--session', 'gone', '-s', '1');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${host}: session gone is broken: the host no longer has its runspace pool ${rec!.shellId} (removed, idle too long, or the server restarted); ` +
        `hint: tsremote session remove gone, then tsremote session new -c ${host} --name gone`,
    );
    const removed = await cli('session', 'remove', 'gone');
    expect([removed.code, removed.stdout]).toEqual([0, `removed session gone (its runspace pool was already gone from ${host})\n`]);
    expect(await list()).toEqual([]);
  });

  it('an unreachable host shows as unknown, and remove keeps the record unless --force', async () => {
    // Point the record at a port nothing listens on.
    expect((await cli('session', 'new', '-c', host, '-u', USER, '--name', 'far')).code).toBe(0);
    const file = path.join(env.TSREMOTE_STATE_DIR, 'sessions.json');
    const text = readFileSync(file, 'utf8');
    const moved = text.replace(`"host": "${host}"`, '"host": "127.0.0.1:1"');
    writeFileSync(file, moved, { mode: 0o600 });
    expect((await list()).map((l) => [l.name, l.state, l.detail])).toEqual([['far', 'unknown', 'host unreachable']]);
    const kept = await cli('session', 'remove', 'far');
    expect(kept.code).toBe(2);
    expect(kept.stderr).toMatch(/\(session far kept; --force drops the record anyway\)\n$/);
    const forced = await cli('session', 'remove', 'far', '--force');
    expect(forced.code).toBe(0);
    expect(await list()).toEqual([]);
    // The pool itself is still on the server: clean it up for the next test.
    writeFileSync(file, text, { mode: 0o600 });
    expect((await cli('session', 'remove', 'far')).code).toBe(0);
    expect(server.stats().shells).toBe(0);
  });
});
