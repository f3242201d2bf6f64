/**
 * Authentication acceptors: the server side of HTTP authentication for `tsremote serve`.
 *
 * An acceptor turns an `Authorization` header into a user (or a challenge). The listener asks every
 * acceptor, in order, whether it is offered on this connection (Basic only over TLS unless
 * AllowUnencrypted, as WinRM's `Service/Auth/Basic` + `Service/AllowUnencrypted` do) and collects
 * their `WWW-Authenticate` challenges for the 401. NTLM/Negotiate need per-connection state across
 * two round trips; the `connection` object passed in is stable for one TCP connection so such an
 * acceptor can keep its context in a WeakMap keyed by it.
 *
 * Never log or keep passwords: only their SHA-256 digests live here, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** What an acceptor knows about the connection a request came in on. */
export interface AuthConnection {
  /** True for HTTPS. */
  readonly secure: boolean;
  /** Stable for one TCP connection (for stateful schemes such as NTLM). */
  readonly connection: object;
}

export type AcceptResult =
  | { kind: 'accepted'; username: string }
  /** The header was for this scheme but wrong; `reason` is for the log (never the password). */
  | { kind: 'rejected'; reason: string }
  /** A multi-leg scheme wants another round trip: send 401 with this `WWW-Authenticate` value. */
  | { kind: 'continue'; challenge: string };

/** One HTTP authentication scheme on the server side. */
export interface Acceptor {
  /** The scheme token as it appears in headers, e.g. `Basic`, `Negotiate`. */
  readonly scheme: string;
  /** Whether this scheme may be used on this connection (and so is offered in challenges). */
  offered(conn: AuthConnection): boolean;
  /** The `WWW-Authenticate` value offered in a 401. */
  challenge(): string;
  /** Checks the credentials part of an `Authorization: <scheme> <credentials>` header. */
  accept(credentials: string, conn: AuthConnection): AcceptResult;
}

export interface ServeUser {
  username: string;
  password: string;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * HTTP Basic (RFC 7617). Usernames compare case-insensitively as Windows account names do; a
 * `.\user` or `localhost\user` prefix is accepted for the local machine.
 */
export class BasicAcceptor implements Acceptor {
  readonly scheme = 'Basic';
  readonly #users = new Map<string, { name: string; digest: Buffer }>();
  readonly #allowUnencrypted: boolean;
  /** Compared against when the user is unknown, so both paths cost the same. */
  readonly #decoy = sha256('\u0000tsremote-decoy');

  constructor(users: readonly ServeUser[], allowUnencrypted: boolean) {
    for (const u of users) this.#users.set(normaliseUser(u.username), { name: u.username, digest: sha256(u.password) });
    this.#allowUnencrypted = allowUnencrypted;
  }

  offered(conn: AuthConnection): boolean {
    return conn.secure || this.#allowUnencrypted;
  }

  challenge(): string {
    return 'Basic realm="WSMAN"';
  }

  accept(credentials: string, conn: AuthConnection): AcceptResult {
    if (!this.offered(conn)) return { kind: 'rejected', reason: 'Basic over plain HTTP needs allowUnencrypted' };
    let decoded: string;
    try {
      decoded = Buffer.from(credentials.trim(), 'base64').toString('utf8');
    } catch {
      return { kind: 'rejected', reason: 'malformed Basic credentials' };
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'rejected', reason: 'malformed Basic credentials' };
    const username = decoded.slice(0, colon);
    const user = this.#users.get(normaliseUser(username));
    const ok = timingSafeEqual(sha256(decoded.slice(colon + 1)), user?.digest ?? this.#decoy);
    if (user === undefined) return { kind: 'rejected', reason: `unknown user '${username}'` };
    if (!ok) return { kind: 'rejected', reason: `wrong password for '${user.name}'` };
    return { kind: 'accepted', username: user.name };
  }
}

function normaliseUser(name: string): string {
  const lower = name.toLowerCase();
  for (const prefix of ['.\\', 'localhost\\']) if (lower.startsWith(prefix)) return lower.slice(prefix.length);
  return lower;
}

export type AuthOutcome =
  | { ok: true; username: string }
  | { ok: false; challenges: string[]; reason: string };

/**
 * Runs the acceptors against a request's `Authorization` header.
 * @returns the user, or the challenges to send in a 401 and why (for the log).
 */
export function authenticate(acceptors: readonly Acceptor[], authorization: string | undefined, conn: AuthConnection): AuthOutcome {
  const offered = acceptors.filter((a) => a.offered(conn));
  const challenges = offered.map((a) => a.challenge());
  if (authorization === undefined || authorization === '') {
    const reason = offered.length === 0 ? 'no authentication scheme is allowed on this connection (plain HTTP without allowUnencrypted)' : 'no credentials';
    return { ok: false, challenges, reason };
  }
  const space = authorization.indexOf(' ');
  const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
  const acceptor = acceptors.find((a) => a.scheme.toLowerCase() === scheme);
  if (acceptor === undefined) return { ok: false, challenges, reason: `unsupported scheme '${scheme}'` };
  if (!acceptor.offered(conn)) {
    return { ok: false, challenges, reason: `${acceptor.scheme} refused on this connection (plain HTTP without allowUnencrypted)` };
  }
  const result = acceptor.accept(space < 0 ? '' : authorization.slice(space + 1), conn);
  switch (result.kind) {
    case 'accepted':
      return { ok: true, username: result.username };
    case 'continue':
      return { ok: false, challenges: [result.challenge], reason: `${acceptor.scheme} handshake continues` };
    case 'rejected':
      return { ok: false, challenges, reason: result.reason };
  }
}
