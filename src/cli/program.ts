/**
 * The commander program: the root command (name, description, --version, --debug) and the verbs
 * it is given. main builds it with every verb for tests and completion; the lazy entry (run.ts)
 * gives it only the verb a command line names, so start-up loads one verb's module, not ten.
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { applyHelpExamples } from './help-examples.js';

/** The result slot a verb fills: commander's action cannot return a value itself. */
export interface VerbResult {
  code: number;
}

/** What each verb module exports: its command, bound to the result slot. */
export type VerbFactory = (result: VerbResult) => Command;

/** The root command with `verbs` added in order; every command throws instead of exiting. */
export function assembleProgram(result: VerbResult, verbs: readonly VerbFactory[]): Command {
  const program = new Command('tsremote')
    .description('PowerShell remoting (WS-Management, WinRS, PSRP) from any OS')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces and each HTTP exchange (secrets redacted); also a verb option')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const verb of verbs) program.addCommand(verb(result));
  // After every verb: examples are applied by name (help-examples.ts), so each verb gets its own.
  applyHelpExamples(program);
  // addCommand does not pass settings down: without this a verb's usage error would exit(1) itself.
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}
