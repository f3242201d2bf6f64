/**
 * What the secrets suites share: the forms a password could leak in, a CLI runner that keeps raw
 * bytes (a UTF-16LE leak does not survive decoding as UTF-8), and a watcher that reads the command
 * line and environment of a process tree from /proc while it runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ntowfv1 } from '../../src/auth/ntlm/index.js';
import { binPath, repoRoot } from '../helpers/cli.js';

/** Every byte form of `password` (and of `user:password`) whose presence would be a leak. */
export function leakForms(user: string, password: string): { name: string; bytes: Buffer }[] {
  const utf16 = Buffer.from(password, 'utf16le');
  const forms: [string, Buffer][] = [
    ['plain UTF-8', Buffer.from(password, 'utf8')],
    ['base64 UTF-8', Buffer.from(Buffer.from(password, 'utf8').toString('base64').replace(/=+$/, ''))],
    ['Basic user:password', Buffer.from(Buffer.from(`${user}:${password}`, 'utf8').toString('base64').replace(/=+$/, ''))],
    ['raw UTF-16LE', utf16],
    ['base64 UTF-16LE', Buffer.from(utf16.toString('base64').replace(/=+$/, ''))],
    ['hex UTF-16LE', Buffer.from(utf16.toString('hex'))],
    ['hex UTF-8', Buffer.from(Buffer.from(password, 'utf8').toString('hex'))],
    ['NT hash hex', Buffer.from(Buffer.from(ntowfv1(password)).toString('hex'))],
    ['NT hash HEX', Buffer.from(Buffer.from(ntowfv1(password)).toString('hex').toUpperCase())],
  ];
  return forms.map(([name, bytes]) => ({ name, bytes }));
}

/** The names of the forms found in `haystack` (empty = clean). */
export function leaksIn(haystack: Buffer | string, forms: { name: string; bytes: Buffer }[]): string[] {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return forms.filter((f) => buf.includes(f.bytes)).map((f) => f.name);
}

/** Every regular file under `dir` (recursively), with its content. */
export function filesUnder(dir: string): { file: string; content: Buffer; mode: number }[] {
  if (!existsSync(dir)) return [];
  const out: { file: string; content: Buffer; mode: number }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push({ file: full, content: readFileSync(full), mode: statSync(full).mode & 0o777 });
  }
  return out;
}

export interface ProcSnapshot {
  pid: number;
  cmdline: Buffer;
  /** Empty for the CLI processes the test started: their environment is what the test gave them. */
  environ: Buffer;
}

function readProc(pid: number, what: 'cmdline' | 'environ'): Buffer {
  try {
    return readFileSync(`/proc/${pid}/${what}`);
  } catch {
    return Buffer.alloc(0);
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text !== '') out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // The process ended between listing and reading.
  }
  return out;
}

/** Every descendant of `root` now (not root itself). */
export function descendants(root: number): number[] {
  const seen: number[] = [];
  const queue = childrenOf(root);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.includes(pid)) continue;
    seen.push(pid);
    queue.push(...childrenOf(pid));
  }
  return seen;
}

/**
 * Samples, every few milliseconds until stopped, the command lines of `roots()` and of all their
 * descendants, and the environments of the descendants, except CLI processes this test process
 * started itself (their environment is what the test gave them; only what they hand on counts).
 */
export function watchProcesses(roots: () => number[]): { stop: () => ProcSnapshot[] } {
  const snaps: ProcSnapshot[] = [];
  const ours = new Set<number>();
  const sample = (): void => {
    for (const pid of childrenOf(process.pid)) if (readProc(pid, 'cmdline').includes(binPath)) ours.add(pid);
    for (const root of roots()) {
      const rootCmdline = readProc(root, 'cmdline');
      snaps.push({ pid: root, cmdline: rootCmdline, environ: Buffer.alloc(0) });
      for (const pid of descendants(root)) {
        const cmdline = readProc(pid, 'cmdline');
        // Between fork and exec a child is still a copy of its parent, and /proc shows the
        // parent's original environment block (Node cannot rewrite it): not what the child runs with.
        const preExec = ours.has(pid) || cmdline.equals(rootCmdline);
        snaps.push({ pid, cmdline, environ: preExec ? Buffer.alloc(0) : readProc(pid, 'environ') });
      }
    }
  };
  sample();
  const timer = setInterval(sample, 15);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return snaps;
    },
  };
}

export interface RawResult {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** Command lines and environments seen under the CLI while it ran. */
  procs: ProcSnapshot[];
}

/**
 * Runs bin/tsremote.js with `args`, keeping its output as bytes and watching its process tree
 * (and, with `alsoWatch`, another tree, e.g. this process's children: serve's shells).
 */
export function runRaw(args: string[], opts: { env: Record<string, string | undefined>; input?: string; alsoWatch?: number; timeoutMs?: number }): Promise<RawResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [binPath, ...args], { env: env as NodeJS.ProcessEnv, cwd: repoRoot });
  const watcher = watchProcesses(() => [child.pid ?? -1, ...(opts.alsoWatch === undefined ? [] : [opts.alsoWatch])].filter((p) => p > 0));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\n${Buffer.concat(err).toString()}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const procs = watcher.stop();
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), procs });
    });
  });
}

/** Where each leak form was found in a run: `stdout: plain UTF-8`, `pid 123 environ: …`. */
export function leaksOfRun(res: RawResult, forms: { name: string; bytes: Buffer }[]): string[] {
  const found = [
    ...leaksIn(res.stdout, forms).map((f) => `stdout: ${f}`),
    ...leaksIn(res.stderr, forms).map((f) => `stderr: ${f}`),
  ];
  for (const p of res.procs) {
    for (const f of leaksIn(p.cmdline, forms)) found.push(`pid ${p.pid} cmdline: ${f}`);
    for (const f of leaksIn(p.environ, forms)) found.push(`pid ${p.pid} environ: ${f}`);
  }
  return [...new Set(found)];
}
