/**
 * The two CryptoAPI key blobs of the PSRP session key exchange (MS-PSRP §2.2.2.3, §2.2.2.4).
 *
 * PUBLIC_KEY carries a PUBLICKEYBLOB (276 bytes for RSA-2048), all integers little-endian:
 *
 * ```
 *   offset size  field
 *   0      1     bType      0x06 PUBLICKEYBLOB          } BLOBHEADER
 *   1      1     bVersion   0x02                        }
 *   2      2     reserved   0                           }
 *   4      4     aiKeyAlg   0x0000A400 CALG_RSA_KEYX    }
 *   8      4     magic      'RSA1' (0x31415352)         } RSAPUBKEY
 *   12     4     bitlen     2048                        }
 *   16     4     pubexp     e, usually 65537            }
 *   20     256   modulus    n, LITTLE-endian
 * ```
 *
 * ENCRYPTED_SESSION_KEY carries a SIMPLEBLOB (268 bytes):
 *
 * ```
 *   0      1     bType      0x01 SIMPLEBLOB
 *   1      1     bVersion   0x02
 *   2      2     reserved   0
 *   4      4     aiKeyAlg   0x00006610 CALG_AES_256 (the key inside)
 *   8      4     algid      0x0000A400 CALG_RSA_KEYX (the key that wrapped it)
 *   12     256   encrypted  RSAES-PKCS1-v1_5 ciphertext of the 32-byte AES key, LITTLE-endian
 * ```
 *
 * CryptoAPI stores big numbers least significant byte first, hence the reversals.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { PsrpProtocolError } from '../errors.js';

const PUBLICKEYBLOB = 0x06;
const SIMPLEBLOB = 0x01;
const CUR_BLOB_VERSION = 0x02;
const CALG_RSA_KEYX = 0x0000a400;
const CALG_AES_256 = 0x00006610;
const RSA1 = 0x31415352;
const RSA_BITS = 2048;
const MODULUS_BYTES = RSA_BITS / 8;

/** Size of an RSA-2048 PUBLICKEYBLOB. */
export const PUBLIC_KEY_BLOB_SIZE = 20 + MODULUS_BYTES;
/** Size of an RSA-2048-wrapped AES-256 SIMPLEBLOB. */
export const SIMPLE_BLOB_SIZE = 12 + MODULUS_BYTES;

function reversed(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

/** Big-endian bytes of `b64url` left-padded with zeros to `length`. */
function fixedBigEndian(b64url: string, length: number): Uint8Array {
  const raw = Buffer.from(b64url, 'base64url');
  let start = 0;
  while (start < raw.length - length && raw[start] === 0) start++;
  const trimmed = raw.subarray(start);
  if (trimmed.length > length) throw new RangeError(`value does not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  out.set(trimmed, length - trimmed.length);
  return out;
}

/**
 * Builds the PUBLICKEYBLOB of an RSA-2048 public key.
 * @throws RangeError when the key is not RSA-2048 or its exponent does not fit 32 bits.
 */
export function exportPublicKeyBlob(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || jwk.n === undefined || jwk.e === undefined) throw new RangeError('not an RSA public key');
  const modulus = fixedBigEndian(jwk.n, MODULUS_BYTES);
  if ((modulus[0] ?? 0) < 0x80) throw new RangeError(`RSA modulus is not ${RSA_BITS} bits`);
  const exponent = fixedBigEndian(jwk.e, 4);
  const out = new Uint8Array(PUBLIC_KEY_BLOB_SIZE);
  const view = new DataView(out.buffer);
  view.setUint8(0, PUBLICKEYBLOB);
  view.setUint8(1, CUR_BLOB_VERSION);
  view.setUint32(4, CALG_RSA_KEYX, true);
  view.setUint32(8, RSA1, true);
  view.setUint32(12, RSA_BITS, true);
  out.set(reversed(exponent), 16);
  out.set(reversed(modulus), 20);
  return out;
}

/**
 * Reads a PUBLICKEYBLOB back into a public key.
 * @throws PsrpProtocolError when the blob is not an RSA-2048 PUBLICKEYBLOB.
 */
export function importPublicKeyBlob(blob: Uint8Array): KeyObject {
  if (blob.length !== PUBLIC_KEY_BLOB_SIZE) {
    throw new PsrpProtocolError(`PUBLICKEYBLOB is ${blob.length} bytes, expected ${PUBLIC_KEY_BLOB_SIZE}`);
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint8(0) !== PUBLICKEYBLOB || view.getUint8(1) !== CUR_BLOB_VERSION) {
    throw new PsrpProtocolError('PUBLICKEYBLOB header is not bType 0x06 / bVersion 0x02');
  }
  if (view.getUint32(4, true) !== CALG_RSA_KEYX || view.getUint32(8, true) !== RSA1) {
    throw new PsrpProtocolError('PUBLICKEYBLOB is not a CALG_RSA_KEYX RSA1 key');
  }
  if (view.getUint32(12, true) !== RSA_BITS) {
    throw new PsrpProtocolError(`PUBLICKEYBLOB bitlen ${view.getUint32(12, true)}, expected ${RSA_BITS}`);
  }
  const e = reversed(blob.subarray(16, 20));
  const n = reversed(blob.subarray(20));
  try {
    return createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') },
      format: 'jwk',
    });
  } catch (err) {
    throw new PsrpProtocolError('PUBLICKEYBLOB does not hold a usable RSA key', { cause: err });
  }
}

/** Wraps RSA ciphertext (big-endian, as RFC 8017 produces it) in a SIMPLEBLOB. */
export function buildSimpleBlob(ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length !== MODULUS_BYTES) throw new RangeError(`ciphertext must be ${MODULUS_BYTES} bytes`);
  const out = new Uint8Array(SIMPLE_BLOB_SIZE);
  const view = new DataView(out.buffer);
  view.setUint8(0, SIMPLEBLOB);
  view.setUint8(1, CUR_BLOB_VERSION);
  view.setUint32(4, CALG_AES_256, true);
  view.setUint32(8, CALG_RSA_KEYX, true);
  out.set(reversed(ciphertext), 12);
  return out;
}

/**
 * Takes the RSA ciphertext (big-endian) out of a SIMPLEBLOB.
 * @throws PsrpProtocolError when the blob is not an RSA-2048-wrapped AES-256 SIMPLEBLOB.
 */
export function parseSimpleBlob(blob: Uint8Array): Uint8Array {
  if (blob.length !== SIMPLE_BLOB_SIZE) {
    throw new PsrpProtocolError(`SIMPLEBLOB is ${blob.length} bytes, expected ${SIMPLE_BLOB_SIZE}`);
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint8(0) !== SIMPLEBLOB || view.getUint8(1) !== CUR_BLOB_VERSION) {
    throw new PsrpProtocolError('SIMPLEBLOB header is not bType 0x01 / bVersion 0x02');
  }
  if (view.getUint32(4, true) !== CALG_AES_256 || view.getUint32(8, true) !== CALG_RSA_KEYX) {
    throw new PsrpProtocolError('SIMPLEBLOB is not an AES-256 key wrapped with CALG_RSA_KEYX');
  }
  return reversed(blob.subarray(12));
}
