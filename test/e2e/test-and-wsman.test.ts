/** `tsremote test` and `tsremote wsman …` end to end against `serve`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';
import { TestClient } from '../server/client.js';

const USER = 'tester';
const PASSWORD = 'wsman-e2e-secret';
const env = { TSREMOTE_PASSWORD: PASSWORD };
let server: RunningServer;
let host: string;

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], allowUnencrypted: true });
  host = server.urls[0]!.host;
});
afterAll(async () => {
  await server.close();
});

describe('tsremote test', () => {
  it('identifies anonymously without -u, learning no OS version (as Test-WSMan)', async () => {
    const res = await runCli(['test', host, '--json'], { env: { TSREMOTE_PASSWORD: undefined } });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      host,
      ok: true,
      protocolVersion: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
      productVendor: 'tsremote',
      productVersion: 'OS: 0.0.0 SP: 0.0 Stack: 3.0',
    });
  });

  it('identifies with credentials when -u is given, and prints the Test-WSMan fields', async () => {
    const res = await runCli(['test', host, '-u', USER, '--allow-unencrypted'], { env });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^wsmid\s+: http:\/\/schemas\.dmtf\.org\/wbem\/wsman\/identity\/1\/wsmanidentity\.xsd$/m);
    expect(res.stdout).toMatch(/^ProductVendor\s+: tsremote$/m);
    expect(res.stdout).not.toContain('OS: 0.0.0');
  });

  it('a wrong password is one line naming the host, exit 2', async () => {
    const res = await runCli(['test', host, '-u', USER, '--allow-unencrypted'], { env: { TSREMOTE_PASSWORD: 'nope' } });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${host}: logon rejected \\(401\\)`))]);
  });

  it('a dead host is one line naming it, exit 2; several hosts are each reported', async () => {
    const res = await runCli(['test', '-c', `${host},127.0.0.1:1`, '--json'], { env });
    expect(res.code).toBe(2);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: string; ok: boolean });
    expect(lines.map((l) => [l.host, l.ok])).toEqual([
      [host, true],
      ['127.0.0.1:1', false],
    ]);
    expect(res.stderr).toMatch(/^127\.0\.0\.1:1: connection refused/m);
  });

  it('reads the password from stdin with --password-stdin', async () => {
    const res = await runCli(['test', host, '-u', USER, '--allow-unencrypted', '--password-stdin'], {
      env: { TSREMOTE_PASSWORD: undefined },
      input: `${PASSWORD}\n`,
    });
    expect(res.code).toBe(0);
  });

  it('without any password source and no terminal, stops with a hint', async () => {
    const res = await runCli(['test', host, '-u', USER, '--allow-unencrypted'], { env: { TSREMOTE_PASSWORD: undefined } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no password for tester; hint: set TSREMOTE_PASSWORD/);
  });
});

describe('tsremote wsman', () => {
  it('enumerate shell --json lists exactly the open shells, get finds one by ShellId', async () => {
    const client = new TestClient(server.urls[0]!, USER, PASSWORD);
    const shellId = await client.createShell();
    try {
      const res = await runCli(['wsman', 'enumerate', host, 'shell', '-u', USER, '--allow-unencrypted', '--json'], { env });
      expect(res.code).toBe(0);
      const shells = JSON.parse(res.stdout) as { ShellId: string; Owner: string }[];
      expect(shells.map((s) => [s.ShellId, s.Owner])).toEqual([[shellId, USER]]);

      const got = await runCli(
        ['wsman', 'get', host, 'shell', '--selector', `ShellId=${shellId}`, '-u', USER, '--allow-unencrypted'],
        { env },
      );
      expect(got.code).toBe(0);
      expect(got.stdout).toMatch(new RegExp(`^ShellId\\s+: ${shellId}$`, 'm'));
    } finally {
      await client.deleteShell(shellId);
      await client.close();
    }
    const after = await runCli(['wsman', 'enumerate', host, 'shell', '-u', USER, '--allow-unencrypted', '--json'], { env });
    expect(JSON.parse(after.stdout)).toEqual([]);
  });

  it('a fault is one line with the WS-Man fault and a hint (unknown ShellId)', async () => {
    const res = await runCli(
      ['wsman', 'get', host, 'shell', '--selector', 'ShellId=00000000-0000-0000-0000-000000000000', '-u', USER, '--allow-unencrypted'],
      { env },
    );
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(new RegExp(`^${host}: .*\\(InvalidSelectors 2150858843\\); hint: `));
  });

  it('identify works anonymously', async () => {
    const res = await runCli(['wsman', 'identify', host, '--json'], { env: { TSREMOTE_PASSWORD: undefined } });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ ProductVendor: 'tsremote' });
  });
});
