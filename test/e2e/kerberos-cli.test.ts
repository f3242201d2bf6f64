/**
 * `tsremote invoke --auth kerberos|negotiate` as a user runs it, against `serve --keytab` in a
 * throwaway MIT realm on loopback (test/helpers/krb5-realm.ts): tickets from a ccache and from a
 * password (kinit into a private ccache), sealed bodies over HTTP and plain ones over HTTPS, SPN
 * overrides, Negotiate's fallback to NTLM, and what --debug must never show. Also: tsremote without
 * the optional `kerberos` package (a copy of dist/ whose node_modules lacks it).
 * Skips visibly without the KDC tools or the package, unless TSREMOTE_REQUIRE_PEERS=1.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { describeKrb5, startKrb5Realm, type Krb5Realm } from '../helpers/krb5-realm.js';
import { finished, isolatedCliEnv, repoRoot, runCli, type CliResult } from '../helpers/cli.js';
import { loadedModules } from '../helpers/loaded-modules.js';

const hasBinding = await import('kerberos').then(() => true, () => false);
const PYTHON = '/usr/bin/python3';
const PEER = path.join(repoRoot, 'test/peers/gss_krb_server.py');
const hasGssapi = spawnSync(PYTHON, ['-c', 'import gssapi.raw; gssapi.raw.wrap_iov'], { stdio: 'ignore' }).status === 0;
const SERVE_PASSWORD = 'ntlm-only-Pw1';

describeKrb5('tsremote invoke with Kerberos against serve --keytab', () => {
  let realm: Krb5Realm;
  let dir = '';
  let http: RunningServer;
  let https: RunningServer;
  const serveLog: string[] = [];

  beforeAll(async () => {
    if (!hasBinding) return;
    realm = await startKrb5Realm();
    await realm.kinit(realm.user.principal, realm.user.password);
    dir = mkdtempSync(path.join(tmpdir(), 'tsremote-krb-cli-'));
    const users = [
      { username: 'alice', password: SERVE_PASSWORD },
      // NTLM matches a domain the client names (UPN realm) only against DOMAIN\user accounts.
      { username: 'TSREMOTE.TEST\\carol', password: SERVE_PASSWORD },
    ];
    [http, https] = await Promise.all([
      startServer({ listen: ['127.0.0.1:0'], users, keytab: realm.keytab, log: (l) => serveLog.push(l) }),
      startServer({ listen: ['127.0.0.1:0'], users, keytab: realm.keytab, https: true, log: (l) => serveLog.push(l) }),
    ]);
    writeFileSync(path.join(dir, 'ca.pem'), https.certPem as string);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([http?.close(), https?.close()]);
    await realm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const needs = (): boolean => {
    if (hasBinding) return true;
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') throw new Error('the optional kerberos package is required (npm install kerberos; apt-get install libkrb5-dev)');
    return false;
  };

  /** `localhost:PORT` of a server: the SPN's host is the host as typed. */
  const host = (server: RunningServer, name = 'localhost'): string => `${name}:${(server.urls[0] as URL).port}`;

  /** The CLI in the realm: its ccache, no password unless given, TMPDIR under `dir`. */
  function cli(args: string[], opts: { password?: string; ccache?: string; tmp?: string; config?: string } = {}): Promise<CliResult> {
    const env = {
      ...realm.env(),
      ...isolatedCliEnv(dir, opts.password ?? ''),
      TSREMOTE_PASSWORD: opts.password,
      ...(opts.config === undefined ? {} : { TSREMOTE_CONFIG: opts.config }),
      ...(opts.ccache === undefined ? {} : { KRB5CCNAME: opts.ccache }),
      ...(opts.tmp === undefined ? {} : { TMPDIR: opts.tmp }),
    };
    return runCli(args, { env, timeoutMs: 90_000 });
  }

  const shellOwners = (): string[] => serveLog.filter((l) => l.startsWith('shell ')).map((l) => / for (\S+) from/.exec(l)?.[1] ?? '');

  it('runs --cmd over plain HTTP as the ccache principal, every body sealed (HTTP-SPNEGO-session-encrypted)', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    serveLog.length = 0;
    const res = await cli(['invoke', '-c', host(http), '--auth', 'kerberos', '--cmd', 'echo hello-krb; exit 3', '--debug']);
    expect(res.stdout).toBe('hello-krb\n');
    expect(res.code).toBe(3);
    expect(shellOwners()).toEqual([realm.user.principal]);
    const posts = res.stderr.split('\n').filter((l) => /debug: \[[^\]]+\] > POST /.test(l));
    // The first POST is the empty-bodied AP-REQ leg; every later one carries a sealed envelope.
    expect(posts.length).toBeGreaterThan(3);
    expect(posts.slice(1).every((l) => l.includes('bytes sealed'))).toBe(true);
    expect(res.stderr).toContain('multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"');
  });

  it('runs -s (PowerShell) over plain HTTP with sealing', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const res = await cli(['invoke', '-c', host(http), '--auth', 'kerberos', '-s', '"kerberos ps " + (40 + 2)']);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('kerberos ps 42');
    expect(res.code).toBe(0);
  });

  it('runs --cmd and -s over HTTPS, bodies in the clear inside TLS', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const tls = ['--https', '--ca-file', path.join(dir, 'ca.pem'), '--auth', 'kerberos'];
    const cmd = await cli(['invoke', '-c', host(https), ...tls, '--cmd', 'echo over-tls', '--debug']);
    expect(cmd.stdout).toBe('over-tls\n');
    expect(cmd.code).toBe(0);
    expect(cmd.stderr).not.toContain('bytes sealed');
    const ps = await cli(['invoke', '-c', host(https), ...tls, '-s', '"ps " + 7']);
    expect(ps.stdout.trim()).toBe('ps 7');
  });

  it('gets a ticket with the password when the ccache is empty (kinit into a private ccache, removed at exit)', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const tmp = mkdtempSync(path.join(dir, 'tmp-'));
    serveLog.length = 0;
    const res = await cli(['invoke', '-c', host(http), '--auth', 'kerberos', '-u', 'alice@tsremote.test', '--cmd', 'echo via-kinit', '--debug'], {
      password: realm.user.password,
      ccache: `FILE:${path.join(dir, 'empty-ccache')}`,
      tmp,
    });
    expect(res.stdout).toBe('via-kinit\n');
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`got a ticket-granting ticket for ${realm.user.principal} with kinit`);
    expect(shellOwners()).toEqual([realm.user.principal]);
    // The private ccache (a TGT) is gone once the process exits.
    expect(readdirSync(tmp).filter((f) => f.startsWith('tsremote-krb5cc-'))).toEqual([]);
    // --debug shows neither the password nor a Kerberos token (GSS tokens start "YII" in base64).
    expect(res.stderr).not.toContain(realm.user.password);
    expect(res.stderr).not.toMatch(/(Negotiate|Kerberos) YII/);
    expect(res.stderr).toMatch(/authorization: Negotiate <redacted, \d+ bytes>/);
  });

  it('says the password is wrong when kinit refuses it, in one line with a hint', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const res = await cli(['invoke', '-c', host(http), '--auth', 'kerberos', '-u', realm.user.principal, '--cmd', 'echo no'], {
      password: 'not-the-password',
      ccache: `FILE:${path.join(dir, 'empty-ccache')}`,
    });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/kinit for alice@TSREMOTE\.TEST failed: password incorrect/);
    expect(res.stderr).not.toContain('not-the-password');
  });

  it('asks for the SPN given by --spn-hostname, and a wrong one fails naming it, with a hint', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    // Connecting by IP address with the SPN of the name works (the keytab holds HTTP/localhost).
    const ok = await cli(['invoke', '-c', host(http, '127.0.0.1'), '--auth', 'kerberos', '--spn-hostname', 'localhost', '--cmd', 'echo by-ip']);
    expect(ok.stdout).toBe('by-ip\n');
    const bad = await cli(['invoke', '-c', host(http), '--auth', 'kerberos', '--spn-hostname', 'web1.nowhere.test', '--cmd', 'echo no']);
    expect(bad.code).toBe(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/the KDC knows no service principal HTTP\/web1\.nowhere\.test/);
    expect(lines[0]).toContain('--spn-hostname');
    const service = await cli(['invoke', '-c', host(http), '--auth', 'kerberos', '--spn-service', 'WSMAN', '--cmd', 'echo no']);
    expect(service.stderr).toMatch(/WSMAN\/localhost/);
    // The same settings from a config profile.
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ profiles: { krb: { auth: 'kerberos', spnHostname: 'localhost', spnService: 'HTTP', delegate: true } } }));
    const profile = await cli(['invoke', '-c', host(http, '127.0.0.1'), '--profile', 'krb', '--cmd', 'echo by-profile'], { config });
    expect(profile.stderr).toBe('');
    expect(profile.stdout).toBe('by-profile\n');
  });

  it('negotiate uses Kerberos when a ticket is cached and no user is named', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    serveLog.length = 0;
    const res = await cli(['invoke', '-c', host(http), '--cmd', 'echo negotiated', '--debug']);
    expect(res.stdout).toBe('negotiated\n');
    expect(res.stderr).toContain('negotiate: trying Kerberos');
    expect(shellOwners()).toEqual([realm.user.principal]);
  });

  it('negotiate falls back to NTLM without a ticket, and when the KDC does not know the user', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const empty = `FILE:${path.join(dir, 'empty-ccache')}`;
    serveLog.length = 0;
    const bare = await cli(['invoke', '-c', host(http), '-u', 'alice', '--cmd', 'echo ntlm-1', '--debug'], { password: SERVE_PASSWORD, ccache: empty });
    expect(bare.stdout).toBe('ntlm-1\n');
    expect(bare.stderr).toContain('negotiate: using NTLM: alice names no Kerberos realm');
    // carol@TSREMOTE.TEST is a serve user, but not a principal of the realm: kinit says so, NTLM logs on.
    const unknown = await cli(['invoke', '-c', host(http), '-u', 'carol@TSREMOTE.TEST', '--cmd', 'echo ntlm-2', '--debug'], { password: SERVE_PASSWORD, ccache: empty });
    expect(unknown.stderr).toMatch(/negotiate: using NTLM: kinit for carol@TSREMOTE\.TEST failed/);
    expect(unknown.stdout).toBe('ntlm-2\n');
    expect(shellOwners().every((o) => !o.includes('@TSREMOTE.TEST') || o.startsWith('carol'))).toBe(true);
    expect(bare.stderr + unknown.stderr).not.toContain(SERVE_PASSWORD);
  });

  it('runs --cmd and -s through an acceptor none of us wrote: MIT GSSAPI (python3-gssapi) unsealing and sealing every body', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    if (!hasGssapi) {
      if (process.env.TSREMOTE_REQUIRE_PEERS === '1') throw new Error('python3-gssapi is required');
      return skip('python3-gssapi is missing');
    }
    // serve behind the peer: Basic over loopback HTTP, only the peer talks to it.
    const upstream = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'alice', password: SERVE_PASSWORD }], allowUnencrypted: true, log: () => {} });
    const peer = spawn(PYTHON, [PEER, '--upstream', (upstream.urls[0] as URL).href, '--upstream-user', 'alice', '--exit-with-stdin'], {
      env: realm.env({ UPSTREAM_PASSWORD: SERVE_PASSWORD }),
    });
    let peerLog = '';
    peer.stderr.on('data', (d: Buffer) => (peerLog += d.toString()));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = '';
        peer.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^PORT (\d+)/m.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        peer.once('exit', (code) => reject(new Error(`peer exited ${code}: ${peerLog}`)));
      });
      const cmd = await cli(['invoke', '-c', `localhost:${port}`, '--auth', 'kerberos', '--cmd', 'echo through-mit']);
      expect(cmd.stdout).toBe('through-mit\n');
      const ps = await cli(['invoke', '-c', `localhost:${port}`, '--auth', 'kerberos', '--delegate', '-s', '"mit " + (6 * 7)']);
      expect(ps.stdout.trim()).toBe('mit 42');
      expect(peerLog).toContain(`logon ${realm.user.principal} target=HTTP/localhost@${realm.realm} delegated=no scheme=Negotiate`);
      expect(peerLog).toContain('delegated=yes');
      expect(peerLog).not.toMatch(/refused|failed/);
    } finally {
      peer.stdin.end();
      await upstream.close();
    }
  });

  it('does not even resolve the kerberos package for an NTLM account name (no native code, no klist)', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const trace = path.join(dir, 'imports.txt');
    const child = spawn(process.execPath, ['--import', path.join(repoRoot, 'test/helpers/import-trace/register.mjs'), path.join(repoRoot, 'bin/tsremote.js'),
      'invoke', '-c', host(http), '-u', 'alice', '--cmd', 'echo plain-ntlm'], {
      env: { ...process.env, ...realm.env(), TSREMOTE_PASSWORD: SERVE_PASSWORD, TSREMOTE_CONFIG: '', TSREMOTE_STATE_DIR: path.join(dir, 'state'), IMPORT_TRACE_FILE: trace },
    });
    child.stdin.end();
    const res = await finished(child);
    expect(res.stdout).toBe('plain-ntlm\n');
    const modules = loadedModules(trace);
    expect(modules.some((m) => m.includes('dist/transport/'))).toBe(true);
    expect(modules.filter((m) => m.includes('node_modules/kerberos'))).toEqual([]);
  });

  it('without the kerberos package: --auth kerberos says how to install it; negotiate stays NTLM', async () => {
    // A copy of the built CLI whose node_modules lacks `kerberos` (packages are linked, not copied).
    const root = mkdtempSync(path.join(tmpdir(), 'tsremote-nokrb-'));
    try {
      cpSync(path.join(repoRoot, 'dist'), path.join(root, 'dist'), { recursive: true });
      cpSync(path.join(repoRoot, 'bin'), path.join(root, 'bin'), { recursive: true });
      cpSync(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'));
      mkdirSync(path.join(root, 'node_modules'));
      for (const name of readdirSync(path.join(repoRoot, 'node_modules'))) {
        if (name !== 'kerberos' && name !== '.bin') symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(root, 'node_modules', name));
      }
      const run = (args: string[], env: Record<string, string>): Promise<CliResult> => {
        const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
        delete childEnv.TSREMOTE_CONFIG;
        delete childEnv.TSREMOTE_USERNAME;
        const child = spawn(process.execPath, [path.join(root, 'bin/tsremote.js'), ...args], { env: childEnv, cwd: root });
        child.stdin.end();
        return finished(child);
      };
      const state = mkdtempSync(path.join(root, 'state-'));
      const isolated = Object.fromEntries(Object.entries(isolatedCliEnv(state, '')).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const res = await run(['invoke', '-c', '127.0.0.1:1', '--auth', 'kerberos', '--cmd', 'echo x'], isolated);
      expect(res.code).not.toBe(0);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(/Kerberos needs the optional "kerberos" package, which is not installed/);
      expect(res.stderr).toMatch(/npm install kerberos/);
      expect(res.stderr).toMatch(/libkrb5-dev/);
      if (!hasBinding) return;
      // Negotiate without the package is NTLM, with --debug saying so.
      const ntlm = await run(['invoke', '-c', host(http), '-u', 'carol@TSREMOTE.TEST', '--cmd', 'echo ntlm-no-pkg', '--debug'], {
        ...isolated,
        TSREMOTE_PASSWORD: SERVE_PASSWORD,
      });
      expect(ntlm.stdout).toBe('ntlm-no-pkg\n');
      expect(ntlm.stderr).toContain('negotiate: using NTLM: the optional "kerberos" package is not installed');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
