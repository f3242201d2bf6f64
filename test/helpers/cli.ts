/** Runs the built CLI (`bin/tsremote.js`) as a real child process, as a user would. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin/tsremote.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string | Uint8Array;
  timeoutMs?: number;
}

/**
 * The environment of a CLI run that touches nothing of the user's: the password from the
 * environment, no username or config file from outside, state and config under `dir`.
 */
export function isolatedCliEnv(dir: string, password: string): Record<string, string | undefined> {
  return {
    TSREMOTE_PASSWORD: password,
    TSREMOTE_USERNAME: undefined,
    TSREMOTE_CONFIG: undefined,
    TSREMOTE_STATE_DIR: path.join(dir, 'state'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_STATE_HOME: path.join(dir, 'xdg-state'),
  };
}

/** Starts the CLI; the caller reads its streams and waits with `finished`. */
export function spawnCli(args: string[], opts: CliOptions = {}): ChildProcessWithoutNullStreams {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [binPath, ...args], { env: env as NodeJS.ProcessEnv, cwd: repoRoot });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  return child;
}

/** Resolves when the child exits, with what it printed. */
export function finished(child: ChildProcessWithoutNullStreams, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out after ${timeoutMs} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the CLI to completion. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, opts);
  if (opts.input === undefined) child.stdin.end();
  return finished(child, opts.timeoutMs);
}
