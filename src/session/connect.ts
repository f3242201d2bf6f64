/**
 * Turns what the user typed (a host spec, connection flags, a credential) into a WSManClient with
 * its own transport (one keep-alive connection pool per endpoint).
 */
import { defaultContext } from '../wsman/index.js';
import { WSManTransport, parseHostSpec } from '../transport/index.js';
import type { Credential } from '../auth/index.js';
import { WSManClient } from './wsman-client.js';

export interface ConnectOptions {
  https: boolean;
  port?: number | undefined;
  auth: 'basic';
  credential?: Credential | undefined;
  caFile?: string | undefined;
  skipCertCheck?: boolean;
  allowUnencrypted?: boolean;
  operationTimeoutSec: number;
  connectTimeoutSec: number;
  maxEnvelopeSize?: number;
  debug?: ((line: string) => void) | undefined;
}

/** A client for one host. Close it when done: that ends its connection pool. */
export function connect(hostSpec: string, opts: ConnectOptions): WSManClient {
  const endpoint = parseHostSpec(hostSpec, { https: opts.https, port: opts.port });
  const transport = new WSManTransport({
    endpoint,
    auth: opts.credential ? opts.auth : 'none',
    credential: opts.credential,
    caFile: opts.caFile,
    skipCertCheck: opts.skipCertCheck ?? false,
    allowUnencrypted: opts.allowUnencrypted ?? false,
    connectTimeoutMs: opts.connectTimeoutSec * 1000,
    operationTimeoutSec: opts.operationTimeoutSec,
    debug: opts.debug,
  });
  const context = defaultContext(endpoint.url.href, {
    operationTimeoutSec: opts.operationTimeoutSec,
    maxEnvelopeSize: opts.maxEnvelopeSize ?? 153600,
    sessionId: `uuid:${crypto.randomUUID().toUpperCase()}`,
  });
  return new WSManClient(endpoint.label, transport, context);
}
