/**
 * The secure defaults, proved: Basic over plain HTTP is refused before any credential leaves the
 * process for every verb that logs on (invoke --cmd, invoke -s, session new, copy, enter); the
 * client verifies server certificates and negotiates TLS 1.2 at least even when Node's default is
 * lowered; serve listens on 127.0.0.1 unless told otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { BUILT_IN } from '../../src/cli/config-resolve.js';
import { resolveOptions } from '../../src/server/options.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { MIN_TLS_VERSION, tlsOptions } from '../../src/transport/tls.js';
import { runCli } from '../helpers/cli.js';

const PASSWORD = 'Insecure-defaults-1';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-insecure-'));
const env = {
  TSREMOTE_PASSWORD: PASSWORD,
  TSREMOTE_USERNAME: undefined,
  TSREMOTE_CONFIG: undefined,
  TSREMOTE_STATE_DIR: path.join(dir, 'state'),
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  HOME: dir,
};

/** A plain-HTTP endpoint that asks for Basic and records every request it receives. */
let stub: http.Server;
let stubHost: string;
const seen: { authorization?: string | undefined }[] = [];

beforeAll(async () => {
  stub = http.createServer((req, res) => {
    seen.push({ authorization: req.headers.authorization });
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="WSMAN"', 'Content-Length': '0' }).end();
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubHost = `127.0.0.1:${(stub.address() as AddressInfo).port}`;
  writeFileSync(path.join(dir, 'up.txt'), 'x');
});
afterAll(async () => {
  stub.closeAllConnections();
  await new Promise((r) => stub.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('Basic over plain HTTP without --allow-unencrypted', () => {
  it.each([
    ['invoke --cmd', () => ['invoke', '-c', stubHost, '--cmd', 'true']],
    ['invoke -s', () => ['invoke', '-c', stubHost, '-s', '1']],
    ['session new', () => ['session', 'new', '-c', stubHost, '--name', 'insecure1']],
    ['copy', () => ['copy', path.join(dir, 'up.txt'), `${stubHost}:/tmp/`]],
    ['enter', () => ['enter', stubHost]],
  ])('%s is refused before any credential is sent (exit 2)', async (_verb, args) => {
    const before = seen.length;
    const res = await runCli([...args(), '-u', 'admin', '--auth', 'basic'], { env, timeoutMs: 60_000 });
    expect(res.stderr).toMatch(/^127\.0\.0\.1:\d+: refusing to send Basic credentials over unencrypted HTTP; hint: use --https, or --allow-unencrypted/m);
    expect(res.stderr).not.toContain(PASSWORD);
    expect(res.code).toBe(2);
    expect(seen.slice(before).filter((r) => r.authorization !== undefined)).toEqual([]);
  });

  it('the client default is Negotiate (NTLM, sealed on HTTP), not Basic', () => {
    expect(BUILT_IN.auth).toBe('negotiate');
    expect(BUILT_IN.https).toBe(false);
    expect(BUILT_IN.skipCertCheck).toBe(false);
  });
});

describe('TLS on the client', () => {
  it('verifies certificates and asks for TLS 1.2 at least, by default', () => {
    expect(tlsOptions({}, 'h')).toEqual({ rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    expect(tlsOptions({ skipCertCheck: true }, 'h')).toMatchObject({ rejectUnauthorized: false, minVersion: 'TLSv1.2' });
  });

  it('refuses a TLS 1.1 server even when Node\'s own minimum is lowered (--tls-min-v1.0, NODE_OPTIONS)', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    const server = tls.createServer({ cert: pems.cert, key: pems.private, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (s) => s.end());
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const saved = tls.DEFAULT_MIN_VERSION;
    tls.DEFAULT_MIN_VERSION = 'TLSv1';
    const attempt = (extra: tls.ConnectionOptions): Promise<string> =>
      new Promise((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pems.cert, ...extra, ciphers: 'DEFAULT:@SECLEVEL=0' }, () => {
          resolve(`connected ${s.getProtocol()}`);
          s.destroy();
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
    try {
      // Control: with the lowered default and nothing else, TLS 1.1 goes through.
      const { rejectUnauthorized } = tlsOptions({}, 'h');
      expect(await attempt({ rejectUnauthorized })).toBe('connected TLSv1.1');
      // With our options: refused at version negotiation.
      const ours = tlsOptions({ ca: pems.cert }, 'h');
      expect(ours.minVersion).toBe(MIN_TLS_VERSION);
      expect(await attempt(ours)).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    } finally {
      tls.DEFAULT_MIN_VERSION = saved;
      await new Promise((r) => server.close(r));
    }
  });

  describe('against an HTTPS serve with a self-signed certificate', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ listen: ['127.0.0.1:0'], https: true, users: [{ username: 'u', password: PASSWORD }] });
    });
    afterAll(async () => {
      await server.close();
    });

    it('invoke fails with a certificate error unless the CA is given (exit 2)', async () => {
      const host = server.urls[0]!.host;
      const refused = await runCli(['invoke', '-c', host, '--https', '-u', 'u', '--cmd', 'echo hi'], { env });
      expect(refused.stderr).toMatch(/certificate|self[- ]signed/i);
      expect(refused.code).toBe(2);
      const caFile = path.join(dir, 'serve.pem');
      writeFileSync(caFile, server.certPem ?? '');
      const trusted = await runCli(['invoke', '-c', host, '--https', '--ca-file', caFile, '-u', 'u', '--cmd', 'echo hi'], { env });
      expect(trusted.stdout).toBe('hi\n');
      expect(trusted.code).toBe(0);
    });
  });
});

describe('serve defaults', () => {
  it('listens on 127.0.0.1:5985 unless told otherwise, and refuses unencrypted traffic by default', () => {
    const opts = resolveOptions({ users: [{ username: 'u', password: 'p' }] });
    expect(opts.listen).toEqual([{ host: '127.0.0.1', port: 5985 }]);
    expect(opts.allowUnencrypted).toBe(false);
    expect(opts.https).toBe(false);
    expect(opts.maxShellsPerUser).toBe(30);
    expect(opts.maxEnvelopeSize).toBe(512_000);
  });

  it('warns when Basic in clear text is served beyond loopback, and only then', async () => {
    const logs = async (listen: string): Promise<string[]> => {
      const lines: string[] = [];
      const server = await startServer({ listen: [listen], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true, log: (l) => lines.push(l) });
      await server.close();
      return lines.filter((l) => l.includes('not loopback'));
    };
    expect(await logs('0.0.0.0:0')).toEqual([expect.stringMatching(/^warning: Basic credentials cross the network in clear text on 0\.0\.0\.0:\d+ \(not loopback\); use --https$/)]);
    expect(await logs('127.0.0.1:0')).toEqual([]);
  });
});
