/**
 * serve with `--client-ca`: TLS client certificates mapped to the configured user, next to Basic.
 * The CA and client certificates are made once with the openssl CLI (EC P-256, quick).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WSMAN_MUTUAL_TLS } from '../../src/auth/certificate.js';
import { upns } from '../../src/server/auth/certificate.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { buildIdentify } from '../../src/wsman/index.js';

const USER = { username: 'Vagrant', password: 'Pa55w0rd!' };
const dir = mkdtempSync(path.join(tmpdir(), 'tsremote-client-ca-'));
const file = (name: string): string => path.join(dir, name);
const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });

interface Pair {
  cert: string;
  key: string;
}

/** A client certificate for `subject`, signed by `ca` (or self-signed), with an optional UPN. */
function clientCert(name: string, subject: string, upn: string | undefined, ca: string | undefined): Pair {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
  const ext = [`extendedKeyUsage=clientAuth`, ...(upn === undefined ? [] : [`subjectAltName=otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${upn}`])];
  writeFileSync(file(`${name}.ext`), `${ext.join('\n')}\n`);
  const signer = ca === undefined ? ['-signkey', file(`${name}.key`)] : ['-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial'];
  openssl('x509', '-req', '-in', file(`${name}.csr`), ...signer, '-out', file(`${name}.pem`), '-days', '2', '-extfile', file(`${name}.ext`));
  return { cert: readFileSync(file(`${name}.pem`), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8') };
}

let server: RunningServer;
let lines: string[];
let byUpn: Pair;
let byCn: Pair;
let unmapped: Pair;
let untrusted: Pair;

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-days', '2', '-subj', '/CN=tsremote test client CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign');
  byUpn = clientCert('upn', '/CN=someone else', 'vagrant@localhost', 'ca');
  byCn = clientCert('cn', '/CN=VAGRANT', undefined, 'ca');
  unmapped = clientCert('stranger', '/CN=stranger', 'stranger@localhost', 'ca');
  untrusted = clientCert('self', '/CN=vagrant', 'vagrant@localhost', undefined);
  lines = [];
  server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], https: true, clientCa: readFileSync(file('ca.pem'), 'utf8'), log: (l) => lines.push(l) });
}, 60_000);
afterAll(async () => server?.close());

function identify(headers: Record<string, string>, pair?: Pair): Promise<{ status: number; body: string }> {
  const body = Buffer.from(buildIdentify().xml);
  const agent = new https.Agent({ ca: server.certPem, ...(pair ?? {}) });
  return new Promise((resolve, reject) => {
    const req = https.request(server.urls[0] as URL, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': String(body.length), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const mutual = { authorization: WSMAN_MUTUAL_TLS };

describe('serve: client certificate authentication', () => {
  it('accepts a certificate from the client CA whose UPN or CN names the user', async () => {
    for (const pair of [byUpn, byCn]) {
      const reply = await identify(mutual, pair);
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('<wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual</wsmid:SecurityProfileName>');
    }
  });

  it('refuses a certificate mapped to no user, one from another issuer, and none at all', async () => {
    lines.length = 0;
    expect((await identify(mutual, unmapped)).status).toBe(401);
    expect((await identify(mutual, untrusted)).status).toBe(401);
    expect((await identify(mutual)).status).toBe(401);
    expect(lines).toEqual([
      '401 for 127.0.0.1: certificate CN=stranger (UPN stranger@localhost) maps to no configured user',
      '401 for 127.0.0.1: certificate CN=vagrant does not chain to the client CA (DEPTH_ZERO_SELF_SIGNED_CERT)',
      '401 for 127.0.0.1: certificate authentication asked for, but the client sent no certificate',
    ]);
  });

  it('still serves Basic to a client without a certificate', async () => {
    const basic = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
    expect((await identify({ authorization: basic })).status).toBe(200);
  });

  it("reads UPNs from Node's subjectAltName text, quoted or not", () => {
    expect(upns('DNS:host, othername:UPN:a@b, email:x@y, othername:UPN:"c,d@e"')).toEqual(['a@b', 'c,d@e']);
    expect(upns(undefined)).toEqual([]);
  });
});
