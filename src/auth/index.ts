/**
 * tsremote auth — credentials and the authentication contexts the transport drives.
 * Basic today; NTLM, Negotiate/Kerberos, certificates and OAuth plug in as further `AuthContext`s.
 */
import type { AuthContext, AuthMechanism } from './context.js';
import type { Credential } from './credential.js';
import { BasicAuthContext } from './basic.js';
import { AuthError } from './errors.js';

export { Credential } from './credential.js';
export { type AuthContext, type AuthMechanism, type MaybePromise, AUTH_MECHANISMS } from './context.js';
export { BasicAuthContext } from './basic.js';
export { AuthError, type AuthErrorCode, logonRejected, authUnsupported } from './errors.js';
export { type Challenge, parseWwwAuthenticate, offeredSchemes } from './www-authenticate.js';

/**
 * Creates a fresh context for one server.
 * @throws AuthError (ETSR_CREDENTIALS) when the mechanism needs a credential and none was given.
 */
export function createAuthContext(mechanism: AuthMechanism, credential: Credential | undefined, host?: string): AuthContext {
  switch (mechanism) {
    case 'basic':
      if (!credential) {
        throw new AuthError('ETSR_CREDENTIALS', 'Basic authentication needs a user name and password', {
          host,
          hint: 'pass -u USER (the password is prompted for or read from the environment)',
        });
      }
      return new BasicAuthContext(credential);
  }
}
