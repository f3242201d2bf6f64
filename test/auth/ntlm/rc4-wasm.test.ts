/**
 * RC4's WebAssembly keystream (src/auth/ntlm/rc4-wasm.ts): its embedded bytes are what rc4.wat
 * compiles to, it gives the JavaScript loop's output for every length around its chunk and
 * threshold edges, one cipher state survives switching between the two paths, and where
 * WebAssembly is missing (`node --jitless`) RC4 still gives RFC 6229's keystream.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileWat } from '../../helpers/wat.js';
import { rc4WasmBytes, wasmKeystream } from '../../../src/auth/ntlm/rc4-wasm.js';
import { Rc4, keySchedule, keystreamXor } from '../../../src/auth/ntlm/rc4.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('RC4 in WebAssembly', () => {
  it('embeds exactly what wabt compiles rc4.wat to', async () => {
    expect(hex(rc4WasmBytes())).toBe(hex(await compileWat('src/auth/ntlm/rc4.wat')));
  });

  it('runs here (Node 20 has WebAssembly), so the fast path is the one tested', () => {
    expect(wasmKeystream()).toBeTypeOf('function');
  });

  it.each([0, 1, 63, 64, 65, 1500, 65_535, 65_536, 65_537, 200_000])('gives the JavaScript loop\'s bytes for %i bytes, and the same state after', (length) => {
    const wasm = wasmKeystream()!;
    const key = randomBytes(16);
    const data = randomBytes(length);
    const [stateA, stateB] = [keySchedule(key), keySchedule(key)];
    const [outA, outB] = [new Uint8Array(length), new Uint8Array(length)];
    wasm(stateA, data, outA);
    keystreamXor(stateB, data, outB);
    expect(hex(outA)).toBe(hex(outB));
    expect(hex(stateA)).toBe(hex(stateB));
  });

  it('keeps one stream across updates that take either path, as a sealing session does', () => {
    const key = randomBytes(16);
    const sizes = [8, 2_000, 16, 70_000, 63, 64, 1, 300];
    const cipher = new Rc4(key);
    const pieces = sizes.map((n) => cipher.update(new Uint8Array(n)));
    const whole = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    keystreamXor(keySchedule(key), new Uint8Array(whole.length), whole);
    expect(pieces.map(hex).join('')).toBe(hex(whole));
  });

  it.each([8, 64, 70_000])('update(data, data) works in place (%i bytes)', (length) => {
    const key = randomBytes(16);
    const data = randomBytes(length);
    const copy = new Uint8Array(data);
    const expected = new Rc4(key).update(copy);
    const out = new Rc4(key).update(data, data);
    expect(out).toBe(data);
    expect(hex(data)).toBe(hex(expected));
  });

  it('two ciphers sharing the one module instance do not disturb each other', () => {
    const [k1, k2] = [randomBytes(16), randomBytes(16)];
    const [a, b] = [new Rc4(k1), new Rc4(k2)];
    const got = [a.update(new Uint8Array(500)), b.update(new Uint8Array(500)), a.update(new Uint8Array(500))];
    const refA = new Uint8Array(1000);
    keystreamXor(keySchedule(k1), new Uint8Array(1000), refA);
    const refB = new Uint8Array(500);
    keystreamXor(keySchedule(k2), new Uint8Array(500), refB);
    expect(hex(got[0]!) + hex(got[2]!)).toBe(hex(refA));
    expect(hex(got[1]!)).toBe(hex(refB));
  });

  it('without WebAssembly (node --jitless) RC4 falls back to JavaScript and still matches RFC 6229', () => {
    const rc4Url = pathToFileURL(path.join(ROOT, 'dist/auth/ntlm/rc4.js')).href;
    const script =
      `const { Rc4 } = await import(${JSON.stringify(rc4Url)});` +
      `const ks = Buffer.from(new Rc4(Buffer.from('0102030405', 'hex')).update(new Uint8Array(272))).toString('hex');` +
      `console.log(typeof WebAssembly, ks.slice(0, 32), ks.slice(480, 512));`;
    const out = execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
    expect(out).toBe('undefined b2396305f03dc027ccc3524a0a1118a8 28cb1132c96ce286421dcaadb8b69eae');
  });
});
