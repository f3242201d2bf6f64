/**
 * A small direct-mapped table of short strings read recently, so that the property and type names
 * of a stream of similar objects (every Get-Process object carries the same 65 property names) are
 * one string each instead of one per object: less heap kept, less for the garbage collector to copy.
 * (Values are not interned: measured, hashing them cost more than it saved.)
 *
 * The reader hashes a name's characters while it scans them (hashStep), so a hit costs no
 * allocation at all. Bounded: strings of at most INTERN_MAX_LENGTH units, 4,096 slots, a new string simply
 * replacing the one in its slot.
 */
export const INTERN_MAX_LENGTH = 64;
const SLOTS = 4096;
const slots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

/** One step of the hash the reader computes over a range's UTF-16 units. */
export function hashStep(hash: number, unit: number): number {
  return (Math.imul(hash, 31) + unit) | 0;
}

/**
 * `s.slice(start, end)`, or an equal string from the table; `hash` is hashStep folded over the
 * range. For ranges longer than INTERN_MAX_LENGTH it just slices.
 */
export function internRange(s: string, start: number, end: number, hash: number): string {
  const length = end - start;
  if (length > INTERN_MAX_LENGTH) return s.slice(start, end);
  const slot = hash & (SLOTS - 1);
  const seen = slots[slot];
  if (seen !== undefined && seen.length === length && sameAt(s, start, seen)) return seen;
  // In V8 a slice of 13 or more units is a view that keeps its whole source (a whole message)
  // alive; the table keeps a copy of its own, made by way of a concatenation.
  const own = length >= 13 ? `${s.slice(start, end)}\u0000`.slice(0, -1) : s.slice(start, end);
  slots[slot] = own;
  return own;
}

/**
 * Whether `s` holds `t` at `at`: the same as `s.startsWith(t, at)`, which V8 runs several times
 * slower for the short strings compared here.
 */
export function sameAt(s: string, at: number, t: string): boolean {
  for (let k = 0; k < t.length; k++) if (s.charCodeAt(at + k) !== t.charCodeAt(k)) return false;
  return true;
}

/** `s`, or an equal string from the table. */
export function intern(s: string): string {
  let hash = 0;
  if (s.length > INTERN_MAX_LENGTH) return s;
  for (let i = 0; i < s.length; i++) hash = hashStep(hash, s.charCodeAt(i));
  return internRange(s, 0, s.length, hash);
}

/** A string kept by a PlainTable, with what a reader needs to recognise it in place. */
export class PlainEntry {
  readonly text: string;
  // Its units again: comparing against a typed array costs half the charCodeAt calls.
  readonly #units: Uint16Array;
  /**
   * The entry read after this one last time: a guess, to be checked with matches(). Objects of one
   * type write their members in the same order, so it is nearly always right. Only entries still
   * in their table take one (see PlainTable.keep), so that the links hold at most two tables' worth.
   */
  next: PlainEntry | undefined = undefined;
  /** Still in its table. */
  live = true;

  constructor(text: string) {
    this.text = text;
    this.#units = new Uint16Array(text.length);
    for (let k = 0; k < text.length; k++) this.#units[k] = text.charCodeAt(k);
  }

  /** Whether `s` holds this text at `at`. */
  matches(s: string, at: number): boolean {
    const units = this.#units;
    for (let k = 0; k < units.length; k++) if (s.charCodeAt(at + k) !== units[k]) return false;
    return true;
  }
}

/**
 * A table like the one above for ranges taken as written: the caller checks that a range needs no
 * decoding before keep(). Kept apart from the first table, whose strings are decoded ones (an entry
 * there may equal a written text that decodes to something else), and one per kind of text, since
 * what needs no decoding differs (a tab is kept in element text, turned to a space in an attribute).
 * Its key samples seven units and the length instead of hashing every unit, as a hit is confirmed
 * by one comparison anyway.
 */
export class PlainTable {
  static readonly #SLOTS = 8192;
  // Two ways: a range's entry is in its slot or the slot's pair (slot ^ 1), so that two names
  // with one key (MinWorkingSet and MaxWorkingSet) do not evict each other on every object.
  readonly #entries: (PlainEntry | undefined)[] = new Array<PlainEntry | undefined>(PlainTable.#SLOTS).fill(undefined);

  /** The entry equal to `s.slice(start, end)`, if kept. */
  find(s: string, start: number, end: number): PlainEntry | undefined {
    const slot = slotOf(s, start, end, PlainTable.#SLOTS - 1);
    const length = end - start;
    const first = this.#entries[slot];
    if (first !== undefined && first.text.length === length && first.matches(s, start)) return first;
    const second = this.#entries[slot ^ 1];
    return second !== undefined && second.text.length === length && second.matches(s, start) ? second : undefined;
  }

  /**
   * Keeps `s.slice(start, end)` as a string of its own (undefined past INTERN_MAX_LENGTH units):
   * in its slot, the entry there moving to the pair slot, and the one there leaving the table.
   */
  keep(s: string, start: number, end: number): PlainEntry | undefined {
    const length = end - start;
    if (length > INTERN_MAX_LENGTH) return undefined;
    const slot = slotOf(s, start, end, PlainTable.#SLOTS - 1);
    const evicted = this.#entries[slot ^ 1];
    if (evicted !== undefined) {
      evicted.live = false;
      evicted.next = undefined;
    }
    this.#entries[slot ^ 1] = this.#entries[slot];
    const entry = new PlainEntry(length >= 13 ? `${s.slice(start, end)}\u0000`.slice(0, -1) : s.slice(start, end));
    this.#entries[slot] = entry;
    return entry;
  }
}

/** A key from the length and seven units spread over the range (all inside it). */
function slotOf(s: string, start: number, end: number, mask: number): number {
  const length = end - start;
  if (length === 0) return 0;
  const quarter = length >> 2;
  const second = length > 1 ? 1 : 0;
  let hash = Math.imul(length, 0x9e3779b1) ^ s.charCodeAt(start);
  hash = hashStep(hash, s.charCodeAt(start + second));
  hash = hashStep(hash, s.charCodeAt(start + quarter));
  hash = hashStep(hash, s.charCodeAt(start + (length >> 1)));
  hash = hashStep(hash, s.charCodeAt(end - 1 - quarter));
  hash = hashStep(hash, s.charCodeAt(end - 1 - second));
  hash = hashStep(hash, s.charCodeAt(end - 1));
  return (hash ^ (hash >>> 15)) & mask;
}

/** Property names (`N`) as written. */
export const plainNames = new PlainTable();
/** Type names (`<T>`) as written. */
export const plainTypeNames = new PlainTable();
