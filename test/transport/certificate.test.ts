/** Client-certificate authentication: presented in TLS, announced in Authorization, HTTPS only. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import { WSMAN_MUTUAL_TLS } from '../../src/auth/index.js';
import { WSManTransport, parseHostSpec, type TransportOptions } from '../../src/transport/index.js';
import { closeAll, envelope, ok, selfSignedCert, startHttps, type Handler } from './servers.js';

let server: { cert: string; key: string };
let client: { cert: string; key: string };
let other: { cert: string; key: string };
let tmp: string;
const transports: WSManTransport[] = [];

async function clientCert(cn: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'extKeyUsage', clientAuth: true }],
  });
  return { cert: pems.cert, key: pems.private };
}

beforeAll(async () => {
  [server, client, other] = await Promise.all([selfSignedCert(), clientCert('operator'), clientCert('someone-else')]);
  tmp = mkdtempSync(path.join(tmpdir(), 'tsremote-cert-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

function transport(spec: string, https: boolean, extra: Partial<TransportOptions>): WSManTransport {
  const t = new WSManTransport({ endpoint: parseHostSpec(spec, { https }), auth: 'certificate', ca: server.cert, ...extra });
  transports.push(t);
  return t;
}

function thrown(fn: () => unknown): { code?: string; message?: string; hint?: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; message?: string; hint?: string };
  }
  throw new Error('expected a throw');
}

it('presents the client certificate in TLS and sends the WS-Man mutual-TLS Authorization with every request', async () => {
  const presented: string[] = [];
  const handler: Handler = (req, res, seen) => {
    presented.push((req.socket as TLSSocket).getPeerCertificate().raw.toString('base64'));
    ok(req, res, seen);
  };
  const srv = await startHttps(server, handler, { requestCert: true, rejectUnauthorized: false });
  const certFile = path.join(tmp, 'client.pem');
  const keyFile = path.join(tmp, 'client.key');
  writeFileSync(certFile, client.cert);
  writeFileSync(keyFile, client.key);
  const t = transport(`127.0.0.1:${srv.port}`, true, { certFile, keyFile });
  expect([await t.post('<a/>'), await t.post('<b/>')]).toEqual([envelope(), envelope()]);
  expect(srv.requests.map((r) => r.headers.authorization)).toEqual([WSMAN_MUTUAL_TLS, WSMAN_MUTUAL_TLS]);
  expect(WSMAN_MUTUAL_TLS).toBe('http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual');
  expect(presented).toEqual(Array(2).fill(new X509Certificate(client.cert).raw.toString('base64')));
  expect([t.encrypts, t.warnings]).toEqual([false, []]);
});

it('takes the certificate and key as PEM strings too', async () => {
  const srv = await startHttps(server, ok, { requestCert: true, rejectUnauthorized: false });
  expect(await transport(`127.0.0.1:${srv.port}`, true, { cert: client.cert, key: client.key }).post('<a/>')).toBe(envelope());
});

it('refuses certificate authentication over plain HTTP, whatever allowUnencrypted says', () => {
  const err = thrown(() => transport('127.0.0.1:5985', false, { cert: client.cert, key: client.key, allowUnencrypted: true }));
  expect([err.code, err.message, err.hint]).toEqual([
    'ETSR_INSECURE',
    'certificate authentication needs HTTPS: the client certificate is presented in the TLS handshake',
    'use --https (WinRM listens for HTTPS on 5986)',
  ]);
});

it('says clearly when the certificate is missing, unreadable, or does not match its key', () => {
  const missing = path.join(tmp, 'missing.pem');
  const errors = [
    thrown(() => transport('127.0.0.1:1', true, {})),
    thrown(() => transport('127.0.0.1:1', true, { certFile: missing, key: client.key })),
    thrown(() => transport('127.0.0.1:1', true, { cert: 'not a pem', key: client.key })),
    thrown(() => transport('127.0.0.1:1', true, { cert: client.cert, key: other.key })),
  ];
  expect(errors.map((e) => [e.code, e.message])).toEqual([
    ['ETSR_INVALID_ARGUMENT', 'certificate authentication needs a client certificate and its private key'],
    ['ETSR_INVALID_ARGUMENT', `cannot read --cert-file ${missing}`],
    ['ETSR_INVALID_ARGUMENT', 'the client certificate is not a PEM certificate'],
    ['ETSR_INVALID_ARGUMENT', 'the private key does not belong to the client certificate'],
  ]);
  expect(errors[0]?.hint).toBe('pass --cert-file CERT.pem and --key-file KEY.pem');
});

it('turns a 401 into a logon rejection that explains certificate mapping', async () => {
  const srv = await startHttps(server, (_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Negotiate' });
    res.end();
  });
  const err = (await rejection(transport(`127.0.0.1:${srv.port}`, true, { cert: client.cert, key: client.key }).post('<a/>'))) as {
    code: string; message: string; hint: string;
  };
  expect([err.code, err.message, err.hint]).toEqual([
    'ETSR_AUTH_REJECTED',
    'logon rejected (401) for certificate; server offers Negotiate',
    'map the certificate to a local account (winrm create winrm/config/service/certmapping/...) and enable Auth/Certificate on the server',
  ]);
});
