/**
 * HMAC-MD5 in WebAssembly (src/auth/ntlm/md5-wasm.ts): its embedded bytes are what md5.wat
 * compiles to, it gives node:crypto's MAC for every message length around MD5's block and padding
 * edges, for messages given in parts, for RFC 2104's test vectors, and hands back what it does not
 * take (long messages, long keys), which hmacMd5 then gives to node:crypto.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileWat } from '../../helpers/wat.js';
import { hmacMd5 } from '../../../src/auth/ntlm/crypto.js';
import { WASM_MAX_BYTES, md5WasmBytes, wasmHmacMd5 } from '../../../src/auth/ntlm/md5-wasm.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const hex = (b: Uint8Array | undefined): string => (b === undefined ? 'undefined' : Buffer.from(b).toString('hex'));
const reference = (key: Uint8Array, ...parts: Uint8Array[]): string => {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('HMAC-MD5 in WebAssembly', () => {
  it('embeds exactly what wabt compiles md5.wat to', async () => {
    expect(hex(md5WasmBytes())).toBe(hex(await compileWat('src/auth/ntlm/md5.wat')));
  });

  it('gives RFC 2104\'s test vectors', () => {
    const vectors: [Uint8Array, Uint8Array, string][] = [
      [Buffer.alloc(16, 0x0b), Buffer.from('Hi There'), '9294727a3638bb1c13f48ef8158bfc9d'],
      [Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), '750c783e6ab0b503eaa86e310a5db738'],
      [Buffer.alloc(16, 0xaa), Buffer.alloc(50, 0xdd), '56be34521d144c88dbb8c733f0e8b3f6'],
    ];
    expect(vectors.map(([k, m]) => hex(wasmHmacMd5(k, [m])))).toEqual(vectors.map(([, , mac]) => mac));
  });

  it('gives node:crypto\'s MAC for every length up to 300 bytes and around each block edge to its limit', () => {
    const lengths = [...Array(301).keys()];
    for (let edge = 320; edge <= WASM_MAX_BYTES; edge += 64) lengths.push(edge - 9, edge - 8, edge - 1, edge, edge + 1);
    const key = randomBytes(16);
    const mismatches = lengths.filter((n) => n <= WASM_MAX_BYTES).filter((n) => {
      const m = randomBytes(n);
      return hex(wasmHmacMd5(key, [m])) !== reference(key, m);
    });
    expect(mismatches).toEqual([]);
  });

  it('takes the message in parts, and keys of any length up to a block', () => {
    const cases = [0, 1, 15, 16, 17, 63, 64].map((keyLength) => {
      const key = randomBytes(keyLength);
      const parts = [randomBytes(4), randomBytes(100), randomBytes(0), randomBytes(1500)];
      return [hex(wasmHmacMd5(key, parts)), reference(key, ...parts)];
    });
    expect(cases.map(([a]) => a)).toEqual(cases.map(([, b]) => b));
  });

  it('leaves a message over its limit and a key over a block to node:crypto, which hmacMd5 then uses', () => {
    const key = randomBytes(16);
    const long = randomBytes(WASM_MAX_BYTES + 1);
    const longKey = randomBytes(65);
    const m = randomBytes(10);
    expect([wasmHmacMd5(key, [long]), wasmHmacMd5(longKey, [m])]).toEqual([undefined, undefined]);
    expect([hex(hmacMd5(key, long)), hex(hmacMd5(longKey, m))]).toEqual([reference(key, long), reference(longKey, m)]);
  });

  it('gives the same MAC for a message hashed after a long one (nothing left over in the module)', () => {
    const key = randomBytes(16);
    const m = randomBytes(20);
    const first = hex(wasmHmacMd5(key, [m]));
    wasmHmacMd5(randomBytes(16), [randomBytes(WASM_MAX_BYTES)]);
    expect([first, hex(wasmHmacMd5(key, [m]))]).toEqual([reference(key, m), reference(key, m)]);
  });

  it('without WebAssembly (node --jitless) hmacMd5 still gives RFC 2104\'s first vector', () => {
    const url = pathToFileURL(path.join(ROOT, 'dist/auth/ntlm/crypto.js')).href;
    const script =
      `const { hmacMd5 } = await import(${JSON.stringify(url)});` +
      `console.log(typeof WebAssembly, Buffer.from(hmacMd5(Buffer.alloc(16, 0x0b), Buffer.from('Hi There'))).toString('hex'));`;
    const out = execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
    expect(out).toBe('undefined 9294727a3638bb1c13f48ef8158bfc9d');
  });
});
