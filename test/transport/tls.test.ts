import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rejection } from '../helpers/rejection.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { TlsError, WSManTransport, parseHostSpec, type TransportOptions } from '../../src/transport/index.js';
import { closeAll, envelope, ok, selfSignedCert, startHttp, startHttps } from './servers.js';

let pems: { cert: string; key: string };
let tmp: string;
const transports: WSManTransport[] = [];

beforeAll(async () => {
  pems = await selfSignedCert(['localhost', '127.0.0.1']);
  tmp = mkdtempSync(path.join(tmpdir(), 'tsremote-tls-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

function transport(spec: string, extra: Partial<TransportOptions> = {}): WSManTransport {
  const t = new WSManTransport({
    endpoint: parseHostSpec(spec, { https: true }),
    credential: new Credential('vagrant', 'vagrant'),
    auth: 'basic',
    ...extra,
  });
  transports.push(t);
  return t;
}


describe('TLS', () => {
  it('rejects an untrusted self-signed certificate with a TlsError naming the host', async () => {
    const srv = await startHttps(pems, ok);
    const err = (await rejection(transport(`localhost:${srv.port}`).post('<x/>'))) as TlsError;
    expect(err).toBeInstanceOf(TlsError);
    expect(err.code).toBe('ETSR_TLS');
    expect(err.host).toBe(`localhost:${srv.port}`);
    expect(err.message).toContain(`localhost:${srv.port}`);
    expect(err.message).toContain('not trusted');
    expect(err.hint).toMatch(/--ca-file.*--skip-cert-check/);
    expect(srv.requests.length).toBe(0);
  });

  it('accepts the certificate when its CA is passed as ca', async () => {
    const srv = await startHttps(pems, ok);
    const t = transport(`127.0.0.1:${srv.port}`, { ca: pems.cert });
    expect(await t.post('<x/>')).toBe(envelope());
    expect(t.warnings).toEqual([]);
  });

  it('accepts the certificate when its CA is in caFile', async () => {
    const srv = await startHttps(pems, ok);
    const file = path.join(tmp, 'ca.pem');
    writeFileSync(file, pems.cert);
    expect(await transport(`https://localhost:${srv.port}/wsman`, { caFile: file }).post('<x/>')).toBe(envelope());
  });

  it('accepts any certificate with skipCertCheck, and says so in warnings', async () => {
    const srv = await startHttps(pems, ok);
    const t = transport(`127.0.0.1:${srv.port}`, { skipCertCheck: true });
    expect(await t.post('<x/>')).toBe(envelope());
    expect(t.warnings).toEqual([`127.0.0.1:${srv.port}: TLS certificate verification is disabled (--skip-cert-check)`]);
  });

  it('sends Basic over HTTPS without allowUnencrypted', async () => {
    const srv = await startHttps(pems, ok);
    await transport(`127.0.0.1:${srv.port}`, { ca: pems.cert }).post('<x/>');
    expect(srv.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('vagrant:vagrant').toString('base64')}`);
  });

  it('rejects a certificate issued for another name', async () => {
    const other = await selfSignedCert(['other.example']);
    const srv = await startHttps(other, ok);
    const err = (await rejection(transport(`127.0.0.1:${srv.port}`, { ca: other.cert }).post('<x/>'))) as TlsError;
    expect([err.code, err.message]).toEqual([
      'ETSR_TLS', `TLS certificate does not match the host name 127.0.0.1:${srv.port} (ERR_TLS_CERT_ALTNAME_INVALID)`,
    ]);
  });

  it('rejects an expired certificate', async () => {
    const day = 86_400_000;
    const expired = await selfSignedCert(['127.0.0.1'], {
      notBeforeDate: new Date(Date.now() - 10 * day),
      notAfterDate: new Date(Date.now() - day),
    });
    const srv = await startHttps(expired, ok);
    const err = (await rejection(transport(`127.0.0.1:${srv.port}`, { ca: expired.cert }).post('<x/>'))) as TlsError;
    expect([err.code, err.message]).toEqual([
      'ETSR_TLS', `TLS certificate of 127.0.0.1:${srv.port} is expired or not yet valid (CERT_HAS_EXPIRED)`,
    ]);
  });

  it('reports HTTPS to a plain-HTTP port as a TLS handshake failure', async () => {
    const srv = await startHttp(ok);
    const err = (await rejection(transport(`127.0.0.1:${srv.port}`).post('<x/>'))) as TlsError;
    expect(err.code).toBe('ETSR_TLS');
    expect(err.hint).toBe('check the port: WinRM listens for HTTPS on 5986 and plain HTTP on 5985');
  });

  it('names an unreadable caFile', () => {
    expect(() => transport('127.0.0.1:1', { caFile: path.join(tmp, 'missing.pem') })).toThrow(
      `cannot read --ca-file ${path.join(tmp, 'missing.pem')}`,
    );
  });
});
