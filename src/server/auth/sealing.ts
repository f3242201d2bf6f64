/**
 * Message encryption on serve's side (MS-WSMV 2.2.9.1): opening a sealed request and sealing the
 * response with the connection's NTLM session security.
 *
 * NTLM's RC4 streams and sequence numbers run for the whole connection, one message after another
 * in each direction: a request that cannot be opened (or is not read at all, like one over the size
 * cap) leaves the streams out of step, so the listener logs the connection off and closes it.
 */
import type { MaybePromise } from '../../auth/context.js';
import { decodeEncryptedBody, encryptedContentType, openBody, protocolOf, sealBody } from '../../transport/encrypted-body.js';
import { envelopeBytes } from '../envelope-bytes.js';
import type { SessionSecurity } from './types.js';

/**
 * Verifies and unseals a `multipart/encrypted` request body (a promise only when the mechanism
 * unseals asynchronously).
 * @returns the plaintext and the media type its OriginalContent declares (for the charset).
 * @throws AuthError (ETSR_AUTH_INTEGRITY) on bad framing, a bad signature or a wrong length.
 */
export function openRequest(security: SessionSecurity, body: Uint8Array): MaybePromise<{ plaintext: Buffer; contentType: string }> {
  const { originalType } = decodeEncryptedBody(body);
  const opened = openBody(security, body);
  return opened instanceof Promise
    ? opened.then((plaintext) => ({ plaintext, contentType: originalType }))
    : { plaintext: opened, contentType: originalType };
}

/** Seals a response envelope (UTF-8) and frames it, with the Content-Type to send it under. */
export function sealResponse(security: SessionSecurity, envelope: string): MaybePromise<{ body: Buffer; contentType: string }> {
  const plain = envelopeBytes(envelope);
  const contentType = encryptedContentType(protocolOf(security), plain.length);
  // `plain` is made here from the text and read by no one else: it may be sealed where it lies.
  const sealed = sealBody(security, plain, true);
  return sealed instanceof Promise ? sealed.then((body) => ({ body, contentType })) : { body: sealed, contentType };
}
