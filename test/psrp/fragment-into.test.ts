/**
 * The sending side writes each payload's fragments straight into one array (encodeFragmentInto)
 * and encodes a message's UTF-8 in place: the bytes must be exactly what encoding each fragment
 * on its own and joining them (the earlier implementation) gives.
 */
import { describe, expect, it } from 'vitest';
import { FRAGMENT_HEADER_SIZE } from '../../src/psrp/constants.js';
import { Fragmenter, concatBytes, decodeFragments, encodeFragment, encodeFragmentInto, type Fragment } from '../../src/psrp/fragment.js';
import { Destination, MessageType } from '../../src/psrp/constants.js';
import { decodeMessage, encodeMessage } from '../../src/psrp/message.js';

/** The payloads as the old code cut them: encodeFragment per fragment, then concatBytes. */
function referencePayloads(messages: Uint8Array[], maxBytes: number): Uint8Array[] {
  const pending = messages.map((data, i) => ({ objectId: i + 1, data, offset: 0, fragmentId: 0 }));
  const out: Uint8Array[] = [];
  while (pending.length > 0) {
    const parts: Uint8Array[] = [];
    let room = maxBytes;
    while (room > FRAGMENT_HEADER_SIZE && pending.length > 0) {
      const head = pending[0]!;
      const blob = head.data.subarray(head.offset, head.offset + room - FRAGMENT_HEADER_SIZE);
      const start = head.fragmentId === 0;
      head.offset += blob.length;
      const end = head.offset >= head.data.length;
      const encoded = encodeFragment({ objectId: head.objectId, fragmentId: head.fragmentId, start, end, blob });
      parts.push(encoded);
      room -= encoded.length;
      head.fragmentId += 1;
      if (end) pending.shift();
    }
    out.push(concatBytes(parts));
  }
  return out;
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('Fragmenter payloads written in place', () => {
  for (const [sizes, maxBytes] of [
    [[0], 100], [[10], 100], [[79], 100], [[80], 100], [[1000], 100], [[5, 7, 300, 1, 0, 64], 64],
    [[262_144 + 17], 153_600 - 2048], [[3000, 3000, 3000], 22],
  ] as [number[], number][]) {
    it(`cuts messages of ${sizes.join(', ')} bytes into ≤ ${maxBytes}-byte payloads exactly as before`, () => {
      const messages = sizes.map((n, i) => bytes(n, i));
      const queue = new Fragmenter().queue();
      for (const m of messages) queue.enqueue(m);
      const got: Uint8Array[] = [];
      for (let p = queue.dataToSend(maxBytes); p !== null; p = queue.dataToSend(maxBytes)) {
        expect(p.length).toBeLessThanOrEqual(maxBytes);
        got.push(p);
      }
      expect(got).toEqual(referencePayloads(messages, maxBytes));
    });
  }

  it('encodeFragmentInto writes what encodeFragment returns, at any offset, and refuses to overrun', () => {
    const f: Fragment = { objectId: 2 ** 40 + 3, fragmentId: 7, start: false, end: true, blob: bytes(33, 9) };
    const out = new Uint8Array(5 + FRAGMENT_HEADER_SIZE + 33);
    expect(encodeFragmentInto(f, out, 5)).toBe(out.length);
    expect(out.subarray(5)).toEqual(encodeFragment(f));
    expect(decodeFragments(out.subarray(5))).toEqual([f]);
    expect(() => encodeFragmentInto(f, out, 6)).toThrow(RangeError);
  });
});

describe('encodeMessage encodes UTF-8 in place', () => {
  const rpid = '76056A84-51DC-4F24-9262-CA2A55464B2B';
  const pid = '00000000-0000-0000-0000-000000000000';
  for (const data of ['', '<Obj RefId="0"/>', 'é€😀 and a lone surrogate \ud800 end', 'x'.repeat(100_000)]) {
    it(`gives the TextEncoder bytes for ${JSON.stringify(data.slice(0, 20))}`, () => {
      const got = encodeMessage({ destination: Destination.Server, type: MessageType.CREATE_PIPELINE, rpid, pid, data });
      const body = new TextEncoder().encode(data);
      const bom = body.length > 0 ? 3 : 0;
      expect(got.length).toBe(40 + bom + body.length);
      expect(got.subarray(40 + bom)).toEqual(body);
      if (bom) expect([...got.subarray(40, 43)]).toEqual([0xef, 0xbb, 0xbf]);
      if (!data.includes('\ud800')) expect(decodeMessage(got).data).toBe(data);
    });
  }
});
