/**
 * OAuth 2.0 bearer tokens (RFC 6750) as an AuthContext: one token, sent with every request.
 *
 * The context does no I/O. It is handed a {@link TokenSource} (the CLI's is src/oauth, which runs
 * msal-node) and asks it for the current access token on each request, so a token that expires
 * in a long session is replaced without the transport knowing.
 *
 * Two wire forms:
 * ```
 *   Authorization: Bearer <access token>                           (RFC 6750 section 2.1)
 *   Authorization: Basic base64(<user>:Bearer <access token>)      (--oauth-basic)
 * ```
 * The second is what Exchange Online's remote PowerShell endpoint takes: Basic whose password is
 * `Bearer <token>` (the ExchangeOnlineManagement module and pypsrp's EXO examples send it so).
 *
 * A 401 whose challenge says `error="invalid_token"` (RFC 6750 section 3.1) means the token was
 * revoked, or the server no longer trusts its key: the context tells the source to drop that token
 * and answers `renew` with true, so the transport sends the request once more with a fresh one.
 * The Basic form gets no such error from Exchange, so there any 401 to a token that came out of
 * the cache (not freshly issued) earns the same single retry.
 *
 * Tokens are secrets: like Basic they are refused over plain HTTP unless the user opts in.
 */
import type { AuthContext, MaybePromise } from './context.js';

/** An access token and whether it came from a cache (it may be stale) rather than the authority. */
export interface AccessToken {
  readonly token: string;
  readonly fromCache: boolean;
}

/** Where a bearer context gets its tokens. */
export interface TokenSource {
  /** The current access token (from memory, the cache, or the authority). */
  token(): Promise<AccessToken>;
  /** Forgets `token` (the server refused it), so the next `token()` asks the authority. */
  invalidate(token: string): MaybePromise<void>;
}

export interface BearerOptions {
  /** Send `Basic base64(<user>:Bearer <token>)` instead of `Bearer <token>` (Exchange Online). */
  basicUser?: string | undefined;
}

export class BearerAuthContext implements AuthContext {
  readonly scheme: string;
  readonly encrypts = false;
  readonly revealsSecret = true;
  readonly everyRequest = true;
  readonly tokenEncoding: 'base64' | 'text';
  readonly #source: TokenSource;
  readonly #basicUser: string | undefined;
  #complete = false;
  /** The last token sent, so a refusal drops exactly that one. */
  #last: AccessToken | undefined;

  constructor(source: TokenSource, options: BearerOptions = {}) {
    this.#source = source;
    this.#basicUser = options.basicUser;
    this.scheme = options.basicUser === undefined ? 'Bearer' : 'Basic';
    this.tokenEncoding = options.basicUser === undefined ? 'text' : 'base64';
  }

  get complete(): boolean {
    return this.#complete;
  }

  /** The bytes after the scheme: the token itself, or `<user>:Bearer <token>` for the Basic form. */
  async step(): Promise<Uint8Array> {
    const access = await this.#source.token();
    this.#last = access;
    this.#complete = true;
    const text = this.#basicUser === undefined ? access.token : `${this.#basicUser}:Bearer ${access.token}`;
    return new TextEncoder().encode(text);
  }

  async renew(wwwAuthenticate: string | readonly string[] | undefined): Promise<boolean> {
    const last = this.#last;
    if (last === undefined) return false;
    const invalid = this.#basicUser === undefined ? saysInvalidToken(wwwAuthenticate) : last.fromCache;
    if (!invalid) return false;
    await this.#source.invalidate(last.token);
    this.#last = undefined;
    return true;
  }
}

/** True when a `Bearer` challenge carries `error="invalid_token"` (RFC 6750 section 3). */
export function saysInvalidToken(values: string | readonly string[] | undefined): boolean {
  if (values === undefined) return false;
  const list = typeof values === 'string' ? [values] : values;
  return list.some((v) => /(?:^|[\s,])bearer\b/i.test(v) && /\berror\s*=\s*"?invalid_token"?/i.test(v));
}
