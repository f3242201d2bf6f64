/** Known answers for the two primitives we had to write: MD4 (RFC 1320) and RC4 (RFC 6229). */
import { describe, expect, it } from 'vitest';
import { md4 } from '../../../src/auth/ntlm/md4.js';
import { Rc4, rc4k } from '../../../src/auth/ntlm/rc4.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('md4 (RFC 1320 appendix A.5 test suite)', () => {
  const suite: [string, string][] = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  it.each(suite)('hashes %j', (input, digest) => {
    expect(hex(md4(ascii(input)))).toBe(digest);
  });

  it('hashes inputs that straddle the 56-byte padding boundary differently', () => {
    // 55 bytes fit one block; 56 need a second: both paths must run.
    expect(hex(md4(ascii('a'.repeat(55))))).not.toBe(hex(md4(ascii('a'.repeat(56)))));
    expect(md4(ascii('a'.repeat(56))).length).toBe(16);
  });
});

describe('rc4 (RFC 6229 section 2)', () => {
  // Keystream = encryption of zeros. Offsets are into the keystream.
  const keystream = (key: string, length: number): string => hex(new Rc4(bytes(key)).update(new Uint8Array(length)));

  it('matches the 40-bit key 0x0102030405 at offsets 0, 16, 240 and 256', () => {
    const ks = keystream('0102030405', 272);
    expect(ks.slice(0, 64)).toBe('b2396305f03dc027ccc3524a0a1118a86982944f18fc82d589c403a47a0d0919');
    expect(ks.slice(480, 544)).toBe('28cb1132c96ce286421dcaadb8b69eae1cfcf62b03eddb641d77dfcf7f8d8c93');
  });

  it.each([
    ['01020304050607', '293f02d47f37c9b6'],
    ['0102030405060708', '97ab8a1bf0afb961'],
    ['0102030405060708090a0b0c0d0e0f10', '9ac7cc9a609d1ef7'],
  ])('matches key %s at offset 0', (key, first8) => {
    expect(keystream(key, 8)).toBe(first8);
  });

  it('continues one stream across update calls', () => {
    const handle = new Rc4(bytes('0102030405'));
    const parts = [handle.update(new Uint8Array(7)), handle.update(new Uint8Array(9))];
    expect(hex(parts[0]!) + hex(parts[1]!)).toBe('b2396305f03dc027ccc3524a0a1118a8');
  });

  it('rc4k is a fresh cipher each call', () => {
    expect(hex(rc4k(bytes('0102030405'), new Uint8Array(4)))).toBe('b2396305');
    expect(hex(rc4k(bytes('0102030405'), new Uint8Array(4)))).toBe('b2396305');
  });
});
