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
