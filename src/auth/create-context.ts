/**
 * createAuthContext: the one place that composes a context for a mechanism. Apart from the auth
 * barrel (index.ts), so the transport loads the mechanisms and not everything the barrel exports.
 */
import type { AuthChoice, AuthContext } from './context.js';
import { AnonymousAuthContext } from './anonymous.js';
import type { Credential } from './credential.js';
import { BasicAuthContext } from './basic.js';
import { CertificateAuthContext } from './certificate.js';
import { AuthError } from './errors.js';
import type { KerberosSettings } from './negotiate.js';
import { NtlmClientContext } from './ntlm/client.js';
import { CredSspClientContext } from './credssp/context.js';
import { KerberosClientContext } from './kerberos/client.js';
import { NegotiateClientContext, kerberosClientOptions } from './negotiate.js';

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
  /** Kerberos, and Negotiate's Kerberos leg: SPN overrides, principal, delegation (see negotiate.ts). */
  kerberos?: KerberosSettings;
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
    case 'oauth':
      // Tokens come from an identity provider, which is I/O: the caller builds the context around
      // a TokenSource (TransportOptions.authContext; the CLI's comes from src/oauth).
      throw new AuthError('ETSR_CREDENTIALS', 'OAuth needs a token source', {
        host,
        hint: 'pass TransportOptions.authContext: () => new BearerAuthContext(source)',
      });
    case 'kerberos':
      // Tickets come from the ticket cache (the CLI runs kinit when it has to); no password here.
      return new KerberosClientContext(kerberosClientOptions(options.kerberos ?? {}, spnHost(options.targetName, host), host));
    case 'negotiate':
      if (options.kerberos?.negotiateKerberos) {
        const ntlm = credential ? () => ntlmContext('negotiate', credential, host, options) : undefined;
        const k = options.kerberos;
        return new NegotiateClientContext({
          kerberos: kerberosClientOptions(k, spnHost(options.targetName, host), host),
          ntlm,
          onFallback: k.onFallback,
          memo: k.memo,
        });
      }
      return ntlmContext(mechanism, credential, host, options);
    case 'ntlm':
      return ntlmContext(mechanism, credential, host, options);
    case 'credssp':
      // The TLS engine (node:tls over an in-memory pipe) belongs to the I/O layer; it is injected
      // here, the one place that composes a context, and loaded only when the first step runs.
      return new CredSspClientContext(needCredential(credential, 'CredSSP', host), {
        tls: async () => (await import('../transport/credssp-tls.js')).MemoryTlsChannel.client(),
        ...(options.targetName !== undefined ? { targetName: options.targetName } : {}),
      });
  }
}

/** NTLM, inside `Negotiate` or on its own. */
function ntlmContext(mechanism: 'negotiate' | 'ntlm', credential: Credential | undefined, host: string | undefined, options: AuthContextOptions): AuthContext {
  // Windows' Negotiate package accepts a raw NTLM token in `Authorization: Negotiate`, as pywinrm
  // and pypsrp rely on.
  return new NtlmClientContext(needCredential(credential, mechanism === 'ntlm' ? 'NTLM' : 'Negotiate', host), {
    scheme: mechanism === 'ntlm' ? 'NTLM' : 'Negotiate',
    ...(options.channelBindings ? { channelBindings: options.channelBindings } : {}),
    ...(options.workstation !== undefined ? { workstation: options.workstation } : {}),
    ...(options.targetName !== undefined ? { targetName: options.targetName } : {}),
  });
}

/** The host part of `HTTP/<host>`, else the host label. */
function spnHost(targetName: string | undefined, host: string | undefined): string {
  const slash = targetName?.indexOf('/') ?? -1;
  return targetName !== undefined && slash >= 0 ? targetName.slice(slash + 1) : (host ?? '');
}

function needCredential(credential: Credential | undefined, scheme: string, host: string | undefined): Credential {
  if (credential) return credential;
  throw new AuthError('ETSR_CREDENTIALS', `${scheme} authentication needs a user name and password`, {
    host,
    hint: 'pass -u USER (the password is prompted for or read from the environment)',
  });
}
