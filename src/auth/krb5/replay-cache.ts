/**
 * The acceptor's replay cache (RFC 4120 3.2.3): an authenticator seen once is refused the second
 * time. An authenticator is only valid within the clock skew of its ctime, so an entry older than
 * twice the skew can go. Sans-IO: the caller passes the time.
 *
 * Bounded: at `maxEntries` the oldest entry is dropped. Under such a flood a replay of a dropped
 * entry would pass, but only within its ±skew window and only on the connection it logs on.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #lifetimeMs: number;
  readonly #maxEntries: number;

  constructor(lifetimeMs: number, maxEntries = 10_000) {
    this.#lifetimeMs = lifetimeMs;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records `key` seen at `now`; false when it was already there (a replay). */
  check(key: string, now: number): boolean {
    // Map keeps insertion order: the oldest entries come first.
    for (const [k, at] of this.#seen) {
      if (now - at <= this.#lifetimeMs && this.#seen.size < this.#maxEntries) break;
      this.#seen.delete(k);
    }
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, now);
    return true;
  }
}
