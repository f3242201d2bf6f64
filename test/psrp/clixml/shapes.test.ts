/**
 * Shared member-name lists (src/psrp/clixml/shapes.ts): objects of one shape share one names
 * array, which must never let one object's change reach another, never hold a repeated name, and
 * stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { deserializeAll, PSObject } from '../../../src/psrp/clixml/index.js';
import { INTERN_MAX_LENGTH } from '../../../src/psrp/clixml/intern.js';
import { distinctNames, SHAPE_MAX_NAMES, sharedNames } from '../../../src/psrp/clixml/shapes.js';

const run = (names: string[], before = ['x', 'y']) => {
  const stack = [...before, ...names, 'z'];
  return sharedNames(stack, before.length, before.length + names.length);
};

describe('shared member names', () => {
  it('gives equal runs of names one array, wherever they were gathered', () => {
    const first = run(['Id', 'Name', 'Handles']);
    const again = run(['Id', 'Name', 'Handles'], ['other', 'stack', 'here']);
    expect(again).toBe(first);
    expect(first).toEqual(['Id', 'Name', 'Handles']);
    expect(distinctNames(first)).toBe(true);
    expect(run(['Id', 'Name'])).not.toBe(first);
    expect(run(['Id', 'Handles', 'Name'])).not.toBe(first);
  });

  it('never shares a run that repeats a name, nor calls it distinct', () => {
    const a = run(['A', 'B', 'A']);
    expect(run(['A', 'B', 'A'])).not.toBe(a);
    expect(distinctNames(a)).toBe(false);
    const obj = new PSObject();
    obj.adoptMembers('adapted', [a, 1, 2, 3]);
    expect([...obj.adapted]).toEqual([['A', 3], ['B', 2]]);
  });

  it('keeps no long names and no long runs', () => {
    const longName = 'n'.repeat(INTERN_MAX_LENGTH + 1);
    expect(run([longName, 'b'])).not.toBe(run([longName, 'b']));
    const many = Array.from({ length: SHAPE_MAX_NAMES + 1 }, (_, i) => `p${i}`);
    expect(run(many)).not.toBe(run(many));
    const most = many.slice(0, SHAPE_MAX_NAMES);
    expect(run(most)).toBe(run(most));
  });

  it('lets objects read from one document share names, and change their own members alone', () => {
    const obj = (id: number) => `<Obj RefId="${id}"><Props><I32 N="Id">${id}</I32><S N="Name">p${id}</S></Props></Obj>`;
    const [a, b] = deserializeAll(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${obj(0)}${obj(1)}</Objs>`) as PSObject[];
    a!.adapted.set('Extra', true);
    a!.adapted.delete('Id');
    expect([...a!.adapted]).toEqual([['Name', 'p0'], ['Extra', true]]);
    expect([...b!.adapted]).toEqual([['Id', 1], ['Name', 'p1']]);
    expect([b!.get('Extra'), b!.adaptedSize]).toEqual([undefined, 2]);
  });
});
