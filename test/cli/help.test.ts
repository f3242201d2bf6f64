/**
 * `--help` of every verb carries an "Examples:" block, and the examples of help-examples.ts are
 * real command lines: the `tsremote …` part of each one parses against the registered program
 * (verbs, flags, choices, required arguments and options), with every action replaced by a no-op.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { applyHelpExamples, findCommand, HELP_EXAMPLES, type HelpExample } from '../../src/cli/help-examples.js';
import { runCli } from '../helpers/cli.js';

const registeredVerbs = (): string[] => buildProgram({ code: 0 }).commands.map((c) => c.name());

/** What `cmd --help` prints, rendered in-process (addHelpText blocks included). */
function helpText(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

/** The verbs of `program` whose --help shows no examples. */
function verbsWithoutExamples(program: Command): string[] {
  return program.commands.filter((c) => !/^Examples?:$/m.test(helpText(c))).map((c) => c.name());
}

/**
 * Splits a bash command line into words and operators, as far as the examples need: '…', "…"
 * (with \" \\ \$ \`), backslash escapes, and runs of | < > ( ) ; & as operator tokens.
 */
function shellWords(line: string): { word: string; op: boolean }[] {
  const out: { word: string; op: boolean }[] = [];
  let word: string | undefined;
  const push = (): void => {
    if (word !== undefined) out.push({ word, op: false });
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      push();
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && /["\\$`]/.test(line[j + 1] ?? '')) j++;
        text += line[j];
      }
      if (j >= line.length) throw new Error(`unclosed " in: ${line}`);
      word = (word ?? '') + text;
      i = j;
    } else if (ch === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i++;
    } else if (/[|<>();&]/.test(ch)) {
      push();
      let j = i;
      while (j < line.length && /[|<>();&]/.test(line[j]!)) j++;
      out.push({ word: line.slice(i, j), op: true });
      i = j - 1;
    } else {
      word = (word ?? '') + ch;
    }
  }
  push();
  return out;
}

/** The arguments of the first `tsremote` in `line`, up to the next operator. */
function tsremoteArgs(line: string): string[] {
  const words = shellWords(line);
  const start = words.findIndex((w) => !w.op && w.word === 'tsremote');
  if (start < 0) throw new Error(`no tsremote command in: ${line}`);
  const end = words.findIndex((w, i) => i > start && w.op);
  return words.slice(start + 1, end < 0 ? undefined : end).map((w) => w.word);
}

/** The `tsremote` command lines of README.md's "Use" section, trailing `# comments` dropped. */
function readmeCommands(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const use = /^## Use\n+```sh\n([\s\S]*?)^```/m.exec(readme);
  if (use === null) throw new Error('README.md has no "## Use" sh block');
  return use[1]!
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#') && shellWords(line).some((w) => !w.op && w.word === 'tsremote'));
}

/**
 * Parses `args` with the real program, every action a no-op.
 * @returns null when commander accepts them, else its error message.
 */
async function parseError(args: string[]): Promise<string | null> {
  const program = buildProgram({ code: 0 });
  let errors = '';
  const quiet = (cmd: Command): void => {
    cmd.configureOutput({ writeOut: () => undefined, writeErr: (s) => (errors += s) });
    if (cmd.commands.length === 0) cmd.action(() => undefined);
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return null;
  } catch (err) {
    return `${(err as Error).message}${errors ? ` (${errors.trim()})` : ''}`;
  }
}

describe('Examples in --help', () => {
  it.each(registeredVerbs())('tsremote %s --help shows Examples: and exits 0', async (verb) => {
    const out = await runCli([verb, '--help']);
    expect([out.code, out.stderr]).toEqual([0, '']);
    expect(out.stdout).toMatch(/^Examples:$/m);
    expect(out.stdout).toMatch(/^ {2}(\S+=\S+ )?tsremote /m);
  });

  it('every registered verb has examples (in help-examples.ts or its own help text)', () => {
    expect(verbsWithoutExamples(buildProgram({ code: 0 }))).toEqual([]);
  });

  it('the check above catches a verb registered without examples', () => {
    const program = buildProgram({ code: 0 });
    program.addCommand(new Command('frobnicate').description('new and undocumented'));
    expect(verbsWithoutExamples(program)).toEqual(['frobnicate']);
  });

  it('applies examples by path, including subcommands, and never twice', () => {
    const program = new Command('tsremote');
    const wsman = program.command('wsman');
    wsman.command('get');
    const own = program.command('own').addHelpText('after', '\nExamples:\n  tsremote own\n');
    const examples = { wsman: [{ what: 'w', command: 'tsremote wsman' }], 'wsman get': [{ what: 'g', command: 'tsremote wsman get x' }], own: [{ what: 'o', command: 'tsremote own --x' }], absent: [] };
    applyHelpExamples(program, examples);
    expect(helpText(wsman)).toContain('  # w\n  tsremote wsman\n');
    expect(helpText(findCommand(program, 'wsman get')!)).toContain('  tsremote wsman get x\n');
    expect(helpText(own).match(/Examples:/g)).toHaveLength(1);
  });
});

describe('the examples are real command lines', () => {
  const registered = new Set(registeredVerbs());
  const cases = Object.entries(HELP_EXAMPLES).flatMap(([path, list]) => list.map((e): [string, HelpExample] => [path, e]));

  it.each(cases.filter(([path]) => registered.has(path.split(' ')[0]!)))('%s: %j parses', async (_path, example) => {
    expect(await parseError(tsremoteArgs(example.command))).toBeNull();
  });

  it('every example list shows its own verb at least once', () => {
    for (const [path, list] of Object.entries(HELP_EXAMPLES)) {
      const uses = list.some((e) => tsremoteArgs(e.command).slice(0, path.split(' ').length).join(' ') === path);
      expect([path, uses]).toEqual([path, true]);
    }
  });

  it.each(readmeCommands())('README: %s parses', async (line) => {
    expect(await parseError(tsremoteArgs(line))).toBeNull();
  });

  it('the README shows every registered verb', () => {
    const shown = new Set(readmeCommands().map((line) => tsremoteArgs(line)[0]));
    expect(registeredVerbs().filter((verb) => !shown.has(verb))).toEqual([]);
  });

  it('the parse check rejects unknown flags, bad choices and missing arguments', async () => {
    expect(await parseError(tsremoteArgs("tsremote invoke -c web1 --no-such-flag -s 'x'"))).toMatch(/unknown option/);
    expect(await parseError(tsremoteArgs('tsremote invoke -c web1 --auth digest -s x'))).toMatch(/Allowed choices/);
    expect(await parseError(tsremoteArgs('tsremote clixml'))).toMatch(/missing required argument/);
    expect(await parseError(tsremoteArgs('tsremote nosuchverb'))).toMatch(/unknown command/);
  });

  it('splits bash words: quotes, escapes, env prefixes, pipes and process substitution', () => {
    expect(tsremoteArgs(`X=1 tsremote a 'b c' "d \\"e\\"" f\\ g | other`)).toEqual(['a', 'b c', 'd "e"', 'f g']);
    expect(tsremoteArgs('source <(tsremote completion bash)')).toEqual(['completion', 'bash']);
    expect(tsremoteArgs("tsremote copy 'web1:C:\\deploy\\' x")).toEqual(['copy', 'web1:C:\\deploy\\', 'x']);
  });
});
