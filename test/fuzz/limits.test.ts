/**
 * Every parser limit, tested at its boundary: the largest accepted input passes, one more is a
 * typed error with a clear message (issue 7, "Reliability and security").
 */
import { describe, expect, it } from 'vitest';
import { TsrError } from '../../src/errors.js';
import { parseXml, DEFAULT_XML_LIMITS } from '../../src/wsman/xml.js';
import { parseResponse } from '../../src/wsman/response.js';
import { ClixmlError, deserialize, PSObject } from '../../src/psrp/clixml/index.js';
import { toJSON } from '../../src/psrp/clixml/project.js';
import { clixmlToText } from '../../src/psrp/clixml/text.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeFragments, encodeFragment } from '../../src/psrp/fragment.js';
import { decodeAuthenticate, decodeChallenge, decodeNegotiate, encodeNegotiate } from '../../src/auth/ntlm/messages.js';
import { decodeAvPairs } from '../../src/auth/ntlm/av-pairs.js';
import { decodeEncryptedBody, encodeEncryptedBody } from '../../src/transport/encrypted-body.js';

/** The error `fn` throws; fails the test when it throws nothing or something untyped. */
function thrown(fn: () => unknown): TsrError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TsrError) return err;
    throw new Error(`expected a TsrError, got ${String(err)}`);
  }
  throw new Error('expected a TsrError, got no error');
}

const SOAP = 'http://www.w3.org/2003/05/soap-envelope';
const nestXml = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);

describe('WS-Man XML limits (src/wsman/xml.ts)', () => {
  it('accepts a document of exactly maxBytes UTF-8 bytes and refuses one byte more', () => {
    const doc = '<a>é</a>'; // 9 bytes, 8 UTF-16 units: the cap is in bytes
    expect(parseXml(doc, { maxBytes: 9 }).text).toBe('é');
    const err = thrown(() => parseXml(doc, { maxBytes: 8 }));
    expect(err.code).toBe('ETSR_XML_LIMIT');
    expect(err.message).toBe('XML document larger than 8 bytes');
  });

  it('accepts nesting of exactly maxDepth and refuses one level more', () => {
    expect(parseXml(nestXml(4), { maxDepth: 4 }).local).toBe('a');
    const err = thrown(() => parseXml(nestXml(5), { maxDepth: 4 }));
    expect(err.code).toBe('ETSR_XML_LIMIT');
    expect(err.message).toMatch(/nested deeper than 4/);
  });

  it('stops 100,000 levels of nesting with the depth limit, not a stack overflow', () => {
    expect(thrown(() => parseXml(nestXml(100_000))).code).toBe('ETSR_XML_LIMIT');
    expect(thrown(() => parseXml(`<s:Envelope xmlns:s="${SOAP}">${'<s:Body>'.repeat(50_000)}`)).code).toMatch(/ETSR_XML_(LIMIT|MALFORMED)/);
  });

  it('accepts exactly maxElements elements and refuses one more', () => {
    expect(parseXml(`<r>${'<a/>'.repeat(3)}</r>`, { maxElements: 4 }).children).toHaveLength(3);
    const err = thrown(() => parseXml(`<r>${'<a/>'.repeat(4)}</r>`, { maxElements: 4 }));
    expect(err.code).toBe('ETSR_XML_LIMIT');
    expect(err.message).toBe('XML has too many elements');
  });

  it('applies the defaults to responses: 4.5 MiB, 64 levels, 100,000 elements', () => {
    expect(DEFAULT_XML_LIMITS).toEqual({ maxBytes: 4_718_592, maxDepth: 64, maxElements: 100_000 });
    const body = (inner: string): string => `<s:Envelope xmlns:s="${SOAP}"><s:Body>${inner}</s:Body></s:Envelope>`;
    expect(thrown(() => parseResponse(body('x'.repeat(DEFAULT_XML_LIMITS.maxBytes)))).code).toBe('ETSR_XML_LIMIT');
    expect(thrown(() => parseResponse(body(nestXml(63)))).code).toBe('ETSR_XML_LIMIT');
    expect(parseResponse(body(nestXml(62))).body.children).toHaveLength(1);
    expect(thrown(() => parseResponse(body('<a/>'.repeat(100_000)))).code).toBe('ETSR_XML_LIMIT');
  });

  it('never expands entities: DOCTYPE, ENTITY and billion laughs are refused before parsing', () => {
    const laughs = '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r>&c;</r>';
    for (const doc of [laughs, '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>', '<!doctype r><r/>']) {
      const err = thrown(() => parseXml(doc));
      expect(err.code).toBe('ETSR_XML_MALFORMED');
      expect(err.message).toMatch(/DOCTYPE is refused/);
    }
    expect(thrown(() => parseXml('<r>&e;</r>')).message).toMatch(/undefined entity &e;/);
    expect(thrown(() => parseXml('<r>&#x110000;</r>')).code).toBe('ETSR_XML_MALFORMED');
    expect(parseXml('<r>&lt;&#65;&#x42;</r>').text).toBe('<AB');
  });

  it('tells DOCTYPE text inside CDATA from a real DOCTYPE, in one pass over 250 KB of them', () => {
    const many = `<r><![CDATA[${'<!DOCTYPE'.repeat(28_000)}]]></r>`;
    expect(parseXml(many).text).toHaveLength(9 * 28_000);
    expect(thrown(() => parseXml('<r><![CDATA[<!DOCTYPE]]><!DOCTYPE r></r>')).message).toMatch(/DOCTYPE is refused/);
    expect(thrown(() => parseXml('<r><![CDATA[<!DOCTYPE r></r>')).code).toBe('ETSR_XML_MALFORMED');
  });

  it('refuses names that are not QNames (":a", "a:", "a:b:c", an empty declared prefix)', () => {
    for (const doc of ['<:a/>', '<r><:a/></r>', '<r :x="1"/>', '<r xmlns:="urn:x"/>']) {
      expect(thrown(() => parseXml(doc)).code).toBe('ETSR_XML_MALFORMED');
    }
  });
});

const nestClixml = (n: number): string =>
  '<Obj RefId="0"><MS>' + Array.from({ length: n }, (_, i) => `<Obj N="c" RefId="${i + 1}"><MS>`).join('') +
  '<I32 N="x">1</I32>' + '</MS></Obj>'.repeat(n) + '</MS></Obj>';

/** Objects 1..n each hold two Refs to the one before: 2^n values once expanded. */
function doublingRefs(n: number): string {
  let doc = '<Obj RefId="r"><LST><Obj RefId="0"><LST><S>a</S><S>b</S></LST></Obj>';
  for (let i = 1; i <= n; i++) doc += `<Obj RefId="${i}"><LST><Ref RefId="${i - 1}" /><Ref RefId="${i - 1}" /></LST></Obj>`;
  return `${doc}</LST></Obj>`;
}

describe('CLIXML limits (src/psrp/clixml)', () => {
  it('accepts exactly maxDepth object levels and refuses one more', () => {
    expect(deserialize(nestClixml(9), { maxDepth: 10 })).toBeInstanceOf(PSObject);
    const err = thrown(() => deserialize(nestClixml(10), { maxDepth: 10 }));
    expect(err).toBeInstanceOf(ClixmlError);
    expect(err.code).toBe('ETSR_XML_LIMIT');
    expect(err.message).toMatch(/^objects nested deeper than 10 \(at Obj\/MS\//);
  });

  it('accepts exactly maxObjects values and refuses one more', () => {
    const five = `<Obj RefId="0"><LST>${'<S>a</S>'.repeat(5)}</LST></Obj>`; // the Obj and five strings
    expect(deserialize(five, { maxObjects: 6 })).toBeInstanceOf(PSObject);
    const err = thrown(() => deserialize(five, { maxObjects: 5 }));
    expect(err.code).toBe('ETSR_XML_LIMIT');
    expect(err.message).toMatch(/^more than 5 values/);
  });

  it('counts a Ref as the size of what it points to, up to exactly maxRefExpansion', () => {
    // r (1) + object 0 with two strings (3) + two Refs to it (3 each) = 10 values expanded
    const shared = '<Obj RefId="r"><LST><Obj RefId="0"><LST><S>a</S><S>b</S></LST></Obj><Ref RefId="0" /><Ref RefId="0" /></LST></Obj>';
    expect(deserialize(shared, { maxRefExpansion: 10 })).toBeInstanceOf(PSObject);
    const err = thrown(() => deserialize(shared, { maxRefExpansion: 9 }));
    expect(err.code).toBe('ETSR_XML_LIMIT');
    expect(err.message).toMatch(/^references expand to more than 9 values/);
    expect(err.hint).toMatch(/shared references/);
  });

  it('refuses a 2^40 reference graph of 120 elements by default, so projection never sees it', () => {
    const doc = doublingRefs(40);
    expect(doc.length).toBeLessThan(4000);
    expect(thrown(() => deserialize(doc)).message).toMatch(/references expand to more than 1000000 values/);
    // Below the cap the graph is accepted and projects in full: object i expands to 2^i copies of "a".
    const small = deserialize(doublingRefs(10)) as PSObject;
    expect(JSON.stringify(toJSON(small)).match(/"a"/g)).toHaveLength(2 ** 11 - 1);
  });

  it('refuses an Obj that wraps itself or an enclosing object (a cycle walkers cannot see)', () => {
    for (const doc of [
      '<Obj RefId="0"><Ref RefId="0" /></Obj>',
      '<Obj RefId="0"><TN RefId="0"><T>System.Enum</T></TN><Obj RefId="1"><Ref RefId="0" /></Obj></Obj>',
    ]) {
      const err = thrown(() => deserialize(doc));
      expect(err.code).toBe('ETSR_PSRP_PROTOCOL');
      expect(err.message).toMatch(/wraps itself or an enclosing object/);
    }
    // A property or list item that refers back is a legitimate cycle and is kept.
    const cyclic = deserialize('<Obj RefId="0"><MS><Ref N="self" RefId="0" /></MS><LST><Ref RefId="0" /></LST></Obj>') as PSObject;
    expect(cyclic.get('self')).toBe(cyclic);
    expect(toJSON(cyclic)).toEqual({ self: '[circular]' });
  });

  it('renders 20,000 stream values of a #< CLIXML blob line by line', () => {
    const blob = `#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${'<S S="warning">w</S>'.repeat(20_000)}</Objs>`;
    const text = clixmlToText(blob);
    expect(text.split('\n')).toHaveLength(20_001);
    expect(text.startsWith('WARNING: w\nWARNING: w\n')).toBe(true);
  });

  it('refuses DTDs and unknown entities in CLIXML', () => {
    expect(thrown(() => deserialize('<!DOCTYPE S [<!ENTITY e "x">]><S>&e;</S>')).code).toBe('ETSR_XML_MALFORMED');
    expect(thrown(() => deserialize('<S>&e;</S>')).code).toBe('ETSR_XML_MALFORMED');
  });
});

const fragment = (objectId: number, fragmentId: number, start: boolean, end: boolean, size: number): Uint8Array =>
  encodeFragment({ objectId, fragmentId, start, end, blob: new Uint8Array(size) });

describe('defragmenter limits (src/psrp/fragment-defragmenter.ts)', () => {
  it('assembles a message of exactly maxMessageSize and refuses one byte more', () => {
    const d = new Defragmenter({ maxMessageSize: 100 });
    expect(d.push({ objectId: 1, fragmentId: 0, start: true, end: false, blob: new Uint8Array(60) })).toBeNull();
    expect(d.push({ objectId: 1, fragmentId: 1, start: false, end: true, blob: new Uint8Array(40) })).toHaveLength(100);
    const over = new Defragmenter({ maxMessageSize: 100 });
    over.push({ objectId: 1, fragmentId: 0, start: true, end: false, blob: new Uint8Array(60) });
    const err = thrown(() => over.push({ objectId: 1, fragmentId: 1, start: false, end: true, blob: new Uint8Array(41) }));
    expect(err.code).toBe('ETSR_PSRP_PROTOCOL');
    expect(err.message).toBe('object 1 exceeds the message size limit of 100 bytes');
  });

  it('keeps exactly maxPendingObjects messages open and refuses one more', () => {
    const d = new Defragmenter({ maxPendingObjects: 3 });
    for (let id = 1; id <= 3; id++) d.add(fragment(id, 0, true, false, 1));
    expect(d.pendingObjects).toBe(3);
    expect(d.add(fragment(9, 0, true, true, 1))).toHaveLength(1); // a whole message needs no slot
    expect(thrown(() => d.add(fragment(4, 0, true, false, 1))).message).toBe('more than 3 messages half-assembled at once');
  });

  it('holds exactly maxPendingBytes across open messages, refuses one byte more and breaks for good', () => {
    const d = new Defragmenter({ maxMessageSize: 1000, maxPendingBytes: 100 });
    d.add(fragment(1, 0, true, false, 50));
    d.add(fragment(2, 0, true, false, 50));
    expect(d.pendingBytes).toBe(100);
    expect(d.add(fragment(1, 1, false, true, 10))).toEqual([new Uint8Array(60)]);
    expect(d.pendingBytes).toBe(50);
    d.add(fragment(3, 0, true, false, 50));
    const err = thrown(() => d.add(fragment(3, 1, false, false, 1)));
    expect(err.message).toBe('half-assembled messages would hold more than 100 bytes');
    expect(thrown(() => d.add(fragment(5, 0, true, true, 1))).message).toMatch(/^defragmenter unusable after half-assembled/);
  });

  it('defaults the pending-bytes cap to twice maxMessageSize', () => {
    const d = new Defragmenter({ maxMessageSize: 100, maxPendingObjects: 10 });
    for (let id = 1; id <= 2; id++) d.add(fragment(id, 0, true, false, 100));
    expect(d.pendingBytes).toBe(200);
    expect(thrown(() => d.add(fragment(3, 0, true, false, 1))).message).toMatch(/more than 200 bytes/);
  });

  it('refuses absurd fragment headers without allocating: 4 GiB BlobLength, 2^64 ids, ObjectId 0', () => {
    const header = (objectId: bigint, fragmentId: bigint, blobLength: number): Uint8Array => {
      const out = new Uint8Array(21);
      const view = new DataView(out.buffer);
      view.setBigUint64(0, objectId);
      view.setBigUint64(8, fragmentId);
      view.setUint8(16, 3);
      view.setUint32(17, blobLength);
      return out;
    };
    expect(thrown(() => new Defragmenter().add(header(1n, 0n, 0xffffffff))).message).toMatch(/exceeds the limit of 67108864 bytes/);
    expect(thrown(() => decodeFragments(header(1n, 0n, 5))).message).toMatch(/^truncated fragment: BlobLength 5/);
    expect(thrown(() => decodeFragments(header(2n ** 64n - 1n, 0n, 0))).message).toMatch(/beyond what we track/);
    expect(thrown(() => decodeFragments(header(1n, 2n ** 63n, 0))).message).toMatch(/FragmentId/);
    expect(thrown(() => decodeFragments(header(0n, 0n, 0))).message).toMatch(/ObjectId is 0/);
  });
});

describe('NTLM and multipart/encrypted bounds', () => {
  it('refuses security buffers that point past the end of the token', () => {
    const token = encodeNegotiate(0xe2088297);
    const view = new DataView(token.buffer, token.byteOffset);
    view.setUint16(16, 8, true); // DomainName: 8 bytes ...
    view.setUint32(20, 0xfffffff0, true); // ... at an offset far past the end
    expect(thrown(() => decodeNegotiate(token)).message).toMatch(/DomainName runs past the end/);
    expect(thrown(() => decodeChallenge(token)).message).toMatch(/expected CHALLENGE/);
    expect(thrown(() => decodeAuthenticate(new Uint8Array(12))).code).toBe('ETSR_AUTH_REJECTED');
    expect(thrown(() => decodeAvPairs(Uint8Array.of(2, 0, 0xff, 0xff))).message).toMatch(/runs past the end/);
  });

  it('refuses a multipart/encrypted header length beyond the body or past 64 KiB', () => {
    const body = encodeEncryptedBody(new Uint8Array(16), new Uint8Array(8), 8);
    const at = body.indexOf('application/octet-stream\r\n', 0, 'latin1') + 'application/octet-stream\r\n'.length;
    for (const length of [25, 0x10001, 0xffffffff]) {
      const copy = Buffer.from(body);
      copy.writeUInt32LE(length, at);
      expect(thrown(() => decodeEncryptedBody(copy)).message).toMatch(new RegExp(`header length ${length} does not fit`));
    }
    expect(decodeEncryptedBody(body).data).toHaveLength(8);
  });
});
