/**
 * The server half of robust connections (MS-WSMV 3.1.4.1.39): responses kept under the client's
 * p:OperationID so that a retransmission of an operation whose response was lost gets that
 * response again instead of running the operation twice (a WinRS Receive would otherwise consume
 * output the client never saw).
 *
 * Bounds: entries are keyed by owner + OperationID (another user's id never hits), at most
 * `perShell` entries per shell and `maxBytes` over all shells, oldest evicted first. The entries
 * of a target (shell + command + operation) are dropped when the next operation for that target
 * starts: the client evidently got the earlier response. Windows keys this on shell + command; we
 * add the operation so a Signal arriving while a Receive response is in flight does not drop it.
 * A Delete drops every other entry of its shell (only the Delete itself may still be retransmitted),
 * so a finished shell leaves one small entry, not its last responses. An operation still running
 * when its retransmission arrives is joined, not run again. Every step is O(1) in the number of
 * entries (indexes by target and by shell): one serve process may stand for a thousand hosts.
 */

/** A response as the dispatcher returns it. */
export interface CachedResponse {
  status: number;
  body: string;
  /** The body already carries the request's p:OperationID (written while it was built). */
  operationIdEchoed?: boolean;
}

/** What an operation acts on, for dropping superseded entries and the per-shell bound. */
export interface OperationTarget {
  /** The ShellId ('' for a Create, which has none yet). */
  shellId: string;
  commandId: string;
  op: string;
}

export interface OperationCacheLimits {
  /** Entries kept per shell. */
  perShell: number;
  /**
   * Create responses kept per user: a Create has no shell yet, so all of a user's Creates form one
   * group. It is larger than perShell because one serve process may stand for many hosts that a
   * fan-out opens at once: with 8, a burst of Creates evicted a lost one before its retransmission.
   */
  perUserCreates: number;
  /** Bytes kept over all shells (envelope text length). */
  maxBytes: number;
  /**
   * How long a Delete's response is kept. Its shell is gone, and a Delete sent again after this
   * just meets InvalidSelectors, which clients take as "already deleted"; without a limit every
   * finished shell would leave one entry until the byte cap, a slow growth of serve's memory.
   */
  deleteKeptMs: number;
}

export const DEFAULT_OPERATION_CACHE_LIMITS: OperationCacheLimits = { perShell: 8, perUserCreates: 256, maxBytes: 32 * 1024 * 1024, deleteKeptMs: 60_000 };

interface Entry {
  readonly shell: string;
  readonly target: string;
  readonly response: CachedResponse;
  readonly bytes: number;
}

export class OperationCache {
  readonly #limits: OperationCacheLimits;
  /** Insertion order is age order: the first entry is the oldest. */
  readonly #entries = new Map<string, Entry>();
  /** Keys by target and by shell, each Set in age order. */
  readonly #byTarget = new Map<string, Set<string>>();
  readonly #byShell = new Map<string, Set<string>>();
  readonly #running = new Map<string, Promise<CachedResponse>>();
  /** Delete responses by key, oldest first, with the time they may be dropped. */
  readonly #expiring = new Map<string, number>();
  readonly #now: () => number;
  #bytes = 0;

  constructor(limits: OperationCacheLimits = DEFAULT_OPERATION_CACHE_LIMITS, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** The response (or the still-running operation) kept under this id for this owner. */
  lookup(owner: string, operationId: string): CachedResponse | Promise<CachedResponse> | undefined {
    const key = keyOf(owner, operationId);
    return this.#entries.get(key)?.response ?? this.#running.get(key);
  }

  /**
   * Records a new operation: drops the entries its target supersedes (for a Delete, every entry of
   * the shell), remembers it as running and keeps its response once `response` settles.
   */
  run(owner: string, operationId: string, target: OperationTarget, response: Promise<CachedResponse>): void {
    const key = keyOf(owner, operationId);
    const targetKey = `${owner.toLowerCase()}\u0000${target.shellId.toUpperCase()}\u0000${target.commandId.toUpperCase()}\u0000${target.op}`;
    const shell = shellKeyOf(owner, target.shellId);
    // Creates have no target yet: two Creates of one user are unrelated, neither supersedes the other.
    const superseded =
      target.op === 'create' ? undefined : target.op === 'delete' && target.shellId !== '' ? this.#byShell.get(shell) : this.#byTarget.get(targetKey);
    for (const k of superseded ?? []) this.#delete(k);
    this.#running.set(key, response);
    response.then(
      (r) => {
        if (this.#running.get(key) !== response) return;
        this.#running.delete(key);
        this.#store(key, { shell, target: targetKey, response: r, bytes: r.body.length });
        if (target.op === 'delete' && this.#entries.has(key)) this.#expiring.set(key, this.#now() + this.#limits.deleteKeptMs);
      },
      () => this.#running.delete(key),
    );
  }

  /** Forgets everything (the server "restarted"). */
  clear(): void {
    this.#entries.clear();
    this.#expiring.clear();
    this.#byTarget.clear();
    this.#byShell.clear();
    this.#running.clear();
    this.#bytes = 0;
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  #store(key: string, entry: Entry): void {
    this.#expire();
    if (entry.bytes > this.#limits.maxBytes) return;
    this.#delete(key);
    const sameShell = this.#byShell.get(entry.shell);
    if (sameShell !== undefined) {
      const limit = entry.shell.endsWith('\u0000') ? this.#limits.perUserCreates : this.#limits.perShell;
      // Oldest first; deleting the entry being visited is safe in a Set's iteration.
      let over = sameShell.size - limit + 1;
      for (const k of sameShell) {
        if (over-- <= 0) break;
        this.#delete(k);
      }
    }
    for (const [k] of this.#entries) {
      if (this.#bytes + entry.bytes <= this.#limits.maxBytes) break;
      this.#delete(k);
    }
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    addTo(this.#byTarget, entry.target, key);
    addTo(this.#byShell, entry.shell, key);
  }

  /** Drops the Delete responses whose time is up (oldest first: the first one not due stops it). */
  #expire(): void {
    const now = this.#now();
    for (const [k, due] of this.#expiring) {
      if (due > now) break;
      this.#delete(k);
    }
  }

  #delete(key: string): void {
    this.#expiring.delete(key);
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
    removeFrom(this.#byTarget, e.target, key);
    removeFrom(this.#byShell, e.shell, key);
  }
}

function addTo(index: Map<string, Set<string>>, group: string, key: string): void {
  const set = index.get(group);
  if (set === undefined) index.set(group, new Set([key]));
  else set.add(key);
}

function removeFrom(index: Map<string, Set<string>>, group: string, key: string): void {
  const set = index.get(group);
  if (set === undefined) return;
  set.delete(key);
  if (set.size === 0) index.delete(group);
}

function keyOf(owner: string, operationId: string): string {
  return `${owner.toLowerCase()}\u0000${operationId.toLowerCase()}`;
}

function shellKeyOf(owner: string, shellId: string): string {
  return `${owner.toLowerCase()}\u0000${shellId.toUpperCase()}`;
}
