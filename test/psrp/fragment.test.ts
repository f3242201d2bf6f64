import fc from 'fast-check';
import { serverProtocol } from '../../src/psrp/client/pipeline.js';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  decodeFragments,
  encodeFragment,
  fragmentMessage,
  Fragmenter,
  type Fragment,
} from '../../src/psrp/fragment.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import {
  compareVersions,
  DEFAULT_MAX_ENVELOPE_SIZE,
  maxBlobSize,
  maxEnvelopeSizeFor,
  maxPayloadSize,
  MODERN_MAX_ENVELOPE_SIZE,
} from '../../src/psrp/fragment-size.js';
import { PsrpProtocolError } from '../../src/psrp/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe('encodeFragment / decodeFragments', () => {
  it('lays out the §2.2.4 header big-endian', () => {
    const encoded = encodeFragment({ objectId: 1, fragmentId: 0, start: true, end: true, blob: Uint8Array.of(0xaa, 0xbb) });
    expect(hex(encoded)).toBe('0000000000000001' + '0000000000000000' + '03' + '00000002' + 'aabb');
    const middle = encodeFragment({ objectId: 0x0102030405, fragmentId: 7, start: false, end: false, blob: new Uint8Array(0) });
    expect(hex(middle)).toBe('0000000102030405' + '0000000000000007' + '00' + '00000000');
  });

  it('decodes several fragments of several objects from one payload', () => {
    const payload = concatBytes([
      encodeFragment({ objectId: 3, fragmentId: 1, start: false, end: true, blob: Uint8Array.of(1, 2, 3) }),
      encodeFragment({ objectId: 4, fragmentId: 0, start: true, end: false, blob: Uint8Array.of(9) }),
    ]);
    const frags = decodeFragments(payload);
    expect(frags.map((f) => [f.objectId, f.fragmentId, f.start, f.end, hex(f.blob)])).toEqual([
      [3, 1, false, true, '010203'],
      [4, 0, true, false, '09'],
    ]);
  });

  it('ignores the reserved flag bits', () => {
    const encoded = encodeFragment({ objectId: 1, fragmentId: 0, start: true, end: false, blob: Uint8Array.of(5) });
    encoded[16] = 0xfd; // reserved bits set, S set, E clear
    const [f] = decodeFragments(encoded);
    expect([f?.start, f?.end]).toEqual([true, false]);
  });

  it('decodes an empty payload to no fragments', () => {
    expect(decodeFragments(new Uint8Array(0))).toEqual([]);
  });

  it('refuses bad ids locally', () => {
    expect(() => encodeFragment({ objectId: 0, fragmentId: 0, start: true, end: true, blob: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encodeFragment({ objectId: 1, fragmentId: -1, start: true, end: true, blob: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => fragmentMessage(Uint8Array.of(1), 1, 0)).toThrow(RangeError);
  });
});

describe('hostile fragment input', () => {
  const good = encodeFragment({ objectId: 1, fragmentId: 0, start: true, end: true, blob: bytesOf(10) });

  it('truncated header -> PsrpProtocolError', () => {
    expect(() => decodeFragments(good.subarray(0, 20))).toThrow(/truncated fragment header/);
    expect(() => decodeFragments(good.subarray(0, 20))).toThrow(PsrpProtocolError);
  });

  it('truncated blob -> PsrpProtocolError', () => {
    expect(() => decodeFragments(good.subarray(0, good.length - 1))).toThrow(/BlobLength 10 but only 9 bytes follow/);
  });

  it('absurd BlobLength -> PsrpProtocolError, before any allocation', () => {
    const evil = Uint8Array.from(good);
    new DataView(evil.buffer).setUint32(17, 0xffffffff, false);
    expect(() => decodeFragments(evil)).toThrow(PsrpProtocolError);
    expect(() => decodeFragments(evil, 1024)).toThrow(/BlobLength 4294967295 exceeds the limit of 1024/);
  });

  it('ObjectId 0 or beyond 2^53 -> PsrpProtocolError', () => {
    const zero = Uint8Array.from(good);
    zero.fill(0, 0, 8);
    expect(() => decodeFragments(zero)).toThrow(/ObjectId is 0/);
    const huge = Uint8Array.from(good);
    huge.fill(0xff, 0, 8);
    expect(() => decodeFragments(huge)).toThrow(PsrpProtocolError);
  });

  it('fragment of an unknown object without the start flag', () => {
    const d = new Defragmenter();
    const orphan = encodeFragment({ objectId: 9, fragmentId: 1, start: false, end: true, blob: bytesOf(3) });
    expect(() => d.add(orphan)).toThrow(/fragment 1 of object 9 without a start fragment/);
  });

  it('duplicate and out-of-order FragmentIds', () => {
    const f0 = encodeFragment({ objectId: 2, fragmentId: 0, start: true, end: false, blob: bytesOf(3) });
    const f2 = encodeFragment({ objectId: 2, fragmentId: 2, start: false, end: true, blob: bytesOf(3) });
    const d1 = new Defragmenter();
    expect(d1.add(f0)).toEqual([]);
    expect(() => d1.add(f2)).toThrow(/got FragmentId 2, expected 1/);

    const d2 = new Defragmenter();
    d2.add(f0);
    expect(() => d2.add(f0)).toThrow(/object 2 started again/);
  });

  it('start fragment with a non-zero FragmentId', () => {
    const d = new Defragmenter();
    const f = encodeFragment({ objectId: 2, fragmentId: 5, start: true, end: true, blob: bytesOf(3) });
    expect(() => d.add(f)).toThrow(/starts with FragmentId 5/);
  });

  it('message over maxMessageSize', () => {
    const d = new Defragmenter({ maxMessageSize: 100 });
    const parts = fragmentMessage(bytesOf(101), 1, 60);
    expect(d.add(parts[0] ?? new Uint8Array(0))).toEqual([]);
    expect(() => d.add(parts[1] ?? new Uint8Array(0))).toThrow(/exceeds the message size limit of 100 bytes/);
  });

  it('too many half-assembled objects', () => {
    const d = new Defragmenter({ maxPendingObjects: 2 });
    const start = (id: number): Uint8Array => encodeFragment({ objectId: id, fragmentId: 0, start: true, end: false, blob: bytesOf(1) });
    d.add(start(1));
    d.add(start(2));
    expect(d.pendingObjects).toBe(2);
    expect(() => d.add(start(3))).toThrow(/more than 2 messages half-assembled/);
  });

  it('a single-fragment message does not count against maxPendingObjects', () => {
    const d = new Defragmenter({ maxPendingObjects: 1 });
    d.add(encodeFragment({ objectId: 1, fragmentId: 0, start: true, end: false, blob: bytesOf(1) }));
    expect(d.add(encodeFragment({ objectId: 2, fragmentId: 0, start: true, end: true, blob: bytesOf(1) }))).toHaveLength(1);
  });

  it('after a failure the defragmenter stays broken', () => {
    const d = new Defragmenter();
    expect(() => d.add(good.subarray(0, 5))).toThrow(PsrpProtocolError);
    expect(() => d.add(good)).toThrow(/defragmenter unusable after truncated fragment header/);
    const [f] = decodeFragments(good);
    expect(() => d.push(f as Fragment)).toThrow(/unusable after/);
  });

  it('never throws anything but PsrpProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }), (chunks) => {
        const d = new Defragmenter({ maxMessageSize: 1 << 16, maxPendingObjects: 4 });
        for (const c of chunks) {
          try {
            d.add(c);
          } catch (err) {
            if (!(err instanceof PsrpProtocolError)) throw err;
          }
        }
      }),
    );
  });
});

describe('fragmentMessage + Defragmenter round trips', () => {
  it('splits at maxBlobSize with S on the first and E on the last', () => {
    const parts = fragmentMessage(bytesOf(25), 7, 10).map((p) => decodeFragments(p)[0]);
    expect(parts.map((f) => [f?.objectId, f?.fragmentId, f?.start, f?.end, f?.blob.length])).toEqual([
      [7, 0, true, false, 10],
      [7, 1, false, false, 10],
      [7, 2, false, true, 5],
    ]);
    expect(fragmentMessage(new Uint8Array(0), 1, 10).map(hex)).toEqual(['0000000000000001000000000000000003' + '00000000']);
  });

  it('reassembles any message at any blob size (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 700 }), (message, blobSize) => {
        const d = new Defragmenter();
        const out = fragmentMessage(message, 1, blobSize).flatMap((p) => d.add(p));
        expect(out).toHaveLength(1);
        expect(hex(out[0] ?? new Uint8Array(0))).toBe(hex(message));
        expect(d.pendingObjects).toBe(0);
      }),
    );
  });

  it('reassembles interleaved objects in completion order (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 400 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 90 }),
        fc.infiniteStream(fc.nat()),
        (messages, blobSize, picks) => {
          const queues = messages.map((m, i) => fragmentMessage(m, i + 1, blobSize));
          const d = new Defragmenter();
          const completed: number[] = [];
          const it = picks[Symbol.iterator]();
          while (queues.some((q) => q.length > 0)) {
            const live = queues.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
            const idx = live[(it.next().value ?? 0) % live.length] ?? 0;
            const frag = queues[idx]?.shift() ?? new Uint8Array(0);
            for (const done of d.add(frag)) {
              completed.push(idx);
              expect(hex(done)).toBe(hex(messages[idx] ?? new Uint8Array(0)));
            }
          }
          expect([...completed].sort((a, b) => a - b)).toEqual(messages.map((_, i) => i));
        },
      ),
    );
  });

  it('reassembles across payload boundaries chosen by FragmentQueue (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 500 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 22, max: 300 }),
        (messages, budget) => {
          const queue = new Fragmenter().queue();
          const ids = messages.map((m) => queue.enqueue(m));
          expect(ids).toEqual(messages.map((_, i) => i + 1));
          const d = new Defragmenter();
          const out: Uint8Array[] = [];
          for (let payload = queue.dataToSend(budget); payload !== null; payload = queue.dataToSend(budget)) {
            expect(payload.length).toBeLessThanOrEqual(budget);
            out.push(...d.add(payload));
          }
          expect(queue.pendingMessages).toBe(0);
          expect(out.map(hex)).toEqual(messages.map(hex));
        },
      ),
    );
  });
});

describe('Fragmenter and FragmentQueue', () => {
  it('shares ObjectIds between the queues of one pool', () => {
    const fragmenter = new Fragmenter();
    const pool = fragmenter.queue();
    const pipeline = fragmenter.queue();
    expect([pool.enqueue(bytesOf(1)), pipeline.enqueue(bytesOf(1)), pool.enqueue(bytesOf(1))]).toEqual([1, 2, 3]);
    expect(fragmenter.allocateObjectId()).toBe(4);
    expect(new Fragmenter(100).allocateObjectId()).toBe(100);
  });

  it('packs several messages into one payload and cuts the last one to fit', () => {
    const queue = new Fragmenter().queue();
    queue.enqueue(bytesOf(10));
    queue.enqueue(bytesOf(10));
    queue.enqueue(bytesOf(40));
    const first = queue.dataToSend(21 + 10 + 21 + 10 + 21 + 15);
    expect(decodeFragments(first ?? new Uint8Array(0)).map((f) => [f.objectId, f.fragmentId, f.start, f.end, f.blob.length])).toEqual([
      [1, 0, true, true, 10],
      [2, 0, true, true, 10],
      [3, 0, true, false, 15],
    ]);
    const second = queue.dataToSend(1000);
    expect(decodeFragments(second ?? new Uint8Array(0)).map((f) => [f.objectId, f.fragmentId, f.start, f.end, f.blob.length])).toEqual([
      [3, 1, false, true, 25],
    ]);
    expect(queue.dataToSend(1000)).toBeNull();
  });

  it('does not emit an empty-blob fragment when the budget is exhausted', () => {
    const queue = new Fragmenter().queue();
    queue.enqueue(bytesOf(10));
    queue.enqueue(bytesOf(10));
    const payload = queue.dataToSend(21 + 10 + 21);
    expect(decodeFragments(payload ?? new Uint8Array(0))).toHaveLength(1);
    expect(queue.pendingMessages).toBe(1);
    expect(() => queue.dataToSend(21)).toThrow(RangeError);
  });

  it('Fragmenter.fragment matches fragmentMessage', () => {
    expect(new Fragmenter().fragment(bytesOf(30), 5, 7).map(hex)).toEqual(fragmentMessage(bytesOf(30), 5, 7).map(hex));
  });
});

describe('envelope budget', () => {
  it('compares versions numerically', () => {
    expect([compareVersions('2.2', '2.2'), compareVersions('2.1', '2.2'), compareVersions('2.10', '2.2'), compareVersions('2.3', '2.2.0')]).toEqual([0, -1, 1, 1]);
  });

  it('reads what a server version allows in CREATE_PIPELINE once: ExtraCmds from 2.2, Merge* from 2.2 and 2.3', () => {
    expect(['2.1', '2.2', '2.2.5', '2.3', '2.10'].map((v) => serverProtocol(v))).toEqual([
      { version: '2.1', extraCmds: false, merges: 'none' },
      { version: '2.2', extraCmds: true, merges: 'streams' },
      { version: '2.2.5', extraCmds: true, merges: 'streams' },
      { version: '2.3', extraCmds: true, merges: 'all' },
      { version: '2.10', extraCmds: true, merges: 'all' },
    ]);
  });

  it('uses 150 KiB until the server says protocol 2.2 or later, then 500 KiB', () => {
    expect([undefined, '2.0', '2.1', '2.2', '2.3'].map(maxEnvelopeSizeFor)).toEqual([
      DEFAULT_MAX_ENVELOPE_SIZE,
      153600,
      153600,
      MODERN_MAX_ENVELOPE_SIZE,
      512000,
    ]);
  });

  it('takes the envelope overhead and base64 growth off the envelope size', () => {
    expect(maxPayloadSize(153600)).toBe(113664); // (153600 - 2048) * 3 / 4
    expect(maxBlobSize(153600)).toBe(113643);
    expect(maxPayloadSize(512000)).toBe(382464);
    expect(maxPayloadSize(4096, 256)).toBe(2880);
    // The payload, base64-encoded, plus the overhead never exceeds the envelope.
    for (const size of [4096, 153600, 512000, 8192000]) {
      expect(Math.ceil(maxPayloadSize(size) / 3) * 4 + 2048).toBeLessThanOrEqual(size);
    }
    expect(() => maxPayloadSize(2048)).toThrow(RangeError);
  });
});
