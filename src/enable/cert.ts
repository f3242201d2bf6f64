/**
 * serve's TLS certificate for `enable --https`: self-signed (as Enable-PSRemoting's HTTPS
 * listeners usually are), EC P-256, for this host's names and the loopback addresses.
 *
 * Idempotent: an existing pair is kept (clients may have pinned it with --ca-file) unless it
 * expires within RENEW_BEFORE_MS; the key is written with mode 0600 and tightened if it was looser.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { TsrError } from '../errors.js';

export const RENEW_BEFORE_MS = 30 * 24 * 3600_000;
const VALID_MS = 397 * 24 * 3600_000;

export type CertOutcome = 'created' | 'kept' | 'renewed';

export interface CertResult {
  outcome: CertOutcome;
  /** SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint: string;
  notAfter: Date;
  /** True when the key's mode was looser than 0600 and was tightened. */
  keyModeFixed: boolean;
}

/**
 * Makes sure `certFile`/`keyFile` hold a usable pair.
 * @param names DNS names and IP addresses for subjectAltName (the first is the CN).
 * @throws TsrError ETSR_CONFIG when only one of the two files exists or the certificate does not parse.
 */
export async function ensureCertificate(certFile: string, keyFile: string, names: readonly string[], now = new Date()): Promise<CertResult> {
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (haveCert !== haveKey) {
    throw new TsrError('ETSR_CONFIG', `found ${haveCert ? certFile : keyFile} without ${haveCert ? keyFile : certFile}`, {
      hint: 'restore the missing file, or remove both to have a new certificate generated',
    });
  }
  let outcome: CertOutcome = 'created';
  if (haveCert) {
    const cert = parse(certFile);
    const notAfter = new Date(cert.validTo);
    if (notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS) {
      let keyModeFixed = false;
      if (process.platform !== 'win32' && (statSync(keyFile).mode & 0o077) !== 0) {
        chmodSync(keyFile, 0o600);
        keyModeFixed = true;
      }
      return { outcome: 'kept', fingerprint: cert.fingerprint256, notAfter, keyModeFixed };
    }
    outcome = 'renewed';
  }
  const { generate } = await import('selfsigned');
  const altNames = names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  const pair = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + VALID_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  // The key first, private before it holds anything (an old file keeps its mode through writeFileSync).
  if (haveKey) chmodSync(keyFile, 0o600);
  writeFileSync(keyFile, pair.private, { mode: 0o600 });
  writeFileSync(certFile, pair.cert, { mode: 0o644 });
  const cert = new X509Certificate(pair.cert);
  return { outcome, fingerprint: cert.fingerprint256, notAfter: new Date(cert.validTo), keyModeFixed: false };
}

function parse(file: string): X509Certificate {
  try {
    return new X509Certificate(readFileSync(file));
  } catch (err) {
    throw new TsrError('ETSR_CONFIG', `${file} is not a PEM certificate`, { cause: err, hint: 'remove it and the key next to it to have a new pair generated' });
  }
}
