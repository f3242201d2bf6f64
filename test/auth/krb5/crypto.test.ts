/**
 * RFC 3961/3962 crypto against the RFCs' own vectors: n-fold (RFC 3961 A.1) and AES-CTS with the
 * "chicken teriyaki" key (RFC 3962 appendix B), plus encrypt/decrypt and checksum round trips.
 */
import { describe, expect, it } from 'vitest';
import { aesCtsDecrypt, aesCtsEncrypt, checksum, decrypt, encrypt, nfold, randomKey, ENCTYPE_AES128, ENCTYPE_AES256, type Key } from '../../../src/auth/krb5/crypto.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('n-fold (RFC 3961 appendix A.1)', () => {
  const cases: [string, number, string][] = [
    ['012345', 64, 'be072631276b1955'],
    ['password', 56, '78a07b6caf85fa'],
    ['Rough Consensus, and Running Code', 64, 'bb6ed30870b7f0e0'],
    ['password', 168, '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
    ['MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 192, 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
    ['Q', 168, '518a54a215a8452a518a54a215a8452a518a54a215'],
    ['ba', 168, 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
    ['kerberos', 64, '6b65726265726f73'],
    ['kerberos', 128, '6b65726265726f737b9b5b2b93132b93'],
    ['kerberos', 168, '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
    ['kerberos', 256, '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
  ];
  for (const [input, bits, want] of cases) {
    it(`${bits}-fold(${JSON.stringify(input)})`, () => {
      expect(toHex(nfold(Buffer.from(input, 'latin1'), bits / 8))).toBe(want);
    });
  }
});

describe('AES-CTS (RFC 3962 appendix B)', () => {
  const key: Key = { enctype: ENCTYPE_AES128, value: new Uint8Array(Buffer.from('chicken teriyaki', 'latin1')) };
  const input = '4920776f756c64206c696b65207468652047656e6572616c2047617527732043686963 6b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e';
  const full = hex(input);
  const cases: [number, string][] = [
    [17, 'c6353568f2bf8cb4d8a580362da7ff7f97'],
    [31, 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
    [32, '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    [47, '97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5'],
    [48, '97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8'],
    [64, '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8'],
  ];
  for (const [length, want] of cases) {
    it(`${length} bytes encrypt and decrypt`, () => {
      const plain = full.subarray(0, length);
      expect(toHex(aesCtsEncrypt(key, plain))).toBe(want);
      expect(toHex(aesCtsDecrypt(key, hex(want)))).toBe(toHex(plain));
    });
  }
});

describe('encrypt / decrypt / checksum', () => {
  for (const enctype of [ENCTYPE_AES128, ENCTYPE_AES256]) {
    it(`round-trips every length around the block size (enctype ${enctype})`, () => {
      const key = randomKey(enctype);
      for (let n = 0; n <= 40; n++) {
        const plain = new Uint8Array(n).map((_, i) => i * 7);
        const sealed = encrypt(key, 11, plain);
        expect(sealed.length).toBe(n + 28);
        expect(toHex(decrypt(key, 11, sealed))).toBe(toHex(plain));
      }
    });

    it(`refuses another usage, another key and a flipped bit (enctype ${enctype})`, () => {
      const key = randomKey(enctype);
      const sealed = encrypt(key, 11, Buffer.from('hello kerberos'));
      expect(() => decrypt(key, 12, sealed)).toThrow(/integrity check failed/);
      expect(() => decrypt(randomKey(enctype), 11, sealed)).toThrow(/integrity check failed/);
      const flipped = Uint8Array.from(sealed);
      flipped[5] = (flipped[5] as number) ^ 1;
      expect(() => decrypt(key, 11, flipped)).toThrow(/integrity check failed/);
      expect(checksum(key, 23, Buffer.from('a'))).toHaveLength(12);
      expect(toHex(checksum(key, 23, Buffer.from('a')))).not.toBe(toHex(checksum(key, 25, Buffer.from('a'))));
    });
  }
});
