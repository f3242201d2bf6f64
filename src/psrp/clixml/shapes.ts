/**
 * Member-name lists shared by the objects of one shape. Every Get-Process object carries the same
 * adapted and extended property names in the same order; with one names array for all of them,
 * each object keeps only its values (8 bytes a member instead of 16), which is less heap for the
 * garbage collector to copy (docs/performance.md §4).
 *
 * A small direct-mapped table, like intern.ts's, and bounded the same way: SLOTS lists of at most
 * SHAPE_MAX_NAMES distinct names of at most INTERN_MAX_LENGTH units each (such names are the
 * reader's own copies, never views that keep a whole message alive); a new list replaces the one
 * in its slot. Only lists whose names were found distinct enter it, and they are remembered as
 * such, so that a PSObject adopting one need not check again.
 */
import { INTERN_MAX_LENGTH } from './intern.js';

export const SHAPE_MAX_NAMES = 64;
const SLOTS = 256;
const slots = new Array<readonly string[] | undefined>(SLOTS).fill(undefined);
/** Every list the table has held: known distinct, and never changed. */
const distinct = new WeakSet<readonly string[]>();

/** `names.slice(start, end)`, or an equal list from the table (then shared: nobody may change it). */
export function sharedNames(names: readonly string[], start: number, end: number): readonly string[] {
  const n = end - start;
  let hash = n;
  for (let i = start; i < end; i++) {
    const name = names[i] as string;
    hash = (Math.imul(hash, 31) + name.length * 127 + (name.charCodeAt(name.length >> 1) | 0)) | 0;
  }
  const slot = (hash ^ (hash >>> 11)) & (SLOTS - 1);
  const seen = slots[slot];
  if (seen !== undefined && seen.length === n && sameNames(seen, names, start)) return seen;
  const own = names.slice(start, end);
  if (own.every((name) => name.length <= INTERN_MAX_LENGTH) && distinctNames(own)) {
    slots[slot] = own;
    distinct.add(own);
  }
  return own;
}

/**
 * Whether no name occurs twice: vouched for by the table (it checked when it took the list), or
 * checked pairwise. A list of more than SHAPE_MAX_NAMES is not checked (the check is quadratic)
 * and counts as not distinct: its owner builds a Map instead.
 */
export function distinctNames(names: readonly string[]): boolean {
  if (distinct.has(names)) return true;
  if (names.length > SHAPE_MAX_NAMES) return false;
  for (let i = 1; i < names.length; i++) {
    const name = names[i];
    for (let j = 0; j < i; j++) if (names[j] === name) return false;
  }
  return true;
}

function sameNames(seen: readonly string[], names: readonly string[], start: number): boolean {
  for (let i = 0; i < seen.length; i++) if (seen[i] !== names[start + i]) return false;
  return true;
}
