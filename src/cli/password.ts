/**
 * Where a password comes from — never from argv (it would show in `ps` and shell history):
 *   1. --password-stdin: the first line of standard input;
 *   2. the TSREMOTE_PASSWORD environment variable;
 *   3. a hidden prompt, when standard input is a terminal.
 */
import { InvalidArgumentError, TsrError } from '../errors.js';

export interface PasswordSources {
  passwordStdin: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  /** Where the prompt is written (stderr, so stdout stays clean for data). */
  promptOut: NodeJS.WriteStream;
}

/** Reads the first line of a stream (without its line ending). */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const nl = text.search(/\r?\n/);
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > 64 * 1024) break;
  }
  return text.replace(/\r?\n$/, '');
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
  const fromEnv = src.env.TSREMOTE_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (src.stdin.isTTY) return promptHidden(`Password for ${username}: `, src.stdin, src.promptOut);
  throw new TsrError('ETSR_CREDENTIALS', `no password for ${username}`, {
    hint: 'set TSREMOTE_PASSWORD, pipe it with --password-stdin, or run on a terminal to be prompted',
  });
}
