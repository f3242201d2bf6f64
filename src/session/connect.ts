/**
 * Turns what the user typed (a host spec, connection flags, a credential) into a WSManClient with
 * its own transport (one keep-alive connection pool per endpoint).
 */
import { defaultContext } from '../wsman/index.js';
import { DEFAULT_MAX_RESPONSE_BYTES, WSManTransport, parseHostSpec, type TraceEvent, type TransportOptions } from '../transport/index.js';
import type { AuthMechanism } from '../auth/context.js';
import type { Credential } from '../auth/credential.js';
import type { KerberosSettings } from '../auth/negotiate.js';
import { WSManClient } from './wsman-client.js';

export interface ConnectOptions {
  https: boolean;
  port?: number | undefined;
  /** `negotiate` (the CLI's default), `ntlm`, `basic`, or `certificate` (HTTPS only, no credential). */
  auth: AuthMechanism;
  /** Needed by every mechanism but `certificate`; without one only an anonymous Identify works. */
  credential?: Credential | undefined;
  caFile?: string | undefined;
  /** Client certificate and key (PEM files) for `certificate`. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  skipCertCheck?: boolean;
  allowUnencrypted?: boolean;
  operationTimeoutSec: number;
  connectTimeoutSec: number;
  maxEnvelopeSize?: number;
  /** One line per request: method, URL, status, timings; never secrets. */
  debug?: ((line: string) => void) | undefined;
  /** Each HTTP exchange, credentials redacted, bodies unsealed (for `--debug`). */
  trace?: ((event: TraceEvent) => void) | undefined;
  /** `kerberos`, and `negotiate` trying Kerberos first: SPN, principal, delegation (src/auth/negotiate.ts). */
  kerberos?: KerberosSettings | undefined;
  /** Builds each connection's AuthContext: how `oauth` gets its bearer context (src/oauth). */
  authContext?: TransportOptions['authContext'] | undefined;
}

/** A client for one host. Close it when done: that ends its connection pool. */
export function connect(hostSpec: string, opts: ConnectOptions): WSManClient {
  const endpoint = parseHostSpec(hostSpec, { https: opts.https, port: opts.port });
  // Kerberos needs no password: its tickets are in the ccache.
  const authenticated = opts.auth === 'certificate' || opts.authContext !== undefined || opts.credential !== undefined
    || opts.auth === 'kerberos' || opts.kerberos?.negotiateKerberos === true;
  const options: TransportOptions = {
    endpoint,
    auth: authenticated ? opts.auth : 'none',
    credential: opts.credential,
    caFile: opts.caFile,
    skipCertCheck: opts.skipCertCheck ?? false,
    allowUnencrypted: opts.allowUnencrypted ?? false,
    connectTimeoutMs: opts.connectTimeoutSec * 1000,
    // A larger --max-envelope-size must still fit, sealed, with room to spare.
    maxResponseBytes: Math.max(DEFAULT_MAX_RESPONSE_BYTES, 4 * (opts.maxEnvelopeSize ?? 0)),
    operationTimeoutSec: opts.operationTimeoutSec,
    certFile: opts.certFile,
    keyFile: opts.keyFile,
    debug: opts.debug,
    trace: opts.trace,
    ...(opts.authContext ? { authContext: opts.authContext } : {}),
    ...(opts.kerberos ? { kerberos: opts.kerberos } : {}),
  };
  const transport = new WSManTransport(options);
  const context = defaultContext(endpoint.url.href, {
    operationTimeoutSec: opts.operationTimeoutSec,
    maxEnvelopeSize: opts.maxEnvelopeSize ?? 153600,
    sessionId: `uuid:${crypto.randomUUID().toUpperCase()}`,
    operationIds: true,
  });
  return new WSManClient(endpoint.label, transport, context);
}
