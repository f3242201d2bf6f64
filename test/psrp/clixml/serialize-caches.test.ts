/**
 * The writer's per-process caches (src/psrp/clixml/serialize.ts): member-name attributes and
 * type-name lists are escaped once and found again by name. Whatever a cache holds, the text
 * written must be what escaping each value afresh gives, and <TNRef> must point at the same list.
 */
import { describe, expect, it } from 'vitest';
import { deserialize, deserializeAll, PSObject, serialize, serializeAll } from '../../../src/psrp/clixml/index.js';

const typed = (typeNames: string[], value = 1): PSObject => new PSObject({ typeNames, value });

describe('serialize caches', () => {
  it('never takes two lists for one when their names join alike', () => {
    // ['A\nB'] and ['A', 'B'] joined with LF are one string; JSON would not save ['x","y'] either.
    const lists = [['A\nB'], ['A', 'B'], ['x","y'], ['x', 'y'], ['', 'A'], ['A', ''], ['A']];
    const xml = serializeAll(lists.map((l) => typed(l)));
    expect(xml.match(/<TN /g)).toHaveLength(lists.length);
    expect(xml).not.toContain('<TNRef');
    const back = deserializeAll(xml) as PSObject[];
    expect(back.map((o) => o.typeNames)).toEqual(lists);
  });

  it('refers back to a list written before, whichever array holds its names', () => {
    const xml = serializeAll([typed(['T.One', 'System.Object']), typed(['T.Two']), typed(['T.One', 'System.Object'])]);
    expect(xml).toContain('<TN RefId="0"><T>T.One</T><T>System.Object</T></TN>');
    expect(xml).toContain('<TN RefId="1"><T>T.Two</T></TN>');
    expect(xml).toContain('<TNRef RefId="0" />');
    // A new document numbers its lists from 0 again, although the cache has seen them.
    expect(serialize(typed(['T.Two']))).toContain('<TN RefId="0"><T>T.Two</T></TN>');
  });

  it('escapes a cached name as it escapes a new one', () => {
    const names = ['Plain', 'a_x0041_b', 'tab\there', 'q"uote<&>', 'ctl\u0001', '\ud83d\ude00'];
    for (let round = 0; round < 2; round++) {
      const obj = new PSObject({ extended: names.map((n, i) => [n, i] as [string, number]), typeNames: names });
      const xml = serialize(obj);
      expect(xml).toContain(' N="a_x005F_x0041_b"');
      expect(xml).toContain(' N="tab_x0009_here"');
      expect(xml).toContain(' N="q&quot;uote&lt;&amp;&gt;"');
      expect(xml).toContain('<T>q"uote&lt;&amp;&gt;</T>');
      expect(xml).toContain('<T>ctl_x0001_</T>');
      expect(xml).toContain(' N="_xD83D__xDE00_"');
      const back = deserialize(xml) as PSObject;
      expect(back.typeNames).toEqual(names);
      expect([...back.extended.keys()]).toEqual(names);
    }
  });

  it('dedups lists too big to keep, and writes long names in full', () => {
    const long = 'L'.repeat(300);
    const many = Array.from({ length: 40 }, (_, i) => `T${i}`);
    const lists = [[long, 'System.Object'], many, [`${long}\nB`], [long, 'B']];
    const xml = serializeAll([...lists, ...lists].map((l) => typed([...l])));
    expect(xml.match(/<TN /g)).toHaveLength(lists.length);
    expect(xml.match(/<TNRef /g)).toHaveLength(lists.length);
    const back = deserializeAll(xml) as PSObject[];
    expect(back.map((o) => o.typeNames)).toEqual([...lists, ...lists]);
    const named = new PSObject({ extended: [[long, 1], [`${long}"`, 2]] });
    for (let round = 0; round < 2; round++) {
      const text = serialize(named);
      expect(text).toContain(` N="${long}"`);
      expect(text).toContain(` N="${long}&quot;"`);
    }
  });

  it('stays right past its bounds: thousands of distinct names and lists', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `Name${i}`);
    const obj = new PSObject({ extended: many.map((n, i) => [n, i] as [string, number]) });
    // Two objects per list, each with its own array: the second must find the first's list.
    const lists = () => many.map((n) => typed([n, 'System.Object']));
    for (let round = 0; round < 2; round++) {
      const back = deserialize(serialize(obj)) as PSObject;
      expect([...back.extended.keys()]).toEqual(many);
      const xml = serializeAll([...lists(), ...lists()]);
      // Every list once as <TN>, and the second time round as <TNRef> to it, in one document.
      expect(xml.match(/<TN /g)).toHaveLength(many.length);
      expect(xml.match(/<TNRef /g)).toHaveLength(many.length);
      const objs = deserializeAll(xml) as PSObject[];
      expect(objs.map((o) => o.typeNames[0])).toEqual([...many, ...many]);
    }
  });
});
