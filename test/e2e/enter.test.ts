/**
 * `tsremote enter` end to end (issue 6, "enter, the REPL"): the real CLI in a real terminal — a
 * private tmux server, driven with send-keys and read with capture-pane — against `serve` over
 * sealed NTLM. Then, with piped input, `--keep` / `--session` and a connection lost under the REPL.
 *
 * Every wait polls the screen (or the process) up to a bound; nothing sleeps a fixed time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { binPath, finished, runCli, spawnCli } from '../helpers/cli.js';

const USER = 'repl';
const PASSWORD = 'Enter-the-REPL-1';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-enter-'));
const stateDir = path.join(dir, 'state');
const env: Record<string, string | undefined> = {
  TSREMOTE_PASSWORD: PASSWORD,
  TSREMOTE_USERNAME: undefined,
  TSREMOTE_STATE_DIR: stateDir,
  TSREMOTE_CONFIG: undefined,
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_STATE_HOME: path.join(dir, 'xdg-state'),
  NO_COLOR: '1',
};
/** A tmux server of our own, its socket in our temp dir, so a developer's tmux is never touched. */
const SOCKET = path.join(dir, 'tmux.sock');
const SESSION = `enter-${process.pid}`;
/** The shell in the pane writes the CLI's exit status here (tmux's own pane_dead proved unreliable). */
const STATUS_FILE = path.join(dir, 'exit-status');
/** Our tmux server, killed by pid in afterAll should kill-session not answer. */
let tmuxPid: number | undefined;
let server: RunningServer;
let host: string;

const hasTmux = ((): boolean => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function tmux(...args: string[]): string {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  return execFileSync('tmux', ['-S', SOCKET, '-f', '/dev/null', ...args], { env: childEnv, encoding: 'utf8', timeout: 10_000 });
}

/** The pane's lines, trailing blank lines dropped. */
function screen(): string[] {
  const lines = tmux('capture-pane', '-p', '-J', '-t', SESSION).split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = probe();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${hasTmux ? screen().join('\n') : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PROMPT = /^\[127\.0\.0\.1\]: PS (.+)>$/;
/** The screen once it ends with an empty prompt after the line that ran `command`. */
async function output(command: string): Promise<string[]> {
  return waitFor(`the output of ${command}`, () => {
    const lines = screen();
    const at = lines.findLastIndex((l) => l.endsWith(`> ${command}`));
    if (at < 0 || at === lines.length - 1 || !PROMPT.test(lines.at(-1) ?? '')) return undefined;
    return lines.slice(at + 1, -1);
  });
}

const send = (...keys: string[]): string => tmux('send-keys', '-t', SESSION, ...keys);
/** Types `text` literally, then presses Enter. */
const type = (text: string): void => {
  send('-l', text);
  send('Enter');
};

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }] });
  host = server.urls[0]!.host;
});
afterAll(async () => {
  if (hasTmux) {
    try {
      tmux('kill-session', '-t', SESSION);
    } catch {
      // Already gone (the test ended it, or it never started).
    }
    try {
      if (tmuxPid !== undefined) process.kill(tmuxPid);
    } catch {
      // The server left with its last session.
    }
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('enter in a terminal (tmux)', () => {
  it('shows the [HOST]: PS LOCATION> prompt', async () => {
    const command = `'${process.execPath}' '${binPath}' enter ${host} -u ${USER}; echo $? > '${STATUS_FILE}'`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '120', '-y', '40', command);
    tmuxPid = Number(tmux('display-message', '-p', '-t', SESSION, '#{pid}').trim());
    const line = await waitFor('the first prompt', () => screen().find((l) => PROMPT.test(l)));
    expect(line).toBe(`[127.0.0.1]: PS ${process.cwd()}>`);
  });

  it('runs 1+1 and prints 2', async () => {
    type('1+1');
    expect(await output('1+1')).toEqual(['2']);
  });

  it('reads an unfinished block with >> continuation lines', async () => {
    type('if ($true) {');
    await waitFor('the continuation prompt', () => screen().at(-1) === '>>');
    type("'yes'");
    type('}');
    expect(await output('}')).toEqual(['yes']);
    expect(screen().slice(-5, -2)).toEqual([`[127.0.0.1]: PS ${process.cwd()}> if ($true) {`, ">> 'yes'", '>> }']);
  });

  it('completes Get-Pro to Get-Process through the remote TabExpansion2; Ctrl+C clears the line', async () => {
    send('-l', 'Get-Pro');
    send('Tab');
    await waitFor('the completed word', () => screen().at(-1)?.endsWith('> Get-Process'));
    send('C-c');
    const lines = await waitFor('a fresh prompt', () => {
      const s = screen();
      return PROMPT.test(s.at(-1) ?? '') && s.at(-2)?.endsWith('> Get-Process^C') ? s : undefined;
    });
    expect(lines.at(-1)).toBe(`[127.0.0.1]: PS ${process.cwd()}>`);
  });

  it('answers Read-Host at the terminal', async () => {
    const command = "$n = Read-Host 'Your name'; \"hello $n\"";
    type(command);
    await waitFor('the Read-Host prompt', () => screen().at(-1)?.endsWith('Your name:'));
    type('bob');
    expect(await output(command)).toEqual(['Your name: bob', 'hello bob']);
  });

  it('Ctrl+C stops a running pipeline quickly and keeps the session', async () => {
    type("'sleeping'; Start-Sleep 30");
    await waitFor('the pipeline to run', () => screen().at(-1) === 'sleeping');
    const started = Date.now();
    send('C-c');
    await waitFor('the prompt after Ctrl+C', () => PROMPT.test(screen().at(-1) ?? ''));
    expect(Date.now() - started).toBeLessThan(10_000);
    type("'alive'");
    expect(await output("'alive'")).toEqual(['alive']);
  });

  it('follows the remote location in the prompt', async () => {
    type(`Set-Location '${dir}'`);
    await output(`Set-Location '${dir}'`);
    expect(screen().at(-1)).toBe(`[127.0.0.1]: PS ${dir}>`);
  });

  it('shows remote errors in the ConciseView and carries on', async () => {
    type('Get-Foo');
    const lines = await output('Get-Foo');
    expect(lines[0]).toBe("Get-Foo: The term 'Get-Foo' is not recognized as a name of a cmdlet, function, script file, or executable program.");
  });

  it('a command typed with a leading space runs but is not saved', async () => {
    type(" 'not in history'");
    expect(await output(" 'not in history'")).toEqual(['not in history']);
  });

  it('exit ends the process with code 0 and closes the runspace pool', async () => {
    type('exit');
    const status = await waitFor('the CLI to end', () => {
      try {
        return readFileSync(STATUS_FILE, 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    });
    expect(status).toBe('0');
    await waitFor('the server to drop the shell', () => server.stats().shells === 0);
    const history = path.join(stateDir, 'history');
    expect(readFileSync(history, 'utf8').split('\n').filter(Boolean)).toEqual([
      '1+1',
      'if ($true) {',
      "'yes'",
      '}',
      "$n = Read-Host 'Your name'; \"hello $n\"",
      "'sleeping'; Start-Sleep 30",
      "'alive'",
      `Set-Location '${dir}'`,
      'Get-Foo',
      'exit',
    ]);
    expect(statSync(history).mode & 0o777).toBe(0o600);
  });
});

describe('enter with piped input', () => {
  it('--keep disconnects and records the session; enter --session carries on in it', async () => {
    const kept = await runCli(['enter', host, '-u', USER, '--keep', '--name', 'k1'], { env, input: '$x = 42\nexit\n' });
    expect(kept.stderr).toBe('session k1 kept (disconnected); continue with: tsremote enter --session k1\n');
    expect(kept.code).toBe(0);
    expect(server.stats().shells).toBe(1);

    const again = await runCli(['enter', '--session', 'k1'], { env, input: '$x + 1\n' });
    expect(again.stdout).toBe('43\n');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);

    const removed = await runCli(['session', 'remove', 'k1'], { env });
    expect(removed.code).toBe(0);
    expect(server.stats().shells).toBe(0);
  });

  it('a lost connection prints one line and exits 2', async () => {
    const doomed = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }] });
    const child = spawnCli(['enter', doomed.urls[0]!.host, '-u', USER], { env });
    const done = finished(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.write('1+1\n');
    await waitFor('the first answer', () => out === '2\n');
    await doomed.close();
    child.stdin.write('2+2\n');
    const res = await done;
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^127\.0\.0\.1:\d+: .*\(the session is lost\)\n$/);
  });

  it('refuses --json and a second host source', async () => {
    const res = await runCli(['enter', host, '-u', USER, '--json'], { env });
    expect(res.stderr).toBe('tsremote: enter is interactive: --json is not supported; hint: use tsremote invoke --json\n');
    expect(res.code).toBe(64);
  });
});
