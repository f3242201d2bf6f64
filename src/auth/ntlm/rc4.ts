/**
 * RC4, the stream cipher of NTLM session security (MS-NLMP 3.4.3) and of its key exchange (RC4K).
 * OpenSSL 3 only offers it through the legacy provider, so it is written out here.
 *
 * NTLM seals every message of one direction with one continuing keystream: a `Rc4` object is that
 * cipher state (MS-NLMP's "handle"), and each `update` picks up where the previous one stopped.
 */

export class Rc4 {
  readonly #s = new Uint8Array(256);
  #i = 0;
  #j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    const s = this.#s;
    for (let i = 0; i < 256; i++) s[i] = i;
    let j = 0;
    for (let i = 0; i < 256; i++) {
      const si = s[i] as number;
      j = (j + si + (key[i % key.length] as number)) & 0xff;
      s[i] = s[j] as number;
      s[j] = si;
    }
  }

  /** XORs `data` with the next `data.length` keystream bytes; returns a new array. */
  update(data: Uint8Array): Uint8Array {
    const s = this.#s;
    const out = new Uint8Array(data.length);
    let i = this.#i;
    let j = this.#j;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i] as number;
      j = (j + si) & 0xff;
      const sj = s[j] as number;
      s[i] = sj;
      s[j] = si;
      out[n] = (data[n] as number) ^ (s[(si + sj) & 0xff] as number);
    }
    this.#i = i;
    this.#j = j;
    return out;
  }
}

/** RC4K(key, data) of MS-NLMP section 6: a fresh cipher used once (the key exchange). */
export function rc4k(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Rc4(key).update(data);
}
