/**
 * `tsremote enable` on Linux, end to end in a temp dir (issue 6): the real CLI writes the users
 * file, certificate and key with private modes and prints the systemd unit; a second run keeps
 * them; then serve is started with the exact command line of the unit, and `tsremote test` and
 * `invoke --cmd` log on to it with the user `enable --add-user` created (NTLM and Basic).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enableScript } from '../../src/enable/index.js';
import { binPath, runCli } from '../helpers/cli.js';

const USER = 'enabler';
const PASSWORD = 'En@ble-Me-7f';
const root = mkdtempSync(path.join(tmpdir(), 'tsr-enable-'));
const dir = path.join(root, 'serve');
const env = {
  XDG_CONFIG_HOME: path.join(root, 'cfg'),
  XDG_STATE_HOME: path.join(root, 'state'),
  TSREMOTE_USERNAME: undefined,
  TSREMOTE_PASSWORD: PASSWORD,
  TSREMOTE_CONFIG: undefined,
};
let serve: ChildProcess | undefined;
afterAll(() => {
  if (serve?.exitCode === null) serve.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** systemd's ExecStart word splitting for what systemdWord writes: "…" with \\ and \", %% and $$. */
function execStartArgv(unit: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
  const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? '')));
  return words.map((w) => w.replace(/%%/g, '%').replace(/\$\$/g, '$'));
}

const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);

describe('enable on Linux (--dir, no --install)', () => {
  it('sets up files and the unit, keeps them on a second run, and the unit\'s serve accepts the user', async () => {
    const port = await freePort();
    const listen = `127.0.0.1:${port}`;
    const args = ['enable', '--dir', dir, '--https', '--listen', listen];
    const first = await runCli([...args, '--add-user', USER], { env });
    expect([first.code, first.stderr.split('\n').filter((l) => /added user|certificate created/.test(l)).length]).toEqual([0, 2]);
    expect(first.stderr).toContain(`enable: added user ${USER} in ${dir}/users.json\n`);
    expect([mode(dir), mode(`${dir}/users.json`), mode(`${dir}/key.pem`), mode(`${dir}/cert.pem`)]).toEqual(['700', '600', '600', '644']);
    const argv = execStartArgv(first.stdout);
    expect(argv.slice(1)).toEqual([binPath, 'serve', '--users', `${dir}/users.json`, '--https', '--cert', `${dir}/cert.pem`, '--key', `${dir}/key.pem`, '--listen', listen]);
    expect(argv[0]).toBe(process.execPath);
    expect(first.stdout).toMatch(/^\[Install\]\nWantedBy=(multi-user|default)\.target\n$/m);
    expect(readFileSync(`${dir}/users.json`, 'utf8')).not.toContain(PASSWORD);

    // Idempotent: the same unit, the same certificate and key; another user added from stdin.
    const cert = readFileSync(`${dir}/cert.pem`, 'utf8');
    const key = readFileSync(`${dir}/key.pem`, 'utf8');
    const users = JSON.parse(readFileSync(`${dir}/users.json`, 'utf8')) as { users: { name: string }[] };
    const second = await runCli([...args, '--add-user', 'ops', '--password-stdin', '--no-ntlm'], { env: { ...env, TSREMOTE_PASSWORD: undefined }, input: 'ops-pw\n' });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain(`enable: added user ops in ${dir}/users.json (no NT hash: Basic over HTTPS only)\n`);
    expect(second.stderr).toContain('enable: certificate kept: ');
    expect([readFileSync(`${dir}/cert.pem`, 'utf8'), readFileSync(`${dir}/key.pem`, 'utf8')]).toEqual([cert, key]);
    const after = JSON.parse(readFileSync(`${dir}/users.json`, 'utf8')) as { users: { name: string; ntHash?: string }[] };
    expect(after.users.map((u) => [u.name, u.ntHash === undefined])).toEqual([
      [USER, false],
      ['ops', true],
    ]);
    expect(after.users[0]).toEqual(users.users[0]);
    const third = await runCli(args, { env });
    expect(third.stderr).toContain(`enable: users file ${dir}/users.json kept (2 users)\n`);

    // serve, exactly as systemd would start it.
    serve = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, TSREMOTE_SERVE_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      serve!.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('listening on')) resolve();
      });
      serve!.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    expect(out).toBe(`listening on https://${listen}/wsman\n`);

    const tls = ['--https', '--ca-file', `${dir}/cert.pem`];
    const test = await runCli(['test', listen, '-u', USER, ...tls], { env });
    expect([test.code, test.stderr]).toEqual([0, '']);
    expect(test.stdout).toContain('ProductVendor   : tsremote\n');
    const ntlm = await runCli(['invoke', '-c', listen, '-u', USER, ...tls, '--cmd', 'echo enabled'], { env });
    expect([ntlm.stdout, ntlm.stderr, ntlm.code]).toEqual(['enabled\n', '', 0]);
    const basic = await runCli(['invoke', '-c', listen, '-u', 'ops', '--auth', 'basic', ...tls, '--cmd', 'echo basic'], { env: { ...env, TSREMOTE_PASSWORD: 'ops-pw' } });
    expect([basic.stdout, basic.stderr, basic.code]).toEqual(['basic\n', '', 0]);
    const wrong = await runCli(['test', listen, '-u', USER, ...tls], { env: { ...env, TSREMOTE_PASSWORD: 'nope' } });
    expect(wrong.code).toBe(2);
  });

  it('refuses a users file others may read, with the chmod hint', async () => {
    const d = path.join(root, 'public');
    expect((await runCli(['enable', '--dir', d, '--add-user', USER], { env })).code).toBe(0);
    chmodSync(`${d}/users.json`, 0o644);
    const res = await runCli(['enable', '--dir', d], { env });
    expect([res.code, res.stdout]).toEqual([64, '']);
    expect(res.stderr).toContain(`hint: chmod 600 '${d}/users.json'`);
  });
});

it('enable --script --https prints the Windows script', async () => {
  const res = await runCli(['enable', '--script', '--https'], { env });
  expect([res.code, res.stdout, res.stderr]).toEqual([0, enableScript({ https: true, localAccountTokenFilter: false }), '']);
});
