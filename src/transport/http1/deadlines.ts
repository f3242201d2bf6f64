/**
 * Time limits for many sockets on one timer.
 *
 * Why not `socket.setTimeout`: Node makes a new Timeout (and a bound function) every time it is
 * called, and the connection calls it at each phase: connecting, waiting for a response, idle,
 * about a dozen times per host in a fan-out, plus a timer refresh on every read and write. Here
 * a phase costs a number and a Set entry, activity costs a clock read, and the one timer is
 * scheduled again only when a deadline comes due or one earlier than any other is set.
 *
 * The timer is unref'd, as Node's socket timers are: it never keeps the process alive by itself.
 */

/** One socket's limit: `expire` runs once when `ms` pass without `touch` or `arm`. */
export class Deadline {
  /** When it falls due, on performance.now()'s clock; Infinity while disarmed. */
  at = Infinity;
  ms = 0;
  readonly expire: () => void;

  constructor(expire: () => void) {
    this.expire = expire;
  }
}

export class DeadlineClock {
  readonly #armed = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (Infinity: not scheduled). */
  #timerAt = Infinity;

  /** Starts (or restarts) `d` to fall due `ms` from now. */
  arm(d: Deadline, ms: number): void {
    d.ms = ms;
    d.at = performance.now() + ms;
    this.#armed.add(d);
    if (d.at < this.#timerAt) this.#schedule(d.at);
  }

  /** Activity on the socket: its limit starts again. Pushing a deadline later needs no timer work. */
  touch(d: Deadline): void {
    if (d.at !== Infinity) d.at = performance.now() + d.ms;
  }

  disarm(d: Deadline): void {
    d.at = Infinity;
    this.#armed.delete(d);
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#due(), Math.max(0, at - performance.now()));
    this.#timer.unref();
  }

  /** Expires what is due, then waits for the earliest deadline left (if any). */
  #due(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    const due: Deadline[] = [];
    for (const d of this.#armed) if (d.at <= now) due.push(d);
    if (due.length > 1) due.sort((a, b) => a.at - b.at); // in the order they fell due
    for (const d of due) {
      if (d.at > now) continue; // armed again by an expiry before it in this turn
      this.disarm(d);
      d.expire();
    }
    // What is left, and whatever an expiry armed (a new socket): wait for the first of them.
    let next = Infinity;
    for (const d of this.#armed) if (d.at < next) next = d.at;
    if (next < this.#timerAt) this.#schedule(next);
  }
}

/** The clock every HTTP/1.1 connection of this process shares. */
export const deadlines = new DeadlineClock();
