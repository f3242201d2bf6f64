/**
 * The CLI entry: builds the commander program, runs one verb, maps errors to exit codes.
 *
 * Only this file calls into the process's exit status (through the returned code); verbs return
 * numbers. Verbs are imported lazily so `tsremote --version` loads neither undici nor the XML parser.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { formatCrash, printError } from './print-error.js';
import { takeEnvironmentPassword } from './password.js';
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

/** EX_SOFTWARE (sysexits.h): an internal error, as bin/tsremote.js also reports one. */
const INTERNAL_ERROR = 70;

/**
 * Ends the process on an exception nothing caught (a bug, or a library's stray throw): Node's
 * default would print the whole stack and any object the error carries, which may hold a
 * request, a header or a buffer. One line instead, the stack only with --debug.
 */
function installCrashHandlers(debug: boolean): void {
  const crash = (err: unknown): void => {
    process.stderr.write(formatCrash(err, debug));
    process.exit(INTERNAL_ERROR);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

/**
 * A verb whose promise can no longer settle (the event loop has nothing left to wait for: a bug
 * below the CLI, such as an error that never reaches the awaiting code) would otherwise end the
 * process with exit 0, as if it had succeeded. Says so and exits 70 instead.
 * @returns the function that removes the guard once the verb has settled.
 */
function guardStall(): () => void {
  const stalled = (): void => {
    process.stderr.write('tsremote: internal error: the run ended before it finished (nothing left to wait for); run with --debug and report it\n');
    process.exit(INTERNAL_ERROR);
  };
  process.once('beforeExit', stalled);
  return () => void process.off('beforeExit', stalled);
}

/**
 * Runs the CLI with `argv` (as process.argv) and returns the exit code. Takes TSREMOTE_PASSWORD
 * out of the environment, and installs the crash handlers unless the host process (a test
 * runner) already handles uncaught exceptions.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // Before anything can spawn a child: none of them may inherit the password.
  takeEnvironmentPassword();
  // Not inside a host process (a test runner), whose own event loop is none of our business.
  const standalone = process.listenerCount('uncaughtException') === 0;
  if (standalone) installCrashHandlers(debug);
  const unguard = standalone ? guardStall() : () => undefined;
  const result: VerbResult = { code: ExitCode.Ok };
  const program = buildProgram(result);
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
  } finally {
    unguard();
  }
}
