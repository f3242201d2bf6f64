/**
 * The session key and the SecureString cipher (MS-PSRP §2.2.5.1.24, §3.1.5.4.4).
 *
 * A <SS> element holds base64 of AES-256-CBC ciphertext, IV all zeros, PKCS#7 padding, of the
 * string's UTF-16LE bytes, under the 32-byte key the server sent in ENCRYPTED_SESSION_KEY.
 * (A fixed IV with one key per session is what Windows does; we must match it to interoperate.)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PsrpProtocolError } from '../errors.js';

const KEY_BYTES = 32;
const ZERO_IV = new Uint8Array(16);

/** One session's AES-256 key; encrypts and decrypts SecureString values. */
export class SessionKey {
  readonly #key: Uint8Array;

  /** @throws RangeError unless `key` is 32 bytes. */
  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw new RangeError(`session key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Uint8Array.from(key);
  }

  /** A fresh random key (the server's side of the exchange). */
  static generate(): SessionKey {
    return new SessionKey(randomBytes(KEY_BYTES));
  }

  /** The raw key bytes (a copy), needed to wrap the key for the peer. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#key);
  }

  /** Encrypts `text` into the base64 content of an <SS> element. */
  encrypt(text: string): string {
    const cipher = createCipheriv('aes-256-cbc', this.#key, ZERO_IV);
    return Buffer.concat([cipher.update(Buffer.from(text, 'utf16le')), cipher.final()]).toString('base64');
  }

  /**
   * Decrypts the base64 content of an <SS> element.
   * @throws PsrpProtocolError when it is not a whole number of AES blocks or the padding is wrong
   *   (wrong key, or a corrupted value).
   */
  decrypt(base64: string): string {
    const data = Buffer.from(base64.trim(), 'base64');
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new PsrpProtocolError(`SecureString of ${data.length} bytes is not a whole number of AES blocks`);
    }
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, ZERO_IV);
      const plain = Buffer.concat([decipher.update(data), decipher.final()]);
      if (plain.length % 2 !== 0) throw new Error('odd UTF-16 length');
      return plain.toString('utf16le');
    } catch (err) {
      throw new PsrpProtocolError('SecureString cannot be decrypted with the session key', { cause: err });
    }
  }
}
