/**
 * serve with `keytab` as a Kerberos acceptor, driven over raw node:http (one keep-alive socket per
 * agent) with MIT's initiator (python3-gssapi, test/peers/gss_krb5_initiator.py) making the tokens
 * and sealing the bodies. What only the listener shows: the AP-REP on the 200, the connection
 * logon, a tampered sealed body answered 400 and the connection logged off, NTLM and Kerberos side
 * by side under `Negotiate`, and the options that refuse to start.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NtlmClientContext } from '../../src/auth/ntlm/index.js';
import { Credential } from '../../src/auth/credential.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { decodeEncryptedBody, encodeEncryptedBody, encryptedContentType } from '../../src/transport/encrypted-body.js';
import { buildIdentify } from '../../src/wsman/index.js';
import { GssInitiator, hasPythonGssapi, PYTHON } from '../auth/krb5/initiator-peer.js';
import { rawPost } from '../helpers/raw-post.js';
import { describeKrb5, startKrb5Realm, type Krb5Realm } from '../helpers/krb5-realm.js';

const SOAP = 'application/soap+xml;charset=UTF-8';
const SPNEGO_SEALED = encryptedContentType('application/HTTP-SPNEGO-session-encrypted');
const b64 = (t: Uint8Array): string => Buffer.from(t).toString('base64');


const post = rawPost;

if (!hasPythonGssapi) {
  describe('serve: Kerberos over HTTP', () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') it('requires python3-gssapi (TSREMOTE_REQUIRE_PEERS=1)', () => {
      throw new Error(`${PYTHON} has no gssapi module: apt-get install python3-gssapi`);
    });
    else it.skip(`skipped: ${PYTHON} has no gssapi module (apt-get install python3-gssapi)`, () => {});
  });
} else {
  describeKrb5('serve: Kerberos over HTTP', () => {
    let realm: Krb5Realm;
    const servers: RunningServer[] = [];
    const agents: http.Agent[] = [];
    const peers: GssInitiator[] = [];
    beforeAll(async () => {
      realm = await startKrb5Realm();
      await realm.kinit(realm.user.principal, realm.user.password);
    });
    afterAll(async () => {
      await realm?.close();
    });
    afterEach(async () => {
      for (const p of peers.splice(0)) p.close();
      for (const a of agents.splice(0)) a.destroy();
      await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    async function serve(opts: Partial<ServeOptions> = {}): Promise<{ url: URL; lines: string[]; agent: http.Agent; peer: GssInitiator }> {
      const lines: string[] = [];
      const server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'alice', password: 'Alice-ntlm-1' }], keytab: realm.keytab, log: (l) => lines.push(l), ...opts });
      servers.push(server);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const peer = new GssInitiator(realm.env());
      peers.push(peer);
      return { url: server.urls[0] as URL, lines, agent, peer };
    }

    it('logs the connection on with SPNEGO, sends the AP-REP on the 200, and seals both ways', async () => {
      const { url, agent, peer, lines } = await serve();
      const first = await post(agent, url, {});
      expect(first.status).toBe(401);
      expect(first.headers['www-authenticate']).toBe('Negotiate, NTLM, Kerberos');
      const logon = await post(agent, url, { authorization: `Negotiate ${b64(await peer.init('HTTP@localhost'))}`, 'content-type': SOAP });
      expect(logon.status).toBe(200);
      const final = String(logon.headers['www-authenticate']);
      expect(final).toMatch(/^Negotiate [A-Za-z0-9+/=]+$/);
      expect(await peer.step(Buffer.from(final.split(' ')[1] as string, 'base64'))).toBe(true);

      const identify = Buffer.from(buildIdentify().xml);
      const sealed = await peer.wrapIov(identify);
      const reply = await post(agent, url, { 'content-type': SPNEGO_SEALED }, encodeEncryptedBody(sealed.header, sealed.data, identify.length));
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe(SPNEGO_SEALED);
      const parts = decodeEncryptedBody(reply.body);
      expect(parts.header.length).toBe(60);
      expect(parts.data.length).toBe(parts.originalLength);
      expect(Buffer.from(await peer.unwrapIov(parts.header, parts.data)).toString()).toContain('IdentifyResponse');
      expect(lines.filter((l) => /^40[01] /.test(l))).toEqual(['401 for 127.0.0.1: no credentials']);
    });

    it('answers a tampered sealed body with 400 and logs the connection off', async () => {
      const { url, agent, peer, lines } = await serve();
      const logon = await post(agent, url, { authorization: `Negotiate ${b64(await peer.init('HTTP@localhost'))}`, 'content-type': SOAP });
      expect(await peer.step(Buffer.from(String(logon.headers['www-authenticate']).split(' ')[1] as string, 'base64'))).toBe(true);
      const identify = Buffer.from(buildIdentify().xml);
      const sealed = await peer.wrapIov(identify);
      const tampered = Buffer.from(sealed.data);
      tampered[10] = (tampered[10] as number) ^ 0x01;
      const bad = await post(agent, url, { 'content-type': SPNEGO_SEALED }, encodeEncryptedBody(sealed.header, tampered, identify.length));
      expect(bad.status).toBe(400);
      expect(lines.some((l) => l.includes("sealed body from 'alice@TSREMOTE.TEST' refused: Kerberos wrap token refused: integrity check failed"))).toBe(true);
      // The logon is gone: the next request, on a new socket if the old one was closed, is a stranger.
      const after = await post(agent, url, { 'content-type': SPNEGO_SEALED }, encodeEncryptedBody(sealed.header, sealed.data, identify.length));
      expect(after.status).toBe(401);
    });

    it('refuses a principal serve does not know with 401 and says why in the log', async () => {
      const { url, agent, peer, lines } = await serve({ users: [{ username: 'carol', password: 'Carol-pw-1' }] });
      const reply = await post(agent, url, { authorization: `Negotiate ${b64(await peer.init('HTTP@localhost'))}`, 'content-type': SOAP });
      expect(reply.status).toBe(401);
      expect(lines).toContain('401 for 127.0.0.1: Kerberos: alice@TSREMOTE.TEST authenticated, but is not a serve user (--user / --users)');
    });

    it('still hands raw NTLM under Negotiate to NTLM when a keytab is configured', async () => {
      const { url, agent, lines } = await serve({ allowUnencrypted: true });
      const client = new NtlmClientContext(new Credential('alice', 'Alice-ntlm-1'), { scheme: 'Negotiate' });
      const challenge = await post(agent, url, { authorization: `Negotiate ${b64(client.step())}` });
      expect(challenge.status).toBe(401);
      const token = String(challenge.headers['www-authenticate']).slice('Negotiate '.length);
      const done = await post(agent, url, { authorization: `Negotiate ${b64(client.step(Buffer.from(token, 'base64')))}`, 'content-type': SOAP }, Buffer.from(buildIdentify().xml));
      expect(lines.filter((l) => l.startsWith('401 '))).toEqual([]);
      expect(done.status).toBe(200);
      expect(done.body.toString()).toContain('IdentifyResponse');
    });

    it('refuses to start with kerberos but no keytab, or a keytab without a usable key', async () => {
      await expect(startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'a', password: 'b' }], auth: ['kerberos'] })).rejects.toThrow(/kerberos authentication needs a keytab/);
      await expect(startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'a', password: 'b' }], keytab: Uint8Array.of(5, 1) })).rejects.toThrow(/cannot read the keytab: not an MIT keytab/);
      await expect(startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'a', password: 'b' }], keytab: realm.keytab, spn: 'HTTP/elsewhere' })).rejects.toThrow(
        /the keytab has no aes256\/aes128-cts-hmac-sha1-96 key for HTTP\/elsewhere: it has HTTP\/localhost@TSREMOTE.TEST/,
      );
    });
  });
}
