/** Exit codes shared by every verb (documented in docs/cli.md). */
export const ExitCode = {
  /** Everything ran and nothing reported an error. */
  Ok: 0,
  /** A remote command or pipeline failed, or reported errors. */
  Failure: 1,
  /** A host could not be reached or authenticated. */
  Unreachable: 2,
  /** Bad flags or arguments. */
  Usage: 64,
  /** Interrupted by Ctrl+C (128 + SIGINT). */
  Interrupted: 130,
} as const;
