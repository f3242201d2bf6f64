/**
 * TLS policy for the connector: certificates are verified by default, `--ca-file`/`ca` add trust
 * anchors to Node's built-in roots (Node's own `ca` option would replace them), and
 * `--skip-cert-check` turns verification off (the transport records a warning for it).
 *
 * The oldest protocol accepted is TLS 1.2, stated here rather than left to Node's default (which
 * `--tls-min-v1.0` or NODE_OPTIONS can lower): TLS 1.0/1.1 are deprecated (RFC 8996), and every
 * WinRM host since Windows Server 2012 R2 speaks 1.2.
 *
 * A client certificate (`--cert-file`/`--key-file`, or PEM strings) is read and checked here, once,
 * so a wrong path or a key that does not belong to the certificate fails before any connection
 * rather than as an opaque handshake error.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError } from '../errors.js';

export interface TlsPolicy {
  caFile?: string;
  ca?: string | Buffer;
  skipCertCheck?: boolean;
}

export interface ClientCertificateSource {
  /** PEM file of the client certificate (`--cert-file`). */
  certFile?: string;
  /** PEM file of its unencrypted private key (`--key-file`). */
  keyFile?: string;
  /** The client certificate as PEM (instead of certFile). */
  cert?: string | Buffer;
  /** Its private key as PEM (instead of keyFile). */
  key?: string | Buffer;
}

/** The oldest TLS version the client negotiates. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/**
 * The `connect` options undici passes to `tls.connect`.
 * @throws InvalidArgumentError when `caFile` cannot be read.
 */
export function tlsOptions(opts: TlsPolicy, host: string): { rejectUnauthorized: boolean; minVersion: typeof MIN_TLS_VERSION; ca?: (string | Buffer)[] } {
  const extra: (string | Buffer)[] = [];
  if (opts.ca !== undefined) extra.push(opts.ca);
  if (opts.caFile !== undefined) extra.push(readPem(opts.caFile, '--ca-file', host));
  return {
    rejectUnauthorized: !opts.skipCertCheck,
    minVersion: MIN_TLS_VERSION,
    ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
  };
}

/**
 * Reads and checks the client certificate and key for `tls.connect`.
 * @throws InvalidArgumentError when either is missing, unreadable, not PEM, or the key does not
 *   belong to the certificate.
 */
export function clientCertificate(src: ClientCertificateSource, host: string): { cert: Buffer; key: Buffer } {
  const cert = src.cert !== undefined ? Buffer.from(src.cert) : src.certFile !== undefined ? readPem(src.certFile, '--cert-file', host) : undefined;
  const key = src.key !== undefined ? Buffer.from(src.key) : src.keyFile !== undefined ? readPem(src.keyFile, '--key-file', host) : undefined;
  if (!cert || !key) {
    throw new InvalidArgumentError('certificate authentication needs a client certificate and its private key', {
      host,
      hint: 'pass --cert-file CERT.pem and --key-file KEY.pem',
    });
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new InvalidArgumentError(`the client certificate${where(src.certFile)} is not a PEM certificate`, { host, cause: err });
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new InvalidArgumentError(`the private key${where(src.keyFile)} is not an unencrypted PEM private key`, {
      host,
      cause: err,
      hint: 'decrypt it first, e.g. openssl pkey -in KEY.pem -out plain.pem',
    });
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new InvalidArgumentError(`the private key${where(src.keyFile)} does not belong to the client certificate${where(src.certFile)}`, { host });
  }
  return { cert, key };
}

function readPem(file: string, flag: string, host: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${flag} ${file}`, { host, cause: err });
  }
}

function where(file: string | undefined): string {
  return file === undefined ? '' : ` in ${file}`;
}
