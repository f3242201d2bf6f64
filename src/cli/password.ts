/**
 * Where a password comes from — never from argv (it would show in `ps` and shell history):
 *   1. --password-stdin: the first line of standard input;
 *   2. the TSREMOTE_PASSWORD environment variable;
 *   3. the config's `passwordCommand`, as git runs a credential helper: through the shell, its
 *      first line of stdout is the password (e.g. `pass show winrm/admin`);
 *   4. a hidden prompt, when standard input is a terminal.
 *
 * A password command's stdout is a secret: it is never printed, not even when the command fails
 * (a failing `cat` of the wrong file could print anything). Its stderr goes to the user's terminal,
 * so gpg's or a vault's own complaints stay visible.
 *
 * Two more locks on the same door:
 * - main takes TSREMOTE_PASSWORD out of the process environment before any verb runs
 *   ({@link takeEnvironmentPassword}), so no child (a password command, a shell `serve` starts, a
 *   pager) inherits it; {@link environmentPassword} still finds it.
 * - every password found here is remembered ({@link rememberSecret}), in the forms it travels in,
 *   and {@link scrubSecrets} blanks them in any line the CLI prints about an error.
 */
import { InvalidArgumentError, TsrError } from '../errors.js';

/** TSREMOTE_PASSWORD as main found it, after taking it out of process.env. */
let takenFromEnvironment: string | undefined;
/** Passwords and their encodings (Basic's base64, UTF-16LE), longest first. */
let secrets: string[] = [];

/**
 * Moves TSREMOTE_PASSWORD out of `env` (the process environment) into this module, so child
 * processes never inherit it. Called once by main, before any verb.
 */
export function takeEnvironmentPassword(env: NodeJS.ProcessEnv = process.env): void {
  const value = env.TSREMOTE_PASSWORD;
  if (value === undefined) return;
  takenFromEnvironment = value;
  rememberSecret(value);
  delete env.TSREMOTE_PASSWORD;
}

/** TSREMOTE_PASSWORD of `env`, or, for the process environment, the value main took out of it. */
export function environmentPassword(env: NodeJS.ProcessEnv): string | undefined {
  return env.TSREMOTE_PASSWORD ?? (env === process.env ? takenFromEnvironment : undefined);
}

/**
 * Remembers a secret so error output can blank it: the text, and the encodings a careless
 * message or dump could carry it in (base64 and hex of its UTF-8 and UTF-16LE bytes).
 */
export function rememberSecret(secret: string): void {
  if (secret.length < 3) return;
  const utf16 = Buffer.from(secret, 'utf16le');
  const forms = [
    secret,
    Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''),
    utf16.toString('base64').replace(/=+$/, ''),
    utf16.toString('hex'),
    Buffer.from(secret, 'utf8').toString('hex'),
  ];
  secrets = [...new Set([...secrets, ...forms])].sort((a, b) => b.length - a.length);
}

/** `text` with every remembered secret (in each remembered form) replaced by `***`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

export interface PasswordSources {
  passwordStdin: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  /** Where the prompt is written (stderr, so stdout stays clean for data). */
  promptOut: NodeJS.WriteStream;
  /** The config's command for this user, and the config entry it came from (for messages). */
  passwordCommand?: { command: string; origin: string } | undefined;
}

/** How long a password command may run. */
export const PASSWORD_COMMAND_TIMEOUT_MS = 30_000;
const MAX_COMMAND_OUTPUT = 64 * 1024;

/**
 * Runs a password command through the shell and returns the first line of its stdout.
 * @param origin where the command came from, e.g. `profiles.prod` (named in errors; the command and
 *   its output never are).
 * @throws TsrError ETSR_CREDENTIALS on a non-zero exit, a signal, empty output or the timeout.
 */
export async function runPasswordCommand(
  command: string,
  origin: string,
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  // Imported here: main loads this module at start-up, and node:child_process (with net and
  // streams) is the heaviest thing it would otherwise pull in.
  const { spawn } = await import('node:child_process');
  const timeoutMs = opts.timeoutMs ?? PASSWORD_COMMAND_TIMEOUT_MS;
  const fail = (what: string, cause?: unknown): TsrError =>
    new TsrError('ETSR_CREDENTIALS', `the passwordCommand of ${origin} ${what}`, {
      hint: 'run the command yourself to see why; tsremote never prints its output',
      ...(cause === undefined ? {} : { cause }),
    });
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: opts.env ?? process.env,
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: TsrError | undefined, password?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(password ?? '');
    };
    // A grandchild may keep stdout open after the shell dies, so a timeout does not wait for 'close'.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout.destroy();
      finish(fail(`did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_COMMAND_OUTPUT) chunks.push(chunk);
    });
    child.on('error', (err) => finish(fail('could not be started', err)));
    child.on('close', (code, signal) => {
      if (signal !== null) return finish(fail(`was killed by ${signal}`));
      if (code !== 0) return finish(fail(`failed (exit status ${code})`));
      const first = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
      if (first === '') return finish(fail('printed no password'));
      finish(undefined, first);
    });
  });
}

/** Reads the first line of a stream (without its line ending). */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const nl = text.search(/\r?\n/);
    if (nl >= 0) return remembered(text.slice(0, nl));
    if (text.length > 64 * 1024) break;
  }
  return remembered(text.replace(/\r?\n$/, ''));
}

/** Every caller reads a password with readFirstLine (--password-stdin), so it is remembered here. */
function remembered(password: string): string {
  rememberSecret(password);
  return password;
}

/** Prompts on the terminal without echoing what is typed. Ctrl+C aborts. */
export function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    const wasRaw = input.isRaw;
    input.setRawMode?.(true);
    input.resume();
    let answer = '';
    const finish = (err?: Error): void => {
      input.removeListener('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new TsrError('ETSR_ABORTED', 'password prompt interrupted'));
        if (ch === '\u0004' && answer === '') return finish(new TsrError('ETSR_CREDENTIALS', 'no password given'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else if (ch >= ' ') answer += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Finds the password for `username`, or throws a TsrError saying how to provide one. */
export async function resolvePassword(username: string, src: PasswordSources): Promise<string> {
  if (src.passwordStdin) {
    if (src.stdin.isTTY) {
      throw new InvalidArgumentError('--password-stdin needs the password piped in, not a terminal');
    }
    return readFirstLine(src.stdin);
  }
  const fromEnv = environmentPassword(src.env);
  if (fromEnv !== undefined) return remembered(fromEnv);
  if (src.passwordCommand) return remembered(await runPasswordCommand(src.passwordCommand.command, src.passwordCommand.origin, { env: src.env }));
  if (src.stdin.isTTY) return remembered(await promptHidden(`Password for ${username}: `, src.stdin, src.promptOut));
  throw new TsrError('ETSR_CREDENTIALS', `no password for ${username}`, {
    hint: 'set TSREMOTE_PASSWORD, pipe it with --password-stdin, give a passwordCommand in the config, or run on a terminal to be prompted',
  });
}
