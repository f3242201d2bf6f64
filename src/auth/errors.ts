/** Errors of authentication: the server said no, or we share no scheme with it. */
import { TsrError, type TsrErrorOptions } from '../errors.js';

/**
 * ETSR_AUTH_INTEGRITY: a sealed message failed its signature check, was cut short, or arrived in
 * the clear when it should have been sealed.
 */
export type AuthErrorCode = 'ETSR_AUTH_REJECTED' | 'ETSR_AUTH_UNSUPPORTED' | 'ETSR_CREDENTIALS' | 'ETSR_AUTH_INTEGRITY';

export class AuthError extends TsrError {
  declare readonly code: AuthErrorCode;
  /** The auth-schemes the server offered in `WWW-Authenticate`, when known. */
  readonly offered: readonly string[];

  constructor(code: AuthErrorCode, message: string, options: TsrErrorOptions & { offered?: readonly string[] } = {}) {
    super(code, message, options);
    this.name = 'AuthError';
    this.offered = options.offered ?? [];
  }
}

/** HTTP 401 after we sent credentials with `scheme`. */
export function logonRejected(scheme: string, offered: readonly string[], options: TsrErrorOptions = {}): AuthError {
  const offer = offered.length > 0 ? `; server offers ${offered.join(', ')}` : '';
  return new AuthError('ETSR_AUTH_REJECTED', `logon rejected (401) for ${scheme}${offer}`, {
    hint: 'check -u DOMAIN\\user, the password and --auth',
    ...options,
    offered,
  });
}

/** HTTP 401 whose `WWW-Authenticate` does not include the scheme we use. */
export function authUnsupported(scheme: string, offered: readonly string[], options: TsrErrorOptions = {}): AuthError {
  const offer = offered.length > 0 ? offered.join(', ') : 'nothing';
  return new AuthError('ETSR_AUTH_UNSUPPORTED', `server does not accept ${scheme} authentication (it offers ${offer})`, {
    hint: 'pick one of the offered schemes with --auth, or enable it on the server (winrm/config/service/auth)',
    ...options,
    offered,
  });
}
