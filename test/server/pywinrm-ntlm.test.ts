/**
 * pywinrm (Debian's python3-winrm 0.3.0 with requests-ntlm and ntlm-auth: NTLM none of us wrote)
 * against `serve`: sealed bodies over plain HTTP, the refusal of unsealed ones, and unsealed NTLM
 * over HTTPS. ntlm-auth needs MD4, which Debian's OpenSSL 3 keeps in the legacy provider: the Python
 * process alone gets an OPENSSL_CONF that loads it. Skips visibly when /usr/bin/python3 has no winrm
 * module, unless TSREMOTE_REQUIRE_PEERS=1 (CI), where that fails.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { legacyOpensslEnv } from '../helpers/openssl-legacy.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'pywinrm_ntlm_run_cmd.py');
const hasWinrm = spawnSync(PYTHON, ['-c', 'import winrm, requests_ntlm'], { stdio: 'ignore' }).status === 0;
const USER = { username: 'vagrant', password: 'Pa55w0rd!' };

type PeerLine = { std_out: string; std_err: string; status_code: number } | { error: string; message: string };

function runPeer(url: URL, encryption: 'always' | 'never' | 'auto', password = USER.password, caFile?: string): Promise<PeerLine[]> {
  // requests honours *_PROXY variables; loopback must not go through a proxy.
  const env = { ...legacyOpensslEnv(), NO_PROXY: '*', no_proxy: '*' };
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, url.href, USER.username, password, encryption, ...(caFile === undefined ? [] : [caFile])], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const lines = stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l) as PeerLine);
      if (err && (err.code !== 4 || lines.length === 0)) return reject(new Error(`pywinrm failed: ${err.message}\n${stderr}`));
      resolve(lines);
    });
  });
}

const EXPECTED: PeerLine[] = [
  { std_out: 'hello\n', std_err: '', status_code: 0 },
  { std_out: '', std_err: 'oops\n', status_code: 3 },
  { std_out: 'first-second', std_err: '', status_code: 0 },
];

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<ServeOptions> = {}): Promise<{ server: RunningServer; lines: string[] }> {
  const lines: string[] = [];
  const server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], log: (l) => lines.push(l), ...opts });
  servers.push(server);
  return { server, lines };
}

if (hasWinrm) {
  describe('pywinrm NTLM against serve', () => {
    it("runs commands over plain HTTP with message_encryption='always'", async () => {
      const { server, lines } = await serve();
      expect(await runPeer(server.urls[0] as URL, 'always')).toEqual(EXPECTED);
      expect(server.stats().shells).toBe(0);
      expect(lines.filter((l) => l.startsWith('400 ') || l.includes('refused'))).toEqual([]);
    });

    it("is refused over plain HTTP with message_encryption='never' (401: InvalidCredentialsError)", async () => {
      const { server, lines } = await serve();
      expect(await runPeer(server.urls[0] as URL, 'never')).toEqual([
        { error: 'InvalidCredentialsError', message: 'the specified credentials were rejected by the server' },
      ]);
      expect(lines).toContain("401 for 127.0.0.1: unencrypted NTLM request from 'vagrant' on plain HTTP refused (allowUnencrypted is off; seal the body)");
      expect(server.stats().shells).toBe(0);
    });

    it('runs commands over HTTPS unsealed, with channel binding checked (cbt strict)', async () => {
      const { server } = await serve({ https: true, cbt: 'strict' });
      const ca = path.join(mkdtempSync(path.join(tmpdir(), 'tsremote-serve-')), 'cert.pem');
      writeFileSync(ca, server.certPem as string);
      expect(await runPeer(server.urls[0] as URL, 'auto', USER.password, ca)).toEqual(EXPECTED);
    });

    it('reports a wrong password as InvalidCredentialsError', async () => {
      const { server, lines } = await serve();
      expect(await runPeer(server.urls[0] as URL, 'always', 'wrong')).toEqual([
        { error: 'InvalidCredentialsError', message: 'the specified credentials were rejected by the server' },
      ]);
      expect(lines).toContain('401 for 127.0.0.1: NTLM: wrong password for vagrant');
    });
  });
} else {
  describe('pywinrm NTLM against serve', () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
      it('requires pywinrm (TSREMOTE_REQUIRE_PEERS=1)', () => {
        throw new Error(`${PYTHON} has no winrm/requests_ntlm module: apt-get install python3-winrm python3-requests-ntlm`);
      });
    } else {
      it.skip(`skipped: ${PYTHON} has no winrm/requests_ntlm module (apt-get install python3-winrm python3-requests-ntlm)`, () => {});
    }
  });
}
