/**
 * The one-pass reader (fast-read.ts) against the reference reader (xml.ts + deserialize.ts's
 * Reader): whatever the fast path accepts, it must read exactly as the reference does — same
 * values, same kinds, same shared instances — and it must accept what real servers send, or the
 * speed-up silently disappears behind the fallback.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildProcessPayload } from '../../../bench/lib/clixml-payload.mjs';
import {
  deserializeRecords, limitsOf, referenceRecords, xmlDepthLimit, xmlElementLimit, type ClixmlRecord, type DeserializeOptions,
} from '../../../src/psrp/clixml/deserialize.js';
import { fastReadOrThrow, isGiveUp } from '../../../src/psrp/clixml/fast-read.js';
import { ClixmlError, serializeAll, toJSON } from '../../../src/psrp/clixml/index.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { allPayloads } from './extract.js';

type Outcome = { records: ClixmlRecord[] } | { error: unknown };

function fast(xml: string, opts: DeserializeOptions = {}): Outcome {
  const limits = limitsOf(opts);
  try {
    return { records: fastReadOrThrow(xml, limits, xmlDepthLimit(limits), xmlElementLimit(limits)) };
  } catch (error) {
    return { error };
  }
}

function reference(xml: string, opts: DeserializeOptions = {}): Outcome {
  try {
    return { records: referenceRecords(xml, limitsOf(opts)) };
  } catch (error) {
    return { error };
  }
}

/** A text form that keeps kinds, identity (Refs) and stream tags: our serializer's output. */
const fingerprint = (records: ClixmlRecord[]): string =>
  serializeAll(records.map((r) => r.value), { streams: records.map((r) => r.stream) });

/** The fast outcome is a give-up (or a helper's typed error), or exactly the reference's records. */
function expectSameOrGaveUp(xml: string, opts: DeserializeOptions = {}): 'fast' | 'gave up' {
  const f = fast(xml, opts);
  if ('error' in f) {
    const e = f.error;
    // Only these are allowed: anything else is a bug in the fast reader.
    expect(isGiveUp(e) || e instanceof ClixmlError || e instanceof RangeError, String(e)).toBe(true);
    return 'gave up';
  }
  const r = reference(xml, opts);
  if ('error' in r) throw new Error(`fast path accepted what the reference refuses: ${String(r.error)}\n${xml.slice(0, 500)}`);
  expect(f.records).toEqual(r.records);
  expect(fingerprint(f.records)).toBe(fingerprint(r.records));
  return 'fast';
}

const stripHeader = (s: string): string => s.replace(/^#< CLIXML\r?\n/, '');

describeFixtures('the fast CLIXML reader on the recorded fixtures', (dir) => {
  const { clixml, stderr } = allPayloads(dir);
  const all = [...clixml, ...stderr.map((p) => ({ ...p, xml: stripHeader(p.xml) }))];

  it('reads every payload as the reference does, and takes nearly all of them', () => {
    const gaveUp: string[] = [];
    for (const p of all) if (expectSameOrGaveUp(p.xml) === 'gave up') gaveUp.push(p.source);
    // What the fast path leaves to the reference on purpose: see the list in fast-read.ts.
    expect(gaveUp).toEqual(EXPECTED_GIVE_UPS);
  });

  it('agrees with the reference on mutated payloads (fuzz)', () => {
    const seeds = all.filter((p) => p.xml.length < 20_000).map((p) => p.xml);
    // [where, snap to the next tag, how much to delete, what to insert]
    const mutation = fc.tuple(fc.nat(), fc.boolean(), fc.oneof(fc.constant(0), fc.nat(12)), fc.constantFrom('', '<', '>', '/', '"', ' ', '&amp;', '&#1;', '_x0041_', '\r\n',
      '<S>x</S>', '<Ref RefId="0" />', '<Nil />', 'RefId="1"', '<!-- c -->', '<![CDATA[x]]>', '</Obj>', '<TNRef RefId="0" />'));
    const outcomes = { fast: 0, 'gave up': 0 };
    fc.assert(fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, edits) => {
      let xml = seeds[which] ?? '';
      for (const [at, snap, del, ins] of edits) {
        let p = at % (xml.length + 1);
        if (snap) p = Math.max(0, xml.indexOf('<', p));
        xml = xml.slice(0, p) + ins + xml.slice(p + del);
      }
      outcomes[expectSameOrGaveUp(xml)] += 1;
    }), { numRuns: 5000, seed: 8 });
    // Enough mutants stay readable for the comparison to mean something.
    console.log('fast reader vs reference on mutants', outcomes);
    expect(outcomes.fast).toBeGreaterThan(400);
  });
});

// powershell.exe stderr with <PR> progress records, which only the reference reads.
const EXPECTED_GIVE_UPS = ['pypsrp test_sanitise_clixml_with_error.xml', 'pypsrp test_sanitise_clixml_with_no_errors.xml'];

describe('the fast CLIXML reader on the benchmark payload', () => {
  const payload = buildProcessPayload({ bytes: 400_000, seed: 7 });

  it('takes every per-message document and the whole <Objs> stream, as the reference reads them', () => {
    for (const m of payload.messages) expect(expectSameOrGaveUp(m)).toBe('fast');
    expect(expectSameOrGaveUp(payload.document())).toBe('fast');
  });

  it('gives the JSON the payload says (so the JSON.parse ceiling is the same data)', () => {
    const values = deserializeRecords(payload.document()).map((r) => toJSON(r.value));
    expect(JSON.stringify(values)).toBe(payload.json());
  });
});

describe('the fast CLIXML reader at the limits', () => {
  const nest = (n: number): string => '<Obj RefId="0"><MS>' + Array.from({ length: n }, (_, i) => `<Obj N="c" RefId="${i + 1}"><MS>`).join('')
    + '<I32 N="x">1</I32>' + '</MS></Obj>'.repeat(n) + '</MS></Obj>';
  const many = `<Obj RefId="0"><LST>${Array.from({ length: 50 }, (_, i) => `<Obj RefId="${i + 1}" />`).join('')}</LST></Obj>`;
  const doubling = (n: number): string => {
    let xml = '<Obj RefId="0"><MS>';
    for (let i = 1; i <= n; i++) xml += `<Obj N="o${i}" RefId="${i}"><MS><Ref N="a" RefId="${i - 1}" /><Ref N="b" RefId="${i - 1}" /></MS></Obj>`;
    return `${xml}</MS></Obj>`;
  };

  it.each([
    ['depth', nest(20), [18, 19, 20, 21, 22, 30].map((maxDepth) => ({ maxDepth }))],
    ['values', many, [10, 50, 51, 52, 60].map((maxObjects) => ({ maxObjects }))],
    ['elements', many, [6, 7, 8].map((maxObjects) => ({ maxObjects }))],
    ['expansion', doubling(8), [100, 500, 1000, 2000].map((maxRefExpansion) => ({ maxRefExpansion }))],
    ['string length', '<S>aaaa&amp;</S>', [4, 5, 6].map((maxStringLength) => ({ maxStringLength }))],
  ] as const)('%s: never accepts past a limit, and agrees below it', (_name, xml, optsList) => {
    for (const opts of optsList) {
      const r = reference(xml, opts);
      const outcome = expectSameOrGaveUp(xml, opts);
      if ('error' in r) expect(outcome).toBe('gave up');
      // And the public function gives the reference's error, message and path included.
      if ('error' in r) expect(() => deserializeRecords(xml, opts)).toThrow((r.error as Error).message);
      else expect(outcome).toBe('fast');
    }
  });
});

describe('the fast CLIXML reader on dictionary entries', () => {
  const dct = (keyName: string): string =>
    `<Obj RefId="0"><TN RefId="0"><T>System.Collections.Hashtable</T></TN><DCT><En><S N="${keyName}">k</S><I32 N="Value">1</I32></En></DCT></Obj>`;

  it('takes an entry written Key then Value, as the reference does', () => {
    expect(expectSameOrGaveUp(dct('Key'))).toBe('fast');
  });

  it('leaves an entry whose N is written with _xHHHH_ escapes to the reference', () => {
    // `_x004B_ey` is "Key" once unescaped; the reference compares the name as written and refuses
    // the entry. The fast reader once unescaped it and accepted what the reference refuses.
    const xml = dct('_x004B_ey');
    expect('error' in reference(xml)).toBe(true);
    expect(expectSameOrGaveUp(xml)).toBe('gave up');
    expect(() => deserializeRecords(xml)).toThrow((reference(xml) as { error: Error }).error.message);
  });
});

// The scanner's shortcuts: element names through a trie, a property name guessed from the one
// before it (its tables live as long as the process, so earlier inputs train later ones), texts
// and type names taken as written when no `&`, CR or `_` lies inside. Each must read exactly as
// the reference, or leave the input to it.
describe('the fast CLIXML reader\'s shortcuts, against the reference', () => {
  const inObj = (members: string): string => `<Obj RefId="0"><MS>${members}</MS></Obj>`;

  it('knows exactly the CLIXML element names: near misses go to the reference', () => {
    const known = ['S', 'SB', 'SBK', 'SS', 'Sg', 'T', 'TS', 'I32', 'I16', 'I64', 'Obj', 'B', 'By', 'D', 'Db', 'DT', 'Version', 'URI', 'XD'];
    const near = ['Sx', 'SBKx', 'SBx', 'Sgg', 'I3', 'I320', 'Ob', 'Objs1', 'Obj:x', 'TNRefs', 'Vers', 'Versions', 's', 'i32', 'S\u00e9', 'S-1', 'S.x'];
    for (const name of known) {
      for (const xml of [inObj(`<${name} N="a">1</${name}>`), inObj(`<${name} N="a" />`), inObj(`<${name}\tN="a"\n/>`)]) {
        expectSameOrGaveUp(xml);
      }
    }
    for (const name of near) {
      const xml = inObj(`<${name} N="a">1</${name}>`);
      expect(expectSameOrGaveUp(xml), name).toBe('gave up');
      expect(expectSameOrGaveUp(inObj(`<S N="a">1</${name}>`)), `</${name}>`).toBe('gave up');
    }
    expect(expectSameOrGaveUp(inObj('<S N="a">x</S><I32 N="b">1</I32><Nil N="c" /><Version N="d">1.2</Version>'))).toBe('fast');
  });

  it('reads repeated property names as the reference does (first place, last value), shape or not', () => {
    const props = (members: string): string => `<Obj RefId="0"><Props>${members}</Props></Obj>`;
    for (let round = 0; round < 3; round++) {
      // The same run of names again and again: shared after the first, and each object reads alike.
      expect(expectSameOrGaveUp(props('<S N="a">1</S><S N="b">2</S><S N="a">3</S>'))).toBe('fast');
      expect(expectSameOrGaveUp(props('<S N="a">1</S><S N="b">2</S><S N="c">3</S>'))).toBe('fast');
    }
    const f = fast(props('<S N="a">1</S><S N="b">2</S><S N="a">3</S>'));
    expect('records' in f && [...(f.records[0]?.value as { adapted: Map<string, unknown> }).adapted]).toEqual([['a', '3'], ['b', '2']]);
  });

  it('checks a guessed name to its end: a name that is a prefix or an extension of the guess', () => {
    // Each pair trains "A" → first, then reads "A" → second: the guess must be refused whenever it differs.
    const pairs: [string, string][] = [['Peak', 'PeakWorkingSet'], ['PeakWorkingSet', 'Peak'], ['PeakWorkingSet', 'PeakWorkingSet64'], ['ab', 'a'], ['', 'x'], ['x', ''], ['Name', 'Nam"e'], ['it\'s', 'it']];
    for (const [first, second] of pairs) {
      for (let round = 0; round < 3; round++) expect(expectSameOrGaveUp(inObj(`<S N="A">1</S><S N="${first}">2</S>`))).toBe('fast');
      const xml = inObj(`<S N="A">1</S><S N="${second}">2</S>`);
      expectSameOrGaveUp(xml);
      if (!second.includes('"')) {
        const f = fast(xml);
        expect('records' in f && (f.records[0]?.value as { extended: Map<string, unknown> }).extended.has(second)).toBe(true);
      }
      // A guess followed by other attributes, by `/>`, or written with the other quote.
      expectSameOrGaveUp(inObj(`<S N="A">1</S><S N="${first}" S="x">2</S>`));
      expectSameOrGaveUp(inObj(`<S N="A">1</S><Nil N="${first}"/>`));
      expectSameOrGaveUp(inObj(`<S N="A">1</S><S N='${first}'>2</S>`));
    }
  });

  it('agrees with the reference on generated objects whose names and texts need decoding or not (fuzz)', () => {
    const names = ['A', 'Peak', 'PeakWorkingSet', 'PeakWorkingSet64', 'ab', 'a', '', 'it\'s', 'A_x0041_', 'A_x005F_x0041_', 'a\tb', 'a b',
      'a&amp;b', 'a&#x9;b', 'a\r\nb', 'a\nb', 'a_b', 'Name', 'Name64', 'Ab', 'x'.repeat(70), 'Résumé', 'chat \u{1F600}'];
    const texts = ['', 'x', 'a_b', '_x0041_', '_x005F_x0041_', 'a&amp;b', 'a\r\nb', 'a\rb', 'a\tb', 'a\nb', 'System.Object', 'a b', '&lt;x&gt;',
      'y'.repeat(70), 'Résumé', '\u2014'];
    const quoted = (value: string, quote: string): string => (value.includes(quote) ? `"${value}"` : `${quote}${value}${quote}`);
    const attr = fc.tuple(fc.constantFrom(...names), fc.constantFrom('"', '\''), fc.constantFrom(' N=', ' N = ', '  N=', '\tN='))
      .map(([n, q, pre]) => `${pre}${quoted(n, q)}`);
    const member = fc.oneof(
      fc.tuple(attr, fc.constantFrom(...texts)).map(([a, t]) => `<S${a}>${t}</S>`),
      fc.tuple(attr, fc.integer({ min: -5, max: 100_000 })).map(([a, n]) => `<I32${a}>${n}</I32>`),
      attr.map((a) => `<Nil${a} />`),
      fc.tuple(attr, fc.constantFrom('RefId="1"', 'RefId=\'2\'', 'RefId="07"', 'RefId = "3"', 'RefId="1234567890"', 'RefId="x"'))
        .map(([a, r]) => `<Obj${a} ${r}><ToString>t</ToString></Obj>`),
    );
    const typeNames = fc.array(fc.constantFrom(...texts, 'System.Diagnostics.Process', 'a\tb', 'a b'), { maxLength: 4 })
      .map((ts) => `<TN RefId="0">${ts.map((t) => `<T>${t}</T>`).join('')}</TN>`);
    const object = fc.tuple(typeNames, fc.array(member, { maxLength: 8 }))
      .map(([tn, ms]) => `<Obj RefId="0">${tn}<MS>${ms.join('')}</MS></Obj>`);
    const outcomes = { fast: 0, 'gave up': 0 };
    fc.assert(fc.property(fc.array(fc.tuple(object, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 }), (docs) => {
      // Each document read a few times in a row, so that its names are guessed the second time.
      for (const [xml, times] of docs) for (let k = 0; k < times; k++) outcomes[expectSameOrGaveUp(xml)] += 1;
    }), { numRuns: 1500, seed: 11 });
    console.log('fast reader vs reference on generated objects', outcomes);
    expect(outcomes.fast).toBeGreaterThan(outcomes['gave up']);
  });

  it('keeps texts and names apart: a tab is kept in a type name and a text, turned to a space in an attribute', () => {
    const xml = '<Obj RefId="0"><TN RefId="0"><T>a\tb</T><T>a b</T></TN><MS><S N="a\tb">a\tb</S><S N="c">a&#9;b_x0009_</S></MS></Obj>';
    for (let round = 0; round < 3; round++) expect(expectSameOrGaveUp(xml)).toBe('fast');
  });

  it('finds the texts that need decoding among many that do not, wherever the special characters fall', () => {
    const texts = ['a', 'b_c', 'd', 'e&amp;f', 'g\r\nh', 'i', '_x0041_', 'j', 'k\rl', 'm', '&#95;x0041_', 'n', 'o_', '_'];
    for (let shift = 0; shift < texts.length; shift++) {
      const order = [...texts.slice(shift), ...texts.slice(0, shift)];
      const xml = inObj(order.map((t, i) => `<S N="p${i}">${t}</S><I32 N="q${i}">${i}</I32>`).join(''));
      expect(expectSameOrGaveUp(xml)).toBe('fast');
    }
  });

  it('applies the string limit to a type name taken as written', () => {
    const xml = '<Obj RefId="0"><TN RefId="0"><T>abcdef</T></TN></Obj>';
    for (const maxStringLength of [5, 6, 7]) {
      const outcome = expectSameOrGaveUp(xml, { maxStringLength });
      expect(outcome).toBe(maxStringLength < 6 ? 'gave up' : 'fast');
    }
  });
});
