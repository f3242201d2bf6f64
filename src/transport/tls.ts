/**
 * TLS policy for the connector: certificates are verified by default, `--ca-file`/`ca` add trust
 * anchors to Node's built-in roots (Node's own `ca` option would replace them), and
 * `--skip-cert-check` turns verification off (the transport records a warning for it).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError } from '../errors.js';

export interface TlsPolicy {
  caFile?: string;
  ca?: string | Buffer;
  skipCertCheck?: boolean;
}

/**
 * The `connect` options undici passes to `tls.connect`.
 * @throws InvalidArgumentError when `caFile` cannot be read.
 */
export function tlsOptions(opts: TlsPolicy, host: string): { rejectUnauthorized: boolean; ca?: (string | Buffer)[] } {
  const extra: (string | Buffer)[] = [];
  if (opts.ca !== undefined) extra.push(opts.ca);
  if (opts.caFile !== undefined) {
    try {
      extra.push(readFileSync(opts.caFile));
    } catch (err) {
      throw new InvalidArgumentError(`cannot read --ca-file ${opts.caFile}`, { host, cause: err });
    }
  }
  return {
    rejectUnauthorized: !opts.skipCertCheck,
    ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
  };
}
