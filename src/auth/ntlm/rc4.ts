/**
 * RC4, the stream cipher of NTLM session security (MS-NLMP 3.4.3) and of its key exchange (RC4K).
 * OpenSSL 3 only offers it through the legacy provider, so it is written out here: the keystream
 * loop in WebAssembly where it can run (rc4-wasm.ts, about a third faster), else in JavaScript.
 *
 * NTLM seals every message of one direction with one continuing keystream: a `Rc4` object is that
 * cipher state (MS-NLMP's "handle"), and each `update` picks up where the previous one stopped.
 */
import { RC4_I_AT, RC4_J_AT, RC4_STATE_BYTES, wasmKeystream } from './rc4-wasm.js';

/** Below this many bytes (checksums, RC4K's 16-byte key) the copies into WebAssembly cost more than they save. */
const WASM_FROM_BYTES = 64;

export class Rc4 {
  /** S, then i, then j (rc4-wasm.ts's layout). */
  readonly #state: Uint8Array;

  constructor(key: Uint8Array) {
    this.#state = keySchedule(key);
  }

  /**
   * XORs `data` with the next `data.length` keystream bytes into `out` (a new array unless given;
   * `out` may be `data` itself, to work in place) and returns `out`.
   */
  update(data: Uint8Array, out: Uint8Array = new Uint8Array(data.length)): Uint8Array {
    const wasm = data.length >= WASM_FROM_BYTES ? wasmKeystream() : undefined;
    if (wasm) wasm(this.#state, data, out);
    else keystreamXor(this.#state, data, out);
    return out;
  }
}

/** The key-scheduling algorithm: a fresh cipher state (S, i = 0, j = 0) for `key`. */
export function keySchedule(key: Uint8Array): Uint8Array {
  if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
  const s = new Uint8Array(RC4_STATE_BYTES);
  for (let i = 0; i < 256; i++) s[i] = i;
  let j = 0;
  for (let i = 0; i < 256; i++) {
    const si = s[i] as number;
    j = (j + si + (key[i % key.length] as number)) & 0xff;
    s[i] = s[j] as number;
    s[j] = si;
  }
  return s;
}

/** The keystream loop in JavaScript: the same work as rc4.wat's `crypt`. */
export function keystreamXor(state: Uint8Array, data: Uint8Array, out: Uint8Array): void {
  const s = state;
  let i = s[RC4_I_AT] as number;
  let j = s[RC4_J_AT] as number;
  for (let n = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    const si = s[i] as number;
    j = (j + si) & 0xff;
    const sj = s[j] as number;
    s[i] = sj;
    s[j] = si;
    out[n] = (data[n] as number) ^ (s[(si + sj) & 0xff] as number);
  }
  s[RC4_I_AT] = i;
  s[RC4_J_AT] = j;
}

/** RC4K(key, data) of MS-NLMP section 6: a fresh cipher used once (the key exchange). */
export function rc4k(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Rc4(key).update(data);
}
