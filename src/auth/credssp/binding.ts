/**
 * The public-key binding (MS-CSSP 3.1.5 steps 3 and 4) and the TLS trailer length WinRM's framing
 * declares (MS-WSMV 2.2.9.1.3).
 *
 * Why the client does not verify the inner TLS certificate: WinRM's CredSSP certificate is
 * self-signed. Instead, each side seals a value derived from the server's public key with the
 * inner NTLM (or Kerberos) context, which only the real server and client can open. A man in the
 * middle terminating TLS with its own key would have to produce the server's sealed binding for
 * *its* key, which needs the NTLM session key, which needs the password. Versions:
 * ```
 *   5 and later  client: SHA-256("CredSSP Client-To-Server Binding Hash\0" + clientNonce + key)
 *                server: SHA-256("CredSSP Server-To-Client Binding Hash\0" + clientNonce + key)
 *   2 to 4       client: key;  server: key with its first byte plus one
 * ```
 * where `key` is the subjectPublicKey BIT STRING of the server certificate's SubjectPublicKeyInfo,
 * without its unused-bits byte (for RSA: the PKCS#1 RSAPublicKey DER).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { AuthError } from '../errors.js';
import { TAG_BIT_STRING, TAG_SEQUENCE, concatBytes, readChildren, readOnly } from './der.js';

/** The first version whose binding is a hash with the client's nonce. */
export const FIRST_HASHED_VERSION = 5;
export const NONCE_LENGTH = 32;
const CLIENT_MAGIC = Buffer.from('CredSSP Client-To-Server Binding Hash\0', 'latin1');
const SERVER_MAGIC = Buffer.from('CredSSP Server-To-Client Binding Hash\0', 'latin1');

/**
 * The SubjectPublicKey of a DER certificate.
 * @throws AuthError (ETSR_AUTH_REJECTED) when the certificate cannot be read.
 */
export function subjectPublicKey(certificateDer: Uint8Array): Uint8Array {
  let spki: Uint8Array;
  try {
    spki = new Uint8Array(new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' }));
  } catch (err) {
    throw new AuthError('ETSR_AUTH_REJECTED', 'the CredSSP server certificate cannot be read', { cause: err });
  }
  return subjectPublicKeyOfSpki(spki);
}

/** The BIT STRING contents of a SubjectPublicKeyInfo, without the unused-bits byte. */
export function subjectPublicKeyOfSpki(spki: Uint8Array): Uint8Array {
  const [, bits] = readChildren(readOnly(spki, TAG_SEQUENCE, 'SubjectPublicKeyInfo'), 2);
  if (bits === undefined || bits.tag !== TAG_BIT_STRING || bits.contents.length < 2 || bits.contents[0] !== 0) {
    throw new AuthError('ETSR_AUTH_REJECTED', 'malformed SubjectPublicKeyInfo in the CredSSP server certificate');
  }
  return bits.contents.subarray(1);
}

/** What the client seals into pubKeyAuth (the nonce is required from version 5). */
export function clientBinding(version: number, publicKey: Uint8Array, nonce: Uint8Array | undefined): Uint8Array {
  if (version >= FIRST_HASHED_VERSION) return hashed(CLIENT_MAGIC, requireNonce(nonce), publicKey);
  return publicKey;
}

/** What the server seals into its pubKeyAuth answer. */
export function serverBinding(version: number, publicKey: Uint8Array, nonce: Uint8Array | undefined): Uint8Array {
  if (version >= FIRST_HASHED_VERSION) return hashed(SERVER_MAGIC, requireNonce(nonce), publicKey);
  const out = new Uint8Array(publicKey);
  out[0] = ((out[0] ?? 0) + 1) & 0xff;
  return out;
}

function hashed(magic: Uint8Array, nonce: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(concatBytes([magic, nonce, publicKey])).digest());
}

function requireNonce(nonce: Uint8Array | undefined): Uint8Array {
  if (nonce === undefined || nonce.length !== NONCE_LENGTH) {
    throw new AuthError('ETSR_AUTH_REJECTED', `CredSSP version 5 and later need a ${NONCE_LENGTH}-byte clientNonce`);
  }
  return nonce;
}

/**
 * The "trailer" length WinRM writes before a CredSSP-sealed body: what Windows' SChannel reports as
 * cbTrailer (SecPkgContext_StreamSizes) for a record of `dataLength` plaintext bytes. The bytes
 * that follow are the whole TLS record either way; only Windows reads this number.
 * - AEAD suites (GCM, ChaCha20-Poly1305) on TLS 1.2: the 16-byte tag.
 * - TLS 1.3: the tag plus the inner content-type byte (17).
 * - CBC suites: the MAC plus the padding to the block size (8 for 3DES, else 16); RC4: the MAC.
 */
export function tlsTrailerLength(protocol: string, cipherSuite: string, dataLength: number): number {
  if (protocol === 'TLSv1.3') return 17;
  if (/(^|[-_])(GCM|CHACHA20)([-_]|$)/i.test(cipherSuite)) return 16;
  const hash = cipherSuite.split('-').pop() ?? '';
  const macLength = ({ MD5: 16, SHA: 20, SHA256: 32, SHA384: 48 } as Record<string, number>)[hash] ?? 0;
  const prePad = dataLength + macLength;
  if (/RC4/i.test(cipherSuite)) return macLength;
  const block = /DES/i.test(cipherSuite) ? 8 : 16;
  return macLength + (block - (prePad % block));
}
