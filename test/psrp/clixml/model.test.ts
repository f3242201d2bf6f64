/**
 * PSObject's member sets: kept as the reader's flat list until a Map is asked for
 * (src/psrp/clixml/model.ts). Whatever form holds them, every accessor must say the same thing,
 * with Map semantics for repeated names.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deserialize, PSObject, type MemberList, type PSValue } from '../../../src/psrp/clixml/index.js';
import { membersOf } from '../../helpers/psobject-equality.js';


/** Every view of the object's members, before and after its Maps are built. */
function views(obj: PSObject, names: string[]) {
  return {
    adapted: membersOf(obj, 'adapted'),
    extended: membersOf(obj, 'extended'),
    sizes: [obj.adaptedSize, obj.extendedSize, obj.memberCount],
    all: ((): Array<[string, PSValue]> => {
      const out: Array<[string, PSValue]> = [];
      obj.forEachMember((v, k) => out.push([k, v]));
      return out;
    })(),
    got: names.map((n) => [obj.get(n), obj.has(n)]),
  };
}

/** A MemberList from `[name, value, name, value, …]`, with a names array of its own. */
const members = (pairs: PSValue[]): MemberList => [pairs.filter((_, i) => i % 2 === 0) as string[], ...pairs.filter((_, i) => i % 2 === 1)];

function adopted(adapted: PSValue[], extended: PSValue[] = []): PSObject {
  const obj = new PSObject();
  obj.adoptMembers('adapted', members(adapted));
  obj.adoptMembers('extended', members(extended));
  return obj;
}

describe('PSObject members', () => {
  it('reads a list the same before and after its Map is built', () => {
    const names = ['a', 'b', 'c', 'zz'];
    const obj = adopted(['a', 1, 'b', 'two', 'c', null], ['b', true]);
    const before = views(obj, names);
    expect(before.adapted).toEqual([['a', 1], ['b', 'two'], ['c', null]]);
    expect(before.got).toEqual([[1, true], [true, true], [null, true], [undefined, false]]);
    expect(before.sizes).toEqual([3, 1, 4]);
    expect(before.all).toEqual([['a', 1], ['b', 'two'], ['c', null], ['b', true]]);
    expect([...obj.adapted]).toEqual(before.adapted);
    expect([...obj.extended]).toEqual(before.extended);
    expect(views(obj, names)).toEqual(before);
  });

  it('gives repeated names Map semantics: first place, last value', () => {
    const list: PSValue[] = ['a', 1, 'b', 2, 'a', 3];
    const expected = new Map<string, PSValue>();
    for (let i = 0; i < list.length; i += 2) expected.set(list[i] as string, list[i + 1] as PSValue);
    const obj = adopted(list);
    expect(membersOf(obj, 'adapted')).toEqual([...expected]);
    expect(obj.adaptedSize).toBe(2);
    expect(obj.get('a')).toBe(3);
  });

  it('finds names in long lists (where get builds the Map) and checks long lists for repeats', () => {
    for (const n of [15, 16, 17, 40, 64, 65, 100]) {
      const list: PSValue[] = [];
      for (let i = 0; i < n; i++) list.push(`p${i}`, i);
      list.push('p3', 'again');
      const obj = adopted(list);
      expect(obj.adaptedSize, String(n)).toBe(n);
      expect(obj.get('p3'), String(n)).toBe('again');
      expect(obj.get(`p${n - 1}`), String(n)).toBe(n - 1);
      expect(obj.has(`p${n}`), String(n)).toBe(false);
      expect(membersOf(obj, 'adapted')[3], String(n)).toEqual(['p3', 'again']);
    }
  });

  it('lets extended members shadow adapted ones in every form', () => {
    const obj = adopted(['Name', 'adapted', 'Id', 1], ['Name', 'extended']);
    expect(obj.get('Name')).toBe('extended');
    obj.adapted.set('Id', 2);
    expect(obj.get('Id')).toBe(2);
    obj.extended.delete('Name');
    expect(obj.get('Name')).toBe('adapted');
    expect(obj.extendedSize).toBe(0);
  });

  it('keeps changes made through the Maps', () => {
    const obj = deserialize('<Obj RefId="0"><Props><S N="a">x</S></Props></Obj>') as PSObject;
    obj.adapted.set('b', 'y');
    obj.extended.set('c', 'z');
    expect(membersOf(obj, 'adapted')).toEqual([['a', 'x'], ['b', 'y']]);
    expect(membersOf(obj, 'extended')).toEqual([['c', 'z']]);
    expect([obj.get('b'), obj.get('c'), obj.adaptedSize, obj.extendedSize]).toEqual(['y', 'z', 2, 1]);
  });

  it('refuses a MemberList whose values do not match its names', () => {
    expect(() => new PSObject().adoptMembers('adapted', [['a', 'b'], 1])).toThrow(RangeError);
  });

  it('replaces a set when members are adopted again, and empties it with an empty list', () => {
    const obj = new PSObject({ adapted: [['a', 1]], extended: [['e', 1]] });
    obj.adoptMembers('adapted', members(['b', 2]));
    obj.adoptMembers('extended', members([]));
    expect([...obj.adapted]).toEqual([['b', 2]]);
    expect([obj.has('a'), obj.has('e'), obj.extendedSize]).toEqual([false, false, 0]);
  });

  it('shows its members to util.inspect without building its Maps', () => {
    const obj = deserialize('<Obj RefId="0"><TN RefId="0"><T>Demo.Type</T></TN><Props><S N="Name">x</S><Ref N="Self" RefId="0" /></Props><MS><I32 N="Extra">7</I32></MS></Obj>') as PSObject;
    const shown = inspect(obj, { depth: Infinity });
    for (const part of ['PSObject', 'Demo.Type', "'Name' => 'x'", "'Extra' => 7", 'Circular']) expect(shown, part).toContain(part);
    expect(inspect(new PSObject({ adapted: [['a', 1]] }))).toContain("'a' => 1");
  });

  // The equality tester (test/helpers/psobject-equality.ts) is what lets toEqual see members.
  it('is compared by its members under toEqual, in order, through Ref cycles', () => {
    expect(new PSObject({ adapted: [['a', 1]] })).not.toEqual(new PSObject({ adapted: [['a', 2]] }));
    expect(adopted(['a', 1])).toEqual(new PSObject({ adapted: [['a', 1]] }));
    expect(adopted(['a', 1, 'b', 2])).not.toEqual(adopted(['b', 2, 'a', 1]));
    expect({ x: [adopted([], ['a', 1])] }).not.toEqual({ x: [new PSObject()] });
    const cyclic = (s: string) => deserialize(`<Obj RefId="0"><Props><S N="n">${s}</S><Ref N="me" RefId="0" /></Props></Obj>`);
    expect(cyclic('x')).toEqual(cyclic('x'));
    expect(cyclic('x')).not.toEqual(cyclic('y'));
  });
});
