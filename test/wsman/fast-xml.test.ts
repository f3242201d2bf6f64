/**
 * The one-pass envelope reader (src/wsman/fast-xml.ts) against the slow way (fast-xml-parser and
 * its validator): wherever the fast path gives a tree, the slow way gives the same tree; wherever
 * the slow way refuses a document, the fast path does not accept it. Over every recorded envelope,
 * hand-picked edge cases, and mutations of the recordings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXmlFast } from '../../src/wsman/fast-xml.js';
import { DEFAULT_XML_LIMITS, parseXml, parseXmlSlowly } from '../../src/wsman/xml.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { mutatedText } from '../fuzz/mutate.mjs';
import { loadCorpus } from './corpus.js';

const LIMITS = { maxDepth: DEFAULT_XML_LIMITS.maxDepth, maxElements: DEFAULT_XML_LIMITS.maxElements };

type Outcome = { tree: unknown } | { error: string };
const slow = (xml: string): Outcome => {
  try {
    return { tree: parseXmlSlowly(xml) };
  } catch (err) {
    return { error: `${(err as { code?: string }).code}: ${(err as Error).message}` };
  }
};

/** The fast path's answer must be the slow path's, or "unsure". */
function agree(xml: string): 'fast' | 'unsure' {
  const fast = parseXmlFast(xml, LIMITS);
  const expected = slow(xml);
  if (fast === undefined) return 'unsure';
  expect('tree' in expected ? expected.tree : expected).toEqual(fast);
  return 'fast';
}

describe('fast envelope reader: edge cases', () => {
  const S = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope"';
  const cases: [string, 'fast' | 'unsure'][] = [
    [`<s:Envelope ${S}><s:Body>x &amp; &lt;y&gt; &#65;&#x42;</s:Body></s:Envelope>`, 'fast'],
    [`<?xml version="1.0" encoding="utf-8"?>\n<s:Envelope ${S}/>\n`, 'fast'],
    [`<a b='1' c = "2 > 1"><d xmlns="urn:d" e="&quot;"/></a>`, 'fast'],
    [`<a>  <b/>\t<c>\n</c></a>`, 'fast'],
    [`<a><!-- c --></a>`, 'unsure'],
    [`<a><![CDATA[x]]></a>`, 'unsure'],
    [`\uFEFF<a/>`, 'unsure'],
    [`<a>x\r\ny</a>`, 'unsure'],
    [`<a b="1" b="2"/>`, 'unsure'],
    [`<a></b>`, 'unsure'],
    [`<a></a >`, 'unsure'],
    [`<p:a/>`, 'unsure'],
    [`<a p:b="1"/>`, 'unsure'],
    [`<constructor:a/>`, 'unsure'],
    [`<a xmlns:__proto__="urn:x"/>`, 'unsure'],
    [`<__proto__/>`, 'unsure'],
    [`<a constructor="1"/>`, 'unsure'],
    [`<a><toString/></a>`, 'unsure'],
    [`<a>&lol;</a>`, 'unsure'],
    [`<a>& </a>`, 'unsure'],
    [`<a>]]></a>`, 'unsure'],
    [`<a/><b/>`, 'unsure'],
    [`<a/>x`, 'unsure'],
    [`<a b=1/>`, 'unsure'],
    [`<a b="<"/>`, 'unsure'],
    [`<a:b:c xmlns:a="urn:a"/>`, 'unsure'],
    [`<1a/>`, 'unsure'],
    [`<a\u0000/>`, 'unsure'],
  ];
  it.each(cases)('%s → %s', (xml, want) => {
    expect(agree(xml)).toBe(want);
  });

  it('leaves every Object.prototype name to the slow path, and reads look-alikes itself', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) {
      expect([name, agree(`<${name}/>`), agree(`<a ${name}="1"/>`), agree(`<p:${name} xmlns:p="urn:p"/>`)]).toEqual([name, 'unsure', 'unsure', 'unsure']);
    }
    // Same first letter and length as one of them (toString, constructor), or a WS-Man name.
    for (const name of ['tostring', 'toStrinG', 'construct0r', 'mustUnderstand', 'creationXml']) {
      expect([name, agree(`<${name}/>`), agree(`<a ${name}="1"/>`)]).toEqual([name, 'fast', 'fast']);
    }
  });

  it('leaves the depth and element limits to the slow path, which names them', () => {
    const deep = '<a>'.repeat(70) + '</a>'.repeat(70);
    expect(parseXmlFast(deep, LIMITS)).toBeUndefined();
    expect(() => parseXml(deep)).toThrow(/nested deeper than 64/);
    const wide = `<a>${'<b/>'.repeat(20)}</a>`;
    expect(parseXmlFast(wide, { maxDepth: 64, maxElements: 10 })).toBeUndefined();
    expect(() => parseXml(wide, { maxElements: 10 })).toThrow(/too many elements/);
  });
});

describeFixtures('fast envelope reader: recorded envelopes', (dir) => {
  const corpus = loadCorpus(dir);

  it('reads (almost) every recorded envelope itself, exactly as the slow way does', () => {
    let fast = 0;
    for (const e of corpus) if (agree(e.xml) === 'fast') fast++;
    // Those left to the slow path carry comments, CDATA, CRs or a BOM; the figure guards the
    // fast path against silently covering less.
    expect(corpus.length).toBeGreaterThan(1200);
    expect(fast / corpus.length).toBeGreaterThan(0.9);
  });

  it('never disagrees with the slow way on mutated envelopes', () => {
    const seeds = corpus.map((e) => e.xml).filter((x) => x.length < 64 * 1024);
    let fast = 0;
    fc.assert(
      fc.property(mutatedText(seeds), (xml) => {
        if (agree(xml) === 'fast') fast++;
      }),
      { numRuns: 3000, seed: 20261124 },
    );
    expect(fast).toBeGreaterThan(100);
  });
});
