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
 * `Negotiate` may be claimed by two acceptors (NTLM, and Kerberos with a keytab): the one whose
 * `accepts` takes the token gets it (raw NTLMSSP → NTLM, SPNEGO/krb5 → Kerberos), and each scheme
 * is listed once in a 401.
 *
 * Login throttling (throttle.ts) wraps step 1: an attempt whose credential names a user that its
 * address has failed for too often lately is refused before the acceptor sees it; the acceptor's
 * verdict then counts as a failure or clears the pair. The listener needs to know nothing of it.
 */
import { LoginThrottle, type ThrottleOptions } from './throttle.js';
import type { MaybePromise } from '../../auth/context.js';
import { peerAddressOf, type AcceptResult, type AuthConnection, type Acceptor, type SessionSecurity } from './types.js';

export { BasicAcceptor } from './basic.js';
export { NtlmAcceptor, type CbtLevel, type NtlmAcceptorOptions } from './ntlm.js';
export { CertificateAcceptor } from './certificate.js';
export { KerberosAcceptor, type KerberosAcceptorOptions } from './kerberos.js';
export { KERBEROS_ENCRYPTED_PROTOCOL } from '../../auth/context.js';
export { BearerAcceptor, BasicBearerAcceptor, DEFAULT_USER_CLAIMS, type BearerAcceptorOptions } from './bearer.js';
export { LoginThrottle, DEFAULT_MAX_FAILURES, DEFAULT_WINDOW_MS, DEFAULT_MAX_ENTRIES, type ThrottleOptions } from './throttle.js';
export type { Acceptor, AcceptResult, AuthConnection, ClientCertificate, PasswordUser, ServeUser, SessionSecurity, StoredUser } from './types.js';

/** Who a request is from. `security` is set for NTLM: sealed bodies are opened and answered with it. */
export interface Logon {
  username: string;
  profile: string;
  security?: SessionSecurity;
}

export type AuthOutcome =
  /** `challenge`: a final `WWW-Authenticate` to send with the response (Kerberos' AP-REP). */
  | ({ ok: true; challenge?: string } & Logon)
  /** `continued`: a handshake leg (NTLM CHALLENGE), not a refusal. */
  | { ok: false; challenges: string[]; reason: string; continued?: true };

export interface AuthenticatorOptions {
  /** Login throttling settings; `false` turns it off. Default: 10 failures per address + user in 60 s. */
  throttle?: ThrottleOptions | false;
}

export class Authenticator {
  readonly #acceptors: readonly Acceptor[];
  readonly #logons = new WeakMap<object, Logon>();
  readonly #throttle: LoginThrottle | undefined;

  constructor(acceptors: readonly Acceptor[], options: AuthenticatorOptions = {}) {
    this.#acceptors = acceptors;
    this.#throttle = options.throttle === false ? undefined : new LoginThrottle(options.throttle);
  }

  /** Address + user pairs the throttle tracks now (bounded by its maxEntries). */
  get throttledPairs(): number {
    return this.#throttle?.size ?? 0;
  }

  /** The `WWW-Authenticate` values of a 401 on this connection. */
  challenges(conn: AuthConnection): string[] {
    // Two acceptors may both offer `Negotiate` (NTLM and Kerberos): list each scheme once.
    const all = this.#acceptors.filter((a) => a.offered(conn)).flatMap((a) => a.challenges(conn));
    return all.filter((c, i) => all.findIndex((d) => d.toLowerCase() === c.toLowerCase()) === i);
  }

  /** Forgets the connection's logon (its sealing broke, or it must authenticate again). */
  logoff(conn: AuthConnection): void {
    this.#logons.delete(conn.connection);
  }

  /**
   * Decides on one request's `Authorization` header.
   * @returns the logon, or the challenges for a 401 and why (for the log, never a secret); a
   *   promise only when the acceptor answers asynchronously.
   */
  authenticate(authorization: string | undefined, conn: AuthConnection): MaybePromise<AuthOutcome> {
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
    // `Negotiate` carries raw NTLM or SPNEGO/Kerberos: an acceptor that claims the token wins.
    const candidates = this.#acceptors.filter((a) => a.schemes.some((s) => s.toLowerCase() === scheme.toLowerCase()));
    const offeredCredentials = space < 0 ? '' : trimmed.slice(space + 1);
    const acceptor = candidates.find((a) => a.accepts?.(scheme, offeredCredentials) === true) ?? candidates.find((a) => a.accepts === undefined) ?? candidates[0];
    if (acceptor === undefined) return { ok: false, challenges: this.challenges(conn), reason: `unsupported scheme '${scheme.slice(0, 80)}'` };
    if (!acceptor.offered(conn)) {
      const why = conn.secure ? 'not enabled' : 'refused on plain HTTP (allowUnencrypted is off, or it needs HTTPS)';
      return { ok: false, challenges: this.challenges(conn), reason: `${acceptor.schemes[0] ?? scheme} ${why}` };
    }
    const credentials = space < 0 ? '' : trimmed.slice(space + 1);
    const claimed = this.#throttle === undefined ? undefined : acceptor.claimedUser?.(scheme, credentials);
    const address = peerAddressOf(conn);
    if (claimed !== undefined && this.#throttle !== undefined) {
      const waitMs = this.#throttle.lockedFor(address, claimed);
      if (waitMs !== undefined) {
        // The same 401 as a wrong password: a guess during the lock-out must not learn it was right.
        acceptor.abandon?.(conn);
        return { ok: false, challenges: this.challenges(conn), reason: `'${claimed.slice(0, 80)}' locked out for ${Math.ceil(waitMs / 1000)} s after repeated failed logons (credentials not checked)` };
      }
    }
    const result = acceptor.accept(scheme, credentials, conn);
    const conclude = (r: AcceptResult): AuthOutcome => this.#conclude(r, scheme, claimed, address, conn);
    // Acceptors that run their handshake elsewhere (a TLS engine) answer later; the rest at once.
    return result instanceof Promise ? result.then(conclude) : conclude(result);
  }

  /** Counts the verdict for throttling and turns it into an outcome, remembering connection logons. */
  #conclude(result: AcceptResult, scheme: string, claimed: string | undefined, address: string, conn: AuthConnection): AuthOutcome {
    if (claimed !== undefined && result.kind !== 'continue') {
      if (result.kind === 'accepted') this.#throttle?.succeeded(address, claimed);
      else this.#throttle?.failed(address, claimed);
    }
    switch (result.kind) {
      case 'accepted': {
        const logon: Logon = { username: result.username, profile: result.profile, ...(result.security ? { security: result.security } : {}) };
        if (result.security !== undefined) this.#logons.set(conn.connection, logon);
        return { ok: true, ...logon, ...(result.challenge === undefined ? {} : { challenge: result.challenge }) };
      }
      case 'continue':
        return { ok: false, challenges: [result.challenge], reason: `${scheme} handshake continues`, continued: true };
      case 'rejected':
        return { ok: false, challenges: this.challenges(conn), reason: result.reason };
    }
  }
}

