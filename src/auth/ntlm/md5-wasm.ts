/**
 * HMAC-MD5 for short messages in WebAssembly: MD5's compression function from md5.wat, compiled by
 * wabt to the bytes below (test/auth/ntlm/md5-wasm.test.ts compiles the .wat again and compares),
 * with the padding and the HMAC construction (RFC 2104) done here.
 *
 * Why: NTLM signs every sealed message with HMAC-MD5 (MS-NLMP 3.4.4.2), about a dozen times per
 * host in a fan-out counting the logon, and node:crypto's Hmac object costs about 2 µs before it
 * hashes a byte (3.5 µs in all for a typical 1.5 KB message, more while V8 has not yet compiled
 * its JavaScript wrapper). Here a message costs its own blocks and three more (the key's two
 * padded blocks and the outer digest's), with no object made but the result. OpenSSL's MD5
 * is faster per byte (1.1 ns against 1.5), so long messages stay with node:crypto (see
 * WASM_MAX_BYTES). Where WebAssembly is unavailable (`node --jitless`) everything does.
 */
import { embeddedWasmBytes, instantiateEmbedded } from './embedded-wasm.js';

const MD5_WASM =
  'AGFzbQEAAAABBQFgAX8AAwIBAAUDAQABBxMCBm1lbW9yeQIABmJsb2NrcwAACvoSAfcSAQp/QQAoAgAhAUEEKAIAIQJBCCgCACEDQQwoAgAhBEHAACEJQcAAIABBBnRq' +
  'IQoCQCAJIApPDQADQCABIQUgAiEGIAMhByAEIQggAiABIAIgA3EgAkF/cyAEcXJqIAkoAgBB+Miqu31qakEHd2ohASABIAQgASACcSABQX9zIANxcmogCSgCBEHW7p7G' +
  'fmpqQQx3aiEEIAQgAyAEIAFxIARBf3MgAnFyaiAJKAIIQdvhgaECampBEXdqIQMgAyACIAMgBHEgA0F/cyABcXJqIAkoAgxB7p33jXxqakEWd2ohAiACIAEgAiADcSAC' +
  'QX9zIARxcmogCSgCEEGvn/Crf2pqQQd3aiEBIAEgBCABIAJxIAFBf3MgA3FyaiAJKAIUQaqMn7wEampBDHdqIQQgBCADIAQgAXEgBEF/cyACcXJqIAkoAhhBk4zBwXpq' +
  'akERd2ohAyADIAIgAyAEcSADQX9zIAFxcmogCSgCHEGBqppqampBFndqIQIgAiABIAIgA3EgAkF/cyAEcXJqIAkoAiBB2LGCzAZqakEHd2ohASABIAQgASACcSABQX9z' +
  'IANxcmogCSgCJEGv75PaeGpqQQx3aiEEIAQgAyAEIAFxIARBf3MgAnFyaiAJKAIoQbG3fWpqQRF3aiEDIAMgAiADIARxIANBf3MgAXFyaiAJKAIsQb6v88p4ampBFndq' +
  'IQIgAiABIAIgA3EgAkF/cyAEcXJqIAkoAjBBoqLA3AZqakEHd2ohASABIAQgASACcSABQX9zIANxcmogCSgCNEGT4+FsampBDHdqIQQgBCADIAQgAXEgBEF/cyACcXJq' +
  'IAkoAjhBjofls3pqakERd2ohAyADIAIgAyAEcSADQX9zIAFxcmogCSgCPEGhkNDNBGpqQRZ3aiECIAIgASAEIAJxIARBf3MgA3FyaiAJKAIEQeLK+LB/ampBBXdqIQEg' +
  'ASAEIAMgAXEgA0F/cyACcXJqIAkoAhhBwOaCgnxqakEJd2ohBCAEIAMgAiAEcSACQX9zIAFxcmogCSgCLEHRtPmyAmpqQQ53aiEDIAMgAiABIANxIAFBf3MgBHFyaiAJ' +
  'KAIAQaqP281+ampBFHdqIQIgAiABIAQgAnEgBEF/cyADcXJqIAkoAhRB3aC8sX1qakEFd2ohASABIAQgAyABcSADQX9zIAJxcmogCSgCKEHTqJASampBCXdqIQQgBCAD' +
  'IAIgBHEgAkF/cyABcXJqIAkoAjxBgc2HxX1qakEOd2ohAyADIAIgASADcSABQX9zIARxcmogCSgCEEHI98++fmpqQRR3aiECIAIgASAEIAJxIARBf3MgA3FyaiAJKAIk' +
  'Qeabh48CampBBXdqIQEgASAEIAMgAXEgA0F/cyACcXJqIAkoAjhB1o/cmXxqakEJd2ohBCAEIAMgAiAEcSACQX9zIAFxcmogCSgCDEGHm9Smf2pqQQ53aiEDIAMgAiAB' +
  'IANxIAFBf3MgBHFyaiAJKAIgQe2p6KoEampBFHdqIQIgAiABIAQgAnEgBEF/cyADcXJqIAkoAjRBhdKPz3pqakEFd2ohASABIAQgAyABcSADQX9zIAJxcmogCSgCCEH4' +
  'x75nampBCXdqIQQgBCADIAIgBHEgAkF/cyABcXJqIAkoAhxB2YW8uwZqakEOd2ohAyADIAIgASADcSABQX9zIARxcmogCSgCMEGKmanpeGpqQRR3aiECIAIgASACIANz' +
  'IARzaiAJKAIUQcLyaGpqQQR3aiEBIAEgBCABIAJzIANzaiAJKAIgQYHtx7t4ampBC3dqIQQgBCADIAQgAXMgAnNqIAkoAixBosL17AZqakEQd2ohAyADIAIgAyAEcyAB' +
  'c2ogCSgCOEGM8JRvampBF3dqIQIgAiABIAIgA3MgBHNqIAkoAgRBxNT7pXpqakEEd2ohASABIAQgASACcyADc2ogCSgCEEGpn/veBGpqQQt3aiEEIAQgAyAEIAFzIAJz' +
  'aiAJKAIcQeCW7bV/ampBEHdqIQMgAyACIAMgBHMgAXNqIAkoAihB8Pj+9XtqakEXd2ohAiACIAEgAiADcyAEc2ogCSgCNEHG/e3EAmpqQQR3aiEBIAEgBCABIAJzIANz' +
  'aiAJKAIAQfrPhNV+ampBC3dqIQQgBCADIAQgAXMgAnNqIAkoAgxBheG8p31qakEQd2ohAyADIAIgAyAEcyABc2ogCSgCGEGFuqAkampBF3dqIQIgAiABIAIgA3MgBHNq' +
  'IAkoAiRBuaDTzn1qakEEd2ohASABIAQgASACcyADc2ogCSgCMEHls+62fmpqQQt3aiEEIAQgAyAEIAFzIAJzaiAJKAI8Qfj5if0BampBEHdqIQMgAyACIAMgBHMgAXNq' +
  'IAkoAghB5ayxpXxqakEXd2ohAiACIAEgAyACIARBf3Nyc2ogCSgCAEHExKShf2pqQQZ3aiEBIAEgBCACIAEgA0F/c3JzaiAJKAIcQZf/q5kEampBCndqIQQgBCADIAEg' +
  'BCACQX9zcnNqIAkoAjhBp8fQ3HpqakEPd2ohAyADIAIgBCADIAFBf3Nyc2ogCSgCFEG5wM5kampBFXdqIQIgAiABIAMgAiAEQX9zcnNqIAkoAjBBw7PtqgZqakEGd2oh' +
  'ASABIAQgAiABIANBf3Nyc2ogCSgCDEGSmbP4eGpqQQp3aiEEIAQgAyABIAQgAkF/c3JzaiAJKAIoQf3ov39qakEPd2ohAyADIAIgBCADIAFBf3Nyc2ogCSgCBEHRu5Gs' +
  'eGpqQRV3aiECIAIgASADIAIgBEF/c3JzaiAJKAIgQc/8of0GampBBndqIQEgASAEIAIgASADQX9zcnNqIAkoAjxB4M2zcWpqQQp3aiEEIAQgAyABIAQgAkF/c3JzaiAJ' +
  'KAIYQZSGhZh6ampBD3dqIQMgAyACIAQgAyABQX9zcnNqIAkoAjRBoaOg8ARqakEVd2ohAiACIAEgAyACIARBf3Nyc2ogCSgCEEGC/c26f2pqQQZ3aiEBIAEgBCACIAEg' +
  'A0F/c3JzaiAJKAIsQbXk6+l7ampBCndqIQQgBCADIAEgBCACQX9zcnNqIAkoAghBu6Xf1gJqakEPd2ohAyADIAIgBCADIAFBf3Nyc2ogCSgCJEGRp5vcfmpqQRV3aiEC' +
  'IAEgBWohASACIAZqIQIgAyAHaiEDIAQgCGohBCAJQcAAaiEJIAkgCkkNAAsLQQAgATYCAEEEIAI2AgBBCCADNgIAQQwgBDYCAAs=';

/** Messages up to this many bytes (all parts together) are hashed here, longer ones by OpenSSL: the two cost the same at about 3 KB. */
export const WASM_MAX_BYTES = 2048;
const BLOCK = 64;
/** Where the module keeps the state (A B C D) and where the blocks start (md5.wat). */
const STATE_AT = 0;
const BLOCKS_AT = 64;
const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

interface Md5Module {
  mem: Uint8Array;
  view: DataView;
  blocks: (count: number) => void;
}

let loaded: Md5Module | null | undefined;

/** The exact bytes embedded above (for the test that checks them against md5.wat). */
export function md5WasmBytes(): Uint8Array {
  return embeddedWasmBytes(MD5_WASM);
}

function load(): Md5Module | null {
  const instance = instantiateEmbedded(MD5_WASM);
  if (instance === null) return null; // node:crypto does the same work
  return { mem: new Uint8Array(instance.memory), view: new DataView(instance.memory), blocks: instance.exports['blocks'] as (count: number) => void };
}

/** MD5 of the `length` bytes at BLOCKS_AT, padded there (RFC 1321 3.1-3.2); the digest is left at STATE_AT. */
function md5InPlace(m: Md5Module, length: number): void {
  for (let i = 0; i < 4; i++) m.view.setUint32(STATE_AT + 4 * i, IV[i] as number, true);
  const count = ((length + 8) >>> 6) + 1;
  const end = BLOCKS_AT + count * BLOCK;
  m.mem.fill(0, BLOCKS_AT + length, end);
  m.mem[BLOCKS_AT + length] = 0x80;
  m.view.setUint32(end - 8, length * 8, true); // at most a few KB here, so the high word is 0
  m.view.setUint32(end - 4, 0, true);
  m.blocks(count);
}

/** The key XORed with `pad` and padded with it to one block, at BLOCKS_AT. */
function padKey(m: Md5Module, key: Uint8Array, pad: number): void {
  const block = m.mem.subarray(BLOCKS_AT, BLOCKS_AT + BLOCK);
  block.fill(pad);
  for (let i = 0; i < key.length; i++) block[i] = (key[i] as number) ^ pad;
}

/**
 * HMAC-MD5 of the parts joined, or undefined when this path does not take them: no WebAssembly,
 * a key longer than a block, or more than WASM_MAX_BYTES of message.
 */
export function wasmHmacMd5(key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array | undefined {
  if (loaded === undefined) loaded = load();
  const m = loaded;
  if (m === null || key.length > BLOCK) return undefined;
  let length = 0;
  for (const p of parts) length += p.length;
  if (length > WASM_MAX_BYTES) return undefined;
  // Inner hash: the ipad block, then the message.
  padKey(m, key, 0x36);
  let at = BLOCKS_AT + BLOCK;
  for (const p of parts) {
    m.mem.set(p, at);
    at += p.length;
  }
  md5InPlace(m, BLOCK + length);
  // Outer hash: the opad block, then the inner digest.
  m.mem.copyWithin(BLOCKS_AT + BLOCK, STATE_AT, STATE_AT + 16);
  padKey(m, key, 0x5c);
  md5InPlace(m, BLOCK + 16);
  const mac = m.mem.slice(STATE_AT, STATE_AT + 16);
  // Leave no key state or message behind in the module's memory.
  m.mem.fill(0, 0, BLOCKS_AT + BLOCK + length + 2 * BLOCK);
  return mac;
}
