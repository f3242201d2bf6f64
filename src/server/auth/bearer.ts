/**
 * OAuth 2.0 bearer tokens (RFC 6750) on the server side: `Authorization: Bearer <JWT>`, and the
 * Exchange-style `Authorization: Basic base64(<user>:Bearer <JWT>)`.
 *
 * A token is accepted when its signature verifies with the issuer's keys (jwks.ts, jwt.ts), it has
 * not expired (60 s leeway), and its `iss` and `aud` are the configured ones. That proves the
 * authority issued it for this endpoint; it does not say the caller may run commands here. So the
 * token's user claim must also name one of serve's accounts (`--user`/`--users`), compared without
 * case as every serve account is: an authority that issues tokens to a whole tenant grants a shell
 * only to the accounts serve lists. The claim is `--oauth-user-claim`, or by default the first
 * present of `upn`, `preferred_username` (people), `appid`, `azp` (applications: Entra ID v1 and v2
 * tokens of the client-credentials grant name the client there) and `sub`.
 *
 * Offered only over HTTPS unless allowUnencrypted, like Basic: a bearer token is as good as a
 * password to whoever reads it. A refused token gets `WWW-Authenticate: Bearer realm="WSMAN",
 * error="invalid_token"` (RFC 6750 section 3.1), which tells a client to get a fresh one; a
 * request without credentials gets the bare challenge.
 */
import { securityProfile, type AcceptResult, type Acceptor, type AuthConnection, type ServeUser } from './types.js';
import { JwksStore, type JwksSourceOptions } from './jwks.js';
import { verifyJwt, type JwtVerdict } from './jwt.js';

/** The claims tried, in order, when no `userClaim` is configured. */
export const DEFAULT_USER_CLAIMS = ['upn', 'preferred_username', 'appid', 'azp', 'sub'] as const;

export interface BearerAcceptorOptions extends JwksSourceOptions {
  /** The `aud` tokens must carry (the endpoint's application id URI). */
  audience: string;
  /** One claim to take the user name from; default DEFAULT_USER_CLAIMS in order. */
  userClaim?: string | undefined;
  users: readonly ServeUser[];
  allowUnencrypted: boolean;
  clockSkewSec?: number;
}

const CHALLENGE = 'Bearer realm="WSMAN"';
const INVALID = 'Bearer realm="WSMAN", error="invalid_token"';

export class BearerAcceptor implements Acceptor {
  readonly schemes = ['Bearer'];
  readonly #opts: BearerAcceptorOptions;
  readonly #store: JwksStore;
  readonly #users = new Map<string, string>();
  /** Connections whose last token was refused: their next 401 says `error="invalid_token"`. */
  readonly #refused = new WeakSet<object>();

  constructor(opts: BearerAcceptorOptions) {
    this.#opts = opts;
    this.#store = new JwksStore(opts);
    for (const u of opts.users) this.#users.set(u.username.toLowerCase(), u.username);
  }

  offered(conn: AuthConnection): boolean {
    return conn.secure || this.#opts.allowUnencrypted;
  }

  challenges(conn: AuthConnection): string[] {
    if (this.#refused.has(conn.connection)) {
      this.#refused.delete(conn.connection);
      return [INVALID];
    }
    return [CHALLENGE];
  }

  async accept(_scheme: string, credentials: string, conn: AuthConnection): Promise<AcceptResult> {
    const result = await this.check(credentials.trim(), conn);
    if (result.kind === 'rejected') this.#refused.add(conn.connection);
    return result;
  }

  /**
   * Verifies a token and maps it to a serve account (also used by the Basic form).
   * @returns accepted with the account's name, or rejected with a reason that never holds the token.
   */
  async check(token: string, conn: AuthConnection): Promise<AcceptResult> {
    if (!this.offered(conn)) return { kind: 'rejected', reason: 'Bearer over plain HTTP needs allowUnencrypted' };
    let verdict: JwtVerdict;
    try {
      verdict = this.#verify(token, await this.#store.keys());
      if (!verdict.ok && verdict.unknownKey) {
        const fresh = await this.#store.reload();
        if (fresh !== undefined) verdict = this.#verify(token, fresh);
      }
    } catch (err) {
      return { kind: 'rejected', reason: `cannot load the issuer's keys: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!verdict.ok) return { kind: 'rejected', reason: `bearer token refused: ${verdict.reason}` };
    const name = this.#userOf(verdict.claims);
    if (name === undefined) {
      const which = this.#opts.userClaim ?? DEFAULT_USER_CLAIMS.join('/');
      return { kind: 'rejected', reason: `bearer token has no ${which} claim` };
    }
    const account = this.#users.get(name.toLowerCase());
    if (account === undefined) return { kind: 'rejected', reason: `bearer token for '${name.slice(0, 120)}', who is not a serve user` };
    return { kind: 'accepted', username: account, profile: securityProfile(conn.secure, 'basic') };
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  #verify(token: string, keys: Parameters<typeof verifyJwt>[1]): JwtVerdict {
    return verifyJwt(token, keys, {
      issuer: this.#opts.issuer,
      audience: this.#opts.audience,
      nowSec: Math.floor((this.#opts.now ?? Date.now)() / 1000),
      ...(this.#opts.clockSkewSec === undefined ? {} : { clockSkewSec: this.#opts.clockSkewSec }),
    });
  }

  #userOf(claims: Record<string, unknown>): string | undefined {
    const names = this.#opts.userClaim === undefined ? DEFAULT_USER_CLAIMS : [this.#opts.userClaim];
    for (const claim of names) {
      const v = claims[claim];
      if (typeof v === 'string' && v !== '') return v;
    }
    return undefined;
  }
}

/**
 * `Basic base64(<user>:Bearer <token>)`, the form Exchange Online takes: the token is checked as a
 * bearer token and must be for `<user>`. Any other Basic credential goes to serve's Basic acceptor
 * when Basic is enabled, and is refused otherwise.
 */
export class BasicBearerAcceptor implements Acceptor {
  readonly schemes = ['Basic'];
  readonly #bearer: BearerAcceptor;
  readonly #basic: Acceptor | undefined;

  constructor(bearer: BearerAcceptor, basic: Acceptor | undefined) {
    this.#bearer = bearer;
    this.#basic = basic;
  }

  offered(conn: AuthConnection): boolean {
    return this.#bearer.offered(conn) || (this.#basic?.offered(conn) ?? false);
  }

  challenges(conn: AuthConnection): string[] {
    return this.#basic?.challenges(conn) ?? [];
  }

  claimedUser(scheme: string, credentials: string): string | undefined {
    return bearerInBasic(credentials) === undefined ? this.#basic?.claimedUser?.(scheme, credentials) : undefined;
  }

  async accept(scheme: string, credentials: string, conn: AuthConnection): Promise<AcceptResult> {
    const inBasic = bearerInBasic(credentials);
    if (inBasic === undefined) {
      if (this.#basic === undefined || !this.#basic.offered(conn)) return { kind: 'rejected', reason: 'Basic is not enabled' };
      return this.#basic.accept(scheme, credentials, conn);
    }
    const result = await this.#bearer.check(inBasic.token, conn);
    if (result.kind === 'accepted' && result.username.toLowerCase() !== inBasic.user.toLowerCase()) {
      return { kind: 'rejected', reason: `Basic user '${inBasic.user.slice(0, 120)}' is not the token's user` };
    }
    return result;
  }
}

/** The user and token of `base64(<user>:Bearer <token>)`, or undefined for other Basic credentials. */
function bearerInBasic(credentials: string): { user: string; token: string } | undefined {
  const decoded = Buffer.from(credentials.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const secret = decoded.slice(colon + 1);
  if (!/^Bearer /i.test(secret)) return undefined;
  return { user: decoded.slice(0, colon), token: secret.slice('Bearer '.length).trim() };
}
