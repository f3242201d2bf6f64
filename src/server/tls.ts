/**
 * TLS material for an HTTPS `serve`: the user's PEM (text or file path), or a fresh self-signed
 * certificate for localhost, 127.0.0.1 and ::1 whose PEM the CLI can hand to clients (--cert-out).
 */
import { readFile } from 'node:fs/promises';
import { generate } from 'selfsigned';
import { TsrError } from '../errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when we generated it (clients must be told to trust `cert`). */
  generated: boolean;
}

async function pem(value: string, what: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  try {
    return await readFile(value, 'utf8');
  } catch (err) {
    throw new TsrError('ETSR_SERVER', `cannot read the TLS ${what} '${value}'`, { cause: err, hint: `pass PEM text or a readable PEM file for --${what}` });
  }
}

/**
 * @throws TsrError ETSR_SERVER when only one of cert/key is given or a file cannot be read.
 */
export async function loadTls(cert: string | undefined, key: string | undefined): Promise<TlsMaterial> {
  if (cert !== undefined && key !== undefined) return { cert: await pem(cert, 'cert'), key: await pem(key, 'key'), generated: false };
  if (cert !== undefined || key !== undefined) {
    throw new TsrError('ETSR_SERVER', 'HTTPS needs both a certificate and its private key', { hint: 'pass both --cert and --key, or neither to generate a self-signed certificate' });
  }
  const now = new Date();
  const generated = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: generated.cert, key: generated.private, generated: true };
}
