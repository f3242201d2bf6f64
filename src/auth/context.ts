/**
 * The shape every authentication mechanism takes (after pyspnego's `ContextProxy`).
 *
 * A context turns the server's tokens into the client's, one HTTP round trip per `step`, and never
 * sees HTTP itself: the transport puts `<scheme> <base64(token)>` into `Authorization` and feeds the
 * token of the server's `WWW-Authenticate: <scheme> <base64>` back into `step`.
 *
 * ```
 *   client                                     server
 *   step()            -> token1  -- POST -->
 *                                <-- 401 --    WWW-Authenticate: <scheme> token2
 *   step(token2)      -> token3  -- POST -->
 *                                <-- 200 --    (complete)
 * ```
 *
 * Basic is the one-step case: `step()` returns `user:password` and the context is complete.
 * Mechanisms with session security (NTLM, Kerberos, CredSSP) set `encrypts` and implement
 * `wrap`/`unwrap`; the transport then frames bodies as `multipart/encrypted` over plain HTTP
 * (MS-WSMV 2.2.9.1).
 */

export type MaybePromise<T> = T | Promise<T>;

/** One authentication exchange with one server. */
export interface AuthContext {
  /** The HTTP auth-scheme sent in `Authorization` and looked for in `WWW-Authenticate` (e.g. `Basic`). */
  readonly scheme: string;
  /** True once the handshake needs no further token. */
  readonly complete: boolean;
  /** True when `wrap`/`unwrap` seal message bodies, so plain HTTP is safe (MS-WSMV 2.2.9.1). */
  readonly encrypts: boolean;
  /**
   * True when a token carries a reusable secret anyone on the wire can read (Basic). The transport
   * refuses to send such tokens over plain HTTP unless the user opted in.
   */
  readonly revealsSecret: boolean;
  /**
   * True when every request carries a fresh token (Basic); false when a finished handshake
   * authenticates the connection and later requests carry none (NTLM, Negotiate).
   */
  readonly everyRequest: boolean;
  /**
   * True when the handshake's last leg goes with an empty body, the first real request after it
   * (CredSSP: pywinrm and pypsrp send it so, and it is the order Windows is known to accept); false
   * or absent when the last leg carries the request (NTLM, as PowerShell does).
   */
  readonly emptyLastLeg?: boolean;
  /**
   * Consumes the server's token (absent on the first call) and returns the next token to send,
   * or null when there is nothing more to send.
   * @throws AuthError when the server's token is unacceptable.
   */
  step(inToken?: Uint8Array): MaybePromise<Uint8Array | null>;
  /**
   * Seals a message body; present only when `encrypts`. Returns the mechanism's header (NTLM: the
   * 16-byte signature) and the sealed bytes, which MS-WSMV 2.2.9.1 frames as
   * `<u32le header length><header><sealed>`.
   */
  wrap?(data: Uint8Array): MaybePromise<SealedMessage>;
  /**
   * Verifies and opens a sealed message body; present only when `encrypts`.
   * @throws AuthError (ETSR_AUTH_INTEGRITY) when the signature does not match.
   */
  unwrap?(header: Uint8Array, data: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * The MIME protocol of sealed bodies (MS-WSMV 2.2.9.1): `application/HTTP-SPNEGO-session-encrypted`
   * when absent (NTLM, Negotiate); Kerberos and CredSSP name their own.
   */
  readonly encryptionProtocol?: string;
  /**
   * How the transport writes a token after the scheme: `base64` (absent: NTLM, Basic) or `text`,
   * the token's UTF-8 as is (a bearer JWT is already base64url, RFC 6750 section 2.1).
   */
  readonly tokenEncoding?: 'base64' | 'text';
  /**
   * Called with the `WWW-Authenticate` of a 401 to a token sent once in this request: true when the
   * context dropped a token the server called invalid (RFC 6750 `error="invalid_token"`) and has a
   * fresh one, so the request is sent once more. Absent: a 401 ends the logon.
   */
  renew?(wwwAuthenticate: string | readonly string[] | undefined): MaybePromise<boolean>;
}

/** The MIME protocols of sealed bodies (MS-WSMV 2.2.9.1): NTLM and Negotiate, Kerberos, CredSSP. */
export const SPNEGO_ENCRYPTED_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
export const KERBEROS_ENCRYPTED_PROTOCOL = 'application/HTTP-Kerberos-session-encrypted';
export const CREDSSP_ENCRYPTED_PROTOCOL = 'application/HTTP-CredSSP-session-encrypted';

/** A body sealed by a session-security mechanism. */
export interface SealedMessage {
  /** The signature/token header (16 bytes for NTLM). */
  readonly header: Uint8Array;
  /** The sealed bytes, as long as the plaintext for NTLM (RC4 is a stream cipher). */
  readonly data: Uint8Array;
}

/**
 * The mechanisms a user can pick with `--auth`. `negotiate` is Kerberos when a ticket can be had,
 * else NTLM, inside `Authorization: Negotiate` (src/auth/negotiate.ts); `ntlm` is NTLM asked for
 * explicitly; `kerberos` is Kerberos only (src/auth/kerberos/); `certificate` is TLS
 * client-certificate authentication (HTTPS only).
 */
export type AuthMechanism = 'negotiate' | 'ntlm' | 'basic' | 'certificate' | 'oauth' | 'kerberos' | 'credssp';

/** A mechanism, or `none` for an unauthenticated Identify. */
export type AuthChoice = AuthMechanism | 'none';

export const AUTH_MECHANISMS: readonly AuthMechanism[] = ['negotiate', 'ntlm', 'basic', 'certificate', 'oauth', 'kerberos', 'credssp'];
