import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NS,
  XmlParseError,
  attr,
  child,
  childrenOf,
  el,
  escapeAttr,
  escapeText,
  formatDuration,
  parseDuration,
  parseXml,
  resolveQName,
  textOf,
  WSManProtocolError,
} from '../../src/wsman/index.js';
import { TsrError } from '../../src/errors.js';

function parseError(text: string, limits?: Parameters<typeof parseXml>[1]): XmlParseError {
  try {
    parseXml(text, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(XmlParseError);
    return err as XmlParseError;
  }
  throw new Error('expected parseXml to throw');
}

describe('parseXml', () => {
  it('resolves prefixes to namespaces, whatever the prefix', () => {
    const a = parseXml(`<s:Envelope xmlns:s="${NS.s}"><s:Body><x:A xmlns:x="urn:a" x:k="v" plain="p">t</x:A></s:Body></s:Envelope>`);
    const b = parseXml(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="${NS.s}"><SOAP-ENV:Body><A xmlns="urn:a" xmlns:q="urn:a" q:k="v" plain="p">t</A></SOAP-ENV:Body></SOAP-ENV:Envelope>`);
    for (const root of [a, b]) {
      expect([root.ns, root.local]).toEqual([NS.s, 'Envelope']);
      const inner = child(child(root, NS.s, 'Body'), 'urn:a', 'A');
      expect(inner?.attrs).toEqual([
        { ns: 'urn:a', local: 'k', value: 'v' },
        { ns: '', local: 'plain', value: 'p' },
      ]);
      expect(textOf(inner)).toBe('t');
    }
  });

  it('handles xmlns redeclared on inner elements and the default namespace', () => {
    const root = parseXml('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/><e xmlns="urn:3"><f/></e></p:a>');
    expect(root.children.map((c) => [c.ns, c.local])).toEqual([
      ['urn:2', 'b'],
      ['urn:1', 'd'],
      ['urn:3', 'e'],
    ]);
    expect(root.children[0]?.children[0]?.ns).toBe('urn:2');
    expect(root.children[2]?.children[0]?.ns).toBe('urn:3');
  });

  it('reads xml:lang, CDATA, entities and character references', () => {
    const root = parseXml(
      '<a xml:lang="en-US" v="&lt;&amp;&quot;&apos;&#65;&#x42;">x &amp; y<![CDATA[<raw & stuff>]]>&#x1F600;</a>',
    );
    expect(attr(root, 'lang', NS.xml)).toBe('en-US');
    expect(attr(root, 'v')).toBe(`<&"'AB`);
    expect(root.text).toBe('x & y<raw & stuff>😀');
  });

  it('accepts the utf-16 prologue winrmsharp records (the text is already decoded)', () => {
    const root = parseXml('<?xml version="1.0" encoding="utf-16"?>\n\n<a><b/></a>');
    expect(root.local).toBe('a');
    expect(root.children.map((c) => c.local)).toEqual(['b']);
  });

  it('resolves QName-valued text against the scope of its element', () => {
    const root = parseXml('<a xmlns:w="urn:w"><v xmlns:z="urn:z">z:Thing</v><u>w:Other</u></a>');
    expect(resolveQName(root.children[0]!, 'z:Thing')).toEqual({ ns: 'urn:z', local: 'Thing' });
    expect(resolveQName(root.children[1]!, ' w:Other ')).toEqual({ ns: 'urn:w', local: 'Other' });
  });

  it('childrenOf keeps document order and filters by namespace', () => {
    const root = parseXml('<a xmlns:x="urn:x"><x:i>1</x:i><i>no</i><x:i>2</x:i></a>');
    expect(childrenOf(root, 'urn:x', 'i').map(textOf)).toEqual(['1', '2']);
  });

  it.each([
    ['not XML', 'This is not XML at all.'],
    ['mismatched tags', '<a><b></a>'],
    ['truncated', '<a><b'],
    ['two roots', '<a/><b/>'],
    ['trailing text', '<a/>junk'],
    ['unbound element prefix', '<x:a/>'],
    ['unbound attribute prefix', '<a x:y="1"/>'],
    ['undefined entity', '<a>&nbsp;</a>'],
    ['bare ampersand', '<a>fish & chips</a>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['empty', ''],
    ['a reserved property name as element', '<__proto__/>'],
  ])('rejects %s with ETSR_XML_MALFORMED', (_name, text) => {
    const err = parseError(text);
    expect(err.code).toBe('ETSR_XML_MALFORMED');
    expect(err).toBeInstanceOf(TsrError);
  });

  it('rejects any DOCTYPE (billion laughs, external entities) before parsing', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    const xxe = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    for (const text of [laughs, xxe, '<!doctype a><a/>']) {
      const err = parseError(text);
      expect(err.code).toBe('ETSR_XML_MALFORMED');
      expect(err.message).toMatch(/DOCTYPE/);
    }
    // Inside CDATA the word is just text.
    expect(parseXml('<a><![CDATA[<!DOCTYPE x>]]></a>').text).toBe('<!DOCTYPE x>');
  });

  it('enforces the size limit in bytes (ETSR_XML_LIMIT)', () => {
    const big = `<a>${'x'.repeat(2000)}</a>`;
    expect(parseError(big, { maxBytes: 1000 }).code).toBe('ETSR_XML_LIMIT');
    // 400 three-byte characters are 1200 UTF-8 bytes although only 400 UTF-16 units.
    expect(parseError(`<a>${'こ'.repeat(400)}</a>`, { maxBytes: 1000 }).code).toBe('ETSR_XML_LIMIT');
    expect(parseXml(big, { maxBytes: 4000 }).text).toHaveLength(2000);
    // The default covers a 4 MiB envelope.
    expect(parseXml(`<a>${'x'.repeat(4 * 1024 * 1024)}</a>`).text).toHaveLength(4 * 1024 * 1024);
    expect(parseError(`<a>${'x'.repeat(5 * 1024 * 1024)}</a>`).code).toBe('ETSR_XML_LIMIT');
  });

  it('enforces the depth limit (ETSR_XML_LIMIT), even for very deep input', () => {
    const deep = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(parseXml(deep(64)).local).toBe('a');
    expect(parseError(deep(65)).code).toBe('ETSR_XML_LIMIT');
    expect(parseError(deep(200_000)).code).toBe('ETSR_XML_LIMIT');
    expect(parseError(deep(10), { maxDepth: 5 }).code).toBe('ETSR_XML_LIMIT');
  });

  it('enforces the element-count limit (ETSR_XML_LIMIT)', () => {
    const wide = `<a>${'<b/>'.repeat(1000)}</a>`;
    expect(parseXml(wide, { maxElements: 1001 }).children).toHaveLength(1000);
    expect(parseError(wide, { maxElements: 1000 }).code).toBe('ETSR_XML_LIMIT');
  });
});

describe('escaping writer', () => {
  it('escapes text and attributes', () => {
    expect(escapeText(`a<b>&"'\r`)).toBe(`a&lt;b&gt;&amp;"'&#xD;`);
    expect(escapeAttr(`a<b>&"'\t\n`)).toBe('a&lt;b&gt;&amp;&quot;&apos;&#x9;&#xA;');
    expect(el('rsp:X', { A: 'x"y', B: undefined }, 'in')).toBe('<rsp:X A="x&quot;y">in</rsp:X>');
    expect(el('rsp:X')).toBe('<rsp:X />');
  });

  it('any string survives escapeText -> parse and escapeAttr -> parse (property)', () => {
    expect.assertions(1);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const root = parseXml(`<r a="${escapeAttr(s)}" b='${escapeAttr(s)}'>${escapeText(s)}</r>`);
        return root.text === s && attr(root, 'a') === s && attr(root, 'b') === s;
      }),
      { numRuns: 500 },
    );
    expect(true).toBe(true);
  });
});

describe('long text runs (set aside before fast-xml-parser)', () => {
  it('survive in text, attributes and CDATA, entities still decoded', () => {
    const run = 'A&amp;B'.repeat(1000);
    const plain = 'A&B'.repeat(1000);
    const root = parseXml(
      `<r a="x>${run}<"><t>${run}</t><c><![CDATA[>${'x'.repeat(3000)}<]]></c><!-- >${'y'.repeat(5000)}< --><u>${'>'.repeat(3000)}</u></r>`,
    );
    expect(attr(root, 'a')).toBe(`x>${plain}<`);
    expect(root.children[0]?.text).toBe(plain);
    expect(root.children[1]?.text).toBe(`>${'x'.repeat(3000)}<`);
    expect(root.children[2]?.text).toBe('>'.repeat(3000));
    expect(parseError(`<r>${'x&y'.repeat(2000)}</r>`).code).toBe('ETSR_XML_MALFORMED');
    // A document that already holds the private-use marker is parsed the slow way, unchanged.
    expect(parseXml(`<r>\uE000${'z'.repeat(5000)}\uE0010\uE001</r>`).text).toBe(`\uE000${'z'.repeat(5000)}\uE0010\uE001`);
  });

  it('any long string survives escape -> parse (property)', () => {
    expect.assertions(1);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 2048, maxLength: 6000 }), fc.string({ maxLength: 30 }), (long, short) => {
        const root = parseXml(`<r x="${escapeAttr(long)}"><a>${escapeText(long)}</a><b>${escapeText(short)}</b><a>${escapeText(long)}</a></r>`);
        return attr(root, 'x') === long && root.children[0]?.text === long && root.children[1]?.text === short && root.children[2]?.text === long;
      }),
      { numRuns: 60 },
    );
    expect(true).toBe(true);
  });
});

describe('durations', () => {
  it('formats as Windows writes them', () => {
    expect(formatDuration(20)).toBe('PT20S');
    expect(formatDuration(7200.5)).toBe('PT7200.500S');
    expect(() => formatDuration(-1)).toThrow(TsrError);
    expect(() => formatDuration(Number.NaN)).toThrow(TsrError);
  });

  it.each([
    ['PT20S', 20],
    ['PT60.000S', 60],
    ['PT7200.000S', 7200],
    ['PT2147483.647S', 2147483.647],
    ['P0DT0H0M0S', 0],
    ['P0DT0H0M9S', 9],
    ['P1DT2H3M4S', 93784],
    ['  PT5S  ', 5],
  ])('parses %s', (text, sec) => {
    expect(parseDuration(text)).toBeCloseTo(sec, 6);
  });

  it.each(['PT-1S', 'P', 'PT', '20', 'PTS', 'PT1.S', `PT${'9'.repeat(400)}S`])('rejects %s with WSManProtocolError', (text) => {
    expect(() => parseDuration(text)).toThrow(WSManProtocolError);
  });
});
