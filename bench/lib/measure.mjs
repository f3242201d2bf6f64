// Runs a command under bench/lib/rusage.py and resolves with what it cost: wall time, the child's
// user+sys CPU seconds and peak RSS (from wait4), exit code, and its output when asked for.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUSAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rusage.py');
/** Debian's Python: it has python3-winrm; pyenv's may not. */
export const PYTHON = '/usr/bin/python3';

/**
 * @param {string[]} argv command and arguments
 * @param {{ env?: NodeJS.ProcessEnv, stdin?: string, keepOutput?: boolean, timeoutMs?: number }} [opts]
 *   keepOutput false (the default) sends stdout to /dev/null, as a user piping to a file would not
 *   pay for a terminal; stderr is always kept (bounded) for the error message.
 * @returns {Promise<{ wallS: number, userS: number, sysS: number, cpuS: number, maxRssKb: number, exitCode: number, stdout: string, stderr: string }>}
 */
export function measureCommand(argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [RUSAGE, ...argv], {
      env: opts.env ?? process.env,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', opts.keepOutput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let report = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { if (stderr.length < 65536) stderr += d; });
    child.stdio[3].setEncoding('utf8').on('data', (d) => { report += d; });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (report.trim() === '') return reject(new Error(`${argv[0]}: no rusage report (killed?)\n${stderr}`));
      const r = JSON.parse(report.trim());
      resolve({ ...r, cpuS: r.userS + r.sysS, stdout, stderr });
    });
  });
}

/** Median of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The item whose `key` is the median of the list's (the lower of the two middle ones for an even
 * count), so that a run's other figures can be reported with its median one.
 */
export function medianBy(items, key) {
  return [...items].sort((a, b) => key(a) - key(b))[(items.length - 1) >> 1];
}

/** This process's CPU seconds (user+sys) since `since` (a process.cpuUsage() value). */
export function cpuSecondsSince(since) {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}
