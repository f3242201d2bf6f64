/**
 * RSAES-PKCS1-v1_5 (RFC 8017 §7.2), the scheme that wraps the PSRP session key (MS-PSRP §2.2.2.4).
 *
 * Encryption is plain node:crypto. Decryption is not: Node 20 refuses RSA_PKCS1_PADDING in
 * privateDecrypt (CVE-2023-46809, the Marvin timing attack) unless run with --security-revert.
 * We decrypt with RSA_NO_PADDING and check the padding ourselves. The timing concern is about
 * an oracle answering many chosen ciphertexts; a client unwraps exactly one key per pool and
 * answers nothing either way, so it does not apply here — we still scan the padding to the end
 * rather than return at the first bad byte.
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { PsrpProtocolError } from '../errors.js';

/** Encrypts `data` to `publicKey` with PKCS#1 v1.5 padding; big-endian ciphertext. */
export function rsaEncryptPkcs1(publicKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, data));
}

/**
 * Decrypts PKCS#1 v1.5 ciphertext (big-endian).
 * @throws PsrpProtocolError when the ciphertext does not decrypt to a well-padded message.
 */
export function rsaDecryptPkcs1(privateKey: KeyObject, ciphertext: Uint8Array): Uint8Array {
  let em: Uint8Array;
  try {
    em = new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext));
  } catch (err) {
    throw new PsrpProtocolError('encrypted session key cannot be decrypted with our RSA key', { cause: err });
  }
  // EM = 0x00 || 0x02 || PS (>= 8 non-zero bytes) || 0x00 || M
  let bad = (em[0] ?? 1) | ((em[1] ?? 0) ^ 0x02);
  let separator = 0;
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    if (separator === 0 && isZero === 1) separator = i;
  }
  if (separator < 10) bad |= 1;
  if (bad !== 0) throw new PsrpProtocolError('encrypted session key has invalid PKCS#1 v1.5 padding');
  return em.slice(separator + 1);
}
