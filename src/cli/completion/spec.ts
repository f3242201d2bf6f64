/**
 * The command tree as plain data, read from the commander program: what shell completion offers.
 *
 * Theory: the completion scripts are never written by hand. Every verb, subcommand, option,
 * `.choices()` list and argument comes from walking `program.commands` at the time the script is
 * generated, so a verb registered in main.ts completes without touching this folder. The only
 * knowledge kept here is how to complete a *value* that has no choices (valueOf below): which
 * option and argument names stand for hosts, recorded sessions, files or directories. It goes by
 * names, not by verbs, so `enter <host>` or `--session <name>` on a new verb complete the same way.
 *
 * Hidden options and commands (`.hideHelp()`, `{ hidden: true }`) are left out, as in --help: the
 * scripts' own helpers (`completion --complete-hosts`) must not be offered.
 */
import type { Argument, Command, Option } from 'commander';

/** How to complete one value. `none`: a free value (a number, a script), nothing to offer. */
export type ValueKind =
  | { kind: 'choices'; values: readonly string[] }
  | { kind: 'hosts' }
  | { kind: 'sessions' }
  | { kind: 'files' }
  | { kind: 'dirs' }
  | { kind: 'none' };

export interface OptionSpec {
  /** Every spelling: `['-c', '--computer-name']`, `['--no-user-profile']`. */
  names: string[];
  description: string;
  /** The value the option takes; undefined for a switch. */
  value: ValueKind | undefined;
}

export interface ArgumentSpec {
  name: string;
  variadic: boolean;
  value: ValueKind;
}

export interface CommandSpec {
  name: string;
  /** Names from the program down: `[]` for the program, `['wsman', 'get']`. */
  path: string[];
  description: string;
  aliases: string[];
  options: OptionSpec[];
  args: ArgumentSpec[];
  commands: CommandSpec[];
}

/** The placeholder in `--ca-file <pem>` or `[hosts...]`, without brackets and dots. */
function placeholder(text: string): string {
  const m = /[<[]([^>\]]+)[>\]]/.exec(text);
  return (m?.[1] ?? text).replace(/\.\.\.$/, '').toLowerCase();
}

/**
 * How a value is completed, from the option's long name or the value's placeholder name.
 * `path` is the command's path: only under `session` does an argument called NAME mean a recorded
 * session (`session remove s1`); elsewhere `--name` names something new.
 */
export function valueOf(choices: readonly string[] | undefined, name: string, long: string | undefined, path: readonly string[]): ValueKind {
  if (choices && choices.length > 0) return { kind: 'choices', values: choices };
  if (long === '--computer-name' || /^(hosts?|computers?|computer-names?)$/.test(name)) return { kind: 'hosts' };
  if (long === '--session' || /^sessions?$/.test(name)) return { kind: 'sessions' };
  if (long === undefined && path[0] === 'session' && /^names?$/.test(name)) return { kind: 'sessions' };
  // invoke --cwd is a directory on the remote host: nothing local to offer.
  if (long === '--cwd') return { kind: 'none' };
  if (/^(dir|dirs|directory|folder)$/.test(name)) return { kind: 'dirs' };
  if (/^(files?|paths?|pem|sources?|dest|destination)$/.test(name) || /-(file|path)$/.test(name)) return { kind: 'files' };
  return { kind: 'none' };
}

function optionSpec(opt: Option, path: readonly string[]): OptionSpec {
  const names = [opt.short, opt.long].filter((n): n is string => typeof n === 'string');
  const takesValue = opt.required || opt.optional;
  return {
    names,
    description: opt.description,
    value: takesValue ? valueOf(opt.argChoices, placeholder(opt.flags), opt.long, path) : undefined,
  };
}

function argumentSpec(arg: Argument, path: readonly string[]): ArgumentSpec {
  return { name: arg.name(), variadic: arg.variadic, value: valueOf(arg.argChoices, arg.name().toLowerCase(), undefined, path) };
}

/**
 * Walks a commander program (or any command) into a CommandSpec tree.
 * Commander's implicit `help [command]` completes its siblings' names.
 */
export function commandSpec(cmd: Command, path: string[] = []): CommandSpec {
  const help = cmd.createHelp();
  const visible = help.visibleCommands(cmd);
  const siblings = visible.map((c) => c.name()).filter((n) => n !== 'help');
  const commands = visible.map((sub) => {
    const spec = commandSpec(sub, [...path, sub.name()]);
    if (sub.name() === 'help' && sub.commands.length === 0 && spec.args.length === 1) {
      spec.args = [{ name: spec.args[0]!.name, variadic: false, value: { kind: 'choices', values: siblings } }];
    }
    return spec;
  });
  return {
    name: cmd.name(),
    path,
    description: cmd.description(),
    aliases: cmd.aliases(),
    options: help.visibleOptions(cmd).map((o) => optionSpec(o, path)),
    args: cmd.registeredArguments.map((a) => argumentSpec(a, path)),
    commands,
  };
}

/** Every command of the tree, the root first, parents before children. */
export function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(flatten)];
}
