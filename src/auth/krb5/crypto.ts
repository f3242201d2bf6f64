/**
 * Kerberos encryption for aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18): RFC 3961's
 * simplified profile with RFC 3962's AES parameters.
 *
 * ```
 *   n-fold(constant, 16)                       the usage constant spread over one AES block
 *   DK(base, c) = E(base, n-fold(c)) | E(base, previous) …   cut to the key length (DR; random-to-key = id)
 *   Ke = DK(base, usage | 0xAA)   Ki = DK(base, usage | 0x55)   Kc = DK(base, usage | 0x99)
 *   encrypt(usage, P) = AES-CTS(Ke, IV 0, confounder(16) | P) | HMAC-SHA1(Ki, confounder | P)[0..12]
 *   checksum(usage, M) = HMAC-SHA1(Kc, M)[0..12]            (hmac-sha1-96-aes128/256, types 15/16)
 * ```
 * AES-CTS is CBC whose last two blocks are swapped and the final one cut to the plaintext's length
 * (RFC 3962 section 5; one block is plain ECB). Sans-IO: only node:crypto.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const ENCTYPE_AES128 = 17;
export const ENCTYPE_AES256 = 18;
const BLOCK = 16;
const HMAC_LENGTH = 12;

/** The enctypes this module implements, with their key lengths and checksum types. */
const PROFILES: ReadonlyMap<number, { name: string; keyLength: number; cipher: 'aes-128' | 'aes-256'; checksumType: number }> = new Map([
  [ENCTYPE_AES128, { name: 'aes128-cts-hmac-sha1-96', keyLength: 16, cipher: 'aes-128', checksumType: 15 }],
  [ENCTYPE_AES256, { name: 'aes256-cts-hmac-sha1-96', keyLength: 32, cipher: 'aes-256', checksumType: 16 }],
]);

/** A key with its enctype (EncryptionKey, RFC 4120 5.2.9). */
export interface Key {
  enctype: number;
  value: Uint8Array;
}

export class KrbCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KrbCryptoError';
  }
}

export function isSupportedEnctype(enctype: number): boolean {
  return PROFILES.has(enctype);
}

/** The MIT name of an enctype (e.g. `aes256-cts-hmac-sha1-96`), or `enctype N`. */
export function enctypeName(enctype: number): string {
  return PROFILES.get(enctype)?.name ?? OTHER_NAMES[enctype] ?? `enctype ${enctype}`;
}

/** Enctypes we do not implement, named in refusals (RFC 3961, 4757, 8009). */
const OTHER_NAMES: Record<number, string> = {
  16: 'des3-cbc-sha1',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'arcfour-hmac',
  24: 'arcfour-hmac-exp',
  25: 'camellia128-cts-cmac',
  26: 'camellia256-cts-cmac',
};

function profileOf(key: Key): { keyLength: number; cipher: 'aes-128' | 'aes-256'; checksumType: number } {
  const p = PROFILES.get(key.enctype);
  if (p === undefined) throw new KrbCryptoError(`${enctypeName(key.enctype)} is not supported (only aes256/aes128-cts-hmac-sha1-96)`);
  if (key.value.length !== p.keyLength) throw new KrbCryptoError(`${p.name} key of ${key.value.length} bytes`);
  return p;
}

/** The checksum type keyed with this key's enctype (15 or 16). */
export function checksumTypeOf(key: Key): number {
  return profileOf(key).checksumType;
}

/** A fresh random key of this enctype (acceptor subkeys). */
export function randomKey(enctype: number): Key {
  const p = PROFILES.get(enctype);
  if (p === undefined) throw new KrbCryptoError(`${enctypeName(enctype)} is not supported`);
  return { enctype, value: new Uint8Array(randomBytes(p.keyLength)) };
}

/** RFC 3961 section 5.1 n-fold: `input` stretched/folded to `bytes` bytes. */
export function nfold(input: Uint8Array, bytes: number): Uint8Array {
  const inLen = input.length;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = (inLen * bytes) / gcd(inLen, bytes);
  // Copy i of the input is rotated right by 13*i bits; the copies are then added in `bytes` chunks
  // with one's-complement addition.
  const big = new Uint8Array(lcm);
  const bits = inLen * 8;
  for (let copy = 0; copy < lcm / inLen; copy++) {
    const rot = (13 * copy) % bits;
    for (let i = 0; i < bits; i++) {
      const src = (i - rot + bits) % bits;
      if (((input[src >> 3] as number) >> (7 - (src & 7))) & 1) {
        const dst = copy * bits + i;
        big[dst >> 3] = (big[dst >> 3] as number) | (1 << (7 - (dst & 7)));
      }
    }
  }
  const sum = new Array<number>(bytes).fill(0);
  for (let off = 0; off < lcm; off += bytes) {
    let carry = 0;
    for (let i = bytes - 1; i >= 0; i--) {
      const s = (sum[i] as number) + (big[off + i] as number) + carry;
      sum[i] = s & 0xff;
      carry = s >> 8;
    }
    // End-around carry.
    for (let i = bytes - 1; carry !== 0 && i >= 0; i--) {
      const s = (sum[i] as number) + carry;
      sum[i] = s & 0xff;
      carry = s >> 8;
    }
  }
  return Uint8Array.from(sum);
}

function aesBlock(key: Key, block: Uint8Array, decrypt: boolean): Buffer {
  const name = `${profileOf(key).cipher}-ecb`;
  const c = decrypt ? createDecipheriv(name, key.value, null) : createCipheriv(name, key.value, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** AES in CBC mode with ciphertext stealing (RFC 3962 section 5), IV zero. Input >= 16 bytes. */
export function aesCtsEncrypt(key: Key, plain: Uint8Array): Uint8Array {
  if (plain.length < BLOCK) throw new KrbCryptoError('AES-CTS input shorter than one block');
  if (plain.length === BLOCK) return aesBlock(key, plain, false);
  const blocks = Math.ceil(plain.length / BLOCK);
  const tail = plain.length - (blocks - 1) * BLOCK;
  const padded = Buffer.alloc(blocks * BLOCK);
  padded.set(plain);
  const c = createCipheriv(`${profileOf(key).cipher}-cbc`, key.value, Buffer.alloc(BLOCK));
  c.setAutoPadding(false);
  const cbc = Buffer.concat([c.update(padded), c.final()]);
  const head = cbc.subarray(0, (blocks - 2) * BLOCK);
  const penultimate = cbc.subarray((blocks - 2) * BLOCK, (blocks - 1) * BLOCK);
  const last = cbc.subarray((blocks - 1) * BLOCK);
  return Buffer.concat([head, last, penultimate.subarray(0, tail)]);
}

export function aesCtsDecrypt(key: Key, cipher: Uint8Array): Uint8Array {
  if (cipher.length < BLOCK) throw new KrbCryptoError('AES-CTS input shorter than one block');
  if (cipher.length === BLOCK) return aesBlock(key, cipher, true);
  const blocks = Math.ceil(cipher.length / BLOCK);
  const tail = cipher.length - (blocks - 1) * BLOCK;
  const head = cipher.subarray(0, (blocks - 2) * BLOCK);
  const lastFull = cipher.subarray((blocks - 2) * BLOCK, (blocks - 1) * BLOCK);
  const stolen = cipher.subarray((blocks - 1) * BLOCK);
  // D(lastFull) = P_n (zero padded) XOR X_{n-1}: its tail bytes past `tail` are X_{n-1}'s.
  const d = aesBlock(key, lastFull, true);
  const penultimate = Buffer.concat([stolen, d.subarray(tail)]);
  const lastPlain = Buffer.alloc(tail);
  for (let i = 0; i < tail; i++) lastPlain[i] = (d[i] as number) ^ (stolen[i] as number);
  const dec = createDecipheriv(`${profileOf(key).cipher}-cbc`, key.value, Buffer.alloc(BLOCK));
  dec.setAutoPadding(false);
  const front = Buffer.concat([dec.update(Buffer.concat([head, penultimate])), dec.final()]);
  return Buffer.concat([front, lastPlain]);
}

/** DK(base, constant) of RFC 3961 section 5.1 with AES's identity random-to-key. */
export function deriveKey(base: Key, constant: Uint8Array): Key {
  const { keyLength } = profileOf(base);
  const out: Buffer[] = [];
  let block: Uint8Array = nfold(constant, BLOCK);
  let have = 0;
  while (have < keyLength) {
    block = aesCtsEncrypt(base, block);
    out.push(Buffer.from(block));
    have += block.length;
  }
  return { enctype: base.enctype, value: new Uint8Array(Buffer.concat(out).subarray(0, keyLength)) };
}

function usageConstant(usage: number, kind: 0xaa | 0x55 | 0x99): Uint8Array {
  const c = Buffer.alloc(5);
  c.writeUInt32BE(usage >>> 0, 0);
  c[4] = kind;
  return c;
}

function hmac(key: Key, data: Uint8Array): Buffer {
  return createHmac('sha1', key.value).update(data).digest().subarray(0, HMAC_LENGTH);
}

/** encrypt(K, usage, plaintext) with a random confounder (or the given one, for test vectors). */
export function encrypt(key: Key, usage: number, plain: Uint8Array, confounder?: Uint8Array): Uint8Array {
  const ke = deriveKey(key, usageConstant(usage, 0xaa));
  const ki = deriveKey(key, usageConstant(usage, 0x55));
  const data = Buffer.concat([confounder ?? randomBytes(BLOCK), plain]);
  return Buffer.concat([aesCtsEncrypt(ke, data), hmac(ki, data)]);
}

/**
 * decrypt(K, usage, ciphertext): checks the HMAC and strips the confounder.
 * @throws KrbCryptoError when the integrity check fails (wrong key or altered bytes).
 */
export function decrypt(key: Key, usage: number, cipher: Uint8Array): Uint8Array {
  if (cipher.length < BLOCK + HMAC_LENGTH) throw new KrbCryptoError('ciphertext too short');
  const ke = deriveKey(key, usageConstant(usage, 0xaa));
  const ki = deriveKey(key, usageConstant(usage, 0x55));
  const body = cipher.subarray(0, cipher.length - HMAC_LENGTH);
  const mac = cipher.subarray(cipher.length - HMAC_LENGTH);
  const data = aesCtsDecrypt(ke, body);
  if (!timingSafeEqual(hmac(ki, data), mac)) throw new KrbCryptoError(`integrity check failed (key usage ${usage}): wrong key or altered data`);
  return data.subarray(BLOCK);
}

/** The keyed checksum hmac-sha1-96-aes of RFC 3962 (Kc derived for `usage`). */
export function checksum(key: Key, usage: number, data: Uint8Array): Uint8Array {
  return hmac(deriveKey(key, usageConstant(usage, 0x99)), data);
}

/** Constant-time comparison of a received checksum. */
export function checksumMatches(key: Key, usage: number, data: Uint8Array, received: Uint8Array): boolean {
  const want = checksum(key, usage, data);
  return received.length === want.length && timingSafeEqual(want, received);
}

/** Overhead of {@link encrypt}: confounder + HMAC. */
export const ENCRYPT_OVERHEAD = BLOCK + HMAC_LENGTH;
export const CHECKSUM_LENGTH = HMAC_LENGTH;
