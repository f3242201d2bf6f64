/**
 * Kerberos against `serve --keytab`, end to end with clients none of us wrote the Kerberos of:
 * python3-gssapi (MIT's libgssapi_krb5) under pywinrm, through test/peers/gss_krb5_winrm.py, in a
 * throwaway MIT realm (test/helpers/krb5-realm.ts).
 * - SPNEGO and raw krb5 tokens in `Negotiate`, raw krb5 in `Kerberos`, with bodies sealed by MIT's
 *   gss_wrap_iov over plain HTTP (the WinRM header/data split) and opened by its gss_unwrap_iov;
 * - Debian's pywinrm transport='kerberos' (requests-kerberos + pykerberos) over HTTPS, unsealed.
 * Skips visibly without the KDC tools or pywinrm/python3-gssapi, unless TSREMOTE_REQUIRE_PEERS=1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { describeKrb5, startKrb5Realm, type Krb5Realm } from '../helpers/krb5-realm.js';
import { finished, spawnCli } from '../helpers/cli.js';

const PYTHON = '/usr/bin/python3';
const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../peers/gss_krb5_winrm.py');
const hasPeers = spawnSync(PYTHON, ['-c', 'import winrm, gssapi, requests_kerberos'], { stdio: 'ignore' }).status === 0;

type Line = { std_out: string; std_err: string; status_code: number } | { error: string; message: string };
const EXPECTED: Line[] = [
  { std_out: 'hello\n', std_err: '', status_code: 0 },
  { std_out: '', std_err: 'oops\n', status_code: 3 },
  { std_out: 'first-second', std_err: '', status_code: 0 },
  { std_out: 'x*70000', std_err: '', status_code: 0 },
];

function runPeer(realm: Krb5Realm, url: string, auth: string, encryption: string, caFile?: string, env: NodeJS.ProcessEnv = {}): Promise<{ lines: Line[]; stderr: string }> {
  const args = [PEER, url, auth, encryption, ...(caFile === undefined ? [] : [caFile])];
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { env: realm.env(env), timeout: 60_000 }, (err, stdout, stderr) => {
      const lines = stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
      if (err && (err.code !== 4 || lines.length === 0)) return reject(new Error(`peer failed: ${err.message}\n${stderr}`));
      resolve({ lines, stderr });
    });
  });
}

if (hasPeers) {
  describeKrb5('Kerberos clients against serve --keytab', () => {
    let realm: Krb5Realm;
    const servers: RunningServer[] = [];
    beforeAll(async () => {
      realm = await startKrb5Realm();
      await realm.kinit(realm.user.principal, realm.user.password);
    });
    afterAll(async () => {
      await realm?.close();
    });
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    async function serve(opts: Partial<ServeOptions> = {}): Promise<{ server: RunningServer; lines: string[]; url: string }> {
      const lines: string[] = [];
      const server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'alice', password: 'unused-here' }], keytab: realm.keytab, log: (l) => lines.push(l), ...opts });
      servers.push(server);
      const u = server.urls[0] as URL;
      return { server, lines, url: `${u.protocol}//localhost:${u.port}/wsman` };
    }

    for (const auth of ['gssapi-spnego', 'gssapi-krb5', 'gssapi-kerberos']) {
      it(`${auth}: runs commands over plain HTTP with sealed bodies`, async () => {
        const { server, lines, url } = await serve();
        const { lines: out, stderr } = await runPeer(realm, url, auth, 'always', undefined, { WRAP_LOG: '1' });
        if (process.env.KRB_DEBUG && JSON.stringify(out) !== JSON.stringify(EXPECTED)) console.error(lines.join('\n'), stderr);
        expect(out).toEqual(EXPECTED);
        expect(lines.filter((l) => l.startsWith('400 ') || l.startsWith('401 '))).toEqual([]);
        expect(server.stats().shells).toBe(0);
        // MIT's gss_wrap_iov without a TRAILER buffer lays sealed bodies out as Windows does.
        const wraps = stderr.split('\n').filter((l) => l.startsWith('{"wrap"')).map((l) => (JSON.parse(l) as { wrap: { header: number; data: number; plain: number } }).wrap);
        expect(wraps.length).toBeGreaterThan(3);
        for (const w of wraps) expect(w).toEqual({ header: 60, data: w.plain, plain: w.plain });
      });
    }

    it('tsremote serve --keytab (the CLI) serves a sealed SPNEGO client', async () => {
      const child = spawnCli(['serve', '--user', 'alice', '--keytab', realm.keytab, '--spn', 'HTTP/localhost', '--listen', '127.0.0.1:0'], {
        env: { TSREMOTE_SERVE_PASSWORD: 'Alice-ntlm-1' },
      });
      const done = finished(child);
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: string | Buffer) => {
          out += d.toString();
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\/wsman/.exec(out);
          if (m) resolve(`http://localhost:${m[1]}/wsman`);
        });
        child.once('exit', () => reject(new Error('serve exited before listening')));
      });
      try {
        const { lines } = await runPeer(realm, url, 'gssapi-spnego', 'always');
        expect(lines).toEqual(EXPECTED);
      } finally {
        child.kill('SIGTERM');
      }
      const result = await done;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('serve: kerberos: keytab keys for HTTP/localhost@TSREMOTE.TEST (accepting HTTP/localhost only)');
      expect(result.stderr).toContain('serve: authentication: basic, ntlm, kerberos');
    });

    it('pywinrm transport=kerberos (pykerberos) over HTTPS, unsealed', async () => {
      const { server, url, lines: log } = await serve({ https: true });
      const ca = path.join(realm.dir, 'serve-cert.pem');
      writeFileSync(ca, server.certPem as string);
      // With the 70 KB command too: serve used to drop the request after a large response over
      // HTTPS now and then (a listener matter, fixed there; see test/server/pywinrm.test.ts).
      const { lines, stderr } = await runPeer(realm, url, 'pykerberos', 'never', ca);
      if (process.env.KRB_DEBUG && JSON.stringify(lines) !== JSON.stringify(EXPECTED)) console.error(log.join('\n'), stderr, JSON.stringify(lines));
      expect(lines).toEqual(EXPECTED);
    });
  });
} else {
  describe('Kerberos clients against serve --keytab', () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
      it('requires pywinrm and python3-gssapi (TSREMOTE_REQUIRE_PEERS=1)', () => {
        throw new Error(`${PYTHON} lacks winrm, gssapi or requests_kerberos: apt-get install python3-winrm python3-gssapi python3-requests-kerberos`);
      });
    } else {
      it.skip(`skipped: ${PYTHON} lacks winrm, gssapi or requests_kerberos`, () => {});
    }
  });
}
