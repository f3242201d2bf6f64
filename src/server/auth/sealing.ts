/**
 * Message encryption on serve's side (MS-WSMV 2.2.9.1): opening a sealed request and sealing the
 * response with the connection's NTLM session security.
 *
 * NTLM's RC4 streams and sequence numbers run for the whole connection, one message after another
 * in each direction: a request that cannot be opened (or is not read at all, like one over the size
 * cap) leaves the streams out of step, so the listener logs the connection off and closes it.
 */
import type { AuthContext } from '../../auth/context.js';
import { decodeEncryptedBody, openBody, sealBody } from '../../transport/encrypted-body.js';
import { envelopeBytes } from '../envelope-bytes.js';
import type { SessionSecurity } from './types.js';

/** The framing helpers take an AuthContext; a logged-on connection only has wrap/unwrap. */
function asContext(security: SessionSecurity): AuthContext {
  return {
    scheme: security.scheme,
    complete: true,
    encrypts: true,
    revealsSecret: false,
    everyRequest: false,
    step: () => null,
    wrap: (data) => security.wrap(data),
    unwrap: (header, data) => security.unwrap(header, data),
  };
}

/**
 * Verifies and unseals a `multipart/encrypted` request body.
 * @returns the plaintext and the media type its OriginalContent declares (for the charset).
 * @throws AuthError (ETSR_AUTH_INTEGRITY) on bad framing, a bad signature or a wrong length.
 */
export function openRequest(security: SessionSecurity, body: Uint8Array): { plaintext: Buffer; contentType: string } {
  const { originalType } = decodeEncryptedBody(body);
  return { plaintext: openBody(asContext(security), body), contentType: originalType };
}

/** Seals a response envelope (UTF-8) and frames it; send it as ENCRYPTED_CONTENT_TYPE. */
export function sealResponse(security: SessionSecurity, envelope: string): Buffer {
  return sealBody(asContext(security), envelopeBytes(envelope));
}
