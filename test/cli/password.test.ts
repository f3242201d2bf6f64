/** Password sources: their order, and passwordCommand run through a real shell. */
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolvePassword, runPasswordCommand } from '../../src/cli/password.js';
import { TsrError } from '../../src/errors.js';

const posix = process.platform !== 'win32';

/** The TsrError a promise rejects with, as [code, message, hint]. */
async function failure(p: Promise<unknown>): Promise<[string, string, string | undefined]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TsrError) return [err.code, err.message, err.hint];
    throw err;
  }
  throw new Error('did not reject');
}

const HINT = 'run the command yourself to see why; tsremote never prints its output';

describe.skipIf(!posix)('runPasswordCommand', () => {
  it('returns the first line of stdout, without its line ending', async () => {
    expect(await runPasswordCommand("printf 'hunter2\\r\\nsecond line\\n'", 'profiles."prod"')).toBe('hunter2');
    expect(await runPasswordCommand('printf "%s" "no newline at end"', 'x')).toBe('no newline at end');
  });

  it('runs through the shell (pipes and variables work)', async () => {
    expect(await runPasswordCommand('echo "a-$((6*7))" | tr a b', 'x')).toBe('b-42');
  });

  it('a non-zero exit is ETSR_CREDENTIALS naming the entry, never the output', async () => {
    const [code, message, hint] = await failure(runPasswordCommand('echo leaked-secret; exit 3', 'profiles."prod"'));
    expect([code, message, hint]).toEqual(['ETSR_CREDENTIALS', 'the passwordCommand of profiles."prod" failed (exit status 3)', HINT]);
  });

  it('empty output is an error', async () => {
    expect(await failure(runPasswordCommand('true', 'defaults'))).toEqual([
      'ETSR_CREDENTIALS', 'the passwordCommand of defaults printed no password', HINT,
    ]);
    expect((await failure(runPasswordCommand('printf "\\nsecret-on-line-2\\n"', 'defaults')))[1]).toBe(
      'the passwordCommand of defaults printed no password',
    );
  });

  it('gives up after the timeout, even when a grandchild holds stdout open', async () => {
    const started = Date.now();
    const [code, message] = await failure(runPasswordCommand('sleep 2 & sleep 2', 'hosts."web1"', { timeoutMs: 300 }));
    expect([code, message]).toEqual(['ETSR_CREDENTIALS', 'the passwordCommand of hosts."web1" did not finish within 0.3 s']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('does not read our stdin (it may carry --stdin data)', async () => {
    expect(await failure(runPasswordCommand('read line && echo "$line"', 'x', { timeoutMs: 5000 }))).toEqual([
      'ETSR_CREDENTIALS', 'the passwordCommand of x failed (exit status 1)', HINT,
    ]);
  });
});

describe('resolvePassword order: --password-stdin, TSREMOTE_PASSWORD, passwordCommand, prompt', () => {
  const stdin = (text: string, isTTY = false): NodeJS.ReadStream =>
    Object.assign(Readable.from([Buffer.from(text)]), { isTTY }) as unknown as NodeJS.ReadStream;
  const sink = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  const command = { command: 'echo from-command', origin: 'defaults' };

  it('--password-stdin wins over the environment and the command', async () => {
    const pw = await resolvePassword('u', {
      passwordStdin: true, env: { TSREMOTE_PASSWORD: 'from-env' }, stdin: stdin('from-stdin\nrest\n'), promptOut: sink, passwordCommand: command,
    });
    expect(pw).toBe('from-stdin');
  });

  it('TSREMOTE_PASSWORD wins over the command', async () => {
    const pw = await resolvePassword('u', {
      passwordStdin: false, env: { TSREMOTE_PASSWORD: 'from-env' }, stdin: stdin(''), promptOut: sink, passwordCommand: command,
    });
    expect(pw).toBe('from-env');
  });

  it.skipIf(!posix)('the command wins over a terminal prompt', async () => {
    const pw = await resolvePassword('u', { passwordStdin: false, env: {}, stdin: stdin('', true), promptOut: sink, passwordCommand: command });
    expect(pw).toBe('from-command');
  });

  it('with none of them and no terminal, says how to give one', async () => {
    const [code, message, hint] = await failure(resolvePassword('CORP\\u', { passwordStdin: false, env: {}, stdin: stdin(''), promptOut: sink }));
    expect([code, message]).toEqual(['ETSR_CREDENTIALS', 'no password for CORP\\u']);
    expect(hint).toBe(
      'set TSREMOTE_PASSWORD, pipe it with --password-stdin, give a passwordCommand in the config, or run on a terminal to be prompted',
    );
  });
});
