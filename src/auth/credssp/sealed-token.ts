/**
 * pubKeyAuth and authInfo carry GSS_WrapEx output (MS-CSSP 3.1.5 step 3). For NTLM that is the
 * 16-byte signature followed by the sealed bytes (MS-NLMP 3.4.3), as one octet string.
 */
import type { SealedMessage } from '../context.js';
import { AuthError } from '../errors.js';

const NTLM_SIGNATURE_LENGTH = 16;

export function joinSealed(sealed: SealedMessage): Uint8Array {
  const out = new Uint8Array(sealed.header.length + sealed.data.length);
  out.set(sealed.header, 0);
  out.set(sealed.data, sealed.header.length);
  return out;
}

/** @throws AuthError (ETSR_AUTH_REJECTED) when the value is too short to hold a signature. */
export function splitSealed(token: Uint8Array): SealedMessage {
  if (token.length < NTLM_SIGNATURE_LENGTH) {
    throw new AuthError('ETSR_AUTH_REJECTED', `CredSSP: a sealed value of ${token.length} bytes has no NTLM signature`);
  }
  return { header: token.subarray(0, NTLM_SIGNATURE_LENGTH), data: token.subarray(NTLM_SIGNATURE_LENGTH) };
}
