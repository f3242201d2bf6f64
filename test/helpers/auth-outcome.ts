import type { AuthConnection, AuthOutcome, Authenticator } from '../../src/server/auth/index.js';

/**
 * One decision of an Authenticator whose acceptors all answer at once (Basic, NTLM): a promise
 * here would mean a synchronous acceptor went asynchronous, which the listener's hot path avoids.
 */
export function decide(gate: Authenticator, header: string | undefined, conn: AuthConnection): AuthOutcome {
  const outcome = gate.authenticate(header, conn);
  if (outcome instanceof Promise) throw new Error('a synchronous acceptor answered with a promise');
  return outcome;
}
