/**
 * Drives pywinrm (Debian's python3-winrm: a WinRM client none of us wrote) through
 * peers/pywinrm_run_cmd.py, for the Basic and NTLM peer tests.
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { legacyOpensslEnv } from '../../helpers/openssl-legacy.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pywinrm_run_cmd.py');

/** True when Debian's Python has pywinrm and its NTLM support. */
export const hasWinrm = spawnSync(PYTHON, ['-c', 'import winrm, requests_ntlm'], { stdio: 'ignore' }).status === 0;

export type PeerLine =
  | { std_out: string; std_err: string; status_code: number }
  | { std_out_length: number; status_code: number }
  | { error: string; message: string };

export interface PeerRun {
  url: URL;
  username: string;
  password: string;
  transport: 'plaintext' | 'ssl' | 'ntlm';
  encryption?: 'always' | 'never' | 'auto';
  caFile?: string;
  /** Instead of the three commands: this many commands with 70,000 bytes of output each. */
  largeRuns?: number;
}

/** What the three commands of the script print on a server that runs them faithfully. */
export const EXPECTED: PeerLine[] = [
  { std_out: 'hello\n', std_err: '', status_code: 0 },
  { std_out: '', std_err: 'oops\n', status_code: 3 },
  { std_out: 'first-second', std_err: '', status_code: 0 },
];

/** Runs the script; resolves with its lines (a pywinrm error is the last line). */
export function runPywinrm(run: PeerRun): Promise<PeerLine[]> {
  // requests honours *_PROXY variables; loopback must not go through a proxy. The legacy OpenSSL
  // provider (MD4 for NTLM) is loaded for this Python process only.
  const env = { ...legacyOpensslEnv(), NO_PROXY: '*', no_proxy: '*', ...(run.largeRuns ? { LARGE_RUNS: String(run.largeRuns) } : {}) };
  const args = [SCRIPT, run.url.href, run.username, run.password, run.transport, run.encryption ?? 'auto'];
  if (run.caFile !== undefined) args.push(run.caFile);
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const lines = stdout.trim() === '' ? [] : stdout.trim().split('\n').map((l) => JSON.parse(l) as PeerLine);
      if (err && (err.code !== 4 || lines.length === 0)) return reject(new Error(`pywinrm failed: ${err.message}\n${stderr}`));
      resolve(lines);
    });
  });
}
