/**
 * Authentication from the command line, end to end (issue 5): the real CLI process against a real
 * `serve` on loopback — Basic over HTTPS, the default Negotiate (NTLM, sealed) over plain HTTP, a
 * wrong password, a profile from a TSREMOTE_CONFIG file with a passwordCommand, and `--debug`
 * output that must show the exchanges but never a secret.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md4 } from '../../src/auth/ntlm/md4.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

const USER = 'authe2e';
const PASSWORD = 'pässwörd-Auth-9c1e'; // non-ASCII: NTLM hashes UTF-16LE, Basic sends UTF-8
/** Everything that would let someone log on as USER, in the forms a leak would take. */
const SECRETS = (() => {
  const ntHash = Buffer.from(md4(Buffer.from(PASSWORD, 'utf16le'))).toString('hex');
  return [
    PASSWORD,
    Buffer.from(`${USER}:${PASSWORD}`, 'utf8').toString('base64'),
    Buffer.from(`${USER}:${PASSWORD}`, 'latin1').toString('base64'),
    ntHash,
    ntHash.toUpperCase(),
  ];
})();

let plain: RunningServer;
let tls: RunningServer;
let dir: string;
let caFile: string;
let certFile: string;
let keyFile: string;
/** No user config from the machine running the tests. */
const base = { XDG_CONFIG_HOME: '/nonexistent-tsremote-e2e', TSREMOTE_USERNAME: undefined, TSREMOTE_PASSWORD: undefined };
const env = { ...base, TSREMOTE_PASSWORD: PASSWORD };

beforeAll(async () => {
  // A self-signed client certificate for USER (subject CN), which is also the client CA serve trusts.
  const client = await generate([{ name: 'commonName', value: USER }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  [plain, tls] = await Promise.all([
    startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }] }),
    startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], https: true, clientCa: client.cert }),
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-auth-e2e-'));
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, tls.certPem ?? '');
  certFile = path.join(dir, 'client.pem');
  keyFile = path.join(dir, 'client.key');
  writeFileSync(certFile, client.cert);
  writeFileSync(keyFile, client.private, { mode: 0o600 });
});

afterAll(async () => {
  await Promise.all([plain?.close(), tls?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const plainHost = (): string => plain.urls[0]!.host;
const tlsHost = (): string => tls.urls[0]!.host;

describe('tsremote invoke authenticates against serve', () => {
  it('--auth basic over HTTPS', async () => {
    const res = await runCli(['invoke', '-c', tlsHost(), '-u', USER, '--auth', 'basic', '--https', '--ca-file', caFile, '--cmd', 'echo basic-ok'], { env });
    expect([res.stdout, res.stderr, res.code]).toEqual(['basic-ok\n', '', 0]);
  });

  it('the default (Negotiate: NTLM with sealed messages) over plain HTTP, no --allow-unencrypted', async () => {
    const res = await runCli(['invoke', '-c', plainHost(), '-u', USER, '--cmd', 'echo sealed-ok'], { env });
    expect([res.stdout, res.stderr, res.code]).toEqual(['sealed-ok\n', '', 0]);
  });

  it('the default with a PowerShell script (PSRP over sealed NTLM), user as .\\user', async () => {
    const res = await runCli(['invoke', '-c', plainHost(), '-u', `.\\${USER}`, '-s', '6 * 7'], { env });
    expect([res.stdout, res.stderr, res.code]).toEqual(['42\n', '', 0]);
  });

  it('--auth certificate over HTTPS needs no user and no password', async () => {
    const res = await runCli(
      ['invoke', '-c', tlsHost(), '--auth', 'certificate', '--https', '--ca-file', caFile, '--cert-file', certFile, '--key-file', keyFile, '--cmd', 'echo cert-ok'],
      { env: base },
    );
    expect([res.stdout, res.stderr, res.code]).toEqual(['cert-ok\n', '', 0]);
  });

  it('a wrong password is one line naming the host, exit 2', async () => {
    for (const args of [['-c', plainHost()], ['-c', tlsHost(), '--auth', 'basic', '--https', '--ca-file', caFile]]) {
      const res = await runCli(['invoke', ...args, '-u', USER, '--cmd', 'echo no'], { env: { ...base, TSREMOTE_PASSWORD: 'wrong-password' } });
      const host = args[1]!;
      expect(res.stdout).toBe('');
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}: .*(rejected|denied|401)`, 'i'));
      expect(res.code).toBe(2);
    }
  });
});

describe('a profile from TSREMOTE_CONFIG', () => {
  it('gives user, auth, https, CA and a passwordCommand; the flags give only the host', async () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        profiles: {
          e2e: { username: USER, auth: 'basic', https: true, caFile: 'ca.pem', passwordCommand: `printf '%s\\n' '${PASSWORD}'` },
        },
      }),
    );
    chmodSync(file, 0o600);
    const res = await runCli(['invoke', '-c', tlsHost(), '--profile', 'e2e', '--cmd', 'echo via-profile'], {
      env: { ...base, TSREMOTE_CONFIG: file },
    });
    expect([res.stdout, res.stderr, res.code]).toEqual(['via-profile\n', '', 0]);
  });
});

describe('--debug never prints a secret', () => {
  const leaks = (text: string): string[] => SECRETS.filter((s) => text.includes(s));

  it('Negotiate over HTTP: exchanges and unsealed SOAP shown, password, Basic token and NT hash not', async () => {
    const res = await runCli(['invoke', '-c', plainHost(), '-u', USER, '--debug', '--cmd', 'echo traced'], { env });
    expect(res.stdout).toBe('traced\n');
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^debug: \[[^\]]+\] > POST http:\/\/127\.0\.0\.1:\d+\/wsman/m);
    expect(res.stderr).toMatch(/^debug: \[[^\]]+\] > authorization: Negotiate <redacted, \d+ bytes>$/m);
    expect(res.stderr).toMatch(/^debug: \[[^\]]+\] < +<s:Envelope/m);
    expect(leaks(res.stdout + res.stderr)).toEqual([]);
  });

  it('Basic over HTTPS, and a failed logon with --debug', async () => {
    const ok = await runCli(['invoke', '-c', tlsHost(), '-u', USER, '--auth', 'basic', '--https', '--ca-file', caFile, '--debug', '--cmd', 'echo traced'], { env });
    expect(ok.stdout).toBe('traced\n');
    expect(ok.stderr).toMatch(/^debug: \[[^\]]+\] > authorization: Basic <redacted, \d+ bytes>$/m);
    const bad = await runCli(['--debug', 'invoke', '-c', plainHost(), '-u', USER, '--cmd', 'echo no'], {
      env: { ...base, TSREMOTE_PASSWORD: `${PASSWORD}x` },
    });
    expect(bad.code).toBe(2);
    expect(leaks(ok.stdout + ok.stderr + bad.stdout + bad.stderr)).toEqual([]);
    expect(bad.stderr).not.toContain(`${PASSWORD}x`);
  });
});
