/**
 * MD4 (RFC 1320), needed only for NTOWFv1 — the NT hash, MD4(UTF-16LE(password)) — which NTOWFv2
 * builds on. OpenSSL 3 moved MD4 to its legacy provider, so `node:crypto` cannot be relied on for it.
 *
 * MD4 is broken as a general hash; here it only reproduces the NT hash Windows stores. The input is
 * a password, so this one-shot function never streams.
 */

const S1 = [3, 7, 11, 19] as const;
const S2 = [3, 5, 9, 13] as const;
const S3 = [3, 9, 11, 15] as const;
// Round 3 visits the words in bit-reversed order (RFC 1320 section 3.4).
const R3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** The 16-byte MD4 digest of `data`. */
export function md4(data: Uint8Array): Uint8Array {
  // Pad: 0x80, zeros to 56 mod 64, then the bit length as a little-endian u64.
  const padded = new Uint8Array((((data.length + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = data.length * 8;
  view.setUint32(padded.length - 8, bits >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(bits / 0x1_0000_0000), true);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Uint32Array(16);

  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = view.getUint32(block + i * 4, true);
    const [aa, bb, cc, dd] = [a, b, c, d];
    const w = (i: number): number => x[i] as number;

    for (let i = 0; i < 16; i++) {
      const f = (b & c) | (~b & d);
      const t = rotl((a + f + w(i)) >>> 0, S1[i % 4] as number);
      [a, b, c, d] = [d, t, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const g = (b & c) | (b & d) | (c & d);
      const k = (i % 4) * 4 + (i >> 2);
      const t = rotl((a + g + w(k) + 0x5a827999) >>> 0, S2[i % 4] as number);
      [a, b, c, d] = [d, t, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const h = b ^ c ^ d;
      const t = rotl((a + h + w(R3_ORDER[i] as number) + 0x6ed9eba1) >>> 0, S3[i % 4] as number);
      [a, b, c, d] = [d, t, b, c];
    }

    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }

  const out = new Uint8Array(16);
  const outView = new DataView(out.buffer);
  outView.setUint32(0, a, true);
  outView.setUint32(4, b, true);
  outView.setUint32(8, c, true);
  outView.setUint32(12, d, true);
  return out;
}
