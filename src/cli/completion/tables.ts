/**
 * The lookup functions bash and zsh scripts share: the command tree as `case` tables.
 *
 * Both shells run the same four functions (plain `case` and `REPLY=`, no arrays, no bash 4
 * features, so macOS's bash 3.2 works too). A command is keyed by its path, the subcommand names
 * joined by one space (`''` for the program, `'wsman get'`). Each sets REPLY:
 *
 * | function             | REPLY                                                               |
 * |----------------------|---------------------------------------------------------------------|
 * | `P_cmds PATH`        | the subcommand names (and aliases) of PATH                          |
 * | `P_opts PATH`        | every option spelling of PATH                                       |
 * | `P_optval PATH OPT`  | how OPT's value completes (below), or empty when OPT takes no value |
 * | `P_argval PATH N`    | how the Nth positional argument (from 0) completes, or empty        |
 *
 * A value is `choices W…`, `hosts`, `sessions`, `files`, `dirs` or `none`: the first word is the
 * kind, the rest are the choices. A variadic last argument matches every N from its own on.
 */
import { flatten, type CommandSpec, type ValueKind } from './spec.js';

/** Quotes a word for sh, bash, zsh: single quotes, and `'\''` for a quote inside. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The function-name prefix for program `name`: `__tsremote`. */
export function prefixFor(name: string): string {
  return `__${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A ValueKind as the scripts' one-line form (`choices a b`, `hosts`, …). */
export function encodeValue(v: ValueKind): string {
  return v.kind === 'choices' ? ['choices', ...v.values].join(' ') : v.kind;
}

const key = (spec: CommandSpec): string => spec.path.join(' ');

function caseTable(fn: string, args: string, arms: [patterns: string[], reply: string][], comment: string): string {
  const lines = [`# ${comment}`, `${fn}() {`, `  case ${args} in`];
  for (const [patterns, reply] of arms) lines.push(`    ${patterns.join('|')}) REPLY=${shQuote(reply)} ;;`);
  lines.push(`    *) REPLY='' ;;`, '  esac', '}');
  return lines.join('\n');
}

/** The four lookup functions for the tree `root`, prefixed with `prefix`. */
export function lookupTables(root: CommandSpec, prefix: string): string {
  const all = flatten(root);
  const cmds = all
    .filter((c) => c.commands.length > 0)
    .map((c): [string[], string] => [[shQuote(key(c))], c.commands.flatMap((s) => [s.name, ...s.aliases]).join(' ')]);
  const opts = all
    .filter((c) => c.options.length > 0)
    .map((c): [string[], string] => [[shQuote(key(c))], c.options.flatMap((o) => o.names).join(' ')]);
  const optvals: [string[], string][] = [];
  const argvals: [string[], string][] = [];
  for (const c of all) {
    for (const o of c.options) {
      if (o.value) optvals.push([o.names.map((n) => shQuote(`${key(c)}|${n}`)), encodeValue(o.value)]);
    }
    c.args.forEach((a, i) => {
      const pattern = a.variadic ? `${shQuote(`${key(c)}|`)}*` : shQuote(`${key(c)}|${i}`);
      argvals.push([[pattern], encodeValue(a.value)]);
    });
  }
  return [
    caseTable(`${prefix}_cmds`, '"$1"', cmds, 'subcommands of a command path'),
    caseTable(`${prefix}_opts`, '"$1"', opts, 'options of a command path'),
    caseTable(`${prefix}_optval`, '"$1|$2"', optvals, 'how the value of an option completes; empty: a switch'),
    caseTable(`${prefix}_argval`, '"$1|$2"', argvals, 'how the Nth positional argument completes'),
  ].join('\n\n');
}
