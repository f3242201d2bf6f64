/**
 * Body faults on sealed NTLM connections (plain HTTP, multipart/encrypted): malformed is sealed
 * (the client opens it and finds bad XML), truncated cuts the sealed bytes on the wire, and
 * content-type answers unsealed, as documented in docs/serve.md "Fault injection".
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../../src/auth/credential.js';
import { NtlmClientContext } from '../../../src/auth/ntlm/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { rawPost, type RawReply } from '../../helpers/raw-post.js';
import { ENCRYPTED_CONTENT_TYPE, openBody, sealBody } from '../../../src/transport/encrypted-body.js';
import { XmlParseError, buildIdentify, parseXml } from '../../../src/wsman/index.js';

const USER = { username: 'vagrant', password: 'Pa55w0rd!' };
let server: RunningServer | undefined;
let agent: http.Agent | undefined;

afterEach(async () => {
  agent?.destroy();
  await server?.close();
});

const post = (url: URL, headers: Record<string, string>, body?: Uint8Array): Promise<RawReply> => rawPost(agent, url, headers, body);

describe('body faults on a sealed NTLM connection', () => {
  it('seals malformed XML, cuts the sealed bytes for truncated, and sends content-type unsealed', async () => {
    server = await startServer({
      listen: ['127.0.0.1:0'],
      users: [USER],
      faultSpec: 'malformed@identify:nth=1;truncated@identify:nth=2,at=100;content-type@identify:nth=3',
    });
    const url = server.urls[0]!;
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const client = new NtlmClientContext(new Credential(USER.username, USER.password), { scheme: 'Negotiate' });
    const challenge = await post(url, { authorization: `Negotiate ${Buffer.from(client.step()).toString('base64')}` });
    const token = String(challenge.headers['www-authenticate']).slice('Negotiate '.length);
    const authenticate = `Negotiate ${Buffer.from(client.step(Buffer.from(token, 'base64'))).toString('base64')}`;
    const identify = Buffer.from(buildIdentify().xml);

    const malformed = await post(url, { authorization: authenticate, 'content-type': ENCRYPTED_CONTENT_TYPE }, sealBody(client, identify));
    expect([malformed.status, malformed.headers['content-type']]).toEqual([200, ENCRYPTED_CONTENT_TYPE]);
    const opened = openBody(client, malformed.body).toString('utf8');
    expect(opened).toMatch(/^<s:Envelope/);
    expect(() => parseXml(opened)).toThrow(XmlParseError);

    const truncated = await post(url, { 'content-type': ENCRYPTED_CONTENT_TYPE }, sealBody(client, identify));
    expect([truncated.status, truncated.headers['content-type'], truncated.headers['content-length'], truncated.body.length]).toEqual([200, ENCRYPTED_CONTENT_TYPE, '100', 100]);
    expect(truncated.body.toString('latin1')).toContain('--Encrypted Boundary');

    const page = await post(url, { 'content-type': ENCRYPTED_CONTENT_TYPE }, sealBody(client, identify));
    expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body.toString()).toMatch(/^<!DOCTYPE html>/);
    expect(server.faultCounts()).toEqual({ malformed: 1, truncated: 1, 'content-type': 1 });
  });
});
