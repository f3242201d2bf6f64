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
}

/** A body sealed by a session-security mechanism. */
export interface SealedMessage {
  /** The signature/token header (16 bytes for NTLM). */
  readonly header: Uint8Array;
  /** The sealed bytes, as long as the plaintext for NTLM (RC4 is a stream cipher). */
  readonly data: Uint8Array;
}

/**
 * The mechanisms a user can pick with `--auth`. `negotiate` is NTLM inside `Authorization: Negotiate`
 * (what Windows' Negotiate package accepts) until Kerberos arrives; `ntlm` is the same tokens, asked
 * for explicitly; `certificate` is TLS client-certificate authentication (HTTPS only).
 */
export type AuthMechanism = 'negotiate' | 'ntlm' | 'basic' | 'certificate';

/** A mechanism, or `none` for an unauthenticated Identify. */
export type AuthChoice = AuthMechanism | 'none';

export const AUTH_MECHANISMS: readonly AuthMechanism[] = ['negotiate', 'ntlm', 'basic', 'certificate'];
