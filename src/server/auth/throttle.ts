/**
 * Login throttling for `tsremote serve`: after `maxFailures` failed logons from one client address
 * for one user name within `windowMs`, that pair is locked out until the oldest counted failure
 * leaves the window. While locked, requests get 401 without their credentials being checked, so an
 * online guesser learns nothing and costs us no scrypt/HMAC work.
 *
 * Why 401 and not 429 + Retry-After: WinRM clients (pywinrm, PowerShell, our own transport) treat
 * 401 as "logon rejected" and stop; a 429 is an unknown status to most of them and some would
 * retry it. The lock-out also must not tell a guesser which guesses were right: a correct
 * password during the lock-out gets the same 401 as a wrong one.
 *
 * Keyed by address + user, not address alone: a shared NAT or a test runner with many users on
 * 127.0.0.1 must not lock every user out because one of them mistypes. (Windows locks the
 * account itself after its lockout threshold; we lock the pair instead, so a remote attacker
 * cannot lock a real user out from elsewhere.)
 *
 * Memory is bounded: at most `maxEntries` pairs are tracked; when full, the entry with the oldest
 * last failure is dropped first (an attacker rotating names pushes out its own entries, and a
 * locked pair was failing recently, so it is the last to go). Time comes from an injected clock,
 * so tests need no sleeps.
 */

export interface ThrottleOptions {
  /** Failed logons tolerated within the window (default 10); the next attempt is refused. */
  maxFailures?: number;
  /** The sliding window in milliseconds (default 60 s). */
  windowMs?: number;
  /** Pairs remembered at most (default 10,000: about 3.5 MB of heap when every one holds 10 failures). */
  maxEntries?: number;
  /** Milliseconds since some epoch; default Date.now. */
  now?: () => number;
}

/** Times of the recent failures of one address + user pair, oldest first. */
type Failures = number[];

export const DEFAULT_MAX_FAILURES = 10;
export const DEFAULT_WINDOW_MS = 60_000;
export const DEFAULT_MAX_ENTRIES = 10_000;

export class LoginThrottle {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Insertion order = order of the latest failure (an entry is re-inserted on each failure). */
  readonly #table = new Map<string, Failures>();

  constructor(options: ThrottleOptions = {}) {
    this.#maxFailures = options.maxFailures ?? DEFAULT_MAX_FAILURES;
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
    if (!(this.#maxFailures >= 1 && this.#windowMs > 0 && this.#maxEntries >= 1)) {
      throw new RangeError('LoginThrottle needs maxFailures >= 1, windowMs > 0 and maxEntries >= 1');
    }
  }

  /** Pairs tracked right now (for tests and stats). */
  get size(): number {
    return this.#table.size;
  }

  /**
   * Whether `address` may try to log on as `user` now.
   * @returns undefined when allowed, else the milliseconds until the next attempt is allowed.
   */
  lockedFor(address: string, user: string): number | undefined {
    const key = keyOf(address, user);
    const failures = this.#recent(key);
    if (failures === undefined || failures.length < this.#maxFailures) return undefined;
    const oldest = failures[failures.length - this.#maxFailures] ?? this.#now();
    return Math.max(1, oldest + this.#windowMs - this.#now());
  }

  /** Counts one failed logon of `user` from `address`. */
  failed(address: string, user: string): void {
    const key = keyOf(address, user);
    const failures = this.#recent(key) ?? [];
    failures.push(this.#now());
    // Only the newest maxFailures matter for the decision: older ones are never looked at.
    if (failures.length > this.#maxFailures) failures.splice(0, failures.length - this.#maxFailures);
    this.#table.delete(key);
    this.#table.set(key, failures);
    while (this.#table.size > this.#maxEntries) {
      const first = this.#table.keys().next().value;
      if (first === undefined) break;
      this.#table.delete(first);
    }
  }

  /** A successful logon clears the pair's failures (as a Windows logon resets its bad-password count). */
  succeeded(address: string, user: string): void {
    this.#table.delete(keyOf(address, user));
  }

  /** The pair's failures still inside the window; drops the entry when none are. */
  #recent(key: string): Failures | undefined {
    const failures = this.#table.get(key);
    if (failures === undefined) return undefined;
    const since = this.#now() - this.#windowMs;
    while (failures.length > 0 && (failures[0] ?? 0) <= since) failures.shift();
    if (failures.length === 0) {
      this.#table.delete(key);
      return undefined;
    }
    return failures;
  }
}

/** Account names compare as Windows compares them: case-insensitively, `.\` and `localhost\` meaning none. */
function keyOf(address: string, user: string): string {
  let name = user.toLowerCase();
  for (const prefix of ['.\\', 'localhost\\']) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  return `${address.replace(/^::ffff:/, '')}\u0000${name}`;
}
