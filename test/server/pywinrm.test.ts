/**
 * pywinrm (Debian's python3-winrm, a client none of us wrote) against `serve`. Skips visibly when
 * /usr/bin/python3 has no winrm module, unless TSREMOTE_REQUIRE_PEERS=1 (CI), where that fails.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'pywinrm_run_cmd.py');
const hasWinrm = spawnSync(PYTHON, ['-c', 'import winrm'], { stdio: 'ignore' }).status === 0;

interface RunCmdResult {
  std_out: string;
  std_err: string;
  status_code: number;
}

function runPeer(args: string[]): Promise<RunCmdResult[]> {
  // requests honours *_PROXY variables; loopback must not go through a proxy.
  const env = { ...process.env, NO_PROXY: '*', no_proxy: '*' };
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pywinrm failed: ${err.message}\n${stderr}`));
      resolve(stdout.trim().split('\n').map((l) => JSON.parse(l) as RunCmdResult));
    });
  });
}

const EXPECTED: RunCmdResult[] = [
  { std_out: 'hello\n', std_err: '', status_code: 0 },
  { std_out: '', std_err: 'oops\n', status_code: 3 },
  { std_out: 'first-second', std_err: '', status_code: 0 },
];

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

    it('reports rejected credentials as pywinrm InvalidCredentialsError', async () => {
      const s = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'vagrant', password: 'right' }], allowUnencrypted: true });
      servers.push(s);
      await expect(runPeer([String(s.urls[0]), 'vagrant', 'wrong', 'plaintext'])).rejects.toThrow(/InvalidCredentialsError/);
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
