import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deserialize, deserializeAll, PSObject, ps, serialize, serializeAll, timeSpanFromMs, type PSValue,
} from '../../../src/psrp/clixml/index.js';

/** Any primitive the model has, in forms that round-trip exactly. */
const primitive: fc.Arbitrary<PSValue> = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.boolean(),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  fc.double().map(ps.double),
  fc.float().map((f) => ps.num('Sg', f)),
  fc.integer({ min: 0, max: 255 }).map((n) => ps.num('By', n)),
  fc.integer({ min: -128, max: 127 }).map((n) => ps.num('SB', n)),
  fc.integer({ min: -32768, max: 32767 }).map((n) => ps.num('I16', n)),
  fc.integer({ min: 0, max: 65535 }).map((n) => ps.num('U16', n)),
  fc.integer({ min: 0, max: 65535 }).map((n) => ps.num('C', n)),
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => ps.num('U32', n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(ps.i64),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(ps.u64),
  fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat(5)).map(([n, scale]) =>
    ps.text('D', scale ? `${n < 0n ? '-' : ''}${(n < 0n ? -n : n).toString().padStart(scale + 1, '0').replace(new RegExp(`(\\d{${scale}})$`), '.$1')}` : n.toString())),
  fc.uuid().map(ps.guid),
  fc.array(fc.nat(65535), { minLength: 2, maxLength: 4 }).map((parts) => ps.version(parts.join('.'))),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => ps.text('SBK', s)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => ps.text('URI', s)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => ps.text('XD', s)),
  fc.base64String({ maxLength: 24 }).map((s) => ps.text('SS', s)),
  fc.uint8Array({ maxLength: 16 }).map(ps.bytes),
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(ps.dateTime),
  fc.integer({ min: -1e12, max: 1e12 }).map(timeSpanFromMs),
  fc.record({
    activity: fc.string({ unit: 'binary' }), activityId: fc.integer({ min: 0, max: 1000 }),
    currentOperation: fc.option(fc.string({ unit: 'binary' })), parentActivityId: fc.integer({ min: -1, max: 100 }),
    percentComplete: fc.integer({ min: -1, max: 100 }), recordType: fc.constantFrom('Processing', 'Completed'),
    secondsRemaining: fc.integer({ min: -1, max: 1e6 }), statusDescription: fc.string({ unit: 'binary' }),
  }).map((r) => ({ kind: 'PR' as const, ...r })),
);

/**
 * An object graph: `count` PSObjects whose members and collection items are primitives or
 * references to any object of the graph (by index), so sharing and cycles both occur.
 */
type Slot = { prim: PSValue } | { ref: number };
interface ObjSpec {
  typeNames: string[];
  toString: string | undefined;
  adapted: [string, Slot][];
  extended: [string, Slot][];
  inner: { kind: 'none' } | { kind: 'prim'; value: PSValue } | { kind: 'LST' | 'IE' | 'STK' | 'QUE'; items: Slot[] }
    | { kind: 'DCT'; entries: [Slot, Slot][] };
}

const graph = fc.integer({ min: 1, max: 6 }).chain((count) => {
  const slot: fc.Arbitrary<Slot> = fc.oneof(primitive.map((prim) => ({ prim })), fc.nat(count - 1).map((ref) => ({ ref })));
  const members = fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), slot), { maxLength: 4, selector: ([k]) => k });
  const spec: fc.Arbitrary<ObjSpec> = fc.record({
    typeNames: fc.constantFrom([], ['System.Object'], ['Deserialized.Foo', 'Deserialized.System.Object'], ['A_x0041_', 'System.Object']),
    toString: fc.option(fc.string({ unit: 'binary', maxLength: 10 }), { nil: undefined }),
    adapted: members,
    extended: members,
    inner: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      primitive.map((value) => ({ kind: 'prim' as const, value })),
      fc.record({ kind: fc.constantFrom('LST' as const, 'IE' as const, 'STK' as const, 'QUE' as const), items: fc.array(slot, { maxLength: 4 }) }),
      fc.record({ kind: fc.constant('DCT' as const), entries: fc.array(fc.tuple(slot, slot), { maxLength: 3 }) }),
    ),
  });
  return fc.array(spec, { minLength: count, maxLength: count });
});

function build(specs: ObjSpec[]): PSObject[] {
  const objs = specs.map((s) => new PSObject({ typeNames: s.typeNames, toStringText: s.toString }));
  const val = (slot: Slot): PSValue => ('ref' in slot ? objs[slot.ref] ?? null : slot.prim);
  specs.forEach((s, i) => {
    const o = objs[i]!;
    for (const [k, v] of s.adapted) o.adapted.set(k, val(v));
    for (const [k, v] of s.extended) o.extended.set(k, val(v));
    if (s.inner.kind === 'prim') o.value = s.inner.value;
    else if (s.inner.kind === 'DCT') o.value = ps.dict(s.inner.entries.map(([k, v]) => [val(k), val(v)]));
    else if (s.inner.kind !== 'none') o.value = ps.list(s.inner.items.map(val), s.inner.kind);
  });
  return objs;
}

/**
 * Compares two graphs in step (vitest's toEqual unfolds shared references and is exponential on
 * them). Each original PSObject must map to exactly one copy and back, so sharing and cycles are
 * checked as well as contents.
 */
function sameGraph(a: PSValue | undefined, b: PSValue | undefined, there = new Map<object, object>(), back = new Map<object, object>()): void {
  if (a instanceof PSObject && b instanceof PSObject) {
    if (there.has(a) || back.has(b)) {
      expect(there.get(a)).toBe(b);
      expect(back.get(b)).toBe(a);
      return;
    }
    there.set(a, b);
    back.set(b, a);
    expect([b.typeNames, b.toStringText, [...b.adapted.keys()], [...b.extended.keys()], b.value === undefined])
      .toEqual([a.typeNames, a.toStringText, [...a.adapted.keys()], [...a.extended.keys()], a.value === undefined]);
    for (const [k, v] of a.adapted) sameGraph(v, b.adapted.get(k), there, back);
    for (const [k, v] of a.extended) sameGraph(v, b.extended.get(k), there, back);
    sameGraph(a.value, b.value, there, back);
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !(a instanceof PSObject) && !(b instanceof PSObject)) {
    if (a.kind === 'LST' || a.kind === 'IE' || a.kind === 'STK' || a.kind === 'QUE') {
      expect(b.kind).toBe(a.kind);
      const items = (b as { items: PSValue[] }).items;
      expect(items).toHaveLength(a.items.length);
      a.items.forEach((x, i) => sameGraph(x, items[i], there, back));
      return;
    }
    if (a.kind === 'DCT') {
      expect(b.kind).toBe('DCT');
      const bk = [...(b as { entries: Map<PSValue, PSValue> }).entries];
      expect(bk).toHaveLength(a.entries.size);
      [...a.entries].forEach(([k, v], i) => {
        sameGraph(k, bk[i]?.[0], there, back);
        sameGraph(v, bk[i]?.[1], there, back);
      });
      return;
    }
  }
  expect(b).toEqual(a); // primitives only from here
}

describe('serialize → deserialize round trips (properties)', () => {
  it('returns every primitive unchanged', () => {
    fc.assert(fc.property(primitive, (v) => {
      expect(deserialize(serialize(v))).toEqual(v);
    }), { numRuns: 1000 });
  });

  it('returns object graphs equal, with shared references and cycles preserved', () => {
    fc.assert(fc.property(graph, (specs) => {
      const root = build(specs)[0]!;
      const xml = serialize(root);
      const back = deserialize(xml);
      sameGraph(root, back);
      expect(serialize(back)).toBe(xml);
    }), { numRuns: 300 });
  });

  it('shares RefIds across the values of one <Objs> document', () => {
    fc.assert(fc.property(graph, (specs) => {
      const objs = build(specs);
      const back = deserializeAll(serializeAll(objs));
      expect(back).toHaveLength(objs.length);
      const there = new Map<object, object>();
      const backMap = new Map<object, object>();
      objs.forEach((o, i) => sameGraph(o, back[i], there, backMap));
    }), { numRuns: 200 });
  });
});

describe('references', () => {
  it('deserializes a Ref to the same instance, including a cycle to an ancestor', () => {
    const xml = '<Obj RefId="0"><MS><Obj N="child" RefId="1"><MS><Ref N="parent" RefId="0" /></MS></Obj><Ref N="again" RefId="1" /></MS></Obj>';
    const root = deserialize(xml) as PSObject;
    const child = root.get('child') as PSObject;
    expect(child.get('parent')).toBe(root);
    expect(root.get('again')).toBe(child);
    expect(serialize(root)).toBe(xml);
  });

  it('writes TNRef for a repeated type-name list and a bare list as an ArrayList', () => {
    const shared = ps.list(['a']);
    const a = new PSObject({ typeNames: ['T1', 'System.Object'], extended: [['l', shared], ['m', shared]] });
    const b = new PSObject({ typeNames: ['T1', 'System.Object'] });
    expect(serializeAll([a, b])).toBe('<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
      + '<Obj RefId="0"><TN RefId="0"><T>T1</T><T>System.Object</T></TN><MS>'
      + '<Obj N="l" RefId="1"><TN RefId="1"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST><S>a</S></LST></Obj>'
      + '<Ref N="m" RefId="1" /></MS></Obj><Obj RefId="2"><TNRef RefId="0" /></Obj></Objs>');
  });
});
