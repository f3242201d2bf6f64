/**
 * Exit codes after a signal follow the shell's convention, 128 + the signal's number: 130 after
 * Ctrl+C (SIGINT), 143 after SIGTERM (a service manager, `timeout`, `kill`). Issue 7.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TsrError } from '../../src/errors.js';
import { ExitCode, exitCodeFor, exitCodeForSignal } from '../../src/cli/exit-codes.js';

describe('exit codes after a signal', () => {
  it('maps SIGINT to 130 and SIGTERM to 143', () => {
    expect([exitCodeForSignal('SIGINT'), exitCodeForSignal('SIGTERM')]).toEqual([130, 143]);
    expect([ExitCode.Interrupted, ExitCode.Terminated]).toEqual([130, 143]);
  });

  it('gives an abort that escaped a verb the code of the signal that caused it', () => {
    const aborted = new TsrError('ETSR_ABORTED', 'interrupted while opening');
    expect([exitCodeFor(aborted, 'SIGINT'), exitCodeFor(aborted, 'SIGTERM')]).toEqual([130, 143]);
  });

  it('keeps 130 for an abort without a signal (Ctrl+C read at a password prompt)', () => {
    expect(exitCodeFor(new TsrError('ETSR_ABORTED', 'password prompt interrupted'), undefined)).toBe(130);
  });

  it('leaves other errors alone after a signal', () => {
    expect(exitCodeFor(new InvalidArgumentError('bad flag'), 'SIGTERM')).toBe(64);
    expect(exitCodeFor(new TsrError('ETSR_CONNECT', 'connection refused'), 'SIGTERM')).toBe(2);
    expect(exitCodeFor(new Error('boom'), 'SIGTERM')).toBe(1);
  });
});
