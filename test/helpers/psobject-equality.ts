/**
 * `toEqual` for PSObjects. A PSObject keeps its members in private fields (the reader's names and
 * values until a Map is asked for, src/psrp/clixml/model.ts), which vitest's structural equality cannot see: two
 * objects with different properties would compare equal. This tester compares what an object
 * says — type names, ToString, wrapped value, and each member set in order — whichever form holds it.
 */
import { expect } from 'vitest';
import { PSObject, type PSValue } from '../../src/psrp/clixml/model.js';

type Tester = Parameters<typeof expect.addEqualityTesters>[0][number];

/** One member set of `obj` as `[name, value]` pairs, in order, read without building its Map. */
export const membersOf = (obj: PSObject, which: 'adapted' | 'extended'): Array<[string, PSValue]> => {
  const out: Array<[string, PSValue]> = [];
  const add = (v: PSValue, k: string): void => {
    out.push([k, v]);
  };
  if (which === 'adapted') obj.forEachAdapted(add);
  else obj.forEachExtended(add);
  return out;
};

// Pairs being compared: a Ref cycle leads back to one, which then counts as equal (the rest of
// the comparison decides).
const open: Array<[PSObject, PSObject]> = [];

function psObjectEquality(this: ThisParameterType<Tester>, a: unknown, b: unknown, testers: Tester[]): boolean | undefined {
  const aIs = a instanceof PSObject;
  const bIs = b instanceof PSObject;
  if (!aIs && !bIs) return undefined;
  if (!aIs || !bIs) return false;
  if (a === b || open.some(([x, y]) => x === a && y === b)) return true;
  open.push([a, b]);
  try {
    return this.equals(a.typeNames, b.typeNames, testers)
      && a.toStringText === b.toStringText
      && this.equals(a.value, b.value, testers)
      && this.equals(membersOf(a, 'adapted'), membersOf(b, 'adapted'), testers)
      && this.equals(membersOf(a, 'extended'), membersOf(b, 'extended'), testers);
  } finally {
    open.pop();
  }
}

expect.addEqualityTesters([psObjectEquality]);
