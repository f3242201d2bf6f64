/**
 * fanout/: one task per host, throttled and isolated (run.ts), how each host ended and what the
 * admin is told at the end (report.ts), and the status line while hosts run (status-line.ts).
 */
export { fanout, timedOut, HostTimeoutError, type FanoutOptions, type HostOutcome } from './run.js';
export { HostTally, formatDuration, summaryLines, retryHosts, writeRetryFile, type HostReport } from './report.js';
export { StatusLine, type StatusLineOptions } from './status-line.js';
