/**
 * The CLI entry: builds the commander program, runs one verb, maps errors to exit codes.
 *
 * Only this file calls into the process's exit status (through the returned code); verbs return
 * numbers. Verbs are imported lazily so `tsremote --version` loads neither undici nor the XML parser.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { printError } from './print-error.js';
import { completionCommand } from './completion.js';
import { applyHelpExamples } from './help-examples.js';
import { testCommand } from './test.js';
import { wsmanCommand } from './wsman.js';
import { invokeCommand } from './invoke.js';
import { serveCommand } from './serve.js';
import { clixmlCommand } from './clixml.js';
import { enableCommand } from './enable.js';
import { copyCommand } from './copy.js';
import { sessionCommand } from './session.js';
import { enterCommand } from './enter.js';

/** The result slot a verb fills: commander's action cannot return a value itself. */
export interface VerbResult {
  code: number;
}

export function buildProgram(result: VerbResult): Command {
  const program = new Command('tsremote')
    .description('PowerShell remoting (WS-Management, WinRS, PSRP) from any OS')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces and each HTTP exchange (secrets redacted); also a verb option')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(testCommand(result));
  program.addCommand(wsmanCommand(result));
  program.addCommand(invokeCommand(result));
  program.addCommand(serveCommand(result));
  program.addCommand(clixmlCommand(result));
  program.addCommand(enableCommand(result));
  program.addCommand(copyCommand(result));
  program.addCommand(sessionCommand(result));
  program.addCommand(enterCommand(result));
  program.addCommand(completionCommand(result));
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

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const result: VerbResult = { code: ExitCode.Ok };
  const program = buildProgram(result);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    printError(process.stderr, err, { debug });
    return exitCodeFor(err);
  }
}
