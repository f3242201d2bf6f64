/**
 * `--auth oauth` end to end (issue 9): the real CLI gets tokens from a loopback OpenID Connect
 * authority (test/helpers/fake-authority.ts) with msal-node, and a real `serve` verifies them
 * (signature, exp, iss, aud) before running commands. Covers client credentials with a secret and
 * with a certificate, the token cache across CLI runs, the device-code flow, the Exchange-style
 * Basic form, refusals, plain HTTP, and `--debug` output that must never show a token or secret.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { finished, isolatedCliEnv, runCli, spawnCli } from '../helpers/cli.js';
import { startFakeAuthority, type FakeAuthority } from '../helpers/fake-authority.js';

const AUDIENCE = 'api://tsremote-e2e';
const SCOPE = `${AUDIENCE}/.default`;
const APP = 'tsremote-ci-app';
const CERT_APP = 'tsremote-ci-cert-app';
const PUBLIC_APP = 'tsremote-public-app';
const PERSON = 'alice@example.test';
const SECRET = 'fake-client-secret-7Qz!x9';

let authority: FakeAuthority;
let tls: RunningServer;
let plain: RunningServer;
let dir: string;
/** serve's certificate and the authority's, in one file: --ca-file trusts both. */
let caFile: string;
let certFile: string;
let keyFile: string;

beforeAll(async () => {
  const client = await generate([{ name: 'commonName', value: CERT_APP }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
  });
  authority = await startFakeAuthority({
    audience: AUDIENCE,
    clients: [{ id: APP, secret: SECRET }, { id: CERT_APP, certPem: client.cert }, { id: PUBLIC_APP }],
    deviceUser: PERSON,
  });
  const oauth = { issuer: authority.issuer, audience: AUDIENCE, ca: authority.certPem };
  // serve's accounts: the token's user claim must name one (upn for people, appid/azp for apps).
  const users = [APP, CERT_APP, PERSON].map((username, i) => ({ username, password: `unused-password-${i}` }));
  [tls, plain] = await Promise.all([
    startServer({ listen: ['127.0.0.1:0'], users, https: true, oauth }),
    startServer({ listen: ['127.0.0.1:0'], users, oauth, allowUnencrypted: true }),
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-oauth-e2e-'));
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, `${tls.certPem ?? ''}\n${authority.certPem}`);
  certFile = path.join(dir, 'app.pem');
  keyFile = path.join(dir, 'app.key');
  writeFileSync(certFile, client.cert);
  writeFileSync(keyFile, client.private, { mode: 0o600 });
});

afterAll(async () => {
  await Promise.all([tls?.close(), plain?.close(), authority?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A CLI environment with its own state dir (and so its own token cache). */
function envIn(name: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = path.join(dir, name);
  return { ...isolatedCliEnv(home, ''), TSREMOTE_PASSWORD: undefined, TSREMOTE_OAUTH_CLIENT_SECRET: undefined, ...extra };
}

const oauthArgs = (clientId: string): string[] => [
  '--auth', 'oauth', '--https', '--ca-file', caFile, '--authority', authority.origin, '--tenant', authority.tenant,
  '--client-id', clientId, '--scope', SCOPE,
];

describe('tsremote --auth oauth against serve --oauth-issuer', () => {
  it('client credentials with a secret: invoke --cmd, then -s from a second run that reuses the cached token', async () => {
    const env = envIn('secret', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
    const before = authority.tokensIssued;
    const first = await runCli(['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(APP), '--cmd', 'echo oauth-cmd-ok'], { env });
    expect([first.stdout, first.stderr, first.code]).toEqual(['oauth-cmd-ok\n', '', 0]);
    expect(authority.tokensIssued).toBe(before + 1);

    const second = await runCli(['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(APP), '-s', '6 * 7'], { env });
    expect([second.stdout.trim(), second.stderr, second.code]).toEqual(['42', '', 0]);
    expect(authority.tokensIssued).toBe(before + 1);

    const cache = path.join(dir, 'secret', 'state', 'oauth-token-cache.json');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(readFileSync(cache, 'utf8')).not.toContain(SECRET);
  });

  it('client credentials with a certificate (a signed client assertion) and a secret from a file', async () => {
    const env = envIn('cert');
    const res = await runCli(
      ['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(CERT_APP), '--oauth-cert-file', certFile, '--oauth-key-file', keyFile, '--cmd', 'echo cert-app-ok'],
      { env },
    );
    expect([res.stdout, res.stderr, res.code]).toEqual(['cert-app-ok\n', '', 0]);

    const secretFile = path.join(dir, 'secret.txt');
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    const fromFile = await runCli(['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(APP), '--oauth-secret-file', secretFile, '--cmd', 'echo file-ok'], {
      env: envIn('secret-file'),
    });
    expect([fromFile.stdout, fromFile.stderr, fromFile.code]).toEqual(['file-ok\n', '', 0]);
  });

  it('device code: prints the sign-in message, polls past authorization_pending, then reuses the cached token', async () => {
    const env = envIn('device');
    const host = tls.urls[0]!.host;
    const pendingBefore = authority.grants.filter((g) => g === 'device_code:pending').length;
    const res = await runCli(['invoke', '-c', host, ...oauthArgs(PUBLIC_APP), '--cmd', 'echo person-ok'], { env });
    expect([res.stdout, res.code]).toEqual(['person-ok\n', 0]);
    expect(res.stderr).toMatch(/^To sign in, open https:\/\/127\.0\.0\.1:\d+\/device and enter the code TSR-\w{4} to authenticate\.\n$/);
    expect(authority.grants.filter((g) => g === 'device_code:pending').length).toBe(pendingBefore + 1);

    const issued = authority.tokensIssued;
    const again = await runCli(['invoke', '-c', host, ...oauthArgs(PUBLIC_APP), '-u', PERSON, '--cmd', 'echo person-again'], { env });
    expect([again.stdout, again.stderr, again.code]).toEqual(['person-again\n', '', 0]);
    expect(authority.tokensIssued).toBe(issued);
  });

  it('a fan-out to two hosts with the same settings gets one token for both', async () => {
    const twoPorts = await startServer({
      listen: ['127.0.0.1:0', '127.0.0.1:0'], users: [{ username: APP, password: 'unused-password-f' }], https: true,
      oauth: { issuer: authority.issuer, audience: AUDIENCE, ca: authority.certPem },
    });
    try {
      const ca = path.join(dir, 'ca-fanout.pem');
      writeFileSync(ca, `${twoPorts.certPem ?? ''}\n${authority.certPem}`);
      const hosts = twoPorts.urls.map((u) => u.host);
      expect(hosts).toHaveLength(2);
      const before = authority.tokensIssued;
      const args = oauthArgs(APP).map((a) => (a === caFile ? ca : a));
      const res = await runCli(['invoke', '-c', hosts.join(','), ...args, '--cmd', 'echo fan-ok'], {
        env: envIn('fanout', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET }),
      });
      expect([res.stdout.split('\n').filter((l) => l.includes('fan-ok')).length, res.code]).toEqual([2, 0]);
      expect(authority.tokensIssued).toBe(before + 1);
    } finally {
      await twoPorts.close();
    }
  });

  it('OAuth flags without --auth oauth are a usage error', async () => {
    const res = await runCli(['invoke', '-c', tls.urls[0]!.host, '--https', '-u', APP, '--auth', 'basic', '--client-id', APP, '--cmd', 'echo never'], {
      env: envIn('flags', { TSREMOTE_PASSWORD: 'x' }),
    });
    expect([res.stdout, res.code]).toEqual(['', 64]);
    expect(res.stderr).toMatch(/--client-id goes with --auth oauth, not basic; hint: add --auth oauth/);
  });

  it('--oauth-basic sends Basic user:Bearer <token> (the Exchange Online form)', async () => {
    const env = envIn('basic-form', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
    const res = await runCli(['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(APP), '--oauth-basic', '-u', APP, '--cmd', 'echo basic-form-ok'], { env });
    expect([res.stdout, res.stderr, res.code]).toEqual(['basic-form-ok\n', '', 0]);
  });

  it('a token for another audience is refused with one clear line', async () => {
    const env = envIn('wrong-aud', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
    // The authority only issues AUDIENCE tokens, so a serve expecting another audience refuses them.
    const other = await startServer({
      listen: ['127.0.0.1:0'], users: [{ username: APP, password: 'x-unused-9' }], https: true,
      cert: undefined, oauth: { issuer: authority.issuer, audience: 'api://somebody-else', ca: authority.certPem },
    });
    try {
      const ca2 = path.join(dir, 'ca2.pem');
      writeFileSync(ca2, `${other.certPem ?? ''}\n${authority.certPem}`);
      const args = oauthArgs(APP).map((a) => (a === caFile ? ca2 : a));
      const res = await runCli(['invoke', '-c', other.urls[0]!.host, ...args, '--cmd', 'echo never'], { env });
      expect(res.code).not.toBe(0);
      expect(res.stdout).toBe('');
      expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+: logon rejected \(401\) for Bearer; server offers .*Bearer.*; hint: /)]);
    } finally {
      await other.close();
    }
  });

  it('a wrong client secret fails in one line that names the authority and the fix', async () => {
    const env = envIn('wrong-secret', { TSREMOTE_OAUTH_CLIENT_SECRET: 'not-the-secret' });
    const res = await runCli(['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(APP), '--cmd', 'echo never'], { env });
    expect([res.stdout, res.code]).toEqual(['', 2]);
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^127\.0\.0\.1:\d+: OAuth: no token from https:\/\/127\.0\.0\.1:\d+\/tsremote-test-tenant: .*invalid_client.*; hint: check --client-id and the client secret or certificate registered for it$/),
    ]);
    expect(res.stderr).not.toContain('not-the-secret');
  });

  it('over plain HTTP without --allow-unencrypted the token is never sent', async () => {
    const env = envIn('plain', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
    const before = authority.tokensIssued;
    const args = oauthArgs(APP).filter((a) => a !== '--https');
    const res = await runCli(['invoke', '-c', plain.urls[0]!.host, ...args, '--cmd', 'echo never'], { env });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/refusing to send Bearer credentials over unencrypted HTTP/);
    expect(authority.tokensIssued).toBe(before);

    const allowed = await runCli(['invoke', '-c', plain.urls[0]!.host, ...args, '--allow-unencrypted', '--cmd', 'echo plain-ok'], { env });
    expect(allowed.stdout).toBe('plain-ok\n');
    expect(allowed.code).toBe(0);
  });

  it('--debug shows the exchanges but never the token or the client secret', async () => {
    const env = envIn('debug', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
    const res = await runCli(['invoke', '-c', tls.urls[0]!.host, ...oauthArgs(APP), '--debug', '--cmd', 'echo debug-ok'], { env });
    expect(res.stdout).toBe('debug-ok\n');
    expect(res.stderr).toMatch(/authorization: Bearer <redacted, \d+ bytes>/i);
    expect(res.stderr).toMatch(/oauth: token from the authority/);
    const cache = readFileSync(path.join(dir, 'debug', 'state', 'oauth-token-cache.json'), 'utf8');
    const token = /"secret":\s*"([^"]+\.[^"]+\.[^"]+)"/.exec(cache)?.[1];
    expect(token).toMatch(/^eyJ/);
    expect(res.stderr).not.toContain(token!);
    expect(res.stderr).not.toContain(token!.split('.')[2]!);
    expect(res.stderr).not.toContain(SECRET);
  });
});

describe('a cached token the server calls invalid_token', () => {
  it('is dropped, and the request goes once more with a fresh token', async () => {
    const rotating = await startFakeAuthority({ audience: AUDIENCE, clients: [{ id: APP, secret: SECRET }], tenant: 'rotating-tenant' });
    const serveFor = async (): Promise<{ server: RunningServer; args: string[] }> => {
      const server = await startServer({
        listen: ['127.0.0.1:0'], users: [{ username: APP, password: 'unused-password-r' }], https: true,
        oauth: { issuer: rotating.issuer, audience: AUDIENCE, ca: rotating.certPem },
      });
      const ca = path.join(dir, 'ca-rotating.pem');
      writeFileSync(ca, `${server.certPem ?? ''}\n${rotating.certPem}`);
      const args = [
        'invoke', '-c', server.urls[0]!.host, '--auth', 'oauth', '--https', '--ca-file', ca, '--authority', rotating.origin,
        '--tenant', rotating.tenant, '--client-id', APP, '--scope', SCOPE, '--cmd', 'echo rotated-ok',
      ];
      return { server, args };
    };
    const env = envIn('rotating', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
    let { server, args } = await serveFor();
    try {
      expect((await runCli(args, { env })).code).toBe(0);
      expect(rotating.tokensIssued).toBe(1);
      // The issuer replaces its key and a fresh serve knows only the new one: the token still in
      // the CLI's cache (valid for an hour) no longer verifies there.
      rotating.rotateKey();
      await server.close();
      ({ server, args } = await serveFor());
      const res = await runCli([...args, '--debug'], { env });
      expect([res.stdout, res.code]).toEqual(['rotated-ok\n', 0]);
      expect(rotating.tokensIssued).toBe(2);
      const lines = res.stderr.split('\n');
      const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
      expect(at(/oauth: token from the cache/)).toBeGreaterThanOrEqual(0);
      expect(at(/< 401 /)).toBeGreaterThan(at(/oauth: token from the cache/));
      expect(lines.slice(at(/< 401 /), at(/< 401 /) + 10).filter((l) => /www-authenticate:/i.test(l))).toEqual([expect.stringMatching(/Bearer/)]);
      expect(at(/oauth: token from the authority/)).toBeGreaterThan(at(/< 401 /));
    } finally {
      await server.close();
      await rotating.close();
    }
  });
});

describe('tsremote serve --oauth-issuer (the real serve verb)', () => {
  it('serves a bearer-authenticated invoke, its flags parsed by the verb', async () => {
    writeFileSync(path.join(dir, 'authority.pem'), authority.certPem);
    const serve = spawnCli(
      ['serve', '--listen', '127.0.0.1:0', '--https', '--user', APP, '--auth', 'oauth', '--oauth-issuer', authority.issuer,
        '--oauth-audience', AUDIENCE, '--oauth-ca-file', path.join(dir, 'authority.pem')],
      { env: { TSREMOTE_SERVE_PASSWORD: 'unused-serve-password' } },
    );
    const done = finished(serve, 60_000);
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        let out = '';
        serve.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m?.[1]) resolve(new URL(m[1]));
        });
        serve.on('exit', () => reject(new Error(`serve exited early: ${out}`)));
      });
      const certOut = await fetchServeCert(url);
      const ca = path.join(dir, 'ca-serve.pem');
      writeFileSync(ca, `${certOut}\n${authority.certPem}`);
      const env = envIn('serve-verb', { TSREMOTE_OAUTH_CLIENT_SECRET: SECRET });
      const args = oauthArgs(APP).map((a) => (a === caFile ? ca : a));
      const res = await runCli(['invoke', '-c', url.host, ...args, '--cmd', 'echo serve-verb-ok'], { env });
      expect([res.stdout, res.stderr, res.code]).toEqual(['serve-verb-ok\n', '', 0]);
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await done;
    expect(result.stderr).toMatch(/authentication: oauth/);
  });
});

/** The PEM of the certificate a TLS server presents (serve generated its own). */
async function fetchServeCert(url: URL): Promise<string> {
  const { connect } = await import('node:tls');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const der = socket.getPeerX509Certificate();
      socket.end();
      if (!der) return reject(new Error('no certificate'));
      resolve(der.toString());
    });
    socket.on('error', reject);
  });
}
