/**
 * `tsremote completion bash|zsh|pwsh` — prints a shell completion script generated from this very
 * program's command tree, so every registered verb completes without a hand-kept list.
 *
 * The scripts call back at TAB time through two hidden flags, each printing one name a line:
 * `--complete-hosts` (the config file's exact host entries) and `--complete-sessions` (the
 * session registry). They are hidden from --help and from the completions themselves.
 */
import { Argument, Command, Option } from 'commander';
import type { VerbResult } from './main.js';

export const SHELLS = ['bash', 'zsh', 'pwsh'] as const;
export type Shell = (typeof SHELLS)[number];

export type CompletionOptions =
  | { mode: 'script'; shell: Shell; program: Command }
  | { mode: 'hosts' | 'sessions' };

async function runCompletionLazy(opts: CompletionOptions): Promise<number> {
  const { runCompletion } = await import('./actions/completion.js');
  return runCompletion(opts);
}

export function completionCommand(result: VerbResult, run: (o: CompletionOptions) => Promise<number> = runCompletionLazy): Command {
  return new Command('completion')
    .description('print a shell completion script: bash, zsh or pwsh (see docs/cli.md to install it)')
    .addArgument(new Argument('[shell]', 'the shell to complete for').choices(SHELLS))
    .addOption(new Option('--complete-hosts', 'print the host names of the config file (used by the scripts)').hideHelp())
    .addOption(new Option('--complete-sessions', 'print the recorded session names (used by the scripts)').hideHelp())
    .action(async (shell: Shell | undefined, flags: { completeHosts?: boolean; completeSessions?: boolean }, self: Command) => {
      const { InvalidArgumentError } = await import('../errors.js');
      if (flags.completeHosts || flags.completeSessions) {
        if (flags.completeHosts && flags.completeSessions) throw new InvalidArgumentError('give one of --complete-hosts, --complete-sessions');
        result.code = await run({ mode: flags.completeHosts ? 'hosts' : 'sessions' });
        return;
      }
      if (shell === undefined) {
        throw new InvalidArgumentError(`say which shell: ${SHELLS.join(', ')}`, { hint: 'source <(tsremote completion bash)' });
      }
      let program = self;
      while (program.parent) program = program.parent;
      result.code = await run({ mode: 'script', shell, program });
    });
}
