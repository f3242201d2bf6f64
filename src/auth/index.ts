/**
 * tsremote auth — credentials and the authentication contexts the transport drives: Basic, NTLM
 * (inside `Negotiate` or on its own), TLS client certificates, and the anonymous Identify.
 * Negotiate/Kerberos and OAuth plug in as further `AuthContext`s.
 */
import type { AuthChoice, AuthContext } from './context.js';
import { AnonymousAuthContext } from './anonymous.js';
import type { Credential } from './credential.js';
import { BasicAuthContext } from './basic.js';
import { CertificateAuthContext } from './certificate.js';
import { AuthError } from './errors.js';
import { NtlmClientContext } from './ntlm/index.js';

export { Credential } from './credential.js';
export {
  type AuthContext, type AuthMechanism, type AuthChoice, type MaybePromise, type SealedMessage, AUTH_MECHANISMS,
} from './context.js';
export { AnonymousAuthContext } from './anonymous.js';
export { BasicAuthContext } from './basic.js';
export { CertificateAuthContext, WSMAN_MUTUAL_TLS } from './certificate.js';
export { AuthError, type AuthErrorCode, logonRejected, authUnsupported } from './errors.js';
export { type Challenge, parseWwwAuthenticate, offeredSchemes } from './www-authenticate.js';

/** What a context may learn about the connection it authenticates. */
export interface AuthContextOptions {
  /**
   * The channel-binding application data of the connection (`tls-server-end-point:` + hash of the
   * server certificate, RFC 5929), read when the context builds its final token; undefined on
   * plain HTTP. NTLM folds it into the AUTHENTICATE message for Extended Protection.
   */
  channelBindings?: () => Uint8Array | undefined;
  /** The client's NetBIOS name sent in NTLM messages; default none. */
  workstation?: string;
  /**
   * The service principal the client means to reach, `HTTP/<host>` for WinRM, sent as NTLM's
   * MsvAvTargetName so a server that validates SPNs (and a relay) can see who the logon was for.
   */
  targetName?: string;
}

/**
 * Creates a fresh context for one connection to one server. NTLM contexts authenticate a single
 * TCP connection and keep per-connection sealing state, so the transport makes one per socket.
 * @throws AuthError (ETSR_CREDENTIALS) when the mechanism needs a credential and none was given.
 */
export function createAuthContext(
  mechanism: AuthChoice,
  credential: Credential | undefined,
  host?: string,
  options: AuthContextOptions = {},
): AuthContext {
  switch (mechanism) {
    case 'none':
      return new AnonymousAuthContext();
    case 'certificate':
      return new CertificateAuthContext();
    case 'basic':
      return new BasicAuthContext(needCredential(credential, 'Basic', host));
    case 'negotiate':
    case 'ntlm':
      // Negotiate is NTLM inside `Authorization: Negotiate` until Kerberos arrives: Windows'
      // Negotiate package accepts a raw NTLM token there, as pywinrm and pypsrp rely on.
      return new NtlmClientContext(needCredential(credential, mechanism === 'ntlm' ? 'NTLM' : 'Negotiate', host), {
        scheme: mechanism === 'ntlm' ? 'NTLM' : 'Negotiate',
        ...(options.channelBindings ? { channelBindings: options.channelBindings } : {}),
        ...(options.workstation !== undefined ? { workstation: options.workstation } : {}),
        ...(options.targetName !== undefined ? { targetName: options.targetName } : {}),
      });
  }
}

function needCredential(credential: Credential | undefined, scheme: string, host: string | undefined): Credential {
  if (credential) return credential;
  throw new AuthError('ETSR_CREDENTIALS', `${scheme} authentication needs a user name and password`, {
    host,
    hint: 'pass -u USER (the password is prompted for or read from the environment)',
  });
}
