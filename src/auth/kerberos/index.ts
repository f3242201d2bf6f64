/**
 * Kerberos for tsremote's client: the GSSAPI binding (optional `kerberos` package, loaded on
 * demand) for the handshake, the AuthContext, and the message keys for sealing (from the ccache
 * and the exchanged tokens; the RFC 4121 tokens themselves are src/auth/krb5/cfx.ts, shared with
 * serve's acceptor). Getting tickets (kinit) is I/O and
 * lives with the CLI (src/cli/kerberos-tickets.ts).
 */
export {
  type GssBinding, type GssBindingLoader, type GssClient, KERBEROS_PACKAGE, gssBindingInstalled, importBinding, kerberosInstallHint, loadGssBinding,
} from './binding.js';
export {
  KERBEROS_ENCRYPTED_PROTOCOL, KerberosClientContext, type KerberosClientOptions, SPNEGO_ENCRYPTED_PROTOCOL, type ServicePrincipal, spnText,
} from './client.js';
export { KerberosError, type KerberosFailureKind, classifyKerberosFailure, gssReason, ticketFailure } from './failure.js';
export { type CachedCredential, type CredentialCache, CcacheFormatError, findTicketCredential, parseCcache } from './ccache.js';
export { initiatorSession } from './session.js';
