/**
 * Authentication for `tsremote serve`: the acceptors (Basic, NTLM, client certificate) and the
 * {@link Authenticator} that runs them per request and remembers connection logons.
 *
 * Order of a decision:
 * 1. A request with `Authorization` goes to the acceptor answering to its scheme, if that
 *    mechanism is offered on this connection. Any such header replaces the connection's logon: a
 *    new NTLM NEGOTIATE restarts, a failure logs the connection off.
 * 2. A request without one is served as the connection's logon, if NTLM established one (HTTP.sys
 *    authenticates the connection, not the request); otherwise it gets 401 with every challenge.
 * Challenges list NTLM first (`Negotiate`, `NTLM`), then Basic when it is offered.
 */
import type { AuthConnection, Acceptor, SessionSecurity } from './types.js';

export { BasicAcceptor } from './basic.js';
export { NtlmAcceptor, type CbtLevel, type NtlmAcceptorOptions } from './ntlm.js';
export { CertificateAcceptor } from './certificate.js';
export type { Acceptor, AcceptResult, AuthConnection, ClientCertificate, PasswordUser, ServeUser, SessionSecurity, StoredUser } from './types.js';

/** Who a request is from. `security` is set for NTLM: sealed bodies are opened and answered with it. */
export interface Logon {
  username: string;
  profile: string;
  security?: SessionSecurity;
}

export type AuthOutcome =
  | ({ ok: true } & Logon)
  /** `continued`: a handshake leg (NTLM CHALLENGE), not a refusal. */
  | { ok: false; challenges: string[]; reason: string; continued?: true };

export class Authenticator {
  readonly #acceptors: readonly Acceptor[];
  readonly #logons = new WeakMap<object, Logon>();

  constructor(acceptors: readonly Acceptor[]) {
    this.#acceptors = acceptors;
  }

  /** The `WWW-Authenticate` values of a 401 on this connection. */
  challenges(conn: AuthConnection): string[] {
    return this.#acceptors.filter((a) => a.offered(conn)).flatMap((a) => a.challenges(conn));
  }

  /** Forgets the connection's logon (its sealing broke, or it must authenticate again). */
  logoff(conn: AuthConnection): void {
    this.#logons.delete(conn.connection);
  }

  /**
   * Decides on one request's `Authorization` header.
   * @returns the logon, or the challenges for a 401 and why (for the log, never a secret).
   */
  authenticate(authorization: string | undefined, conn: AuthConnection): AuthOutcome {
    if (authorization === undefined || authorization.trim() === '') {
      const logon = this.#logons.get(conn.connection);
      if (logon !== undefined) return { ok: true, ...logon };
      const challenges = this.challenges(conn);
      const reason = challenges.length === 0 ? 'no authentication scheme is allowed on this connection (plain HTTP without allowUnencrypted)' : 'no credentials';
      return { ok: false, challenges, reason };
    }
    this.#logons.delete(conn.connection);
    const trimmed = authorization.trim();
    const space = trimmed.indexOf(' ');
    const scheme = space < 0 ? trimmed : trimmed.slice(0, space);
    const acceptor = this.#acceptors.find((a) => a.schemes.some((s) => s.toLowerCase() === scheme.toLowerCase()));
    if (acceptor === undefined) return { ok: false, challenges: this.challenges(conn), reason: `unsupported scheme '${scheme.slice(0, 80)}'` };
    if (!acceptor.offered(conn)) {
      const why = conn.secure ? 'not enabled' : 'refused on plain HTTP (allowUnencrypted is off, or it needs HTTPS)';
      return { ok: false, challenges: this.challenges(conn), reason: `${acceptor.schemes[0] ?? scheme} ${why}` };
    }
    const result = acceptor.accept(scheme, space < 0 ? '' : trimmed.slice(space + 1), conn);
    switch (result.kind) {
      case 'accepted': {
        const logon: Logon = { username: result.username, profile: result.profile, ...(result.security ? { security: result.security } : {}) };
        if (result.security !== undefined) this.#logons.set(conn.connection, logon);
        return { ok: true, ...logon };
      }
      case 'continue':
        return { ok: false, challenges: [result.challenge], reason: `${scheme} handshake continues`, continued: true };
      case 'rejected':
        return { ok: false, challenges: this.challenges(conn), reason: result.reason };
    }
  }
}
