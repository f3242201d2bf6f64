/**
 * tsremote auth — credentials and the authentication contexts the transport drives.
 * Basic today; NTLM, Negotiate/Kerberos, certificates and OAuth plug in as further `AuthContext`s.
 */
import type { AuthChoice, AuthContext } from './context.js';
import { AnonymousAuthContext } from './anonymous.js';
import type { Credential } from './credential.js';
import { BasicAuthContext } from './basic.js';
import { AuthError } from './errors.js';

export { Credential } from './credential.js';
export { type AuthContext, type AuthMechanism, type AuthChoice, type MaybePromise, AUTH_MECHANISMS } from './context.js';
export { AnonymousAuthContext } from './anonymous.js';
export { BasicAuthContext } from './basic.js';
export { AuthError, type AuthErrorCode, logonRejected, authUnsupported } from './errors.js';
export { type Challenge, parseWwwAuthenticate, offeredSchemes } from './www-authenticate.js';

/**
 * Creates a fresh context for one server.
 * @throws AuthError (ETSR_CREDENTIALS) when the mechanism needs a credential and none was given.
 */
export function createAuthContext(mechanism: AuthChoice, credential: Credential | undefined, host?: string): AuthContext {
  switch (mechanism) {
    case 'none':
      return new AnonymousAuthContext();
    case 'basic':
      if (!credential) {
        throw new AuthError('ETSR_CREDENTIALS', 'Basic authentication needs a user name and password', {
          host,
          hint: 'pass -u USER (the password is prompted for or read from the environment)',
        });
      }
      return new BasicAuthContext(credential);
    default:
      // Wired up by the transport work of issue 5 (NTLM contexts, certificate auth).
      throw new AuthError('ETSR_AUTH_UNSUPPORTED', `${mechanism} authentication is not wired up yet`, { host });
  }
}
