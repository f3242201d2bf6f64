/**
 * The verbs, in the order `tsremote --help` lists them, each imported only when needed, and the
 * rule that says which of them a command line needs.
 *
 * `tsremote invoke …` needs only invoke's module; `--version` alone needs none. Everything else
 * (top-level help, `help VERB`, a mistyped verb that commander should suggest a fix for, and
 * `completion`, which walks the whole tree) gets every verb, so its output is what the full program
 * prints.
 */
import type { VerbFactory } from './program.js';

export const VERB_NAMES = ['test', 'wsman', 'invoke', 'serve', 'clixml', 'enable', 'copy', 'session', 'enter', 'completion'] as const;
export type VerbName = (typeof VERB_NAMES)[number];

const LOADERS: Record<VerbName, () => Promise<VerbFactory>> = {
  test: async () => (await import('./test.js')).testCommand,
  wsman: async () => (await import('./wsman.js')).wsmanCommand,
  invoke: async () => (await import('./invoke.js')).invokeCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  clixml: async () => (await import('./clixml.js')).clixmlCommand,
  enable: async () => (await import('./enable.js')).enableCommand,
  copy: async () => (await import('./copy.js')).copyCommand,
  session: async () => (await import('./session.js')).sessionCommand,
  enter: async () => (await import('./enter.js')).enterCommand,
  completion: async () => (await import('./completion.js')).completionCommand,
};

/** Options of the root command; none takes a value, so the first other word is the verb. */
const ROOT_FLAGS = new Set(['--debug', '-V', '--version', '-h', '--help']);
const VERSION_FLAGS = new Set(['-V', '--version']);

const isVerb = (word: string): word is VerbName => (VERB_NAMES as readonly string[]).includes(word);

/**
 * The verbs `args` (argv without node and the script) needs registered for commander to act on it
 * exactly as the full program would.
 */
export function verbsFor(args: readonly string[]): readonly VerbName[] {
  const first = args.findIndex((a) => !ROOT_FLAGS.has(a));
  if (first < 0) {
    // Only root flags: commander acts on --version as it parses it, before any --help, so the
    // version is printed and no verb is needed; otherwise it is the root help, which lists them all.
    return args.some((a) => VERSION_FLAGS.has(a)) ? [] : VERB_NAMES;
  }
  // `tsremote -h invoke` prints the root help, which lists every verb.
  if (args.slice(0, first).some((a) => a === '-h' || a === '--help')) return VERB_NAMES;
  const word = args[first] as string;
  return isVerb(word) && word !== 'completion' ? [word] : VERB_NAMES;
}

/** Imports the modules of `names`, in the order given. */
export function loadVerbs(names: readonly VerbName[]): Promise<VerbFactory[]> {
  return Promise.all(names.map((n) => LOADERS[n]()));
}
