/**
 * RC4's keystream loop in WebAssembly: rc4.wat, compiled by wabt to the 199 bytes below
 * (test/auth/ntlm/rc4-wasm.test.ts compiles the .wat again and compares).
 *
 * Why: sealing runs RC4 over every byte of every message, both ways, and OpenSSL 3 keeps its RC4
 * in the legacy provider, which a Node process does not load unless started with a flag. The same
 * loop runs at about 1.5 ns a byte here against 2.3 as JavaScript (issue 8, scenario 7, where
 * sealing a 256 KiB body must cost at most half again what the plain request costs).
 *
 * One module instance serves every cipher: each call copies the caller's 258-byte state (S, i, j)
 * in, runs the bytes through in chunks that fit the module's memory, copies the state back and
 * zeroes what it used.
 * Where WebAssembly is unavailable (`node --jitless`), `wasmKeystream()` is undefined and rc4.ts
 * runs its JavaScript loop.
 */
import { embeddedWasmBytes, instantiateEmbedded } from './embedded-wasm.js';

const RC4_WASM =
  'AGFzbQEAAAABBQFgAX8AAwIBAAUDAQACBxICBm1lbW9yeQIABWNyeXB0AAAKmAEBlQEBBn9BgAItAAAhAUGBAi0AACECQYAIIQVBgAggAGohBgJAIAUgBk8NAANAIAFB' +
  'AWpB/wFxIQEgAS0AACEDIAIgA2pB/wFxIQIgAi0AACEEIAEgBDoAACACIAM6AAAgBSAFLQAAIAMgBGpB/wFxLQAAczoAACAFQQFqIQUgBSAGSQ0ACwtBgAIgAToAAEGB' +
  'AiACOgAACw==';

/** The cipher state as rc4.wat reads it and rc4.ts keeps it: S (256 bytes), then i, then j. */
export const RC4_I_AT = 256;
export const RC4_J_AT = 257;
export const RC4_STATE_BYTES = 258;
/** Where the module takes its bytes, and how many at a time (its memory is two 64 KiB pages). */
const DATA_AT = 1024;
const CHUNK = 64 * 1024;

/** XORs `data` with the keystream of `state` into `out` (same length), advancing `state`. */
export type Keystream = (state: Uint8Array, data: Uint8Array, out: Uint8Array) => void;

let loaded: Keystream | null | undefined;

/** The WebAssembly keystream, instantiated on first use; undefined where WebAssembly is unavailable. */
export function wasmKeystream(): Keystream | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

/** The exact bytes embedded above (for the test that checks them against rc4.wat). */
export function rc4WasmBytes(): Uint8Array {
  return embeddedWasmBytes(RC4_WASM);
}

function load(): Keystream | null {
  const instance = instantiateEmbedded(RC4_WASM);
  if (instance === null) return null; // the JavaScript loop does the same work
  const crypt = instance.exports['crypt'] as (length: number) => void;
  const mem = new Uint8Array(instance.memory);
  return (state, data, out) => {
    mem.set(state, 0);
    for (let off = 0; off < data.length; off += CHUNK) {
      const n = Math.min(CHUNK, data.length - off);
      mem.set(data.subarray(off, off + n), DATA_AT);
      crypt(n);
      out.set(mem.subarray(DATA_AT, DATA_AT + n), off);
    }
    state.set(mem.subarray(0, RC4_STATE_BYTES));
    // Leave no cipher state or plaintext behind in the shared memory (a few µs for a full chunk).
    mem.fill(0, 0, DATA_AT + Math.min(CHUNK, data.length));
  };
}
