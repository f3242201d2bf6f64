/**
 * The session key exchange (MS-PSRP §3.1.4.8, §3.1.5.4.3, §3.1.5.4.4, server §3.2.5.4.3).
 *
 * | step | who    | message               | content                                          |
 * |------|--------|-----------------------|--------------------------------------------------|
 * | 0    | server | PUBLIC_KEY_REQUEST    | (optional) asks the client to start              |
 * | 1    | client | PUBLIC_KEY            | base64 PUBLICKEYBLOB of a fresh RSA-2048 key     |
 * | 2    | server | ENCRYPTED_SESSION_KEY | base64 SIMPLEBLOB: AES-256 key wrapped with it   |
 *
 * After step 2 both sides hold the same {@link SessionKey} and can exchange <SS> values.
 * This module does the cryptography only; when to send what is the RunspacePool's business.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PsrpProtocolError } from '../errors.js';
import { buildSimpleBlob, exportPublicKeyBlob, importPublicKeyBlob, parseSimpleBlob } from './blobs.js';
import { rsaDecryptPkcs1, rsaEncryptPkcs1 } from './rsa.js';
import { SessionKey } from './session-key.js';

function fromBase64(text: string, what: string): Uint8Array {
  const trimmed = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed)) throw new PsrpProtocolError(`${what} is not base64`);
  return new Uint8Array(Buffer.from(trimmed, 'base64'));
}

/** The client's half: an RSA-2048 key pair, its PUBLIC_KEY blob, and unwrapping the answer. */
export class ClientKeyExchange {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  /** Use {@link ClientKeyExchange.generate}, or pass a known RSA-2048 key (tests, replays). */
  constructor(privateKey: KeyObject, publicKey: KeyObject) {
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  /** A fresh RSA-2048 key pair (e = 65537). */
  static generate(): ClientKeyExchange {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    return new ClientKeyExchange(privateKey, publicKey);
  }

  /** The PublicKey property of PUBLIC_KEY (§2.2.2.3): base64 of the PUBLICKEYBLOB. */
  publicKeyBlob(): string {
    return Buffer.from(exportPublicKeyBlob(this.#publicKey)).toString('base64');
  }

  /**
   * Unwraps the EncryptedSessionKey property of ENCRYPTED_SESSION_KEY (§2.2.2.4).
   * @throws PsrpProtocolError when it is not a valid SIMPLEBLOB for our key or the key is not 32 bytes.
   */
  acceptEncryptedSessionKey(encryptedSessionKey: string): SessionKey {
    const ciphertext = parseSimpleBlob(fromBase64(encryptedSessionKey, 'EncryptedSessionKey'));
    const key = rsaDecryptPkcs1(this.#privateKey, ciphertext);
    if (key.length !== 32) throw new PsrpProtocolError(`session key is ${key.length} bytes, expected 32`);
    return new SessionKey(key);
  }
}

/**
 * The server's half: reads the client's PUBLIC_KEY blob, wraps `sessionKey` (default: a fresh
 * one) for it.
 * @returns the key and the EncryptedSessionKey property for ENCRYPTED_SESSION_KEY.
 * @throws PsrpProtocolError when the client's blob is not a valid RSA-2048 PUBLICKEYBLOB.
 */
export function encryptSessionKey(
  publicKeyBlob: string,
  sessionKey: SessionKey = SessionKey.generate(),
): { sessionKey: SessionKey; encryptedSessionKey: string } {
  const publicKey = importPublicKeyBlob(fromBase64(publicKeyBlob, 'PublicKey'));
  const ciphertext = rsaEncryptPkcs1(publicKey, sessionKey.bytes());
  return { sessionKey, encryptedSessionKey: Buffer.from(buildSimpleBlob(ciphertext)).toString('base64') };
}
