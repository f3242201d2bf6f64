import { constants } from 'node:os';
import { InvalidArgumentError, TsrError } from '../errors.js';

/** Exit codes shared by every verb (documented in docs/cli.md). */
export const ExitCode = {
  /** Everything ran and nothing reported an error. */
  Ok: 0,
  /** A remote command or pipeline failed, or reported errors. */
  Failure: 1,
  /** A host could not be reached or authenticated. */
  Unreachable: 2,
  /** Bad flags or arguments, or a bad config file. */
  Usage: 64,
  /** Interrupted by Ctrl+C (128 + SIGINT). */
  Interrupted: 130,
  /** Stopped by SIGTERM, e.g. a service manager or `timeout` (128 + SIGTERM). */
  Terminated: 143,
} as const;

/** The signals the client verbs stop cleanly on (common.ts `interruptible`). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The shell's convention for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function exitCodeForSignal(signal: StopSignal): number {
  return 128 + (constants.signals[signal] ?? (signal === 'SIGTERM' ? 15 : 2));
}

/** The first stop signal this process received, once `interruptible` saw one. */
let stoppedBy: StopSignal | undefined;

/** Remembers the signal that interrupted the run (the first one), for {@link exitCodeFor}. */
export function noteStopSignal(signal: StopSignal): void {
  stoppedBy ??= signal;
}

const UNREACHABLE_CODES = new Set([
  'ETSR_CONNECT',
  'ETSR_TIMEOUT',
  'ETSR_TLS',
  'ETSR_AUTH_REJECTED',
  'ETSR_AUTH_UNSUPPORTED',
  'ETSR_CREDENTIALS',
  'ETSR_INSECURE',
]);

/** True for errors meaning "could not reach or log on to the host" (exit code 2). */
export function isUnreachable(err: unknown): boolean {
  return err instanceof TsrError && UNREACHABLE_CODES.has(err.code);
}

/**
 * The exit code for an error that ended a verb. An abort (ETSR_ABORTED) takes the code of the
 * signal that caused it: whichever layer built the error, it escaped because the run was stopped.
 * @param signal the signal that stopped the run; default: the one `interruptible` noted, if any.
 */
export function exitCodeFor(err: unknown, signal: StopSignal | undefined = stoppedBy): number {
  if (err instanceof InvalidArgumentError) return ExitCode.Usage;
  if (err instanceof TsrError && err.code === 'ETSR_CONFIG') return ExitCode.Usage;
  if (err instanceof TsrError && err.code === 'ETSR_ABORTED') return signal === undefined ? ExitCode.Interrupted : exitCodeForSignal(signal);
  return isUnreachable(err) ? ExitCode.Unreachable : ExitCode.Failure;
}

/** The exit code of a fan-out: 2 when a host was unreachable, 1 when one failed, else 0. */
export function exitCodeForHosts(statuses: readonly ('ok' | 'failed' | 'unreachable' | 'interrupted')[]): number {
  if (statuses.includes('unreachable')) return ExitCode.Unreachable;
  return statuses.every((s) => s === 'ok') ? ExitCode.Ok : ExitCode.Failure;
}
