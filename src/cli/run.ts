/**
 * The CLI entry bin/tsremote.js calls: runs one verb and maps errors to exit codes.
 *
 * Only this file calls into the process's exit status (through the returned code); verbs return
 * numbers. Start-up is kept light: the program is assembled with only the verb the command line
 * names (verbs.ts), and each verb imports its action — undici, the XML parser, the renderers —
 * only when it runs, so `--version` and `invoke --help` load commander and little else.
 */
import { CommanderError } from 'commander';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { formatCrash, printError } from './print-error.js';
import { takeEnvironmentPassword } from './password.js';
import { assembleProgram, type VerbResult } from './program.js';
import { loadVerbs, verbsFor } from './verbs.js';

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
  const program = assembleProgram(result, await loadVerbs(verbsFor(argv.slice(2))));
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
