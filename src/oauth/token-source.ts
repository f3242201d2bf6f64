/**
 * The TokenSource a bearer context asks on every request: the token stays in memory until shortly
 * before it expires, so a session of hundreds of requests asks msal (and reads the cache file)
 * once, and concurrent connections opening at the same time share one acquisition.
 */
import type { AccessToken, TokenSource } from '../auth/bearer.js';
import type { AcquiredToken } from './acquire.js';

/** Renew this long before `expiresOn`, so a token does not expire in flight (msal uses 5 min too). */
export const RENEW_BEFORE_MS = 5 * 60_000;

export class CachingTokenSource implements TokenSource {
  readonly #acquire: (skipCache: boolean) => Promise<AcquiredToken>;
  readonly #now: () => number;
  #held: AcquiredToken | undefined;
  #pending: Promise<AcquiredToken> | undefined;
  /** The server refused a token: the next acquisition must not take msal's cached one. */
  #skipCache = false;

  constructor(acquire: (skipCache: boolean) => Promise<AcquiredToken>, now: () => number = Date.now) {
    this.#acquire = acquire;
    this.#now = now;
  }

  async token(): Promise<AccessToken> {
    const held = this.#held;
    if (held && (held.expiresOn === null || held.expiresOn.getTime() - RENEW_BEFORE_MS > this.#now())) {
      return { token: held.token, fromCache: held.fromCache };
    }
    this.#pending ??= this.#acquire(this.#skipCache).finally(() => {
      this.#pending = undefined;
    });
    const got = await this.#pending;
    this.#held = got;
    this.#skipCache = false;
    return { token: got.token, fromCache: got.fromCache };
  }

  invalidate(token: string): void {
    // Another connection may have replaced it already; then there is nothing to drop.
    if (this.#held?.token !== token) return;
    this.#held = undefined;
    this.#skipCache = true;
  }
}
