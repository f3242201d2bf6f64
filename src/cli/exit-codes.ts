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
} as const;

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

/** The exit code for an error that ended a verb. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof InvalidArgumentError) return ExitCode.Usage;
  if (err instanceof TsrError && err.code === 'ETSR_CONFIG') return ExitCode.Usage;
  if (err instanceof TsrError && err.code === 'ETSR_ABORTED') return ExitCode.Interrupted;
  return isUnreachable(err) ? ExitCode.Unreachable : ExitCode.Failure;
}

/** The exit code of a fan-out: 2 when a host was unreachable, 1 when one failed, else 0. */
export function exitCodeForHosts(statuses: readonly ('ok' | 'failed' | 'unreachable' | 'interrupted')[]): number {
  if (statuses.includes('unreachable')) return ExitCode.Unreachable;
  return statuses.every((s) => s === 'ok') ? ExitCode.Ok : ExitCode.Failure;
}
