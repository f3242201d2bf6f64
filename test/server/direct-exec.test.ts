import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { dashEnvironment, isDash, plainWords } from '../../src/server/winrs/direct-exec.js';
import { TestClient } from './client.js';

const USER = { username: 'vagrant', password: 'vagrant-pw' };
const servers: RunningServer[] = [];
const clients: TestClient[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'tsremote-direct-exec-'));
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plainWords', () => {
  it('splits a line the shell would only split on spaces', () => {
    expect(plainWords('hostname')).toEqual(['hostname']);
    expect(plainWords(' uname  -a ')).toEqual(['uname', '-a']);
    expect(plainWords('ls -la /tmp/a.b_c,d:e=f')).toEqual(['ls', '-la', '/tmp/a.b_c,d:e=f']);
  });

  it('leaves to the shell anything with shell syntax, builtins, reserved words and assignments', () => {
    for (const line of ['echo hi', 'cd /', 'exit 3', 'true', 'kill 1', 'printf x', 'test -e /', '[ -e / ]', 'if', 'while',
      'A=1 env', 'ls *', 'ls ~', 'echo $HOME', 'a | b', 'a > f', 'a;b', 'a && b', "ls 'x'", 'ls "x"', 'ls\tx', 'ls\nx',
      'a # c', 'a &', '(a)', 'a`b`', '', '   ']) {
      expect(plainWords(line), line).toBeUndefined();
    }
  });
});

describe('dashEnvironment', () => {
  it('keeps a PWD that names the working directory and sets the physical path otherwise', () => {
    const real = path.join(dir, 'real');
    const link = path.join(dir, 'link');
    mkdirSync(real, { recursive: true });
    symlinkSync(real, link);
    expect(dashEnvironment({ PATH: '/usr/bin', PWD: link }, link)?.PWD).toBe(link);
    expect(dashEnvironment({ PATH: '/usr/bin', PWD: `${link}/` }, real)?.PWD).toBe(`${link}/`);
    expect(dashEnvironment({ PATH: '/usr/bin', PWD: '/' }, link)?.PWD).toBe(real);
    expect(dashEnvironment({ PATH: '/usr/bin' }, link)?.PWD).toBe(real);
    expect(dashEnvironment({ PATH: '/usr/bin', PWD: 'relative' }, link)?.PWD).toBe(real);
    expect(dashEnvironment({}, link)).toBeUndefined();
    expect(dashEnvironment({ PATH: '/usr/bin' }, path.join(dir, 'gone'))).toBeUndefined();
    expect(dashEnvironment({ PATH: '/usr/bin', IFS: ' ' }, link)).toBeUndefined();
  });

  it.runIf(isDash('/bin/sh'))('lists the variables as dash hands them to its command (order, dropped names, PWD)', () => {
    const env: NodeJS.ProcessEnv = {
      Z: '1', TERM: 'x', PATH: '/usr/bin:/bin', HISTSIZE: '3', MAIL: '6', PS1: '7', PS2: 'a', PS4: 'b', MAILPATH: 'c', A: '1', B: '2',
      TERN: '3', _X: '1', 'bad-name': '1', '1A': '2', HOME: '/h', SHLVL: '3', _: '/x', OLDPWD: '/o', ENV: '/nonexist',
    };
    const viaDash = spawnSync('/bin/sh', ['-c', '/usr/bin/env'], { env, cwd: dir, encoding: 'utf8' }).stdout;
    const rebuilt = Object.entries(dashEnvironment(env, dir) ?? {}).map(([k, v]) => `${k}=${v}\n`).join('');
    expect(rebuilt).toBe(viaDash);
  });
});

// The same command lines on a server that starts plain words directly (/bin/sh is dash) and on one
// whose shell is a wrapper around dash (not recognised: every line goes through `sh -c`).
describe.runIf(isDash('/bin/sh'))('a plain command line started without the shell', () => {
  const wrapper = path.join(dir, 'sh-wrapper');
  writeFileSync(wrapper, '#!/bin/sh\nexec /bin/sh "$@"\n');
  chmodSync(wrapper, 0o755);
  const work = path.join(dir, 'work');
  const workLink = path.join(dir, 'work-link');
  mkdirSync(work, { recursive: true });
  symlinkSync(work, workLink);
  writeFileSync(path.join(work, 'no-shebang'), 'echo from-script "$0"\n');
  chmodSync(path.join(work, 'no-shebang'), 0o755);
  writeFileSync(path.join(work, 'not-executable'), 'echo never\n');

  async function runAll(posix: string, shellOpts: Parameters<TestClient['run']>[2]): Promise<string[]> {
    const s = await startServer({ listen: ['127.0.0.1:0'], users: [USER], allowUnencrypted: true, shell: { posix } });
    servers.push(s);
    const c = new TestClient(s.urls[0] as URL, USER.username, USER.password);
    clients.push(c);
    const lines = ['env', 'uname -s', '/usr/bin/env', 'id -u', 'ls /no/such/dir', 'no-such-program-xyz', './no-shebang', './not-executable',
      'sh -c exit', 'cat /proc/self/comm'];
    const out: string[] = [];
    for (const line of lines) {
      const r = await c.run(line, [], shellOpts);
      const text = `${line} => ${r.exitCode}\n${r.stdout.toString()}\n--\n${r.stderr.toString()}`;
      // The shell names itself in its own messages: the wrapper's path vs /bin/sh.
      out.push(text.split(wrapper).join('/bin/sh'));
    }
    return out;
  }

  for (const [name, shellOpts] of [
    ['the server\'s working directory', {}],
    ['a Create working directory behind a symlink, with variables', { workingDirectory: workLink, environment: { TSR_A: '1', PWD: '/' } }],
    ['a Create PWD that names the working directory', { workingDirectory: workLink, environment: { PWD: workLink } }],
  ] as const) {
    it(`gives what sh -c gives (${name})`, async () => {
      const direct = await runAll('/bin/sh', shellOpts);
      const viaShell = await runAll(wrapper, shellOpts);
      expect(direct).toEqual(viaShell);
    }, 30_000);
  }
});
