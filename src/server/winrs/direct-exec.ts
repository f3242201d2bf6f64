/**
 * Running a plain WinRS command line without the POSIX shell in between.
 *
 * `/bin/sh -c "hostname"` costs two program loads (the shell, then the command); a fan-out of a
 * thousand hosts pays it a thousand times on the serve side. When the command line is nothing but
 * words the shell would pass through untouched, we start the program ourselves: one load instead
 * of two, same output, same exit status.
 *
 * Only when the result is the same:
 * - The shell is dash (Debian's /bin/sh). dash runs the last command of `-c` in its own process
 *   (exec, no fork), and hands it its variables rebuilt: PWD exported (kept when it names the
 *   working directory, else the physical path), names that are not shell names dropped, the rest
 *   in the order of its hash table. {@link dashEnvironment} rebuilds the same list; bash as sh
 *   also sets SHLVL and `_`, so any other shell keeps the `sh -c` path.
 * - The line is words of `A-Z a-z 0-9 - _ . / = : ,` separated by spaces: no quotes, `$`, globs,
 *   redirections, pipes, `~`, `#` or other white space, so word splitting is the only thing the
 *   shell would do. The first word is not a dash builtin or reserved word (`echo`, `cd`, `exit`
 *   behave differently as programs or do not exist as programs) and not an assignment (`A=1`).
 * - PATH is set (dash and libuv differ on the default search path when it is not), and none of
 *   IFS, OPTIND, LINENO, PPID is (dash exports its own value for them).
 * A program that cannot be started directly (not found, not executable) goes through the shell
 * after all, so its "not found" message and exit status 127 are the shell's, as before.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

const WORD_LINE = /^ *[A-Za-z0-9_./=:,-]+(?: +[A-Za-z0-9_./=:,-]+)* *$/;

/** dash 0.5.12's builtins and reserved words: never started as programs. */
const SHELL_WORDS: ReadonlySet<string> = new Set([
  '.', ':', '[', 'alias', 'bg', 'break', 'cd', 'chdir', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export',
  'false', 'fc', 'fg', 'getopts', 'hash', 'jobs', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set',
  'shift', 'test', 'times', 'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
  'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while',
]);

/**
 * The words of a command line the shell would only split on spaces, or undefined when the shell
 * has more to do (or the first word is the shell's own).
 */
export function plainWords(line: string): string[] | undefined {
  if (!WORD_LINE.test(line)) return undefined;
  const words = line.trim().split(/ +/);
  const first = words[0] as string;
  if (SHELL_WORDS.has(first) || first.includes('=')) return undefined;
  return words;
}

/** True when `shellPath` is dash (resolving symlinks: /bin/sh → dash on Debian). */
export function isDash(shellPath: string): boolean {
  try {
    return path.basename(realpathSync(shellPath)) === 'dash';
  } catch {
    return false;
  }
}

/** Variables dash sets its own value for, exported when they came in: such an environment keeps the shell. */
const REWRITTEN_BY_DASH: readonly string[] = ['IFS', 'OPTIND', 'LINENO', 'PPID'];
/** dash's built-in variables (var.c varinit), which head their hash chains in reverse order. */
const DASH_VARINIT: readonly string[] = ['ATTY', 'IFS', 'MAIL', 'MAILPATH', 'PATH', 'PS1', 'PS2', 'PS4', 'OPTIND', 'LINENO', 'TERM', 'HISTSIZE'];
/** dash's variable hash table size (var.c VTABSIZE). */
const DASH_BUCKETS = 39;
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** dash's hashvar(): the bucket a variable name falls in. */
function dashBucket(name: string): number {
  let h = name.charCodeAt(0) << 4;
  for (let i = 0; i < name.length; i++) h += name.charCodeAt(i);
  return h % DASH_BUCKETS;
}

/**
 * The environment dash would hand its command: `env` with PWD as dash sets it for working
 * directory `cwd` (the server's own when undefined), in the order dash lists its variables (hash
 * bucket, then its built-in ones, then the order they came in), without the names that are not
 * shell names (dash does not import them). Undefined when that cannot be told (the directory is
 * gone, no PATH, a variable dash rewrites): the caller then keeps the shell.
 */
export function dashEnvironment(env: NodeJS.ProcessEnv, cwd: string | undefined): NodeJS.ProcessEnv | undefined {
  if (env.PATH === undefined || env.PATH === '') return undefined;
  if (REWRITTEN_BY_DASH.some((name) => env[name] !== undefined)) return undefined;
  let pwd: string;
  try {
    const dir = path.resolve(cwd ?? '.');
    const here = statSync(dir);
    const inherited = env.PWD;
    const named = inherited !== undefined && inherited.startsWith('/') ? statSync(inherited, { throwIfNoEntry: false }) : undefined;
    pwd = named !== undefined && named.dev === here.dev && named.ino === here.ino ? (inherited as string) : realpathSync(dir);
  } catch {
    return undefined;
  }
  const names = Object.keys(env).filter((name) => env[name] !== undefined && SHELL_NAME.test(name));
  if (env.PWD === undefined) names.push('PWD'); // dash adds it last
  const rank = (name: string, order: number): number => {
    const builtin = DASH_VARINIT.indexOf(name);
    return dashBucket(name) * 10_000 + (builtin >= 0 ? DASH_VARINIT.length - builtin : 100 + order);
  };
  const ranked = names.map((name, order) => ({ name, rank: rank(name, order) })).sort((a, b) => a.rank - b.rank);
  const out: NodeJS.ProcessEnv = {};
  for (const { name } of ranked) out[name] = name === 'PWD' ? pwd : env[name];
  return out;
}
