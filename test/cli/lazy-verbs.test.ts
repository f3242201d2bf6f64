/**
 * Start-up loads only the verb a command line names (src/cli/verbs.ts): the program assembled that
 * way must print what the full program prints, and the rule must fall back to every verb wherever
 * the output involves the others.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { assembleProgram } from '../../src/cli/program.js';
import { VERB_NAMES, loadVerbs, verbsFor } from '../../src/cli/verbs.js';

function helpText(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

/** Every command under `cmd` (itself included) with its help text, keyed by its path. */
function helpTree(cmd: Command, path = cmd.name()): Record<string, string> {
  const out: Record<string, string> = { [path]: helpText(cmd) };
  for (const sub of cmd.commands) Object.assign(out, helpTree(sub, `${path} ${sub.name()}`));
  return out;
}

describe('lazy verb loading', () => {
  it('lists the verbs in the order and with the names of the full program', () => {
    expect([...VERB_NAMES]).toEqual(buildProgram({ code: 0 }).commands.map((c) => c.name()));
  });

  it('gives every verb (and its subcommands) the same --help as the full program', async () => {
    const full = buildProgram({ code: 0 });
    for (const name of VERB_NAMES) {
      const alone = assembleProgram({ code: 0 }, await loadVerbs([name]));
      const verb = alone.commands.find((c) => c.name() === name)!;
      const expected = full.commands.find((c) => c.name() === name)!;
      expect(helpTree(verb)).toEqual(helpTree(expected));
    }
  });

  it('gives the root --help of the full program when loading every verb', async () => {
    expect(helpText(assembleProgram({ code: 0 }, await loadVerbs(verbsFor(['--help']))))).toBe(helpText(buildProgram({ code: 0 })));
  });

  it('loads only the named verb, none for --version alone, and all where others show', () => {
    expect(verbsFor(['invoke', '-c', 'web1', '--cmd', 'hostname'])).toEqual(['invoke']);
    expect(verbsFor(['--debug', 'session', 'list'])).toEqual(['session']);
    expect(verbsFor(['invoke', '--help'])).toEqual(['invoke']);
    expect(verbsFor(['--version'])).toEqual([]);
    expect(verbsFor(['-V', '--debug'])).toEqual([]);
    // Commander prints the version as it parses the flag, whatever else the line holds.
    expect(verbsFor(['--help', '--version'])).toEqual([]);
    // Root help, `help VERB`, a typo (commander suggests a verb) and completion (walks the tree).
    for (const args of [[], ['--help'], ['--debug'], ['-h', 'invoke'], ['help', 'invoke'], ['invok'], ['completion', 'bash'], ['--', 'invoke']]) {
      expect(verbsFor(args)).toEqual(VERB_NAMES);
    }
  });
});
