/**
 * TLS material for an HTTPS `serve`: the user's PEM (text or file path), or a fresh self-signed
 * certificate for localhost, 127.0.0.1 and ::1 whose PEM the CLI can hand to clients (--cert-out).
 *
 * Also what authentication needs from TLS: the channel-binding application data of the served
 * certificate (RFC 5929 tls-server-end-point, computed once: NTLM clients hash it into their
 * response), and the CA client certificates must chain to.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { generate } from 'selfsigned';
import { tlsServerEndPoint } from '../auth/channel-binding.js';
import { TsrError } from '../errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when we generated it (clients must be told to trust `cert`). */
  generated: boolean;
  /**
   * `tls-server-end-point:` + hash of the served (first) certificate's DER; undefined when its
   * signature algorithm has no RFC 5929 hash (then no binding can be checked).
   */
  channelBindings: Uint8Array | undefined;
  /** PEM of the client CA, when client certificates are requested. */
  clientCa?: string;
}

/** Adds what authentication needs to the certificate and key. */
async function complete(cert: string, key: string, generated: boolean, clientCa: string | undefined): Promise<TlsMaterial> {
  let der: Buffer;
  try {
    der = new X509Certificate(cert).raw;
  } catch (err) {
    throw new TsrError('ETSR_SERVER', 'the TLS certificate is not a PEM X.509 certificate', { cause: err, hint: 'pass the PEM certificate for --cert' });
  }
  let channelBindings: Uint8Array | undefined;
  try {
    channelBindings = tlsServerEndPoint(der);
  } catch {
    channelBindings = undefined;
  }
  const material: TlsMaterial = { cert, key, generated, channelBindings };
  if (clientCa !== undefined) material.clientCa = await pem(clientCa, 'client-ca');
  return material;
}

async function pem(value: string, what: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  try {
    return await readFile(value, 'utf8');
  } catch (err) {
    throw new TsrError('ETSR_SERVER', `cannot read the TLS ${what} '${value}'`, { cause: err, hint: `pass PEM text or a readable PEM file for --${what}` });
  }
}

/** The only name on the certificate the `wrong-cert` fault serves (`.invalid` never resolves, RFC 2606). */
export const WRONG_CERT_NAME = 'wrong.invalid';

/**
 * @param wrongName serve a generated certificate for {@link WRONG_CERT_NAME} only, whatever
 *   cert/key say (fault injection's `wrong-cert`).
 * @throws TsrError ETSR_SERVER when only one of cert/key is given, a file cannot be read or the
 *   certificate does not parse.
 */
export async function loadTls(cert: string | undefined, key: string | undefined, clientCa?: string, wrongName = false): Promise<TlsMaterial> {
  if (!wrongName && cert !== undefined && key !== undefined) return complete(await pem(cert, 'cert'), await pem(key, 'key'), false, clientCa);
  if (!wrongName && (cert !== undefined || key !== undefined)) {
    throw new TsrError('ETSR_SERVER', 'HTTPS needs both a certificate and its private key', { hint: 'pass both --cert and --key, or neither to generate a self-signed certificate' });
  }
  const altNames = wrongName
    ? [{ type: 2 as const, value: WRONG_CERT_NAME }]
    : [
        { type: 2 as const, value: 'localhost' },
        { type: 7 as const, ip: '127.0.0.1' },
        { type: 7 as const, ip: '::1' },
      ];
  const now = new Date();
  const generated = await generate([{ name: 'commonName', value: wrongName ? WRONG_CERT_NAME : 'localhost' }], {
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
        altNames,
      },
    ],
  });
  return complete(generated.cert, generated.private, true, clientCa);
}
