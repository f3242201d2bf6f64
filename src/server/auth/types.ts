/**
 * The shapes shared by serve's authentication acceptors and the listener that drives them.
 *
 * An acceptor turns an `Authorization` header into a user, a challenge, or a refusal. Schemes
 * differ in what they authenticate:
 * - Basic and the certificate marker authenticate one request: every request carries them.
 * - NTLM authenticates the TCP connection (as HTTP.sys does for WinRM): after its two legs the
 *   socket is logged on, later requests on it carry no header, and the accepted context seals and
 *   opens bodies for the rest of the connection ({@link SessionSecurity}).
 */
import type { MaybePromise } from '../../auth/context.js';
import type { SessionSecurity as BodySecurity } from '../../transport/encrypted-body.js';

/** An account serve accepts: with its password (`--user`), or with stored verifiers (`--users FILE`). */
export type ServeUser = PasswordUser | StoredUser;

export interface PasswordUser {
  username: string;
  password: string;
}

/** An account from serve's users file (src/server/users-file.ts): no password is held. */
export interface StoredUser {
  username: string;
  /** Checks a Basic password against the stored (scrypt) hash. */
  verifyPassword(password: string): boolean;
  /** MD4 of the UTF-16LE password, which NTLMv2 needs; without it NTLM cannot log this user on. */
  ntHash?: Uint8Array;
}

/** The client certificate of a TLS connection, as the listener saw it. */
export interface ClientCertificate {
  /** True when it chains to the configured client CA (Node's `socket.authorized`). */
  readonly authorized: boolean;
  /** Why it did not verify (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE), when it did not. */
  readonly error?: string;
  /** Subject CN, when present. */
  readonly commonName?: string;
  /** Node's rendering of subjectAltName (`othername:UPN::…`, `email:…`, `DNS:…`), when present. */
  readonly subjectAltName?: string;
}

/** What an acceptor knows about the connection a request came in on. */
export interface AuthConnection {
  /** True for HTTPS. */
  readonly secure: boolean;
  /** Stable for one TCP connection (the socket): the key of per-connection state. */
  readonly connection: object;
  /** The peer's certificate, when it sent one (HTTPS with a client CA configured). */
  readonly clientCertificate?: ClientCertificate;
  /**
   * The client's IP address (login throttling counts failures per address + user). When absent,
   * the `remoteAddress` of `connection` (a socket) is used.
   */
  readonly peerAddress?: string;
}

/**
 * Seals and opens message bodies on a logged-on connection (MS-WSMV 2.2.9.1). NTLM answers at
 * once; a mechanism whose sealing runs elsewhere (a TLS engine for CredSSP) may answer with a promise.
 * `wrap` and `unwrap` are the framing's own (transport/encrypted-body.ts), required here.
 */
export interface SessionSecurity extends Required<Pick<BodySecurity, 'wrap' | 'unwrap'>> {
  /** The scheme that set it up, for logs and for the encryption framing. */
  readonly scheme: string;
  /** The MIME protocol of sealed bodies; SPNEGO's when absent. */
  readonly encryptionProtocol?: string;
}

export type AcceptResult =
  | {
      kind: 'accepted';
      username: string;
      /** DSP0226 security profile the request arrived under (Identify reports it). */
      profile: string;
      /** Present for a connection logon (NTLM): bodies may be sealed with it. */
      security?: SessionSecurity;
      /** A final `WWW-Authenticate` value to send with the response (Kerberos' AP-REP for mutual authentication). */
      challenge?: string;
    }
  /** The header was for this scheme but wrong; `reason` is for the log (never a secret). */
  | { kind: 'rejected'; reason: string }
  /** A multi-leg scheme wants another round trip: send 401 with this `WWW-Authenticate` value. */
  | { kind: 'continue'; challenge: string };

/** One server-side authentication mechanism, answering to one or more HTTP auth-schemes. */
export interface Acceptor {
  /** The scheme tokens it answers to as they appear in headers, e.g. `['Negotiate', 'NTLM']`. */
  readonly schemes: readonly string[];
  /** Whether this mechanism may be used on this connection. */
  offered(conn: AuthConnection): boolean;
  /**
   * When several acceptors answer to one scheme (`Negotiate`: raw NTLM or SPNEGO/Kerberos), whether
   * this one takes these credentials; an acceptor without it takes what the others decline.
   */
  accepts?(scheme: string, credentials: string): boolean;
  /** The `WWW-Authenticate` values it offers in a 401 (possibly none: certificates are not an HTTP scheme). */
  challenges(conn: AuthConnection): string[];
  /**
   * Checks `Authorization: <scheme> <credentials>`.
   * @param scheme the scheme exactly as the client sent it (a challenge answers in the same one).
   */
  accept(scheme: string, credentials: string, conn: AuthConnection): MaybePromise<AcceptResult>;
  /**
   * The account name a credential claims, read without checking it (lower-case user part, no
   * domain), so login throttling can refuse a locked-out pair before any password work.
   * @returns undefined for a leg that names nobody yet (NTLM NEGOTIATE) or a malformed token.
   */
  claimedUser?(scheme: string, credentials: string): string | undefined;
  /** Drops a handshake in progress on this connection (its AUTHENTICATE was refused unchecked). */
  abandon?(conn: AuthConnection): void;
}

/** DSP0226 section 6.5 security profile URIs. */
export const PROFILE = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile';
export const securityProfile = (secure: boolean, name: 'basic' | 'spnego-kerberos' | 'mutual'): string =>
  `${PROFILE}/${secure ? 'https' : 'http'}/${name}`;

/**
 * A configured account name in the forms Windows accepts: `user`, `.\user`, `localhost\user`
 * (the local machine: no domain) or `DOMAIN\user`; lower-cased for comparison.
 */
export function splitAccount(name: string): { domain: string | undefined; user: string } {
  const lower = name.toLowerCase();
  const slash = lower.indexOf('\\');
  if (slash < 0) return { domain: undefined, user: lower };
  const domain = lower.slice(0, slash);
  return { domain: domain === '.' || domain === 'localhost' ? undefined : domain, user: lower.slice(slash + 1) };
}

/** The client's address for throttling: given by the listener, or the socket's own. */
export function peerAddressOf(conn: AuthConnection): string {
  if (conn.peerAddress !== undefined) return conn.peerAddress;
  const remote: unknown = (conn.connection as { remoteAddress?: unknown }).remoteAddress;
  return typeof remote === 'string' ? remote : '?';
}
