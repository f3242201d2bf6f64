/**
 * pywinrm (Debian's python3-winrm 0.3.0 with requests-ntlm and ntlm-auth: NTLM none of us wrote)
 * against `serve`: sealed bodies over plain HTTP, the refusal of unsealed ones, and unsealed NTLM
 * over HTTPS. ntlm-auth needs MD4, which Debian's OpenSSL 3 keeps in the legacy provider: the Python
 * process alone gets an OPENSSL_CONF that loads it. Skips visibly when /usr/bin/python3 has no winrm
 * module, unless TSREMOTE_REQUIRE_PEERS=1 (CI), where that fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { EXPECTED, PYTHON, hasWinrm, runPywinrm, type PeerLine } from './peers/pywinrm.js';

const USER = { username: 'vagrant', password: 'Pa55w0rd!' };

function runPeer(url: URL, encryption: 'always' | 'never' | 'auto', password = USER.password, caFile?: string): Promise<PeerLine[]> {
  return runPywinrm({ url, username: USER.username, password, transport: 'ntlm', encryption, ...(caFile ? { caFile } : {}) });
}

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
