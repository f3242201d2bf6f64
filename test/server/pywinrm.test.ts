/**
 * pywinrm (Debian's python3-winrm, a client none of us wrote) against `serve`. Skips visibly when
 * /usr/bin/python3 has no winrm module, unless TSREMOTE_REQUIRE_PEERS=1 (CI), where that fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { EXPECTED, PYTHON, hasWinrm, runPywinrm } from './peers/pywinrm.js';

const runPeer = ([url, username, password, transport, caFile]: string[]): ReturnType<typeof runPywinrm> =>
  runPywinrm({ url: new URL(url!), username: username!, password: password!, transport: transport as 'plaintext' | 'ssl', ...(caFile ? { caFile } : {}) });

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

if (hasWinrm) {
  describe('pywinrm against serve', () => {
    it('runs commands over plain HTTP with Basic (allowUnencrypted)', async () => {
      const s = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'vagrant', password: 'Pa55w0rd!' }], allowUnencrypted: true });
      servers.push(s);
      expect(await runPeer([String(s.urls[0]), 'vagrant', 'Pa55w0rd!', 'plaintext'])).toEqual(EXPECTED);
      expect(s.stats().shells).toBe(0); // run_cmd deleted its shell
    });

    it('runs commands over HTTPS with Basic, trusting the generated certificate', async () => {
      const s = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'vagrant', password: 'Pa55w0rd!' }], https: true });
      servers.push(s);
      const ca = path.join(mkdtempSync(path.join(tmpdir(), 'tsremote-serve-')), 'cert.pem');
      writeFileSync(ca, s.certPem as string);
      expect(await runPeer([String(s.urls[0]), 'vagrant', 'Pa55w0rd!', 'ssl', ca])).toEqual(EXPECTED);
    });

    it('answers every request after a large response over HTTPS (pywinrm asks again at once)', async () => {
      // Before the TLS sockets' write buffer was raised, about one run in six lost the request after
      // a large Receive (Node's parser paused mid-request: HPE_PAUSED, see listener.ts).
      const s = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'vagrant', password: 'Pa55w0rd!' }], https: true });
      servers.push(s);
      const ca = path.join(mkdtempSync(path.join(tmpdir(), 'tsremote-serve-')), 'cert.pem');
      writeFileSync(ca, s.certPem as string);
      const runs = 40;
      const lines = await runPywinrm({ url: s.urls[0]!, username: 'vagrant', password: 'Pa55w0rd!', transport: 'ssl', caFile: ca, largeRuns: runs });
      expect(lines).toEqual(Array.from({ length: runs }, () => ({ std_out_length: 70_000, status_code: 0 })));
      expect(s.stats().shells).toBe(0);
    }, 120_000);

    it('reports rejected credentials as pywinrm InvalidCredentialsError', async () => {
      const s = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'vagrant', password: 'right' }], allowUnencrypted: true });
      servers.push(s);
      expect(await runPeer([String(s.urls[0]), 'vagrant', 'wrong', 'plaintext'])).toEqual([
        { error: 'InvalidCredentialsError', message: 'the specified credentials were rejected by the server' },
      ]);
    });
  });
} else {
  describe('pywinrm against serve', () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
      it('requires pywinrm (TSREMOTE_REQUIRE_PEERS=1)', () => {
        throw new Error(`${PYTHON} has no winrm module: apt-get install python3-winrm`);
      });
    } else {
      it.skip(`skipped: ${PYTHON} has no winrm module (apt-get install python3-winrm)`, () => {});
    }
  });
}
