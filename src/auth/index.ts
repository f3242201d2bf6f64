/**
 * tsremote auth — credentials and the authentication contexts the transport drives: Basic, NTLM
 * (inside `Negotiate` or on its own), TLS client certificates, and the anonymous Identify.
 * Negotiate/Kerberos and OAuth plug in as further `AuthContext`s.
 */
export { Credential } from './credential.js';
export {
  type AuthContext, type AuthMechanism, type AuthChoice, type MaybePromise, type SealedMessage, AUTH_MECHANISMS,
} from './context.js';
export { AnonymousAuthContext } from './anonymous.js';
export { BasicAuthContext } from './basic.js';
export { BearerAuthContext, type AccessToken, type BearerOptions, type TokenSource, saysInvalidToken } from './bearer.js';
export { CertificateAuthContext, WSMAN_MUTUAL_TLS } from './certificate.js';
export { AuthError, type AuthErrorCode, logonRejected, authUnsupported } from './errors.js';
export { type Challenge, parseWwwAuthenticate, offeredSchemes } from './www-authenticate.js';
export {
  type KerberosSettings, type NegotiateChoice, type NegotiateFacts, NegotiateClientContext, chooseNegotiate, principalOf, realmOf,
} from './negotiate.js';
export { KerberosClientContext, KerberosError, gssBindingInstalled, kerberosInstallHint, loadGssBinding } from './kerberos/index.js';
export { type AuthContextOptions, createAuthContext } from './create-context.js';
