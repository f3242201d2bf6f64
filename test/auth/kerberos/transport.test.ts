/**
 * WSManTransport with `auth: 'kerberos'` in a throwaway realm: the `Kerberos` scheme seals under
 * `application/HTTP-Kerberos-session-encrypted` against serve --keytab (MS-WSMV 2.2.9.1), and a
 * server that answers the AP-REQ with a 200 but no valid AP-REP is refused (mutual
 * authentication), before any envelope is sent to it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WSManTransport, parseHostSpec, type TraceEvent } from '../../../src/transport/index.js';
import { buildIdentify } from '../../../src/wsman/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { describeKrb5, startKrb5Realm, type Krb5Realm, useRealmInThisProcess } from '../../helpers/krb5-realm.js';

const hasBinding = await import('kerberos').then(() => true, () => false);

describeKrb5('WSManTransport with Kerberos', () => {
  let realm: Krb5Realm;
  let serve: RunningServer;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    if (!hasBinding) return;
    realm = await startKrb5Realm();
    await realm.kinit(realm.user.principal, realm.user.password);
    // The binding runs in this process: GSSAPI reads the realm's config and ccache from its env.
    restoreEnv = useRealmInThisProcess(realm);
    serve = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'alice', password: 'unused-Pw1' }], keytab: realm.keytab, log: () => {} });
  }, 60_000);

  afterAll(async () => {
    await serve?.close();
    restoreEnv?.();
    await realm?.close();
  });

  const needs = (): boolean => {
    if (hasBinding) return true;
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') throw new Error('the optional kerberos package is required');
    return false;
  };

  it('logs on with Authorization: Kerberos and seals under HTTP-Kerberos-session-encrypted', async ({ skip }) => {
    if (!needs()) return skip('the kerberos package is not installed');
    const events: TraceEvent[] = [];
    const port = (serve.urls[0] as URL).port;
    const transport = new WSManTransport({
      endpoint: parseHostSpec(`localhost:${port}`, { https: false }),
      auth: 'kerberos',
      kerberos: { scheme: 'Kerberos' },
      trace: (e) => events.push(e),
    });
    try {
      for (let i = 0; i < 3; i++) expect(await transport.post(buildIdentify().xml)).toContain('IdentifyResponse');
    } finally {
      await transport.close();
    }
    const requests = events.filter((e) => e.type === 'request');
    expect(requests[0]?.headers.authorization).toMatch(/^Kerberos <redacted, \d+ bytes>$/);
    expect(requests.slice(1).map((r) => [r.sealed, r.headers['content-type'], r.headers.authorization])).toEqual(
      Array(3).fill([true, 'multipart/encrypted;protocol="application/HTTP-Kerberos-session-encrypted";boundary="Encrypted Boundary"', undefined]),
    );
  });

  /** A listener that answers every POST with a 200 and the given WWW-Authenticate (or none). */
  async function impostor(wwwAuthenticate: string | undefined): Promise<{ url: string; bodies: number[]; close: () => Promise<void> }> {
    const bodies: number[] = [];
    const server = http.createServer((req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => {
        bodies.push(n);
        res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8', ...(wwwAuthenticate ? { 'www-authenticate': wwwAuthenticate } : {}) });
        res.end('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `localhost:${(server.address() as AddressInfo).port}`,
      bodies,
      close: () => new Promise((r) => server.close(() => r())),
    };
  }

  for (const [what, header, message] of [
    ['no AP-REP at all', undefined, /without a challenge/],
    ['a forged AP-REP', `Negotiate ${Buffer.from('6f0c300aa003020105a103020f0f', 'hex').toString('base64')}`, /did not prove it is HTTP\/localhost/],
  ] as const) {
    it(`refuses a 200 with ${what} before sending any envelope`, async ({ skip }) => {
      if (!needs()) return skip('the kerberos package is not installed');
      const fake = await impostor(header);
      const transport = new WSManTransport({ endpoint: parseHostSpec(fake.url, { https: false }), auth: 'kerberos', retry: { tries: 1 } });
      try {
        await expect(transport.post(buildIdentify().xml)).rejects.toMatchObject({ code: 'ETSR_AUTH_REJECTED', message: expect.stringMatching(message) });
      } finally {
        await transport.close();
        await fake.close();
      }
      // Only the empty-bodied AP-REQ leg reached it.
      expect(fake.bodies).toEqual([0]);
    });
  }
});
