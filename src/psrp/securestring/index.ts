/** SecureString support: the session key exchange and the <SS> cipher (MS-PSRP §2.2.5.1.24). */
export { ClientKeyExchange, encryptSessionKey } from './key-exchange.js';
export { SessionKey } from './session-key.js';
export {
  exportPublicKeyBlob,
  importPublicKeyBlob,
  buildSimpleBlob,
  parseSimpleBlob,
  PUBLIC_KEY_BLOB_SIZE,
  SIMPLE_BLOB_SIZE,
} from './blobs.js';
