/**
 * `tsremote completion bash|zsh|pwsh`: the scripts are generated from the program tree and really
 * complete. bash runs the generated function with COMP_WORDS/COMP_CWORD set as readline would;
 * zsh runs its function with `words`/`CURRENT` and stubbed completion builtins (skipped, visibly,
 * without zsh); PowerShell is checked as text, and through TabExpansion2 when pwsh is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { AUTH_NAMES } from '../../src/cli/connection-options.js';
import { commandSpec, valueOf } from '../../src/cli/completion/spec.js';
import { bashScript } from '../../src/cli/completion/bash.js';
import { zshScript } from '../../src/cli/completion/zsh.js';
import { pwshScript } from '../../src/cli/completion/pwsh.js';
import { addSession } from '../../src/session/registry.js';
import { binPath, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (exe: string): boolean => spawnSync(exe, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
const hasZsh = has('zsh');
const hasPwsh = spawnSync('pwsh', ['-NoProfile', '-Command', 'exit 0'], { stdio: 'ignore' }).status === 0;

/** An environment with no config file and no session registry, plus `extra`. */
const NOTHING = path.join(dir, 'nothing');
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, HOME: NOTHING, XDG_CONFIG_HOME: NOTHING, XDG_STATE_HOME: NOTHING, TSREMOTE_CONFIG: '', TSREMOTE_STATE_DIR: '', ...extra };
}

// A config file with two exact hosts and a glob (never offered), and a registry with two sessions.
const configFile = path.join(dir, 'config.json');
const stateDir = path.join(dir, 'state');
const withData = (): NodeJS.ProcessEnv => env({ TSREMOTE_CONFIG: configFile, TSREMOTE_STATE_DIR: stateDir });

let bashFile: string;
beforeAll(async () => {
  writeFileSync(configFile, JSON.stringify({ hosts: { 'web1.corp.example': {}, '*.lab.example': { https: true }, db1: {} } }));
  chmodSync(configFile, 0o600);
  mkdirSync(stateDir, { recursive: true });
  const now = new Date().toISOString();
  for (const name of ['s1', 'build-7']) {
    await addSession(
      { name, host: 'web1', https: false, auth: 'negotiate', shellId: '11111111-2222-3333-4444-555555555555', created: now, lastUsed: now, commands: 0 },
      { env: withData() },
    );
  }
  // The script as users get it: from the built CLI.
  const out = await runCli(['completion', 'bash']);
  expect(out.code).toBe(0);
  bashFile = path.join(dir, 'tsremote.bash');
  writeFileSync(bashFile, out.stdout);
});

/**
 * Runs the completion function bash registered for `tsremote` on `words` (the last one is the
 * word under the cursor) and returns COMPREPLY. `tsremote` itself is the built CLI.
 */
function bashComplete(words: string[], opts: { script?: string; env?: NodeJS.ProcessEnv } = {}): string[] {
  const driver = [
    'source "$1"; shift',
    `tsremote() { ${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} "$@"; }`,
    // The function name comes from the registration, so this also checks `complete -F … tsremote`.
    `fn=$(complete -p tsremote | sed -E 's/.*-F ([^ ]+).*/\\1/')`,
    'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
    '"$fn"; (( ${#COMPREPLY[@]} )) && printf \'%s\\0\' "${COMPREPLY[@]}"; exit 0',
  ].join('\n');
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', driver, 'bash', opts.script ?? bashFile, ...words], {
    env: opts.env ?? env(),
    encoding: 'utf8',
  });
  return out.split('\0').filter((w) => w !== '');
}

describe('bash', () => {
  it('generates a script bash accepts (bash -n)', () => {
    expect(spawnSync('bash', ['-n', bashFile], { encoding: 'utf8' }).stderr).toBe('');
    expect(spawnSync('bash', ['-n', bashFile]).status).toBe(0);
  });

  it('completes a verb from its prefix: tsremote inv<TAB>', () => {
    expect(bashComplete(['tsremote', 'inv'])).toEqual(['invoke']);
  });

  it('offers exactly the registered verbs (plus help) after tsremote', () => {
    const program = buildProgram({ code: 0 });
    const verbs = program.commands.map((c) => c.name());
    expect(bashComplete(['tsremote', '']).sort()).toEqual([...verbs, 'help'].sort());
  });

  it('completes --auth choices: tsremote invoke --auth <TAB>', () => {
    expect(bashComplete(['tsremote', 'invoke', '--auth', ''])).toEqual([...AUTH_NAMES]);
  });

  it('completes --auth=<TAB> the way bash splits it at the =', () => {
    expect(bashComplete(['tsremote', 'invoke', '--auth', '=', 'b'])).toEqual(['basic']);
    expect(bashComplete(['tsremote', 'test', '--auth', '='])).toEqual([...AUTH_NAMES]);
  });

  it('completes subcommands and their options: wsman <TAB>, wsman get --sel<TAB>', () => {
    expect(bashComplete(['tsremote', '--debug', 'wsman', ''])).toEqual(['identify', 'get', 'enumerate', 'help']);
    expect(bashComplete(['tsremote', 'wsman', 'get', '--sel'])).toEqual(['--selector']);
  });

  it('skips option values while walking: -s --auth is a script, not the --auth option', () => {
    expect(bashComplete(['tsremote', 'invoke', '-s', '--auth', ''])).toEqual([]);
    expect(bashComplete(['tsremote', 'invoke', '-c', 'web1', '--auth', 'basic', '--thr'])).toEqual(['--throttle']);
  });

  it('never offers hidden options (--use-ssl, completion --complete-hosts)', () => {
    expect(bashComplete(['tsremote', 'invoke', '--us'])).toEqual(['--username']);
    expect(bashComplete(['tsremote', 'completion', '--'])).toEqual(['--help']);
  });

  it('completes the completion verb’s shells and help’s verbs', () => {
    expect(bashComplete(['tsremote', 'completion', ''])).toEqual(['bash', 'zsh', 'pwsh']);
    expect(bashComplete(['tsremote', 'help', 'ser'])).toEqual(['serve']);
  });

  it('completes file arguments: clixml <file>', () => {
    writeFileSync(path.join(dir, 'servers.xml'), '');
    expect(bashComplete(['tsremote', 'clixml', path.join(dir, 'serv')])).toEqual([path.join(dir, 'servers.xml')]);
  });

  it('completes hosts from the config file, exact names only, also inside a comma list', () => {
    expect(bashComplete(['tsremote', 'invoke', '-c', ''], { env: withData() })).toEqual(['web1.corp.example', 'db1']);
    expect(bashComplete(['tsremote', 'invoke', '-c', 'web1.corp.example,d'], { env: withData() })).toEqual(['web1.corp.example,db1']);
    expect(bashComplete(['tsremote', 'test', 'we'], { env: withData() })).toEqual(['web1.corp.example']);
  });

  it('completes session names from the registry: --session, session remove', () => {
    expect(bashComplete(['tsremote', 'invoke', '--session', ''], { env: withData() })).toEqual(['s1', 'build-7']);
    expect(bashComplete(['tsremote', 'session', 'remove', 'b'], { env: withData() })).toEqual(['build-7']);
    expect(bashComplete(['tsremote', 'session', 'new', '--name', ''], { env: withData() })).toEqual([]);
  });

  it('picks up a verb added to the program with no completion code written for it', () => {
    const program = buildProgram({ code: 0 });
    program.addCommand(
      new Command('frobnicate').addOption(new Option('--colour <c>', 'a colour').choices(['red', 'blue'])).argument('<host>'),
    );
    const script = path.join(dir, 'extended.bash');
    writeFileSync(script, bashScript(commandSpec(program)));
    expect(bashComplete(['tsremote', 'frob'], { script })).toEqual(['frobnicate']);
    expect(bashComplete(['tsremote', 'frobnicate', '--colour', ''], { script })).toEqual(['red', 'blue']);
    expect(bashComplete(['tsremote', 'frobnicate', 'd'], { script, env: withData() })).toEqual(['db1']);
  });
});

describe('value kinds', () => {
  it.each([
    [undefined, 'hosts', '--computer-name', [], 'hosts'],
    [undefined, 'host', undefined, ['enter'], 'hosts'],
    [undefined, 'name', '--session', ['invoke'], 'sessions'],
    [undefined, 'names', undefined, ['session', 'remove'], 'sessions'],
    [undefined, 'name', '--name', ['session', 'new'], 'none'],
    [undefined, 'pem', '--ca-file', ['test'], 'files'],
    [undefined, 'dir', '--cwd', ['invoke'], 'none'],
    [undefined, 'dir', '--dir', ['enable'], 'dirs'],
    [['a', 'b'], 'x', '--x', [], 'choices'],
  ] as const)('%s %s %s under %j -> %s', (choices, name, long, p, kind) => {
    expect(valueOf(choices, name, long, p).kind).toBe(kind);
  });
});

describe('the hidden callbacks', () => {
  it('--complete-hosts prints the exact host names of the config file, one a line', async () => {
    const out = await runCli(['completion', '--complete-hosts'], { env: withData() });
    expect([out.code, out.stdout, out.stderr]).toEqual([0, 'web1.corp.example\ndb1\n', '']);
  });

  it('--complete-hosts and --complete-sessions print nothing, exit 0, without a config or registry', async () => {
    for (const flag of ['--complete-hosts', '--complete-sessions']) {
      const out = await runCli(['completion', flag], { env: env() });
      expect([flag, out.code, out.stdout]).toEqual([flag, 0, '']);
    }
  });

  it('--complete-sessions prints the recorded names', async () => {
    const out = await runCli(['completion', '--complete-sessions'], { env: withData() });
    expect([out.code, out.stdout]).toEqual([0, 's1\nbuild-7\n']);
  });

  it('a broken config file is the usual config error on stderr (exit 64), nothing on stdout', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "hosts": { "web1": { "prot": 1 } } }');
    const out = await runCli(['completion', '--complete-hosts'], { env: env({ TSREMOTE_CONFIG: bad }) });
    expect([out.code, out.stdout]).toEqual([64, '']);
    expect(out.stderr).toContain('unknown key hosts.web1.prot');
  });

  it('refuses a missing or unknown shell with exit 64', async () => {
    const none = await runCli(['completion']);
    expect([none.code, none.stderr]).toEqual([64, expect.stringContaining('say which shell: bash, zsh, pwsh')]);
    const fish = await runCli(['completion', 'fish']);
    expect([fish.code, fish.stderr]).toEqual([64, expect.stringContaining("Allowed choices are bash, zsh, pwsh")]);
  });
});

/** Runs the zsh function on `words` with the completion builtins stubbed to print what they get. */
function zshComplete(script: string, words: string[], envVars: NodeJS.ProcessEnv = env()): string[] {
  const driver = [
    'compdef() { :; }',
    'compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@"; }',
    '_describe() { local -a items; items=( "${(@P)4}" ); print -rl -- "${items[@]%%:*}"; }',
    '_files() { print -r -- "<files>"; }',
    'compset() { return 1; }',
    'source "$1"; shift',
    `tsremote() { ${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} "$@"; }`,
    'words=( "$@" ); CURRENT=$#',
    '_tsremote',
  ].join('\n');
  const out = execFileSync('zsh', ['-f', '-c', driver, 'zsh', script, ...words], { env: envVars, encoding: 'utf8' });
  const cur = words[words.length - 1] ?? '';
  // compadd and _describe get every candidate; zsh itself filters by the prefix typed.
  return out.split('\n').filter((w) => w !== '' && (w.startsWith(cur) || w === '<files>'));
}

describe.skipIf(!hasZsh)('zsh (needs zsh)', () => {
  let zshFile: string;
  beforeAll(async () => {
    const out = await runCli(['completion', 'zsh']);
    expect(out.code).toBe(0);
    zshFile = path.join(dir, '_tsremote');
    writeFileSync(zshFile, out.stdout);
  });

  it('generates a script zsh accepts (zsh -n)', () => {
    const r = spawnSync('zsh', ['-n', zshFile], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('completes verbs, --auth choices, subcommands, files, hosts and sessions', () => {
    expect(zshComplete(zshFile, ['tsremote', 'inv'])).toEqual(['invoke']);
    expect(zshComplete(zshFile, ['tsremote', 'invoke', '--auth', ''])).toEqual([...AUTH_NAMES]);
    expect(zshComplete(zshFile, ['tsremote', 'wsman', 'e'])).toEqual(['enumerate']);
    expect(zshComplete(zshFile, ['tsremote', 'invoke', '--thr'])).toEqual(['--throttle']);
    expect(zshComplete(zshFile, ['tsremote', 'clixml', ''])).toEqual(['<files>']);
    expect(zshComplete(zshFile, ['tsremote', 'invoke', '-c', ''], withData())).toEqual(['web1.corp.example', 'db1']);
    expect(zshComplete(zshFile, ['tsremote', 'invoke', '--session', ''], withData())).toEqual(['s1', 'build-7']);
  });
});
// CI installs zsh (.ci/run): there a missing zsh fails; elsewhere it shows as a skipped test.
if (!hasZsh && process.env.TSREMOTE_REQUIRE_PEERS === '1') {
  it('requires zsh (TSREMOTE_REQUIRE_PEERS=1)', () => {
    throw new Error('zsh is not installed: apt-get install zsh');
  });
} else if (!hasZsh) {
  it.skip('zsh checks skipped: zsh is not installed (apt-get install zsh)', () => {});
}

describe('pwsh', () => {
  const script = pwshScript(commandSpec(buildProgram({ code: 0 })));

  it('registers a native completer for tsremote', () => {
    expect(script).toMatch(/^Register-ArgumentCompleter -Native -CommandName 'tsremote' -ScriptBlock \{$/m);
    expect(script).toContain('param($wordToComplete, $commandAst, $cursorPosition)');
    expect(script).toContain('[System.Management.Automation.CompletionResult]::new(');
  });

  it('embeds the tree as JSON holding every verb, the --auth choices and the host callback', () => {
    const json = /@'\n(.*)\n'@/.exec(script)?.[1];
    expect(json).toBeDefined();
    const tree = JSON.parse(json!) as { s: { n: string; o: { n: string[]; v?: string; c?: string[] }[] }[] };
    expect(tree.s.map((s) => s.n)).toEqual([...buildProgram({ code: 0 }).commands.map((c) => c.name()), 'help']);
    const invoke = tree.s.find((s) => s.n === 'invoke')!;
    expect(invoke.o.find((o) => o.n.includes('--auth'))).toMatchObject({ v: 'choices', c: [...AUTH_NAMES] });
    expect(invoke.o.find((o) => o.n.includes('-c'))).toMatchObject({ n: ['-c', '--computer-name'], v: 'hosts' });
    expect(script).toContain('completion --complete-hosts');
    expect(script).toContain('completion --complete-sessions');
  });

  it.skipIf(!hasPwsh)('completes through TabExpansion2 (needs pwsh)', () => {
    const file = path.join(dir, 'tsremote.ps1');
    writeFileSync(file, script);
    const ask = (line: string): string[] => {
      const cmd = `. '${file}'; (TabExpansion2 -inputScript '${line.replace(/'/g, "''")}' -cursorColumn ${line.length}).CompletionMatches | ForEach-Object CompletionText`;
      return execFileSync('pwsh', ['-NoProfile', '-Command', cmd], { encoding: 'utf8' }).split(/\r?\n/).filter(Boolean);
    };
    expect(ask('tsremote inv')).toEqual(['invoke']);
    expect(ask('tsremote invoke --auth ')).toEqual([...AUTH_NAMES]);
  });
});

describe('zsh script text', () => {
  it('registers with compdef and works as an autoloaded _tsremote', () => {
    const script = zshScript(commandSpec(buildProgram({ code: 0 })));
    expect(script.startsWith('#compdef tsremote\n')).toBe(true);
    expect(script).toContain('compdef _tsremote tsremote');
    expect(script).toContain("'invoke:run a command on one or more hosts (Invoke-Command)'");
  });
});
