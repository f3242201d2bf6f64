/**
 * The authentication and credential flags as a user meets them: the real CLI process, checked
 * before any host is contacted (every host here is unreachable on purpose, 127.0.0.1:1).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { AUTH_NAMES } from '../../src/cli/connection-options.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-authflags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DEAD = '127.0.0.1:1';
/** No user config, no password in the environment. */
const clean = { TSREMOTE_PASSWORD: undefined, TSREMOTE_USERNAME: undefined, XDG_CONFIG_HOME: path.join(dir, 'none') };

function configFile(name: string, value: unknown, mode = 0o600): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  chmodSync(file, mode);
  return file;
}

describe('authentication flags', () => {
  it('--auth certificate without --cert-file is a usage error naming the host (exit 64)', async () => {
    const res = await runCli(['invoke', '-c', DEAD, '--auth', 'certificate', '--https', '--cmd', 'x'], { env: clean });
    expect(res.stderr).toBe(
      `${DEAD}: --auth certificate needs --cert-file and --key-file; hint: give both PEM files (or certFile and keyFile in the config file)\n`,
    );
    expect([res.stdout, res.code]).toEqual(['', 64]);
  });

  it('--auth certificate over plain HTTP is a usage error (exit 64)', async () => {
    const res = await runCli(['test', DEAD, '--auth', 'certificate', '--cert-file', 'c.pem', '--key-file', 'k.pem'], { env: clean });
    expect(res.stderr).toBe(`${DEAD}: --auth certificate works over HTTPS only; hint: add --https (client certificates are a TLS feature)\n`);
    expect(res.code).toBe(64);
  });

  it('an unknown --auth scheme is refused by the parser (exit 64)', async () => {
    const res = await runCli(['test', DEAD, '--auth', 'digest'], { env: clean });
    expect(res.stderr).toMatch(new RegExp(`^error: option '--auth <scheme>' argument 'digest' is invalid\\. Allowed choices are ${AUTH_NAMES.join(', ')}\\.`));
    expect(res.code).toBe(64);
  });

  it('there is no flag for a password', async () => {
    const res = await runCli(['invoke', '-c', DEAD, '-u', 'me', '--password', 'x', '--cmd', 'x'], { env: clean });
    expect(res.stderr).toMatch(/^error: unknown option '--password'/);
    expect(res.code).toBe(64);
  });

  it('help lists the new flags; --debug works before or after the verb', async () => {
    const help = await runCli(['invoke', '--help'], { env: clean });
    for (const flag of ['--auth <scheme>', '--cert-file <pem>', '--key-file <pem>', '--profile <name>', '--debug', '--no-user-profile']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--allow-unencrypted allow Basic credentials and unsealed messages over plain HTTP (unsafe)');
    for (const args of [['--debug', 'invoke'], ['invoke', '--debug']]) {
      const res = await runCli([...args, '-c', DEAD, '--cmd', 'x'], { env: clean });
      // (--debug may first say why Negotiate did not pick Kerberos.)
      expect(res.stderr).toMatch(/^tsremote: no user name; hint: give -u USER/m);
      expect(res.stderr).toContain('TsrError'); // the stack, which only --debug prints
      expect(res.code).toBe(2);
    }
  });
});

describe('config file errors', () => {
  it('a bad key is a usage error naming the file and the key (exit 64)', async () => {
    const file = configFile('bad.json', { hosts: { web1: { prot: 5986 } } });
    const res = await runCli(['test', DEAD], { env: { ...clean, TSREMOTE_CONFIG: file } });
    expect(res.stderr).toMatch(new RegExp(`^tsremote: ${file}: unknown key hosts\\.web1\\.prot; hint: allowed: username, auth, `));
    expect(res.code).toBe(64);
  });

  it('an unknown --profile is a usage error listing the profiles (exit 64)', async () => {
    const file = configFile('prof.json', { profiles: { prod: {}, lab: {} } });
    const res = await runCli(['invoke', '-c', DEAD, '--profile', 'qa', '--cmd', 'x'], { env: { ...clean, TSREMOTE_CONFIG: file } });
    expect(res.stderr).toBe(`tsremote: ${file}: no profile named 'qa'; hint: profiles are: prod, lab\n`);
    expect(res.code).toBe(64);
  });

  it.skipIf(process.platform === 'win32')('a passwordCommand file others can read is refused with the chmod fix', async () => {
    const file = configFile('open.json', { defaults: { passwordCommand: 'echo x' } }, 0o644);
    const res = await runCli(['test', DEAD], { env: { ...clean, TSREMOTE_CONFIG: file } });
    expect(res.stderr).toBe(
      `tsremote: ${file}: holds a passwordCommand but group or others may read or write it (mode 644); hint: chmod 600 '${file}'\n`,
    );
    expect(res.code).toBe(64);
  });
});

describe.skipIf(process.platform === 'win32')('passwordCommand from the CLI', () => {
  it('a failing command is one line naming its entry, never its output (exit 2)', async () => {
    const file = configFile('fail.json', { profiles: { prod: { username: 'admin', passwordCommand: 'echo TOPSECRET-out; echo TOPSECRET-err >&2; exit 3' } } });
    const res = await runCli(['invoke', '-c', DEAD, '--profile', 'prod', '--cmd', 'x'], { env: { ...clean, TSREMOTE_CONFIG: file } });
    // The command's own stderr reaches the terminal (as git's credential helpers' does); its stdout never.
    expect(res.stderr).toBe(
      'TOPSECRET-err\ntsremote: the passwordCommand of profiles."prod" failed (exit status 3); hint: run the command yourself to see why; tsremote never prints its output\n',
    );
    expect(res.stdout).toBe('');
    expect(res.code).toBe(2);
  });
});
