/**
 * serve as an NTLM acceptor, driven over raw node:http with our own NtlmClientContext: one
 * keep-alive socket per agent (maxSockets 1), so the connection-level logon can be observed.
 */
import http from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/credential.js';
import { tlsServerEndPoint } from '../../src/auth/channel-binding.js';
import { NtlmClientContext } from '../../src/auth/ntlm/index.js';
import { rawPost, type RawReply } from '../helpers/raw-post.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { ENCRYPTED_CONTENT_TYPE, encodeEncryptedBody, openBody, sealBody } from '../../src/transport/encrypted-body.js';
import { buildIdentify, buildShellDelete, defaultContext } from '../../src/wsman/index.js';

const USER = { username: 'vagrant', password: 'Pa55w0rd!' };
const SOAP = 'application/soap+xml;charset=UTF-8';
const servers: RunningServer[] = [];
const agents: http.Agent[] = [];

afterEach(async () => {
  for (const a of agents.splice(0)) a.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<ServeOptions> = {}): Promise<{ server: RunningServer; url: URL; lines: string[] }> {
  const lines: string[] = [];
  const server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], log: (l) => lines.push(l), ...opts });
  servers.push(server);
  return { server, url: server.urls[0] as URL, lines };
}


/** One POST on the agent's single keep-alive socket. */
const post = rawPost;

function agentFor(url: URL, ca?: string): http.Agent {
  const agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1, ca }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

const b64 = (t: Uint8Array): string => Buffer.from(t).toString('base64');

/** Runs NEGOTIATE; returns the client context ready to send AUTHENTICATE, and that token. */
async function negotiate(agent: http.Agent, url: URL, client: NtlmClientContext): Promise<{ authenticate: string; challengeReply: RawReply }> {
  const challengeReply = await post(agent, url, { authorization: `${client.scheme} ${b64(client.step())}` });
  const header = String(challengeReply.headers['www-authenticate']);
  const token = header.slice(client.scheme.length + 1);
  return { authenticate: `${client.scheme} ${b64(client.step(Buffer.from(token, 'base64')))}`, challengeReply };
}

const sealedHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({ 'content-type': ENCRYPTED_CONTENT_TYPE, ...extra });

describe('serve: NTLM over plain HTTP with message encryption', () => {
  it('challenges in the scheme used, serves the sealed AUTHENTICATE leg, then the logged-on socket without a header', async () => {
    const { url } = await serve();
    const agent = agentFor(url);
    const client = new NtlmClientContext(new Credential('vagrant', USER.password), { scheme: 'Negotiate' });

    const first = await post(agent, url, { 'content-type': SOAP }, Buffer.from(buildIdentify().xml));
    expect([first.status, first.headers['www-authenticate']]).toEqual([401, 'Negotiate, NTLM']);

    const { authenticate, challengeReply } = await negotiate(agent, url, client);
    expect(challengeReply.status).toBe(401);
    expect(String(challengeReply.headers['www-authenticate'])).toMatch(/^Negotiate TlRMTVNTUAACAAAA/);

    const identify = Buffer.from(buildIdentify().xml);
    const reply = await post(agent, url, sealedHeaders({ authorization: authenticate }), sealBody(client, identify));
    expect([reply.status, reply.headers['content-type']]).toEqual([200, ENCRYPTED_CONTENT_TYPE]);
    const text = openBody(client, reply.body).toString('utf8');
    expect(text).toContain('<wsmid:ProductVendor>tsremote</wsmid:ProductVendor>');
    expect(text).toContain('<wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos</wsmid:SecurityProfileName>');

    // Same socket, no Authorization: the connection is logged on, and a fault comes back sealed too.
    const del = Buffer.from(buildShellDelete(defaultContext(url.href), '00000000-0000-0000-0000-000000000000').xml);
    const fault = await post(agent, url, sealedHeaders(), sealBody(client, del));
    expect([fault.status, fault.headers['content-type'], fault.port]).toEqual([500, ENCRYPTED_CONTENT_TYPE, reply.port]);
    expect(openBody(client, fault.body).toString('utf8')).toContain('<s:Value>w:InvalidSelectors</s:Value>');

    // A new socket has no logon.
    const other = await post(agentFor(url), url, sealedHeaders(), sealBody(client, identify));
    expect(other.status).toBe(401);
    expect(other.port).not.toBe(reply.port);
  });

  it('answers NTLM in NTLM and lets an authenticated empty POST through (pywinrm set-up)', async () => {
    const { url } = await serve();
    const agent = agentFor(url);
    const client = new NtlmClientContext(new Credential('VAGRANT', USER.password), { scheme: 'NTLM' });
    const { authenticate, challengeReply } = await negotiate(agent, url, client);
    expect(String(challengeReply.headers['www-authenticate'])).toMatch(/^NTLM TlRMTVNTUAACAAAA/);
    const setup = await post(agent, url, { authorization: authenticate });
    expect([setup.status, setup.body.length]).toEqual([200, 0]);
    const reply = await post(agent, url, sealedHeaders(), sealBody(client, Buffer.from(buildIdentify().xml)));
    expect(reply.status).toBe(200);
    expect(openBody(client, reply.body).toString('utf8')).toContain('tsremote');
  });

  it('refuses an unsealed SOAP body from an NTLM logon on HTTP (401) unless allowUnencrypted', async () => {
    const { url, lines } = await serve();
    const agent = agentFor(url);
    const client = new NtlmClientContext(new Credential('vagrant', USER.password));
    const { authenticate } = await negotiate(agent, url, client);
    const reply = await post(agent, url, { authorization: authenticate, 'content-type': SOAP }, Buffer.from(buildIdentify().xml));
    expect([reply.status, reply.body.length, reply.headers['www-authenticate']]).toEqual([401, 0, 'Negotiate, NTLM']);
    expect(lines).toContain("401 for 127.0.0.1: unencrypted Negotiate request from 'vagrant' on plain HTTP refused (allowUnencrypted is off; seal the body)");

    const open = await serve({ allowUnencrypted: true });
    const agent2 = agentFor(open.url);
    const client2 = new NtlmClientContext(new Credential('vagrant', USER.password));
    const hs = await negotiate(agent2, open.url, client2);
    const ok = await post(agent2, open.url, { authorization: hs.authenticate, 'content-type': SOAP }, Buffer.from(buildIdentify().xml));
    expect([ok.status, ok.headers['content-type']]).toEqual([200, SOAP]);
  });

  it('never dispatches a tampered sealed body: 400, logged, connection closed and logged off', async () => {
    const { url, lines } = await serve();
    const agent = agentFor(url);
    const client = new NtlmClientContext(new Credential('vagrant', USER.password));
    const { authenticate } = await negotiate(agent, url, client);
    const setup = await post(agent, url, { authorization: authenticate });
    expect(setup.status).toBe(200);
    const sealed = client.wrap(Buffer.from(buildIdentify().xml));
    const data = Buffer.from(sealed.data);
    data[10] = (data[10] as number) ^ 0x01;
    const reply = await post(agent, url, sealedHeaders(), encodeEncryptedBody(sealed.header, data, data.length));
    expect([reply.status, reply.headers.connection]).toEqual([400, 'close']);
    expect(lines.some((l) => l.startsWith("400 for 127.0.0.1: sealed body from 'vagrant' refused:"))).toBe(true);
  });

  it('refuses a wrong password and an unknown user with the challenges, logging why without secrets', async () => {
    const { url, lines } = await serve();
    for (const [user, pw] of [['vagrant', 'not-the-password'], ['nobody', USER.password]] as const) {
      const agent = agentFor(url);
      const client = new NtlmClientContext(new Credential(user, pw));
      const { authenticate } = await negotiate(agent, url, client);
      const reply = await post(agent, url, { authorization: authenticate });
      expect([reply.status, reply.headers['www-authenticate']]).toEqual([401, 'Negotiate, NTLM']);
    }
    expect(lines.filter((l) => l.startsWith('401 for'))).toEqual([
      '401 for 127.0.0.1: NTLM: wrong password for vagrant',
      '401 for 127.0.0.1: NTLM: unknown user nobody',
    ]);
    expect(lines.join('\n')).not.toContain('not-the-password');
    expect(lines.join('\n')).not.toContain(USER.password);
  });

  it('serves only Basic when auth is basic: NTLM is not offered', async () => {
    const { url } = await serve({ auth: ['basic'], allowUnencrypted: true });
    const client = new NtlmClientContext(new Credential('vagrant', USER.password));
    const reply = await post(agentFor(url), url, { authorization: `Negotiate ${b64(client.step())}` });
    expect([reply.status, reply.headers['www-authenticate']]).toEqual([401, 'Basic realm="WSMAN"']);
  });
});

describe('serve: NTLM over HTTPS with channel binding', () => {
  async function handshake(cbt: 'strict' | 'relaxed', withBindings: boolean | 'wrong'): Promise<{ status: number; lines: string[] }> {
    const { server, url, lines } = await serve({ https: true, cbt });
    const pem = server.certPem as string;
    const data = withBindings === 'wrong' ? Buffer.from('tls-server-end-point:not-our-certificate') : tlsServerEndPoint(new X509Certificate(pem).raw);
    const client = new NtlmClientContext(new Credential('vagrant', USER.password), withBindings === false ? {} : { channelBindings: () => data });
    const agent = agentFor(url, pem);
    const { authenticate } = await negotiate(agent, url, client);
    const reply = await post(agent, url, { authorization: authenticate, 'content-type': SOAP }, Buffer.from(buildIdentify().xml));
    if (reply.status === 200) expect([reply.headers['content-type'], reply.body.toString('utf8')]).toEqual([SOAP, expect.stringContaining('secprofile/https/spnego-kerberos')]);
    return { status: reply.status, lines };
  }

  it('serves unsealed bodies with matching bindings, and without any under relaxed', async () => {
    expect((await handshake('strict', true)).status).toBe(200);
    expect((await handshake('relaxed', false)).status).toBe(200);
  });

  it('refuses a client without bindings under strict, and wrong bindings always', async () => {
    const strict = await handshake('strict', false);
    expect(strict.status).toBe(401);
    expect(strict.lines).toContain('401 for 127.0.0.1: NTLM: vagrant sent no channel bindings (required)');
    const wrong = await handshake('relaxed', 'wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.lines).toContain('401 for 127.0.0.1: NTLM: channel bindings of vagrant do not match our TLS certificate');
  });
});
