/**
 * The real NTLM contexts end to end: createAuthContext('negotiate' | 'ntlm') against a mock server
 * running NtlmServerContext, sealed over HTTP and channel-bound over HTTPS.
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import { Credential } from '../../src/auth/index.js';
import { tlsServerEndPoint } from '../../src/auth/channel-binding.js';
import { NtlmServerContext } from '../../src/auth/ntlm/index.js';
import { avText, decodeAvPairs } from '../../src/auth/ntlm/av-pairs.js';
import { AvId } from '../../src/auth/ntlm/constants.js';
import { decodeAuthenticate } from '../../src/auth/ntlm/messages.js';
import {
  ENCRYPTED_CONTENT_TYPE, WSManTransport, isEncryptedContentType, openBody, parseHostSpec, sealBody, type TransportOptions,
} from '../../src/transport/index.js';
import { closeAll, envelope, selfSignedCert, startHttp, startHttps, type Handler } from './servers.js';
import { ToyClientContext, toyServer } from './fake-seal.js';

const PASSWORD = 'Pässwörd!123';
const transports: WSManTransport[] = [];
let pems: { cert: string; key: string };

beforeAll(async () => {
  pems = await selfSignedCert();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

interface Seen {
  accepted: string[];
  rejected: string[];
  plaintexts: string[];
  sealedRequests: number;
  /** MsvAvTargetName of each accepted AUTHENTICATE. */
  targetNames: (string | undefined)[];
}

/** The AV pairs of an NTLMv2 response start after NTProofStr (16) and the blob header (28). */
function targetNameOf(authenticate: Uint8Array): string | undefined {
  const pairs = decodeAvPairs(decodeAuthenticate(authenticate).ntChallengeResponse.subarray(16 + 28));
  return avText(pairs, AvId.MsvAvTargetName);
}

/** A WinRM-ish endpoint logging NTLM on per connection; seals on HTTP, plain on HTTPS. */
function ntlmServer(opts: { sealed: boolean; channelBindings?: Uint8Array }): { handler: Handler; seen: Seen } {
  const seen: Seen = { accepted: [], rejected: [], plaintexts: [], sealedRequests: 0, targetNames: [] };
  const contexts = new WeakMap<Socket, NtlmServerContext>();
  const handler: Handler = (req, res, request) => {
    const socket = req.socket as Socket;
    const [scheme, token] = req.headers.authorization?.split(' ') ?? [];
    if (token !== undefined && (scheme === 'Negotiate' || scheme === 'NTLM')) {
      let ctx = contexts.get(socket);
      if (!ctx || ctx.complete) {
        ctx = new NtlmServerContext({
          lookup: (user) => (user.toLowerCase() === 'operator' ? { username: 'operator', password: PASSWORD } : undefined),
          ...(opts.channelBindings ? { channelBindings: opts.channelBindings, requireChannelBindings: true } : {}),
        });
        contexts.set(socket, ctx);
      }
      const step = ctx.step(Buffer.from(token, 'base64'));
      if (step.kind === 'challenge') {
        res.writeHead(401, { 'www-authenticate': `${scheme} ${Buffer.from(step.token).toString('base64')}` });
        res.end();
        return;
      }
      if (step.kind === 'rejected') {
        seen.rejected.push(step.reason);
        contexts.delete(socket);
        res.writeHead(401, { 'www-authenticate': 'Negotiate' });
        res.end();
        return;
      }
      seen.accepted.push(`${step.domain}\\${step.username}`);
      seen.targetNames.push(targetNameOf(Buffer.from(token, 'base64')));
    }
    const ctx = contexts.get(socket);
    if (!ctx?.complete) {
      res.writeHead(401, { 'www-authenticate': 'Negotiate' });
      res.end();
      return;
    }
    if (isEncryptedContentType(req.headers['content-type'])) seen.sealedRequests += 1;
    const plain = opts.sealed ? openBody(ctx, request.body).toString('utf8') : request.body.toString('utf8');
    seen.plaintexts.push(plain);
    const reply = envelope(`<echo>${plain}</echo>`);
    if (opts.sealed) {
      res.writeHead(200, { 'content-type': ENCRYPTED_CONTENT_TYPE });
      res.end(sealBody(ctx, Buffer.from(reply, 'utf8')));
    } else {
      res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
      res.end(reply);
    }
  };
  return { handler, seen };
}

function transport(port: number, https: boolean, extra: Partial<TransportOptions> = {}): WSManTransport {
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${port}`, { https }),
    auth: 'negotiate',
    credential: new Credential('WORKGROUP\\operator', PASSWORD),
    ca: pems.cert,
    ...extra,
  });
  transports.push(t);
  return t;
}

describe('NTLM over plain HTTP', () => {
  it.each(['negotiate', 'ntlm'] as const)('logs on with --auth %s and exchanges sealed messages both ways', async (auth) => {
    const { handler, seen } = ntlmServer({ sealed: true });
    const srv = await startHttp(handler);
    const t = transport(srv.port, false, { auth });
    expect([await t.post('<a>é</a>'), await t.post('<b/>')]).toEqual([envelope('<echo><a>é</a></echo>'), envelope('<echo><b/></echo>')]);
    expect(seen).toEqual({
      accepted: ['WORKGROUP\\operator'], rejected: [], plaintexts: ['<a>é</a>', '<b/>'], sealedRequests: 2, targetNames: ['HTTP/127.0.0.1'],
    });
    const scheme = auth === 'ntlm' ? 'NTLM ' : 'Negotiate ';
    expect(srv.requests.map((r) => r.headers.authorization?.startsWith(scheme) ?? 'none')).toEqual([true, true, 'none']);
  });

  it('refuses a wrong password with ETSR_AUTH_REJECTED', async () => {
    const { handler } = ntlmServer({ sealed: true });
    const srv = await startHttp(handler);
    const t = transport(srv.port, false, { credential: new Credential('operator', 'wrong') });
    const err = (await rejection(t.post('<a/>'))) as { code: string; message: string };
    expect([err.code, err.message]).toEqual(['ETSR_AUTH_REJECTED', 'logon rejected (401) for Negotiate; server offers Negotiate']);
  });
});

describe('channel binding over HTTPS', () => {
  it('hands each connection\'s context tls-server-end-point of the served certificate, and sends bodies unsealed', async () => {
    const toy = toyServer({ sealed: false });
    const srv = await startHttps(pems, toy.handler);
    const t = transport(srv.port, true, { authContext: (bindings) => new ToyClientContext('op', 'toy-password', bindings) });
    expect(await t.post('<a/>')).toBe(envelope('<r conn="0" n="1" recv="0"><a/></r>'));
    const expected = Buffer.from(tlsServerEndPoint(new X509Certificate(pems.cert).raw)).toString('hex');
    expect(toy.connections[0]?.bindings).toBe(expected);
    expect(expected.startsWith(Buffer.from('tls-server-end-point:').toString('hex'))).toBe(true);
    expect(toy.connections[0]?.legs.map((l) => [l.auth, l.contentType])).toEqual([
      ['NEG', 'application/soap+xml;charset=UTF-8'],
      ['AUTH', 'application/soap+xml;charset=UTF-8'],
    ]);
    expect(t.encrypts).toBe(false);
  });

  it('passes a server that requires channel bindings (Extended Protection strict) with real NTLM', async () => {
    const bindings = tlsServerEndPoint(new X509Certificate(pems.cert).raw);
    const { handler, seen } = ntlmServer({ sealed: false, channelBindings: bindings });
    const srv = await startHttps(pems, handler);
    const t = transport(srv.port, true);
    expect(await t.post('<a/>')).toBe(envelope('<echo><a/></echo>'));
    expect(seen).toEqual({
      accepted: ['WORKGROUP\\operator'], rejected: [], plaintexts: ['<a/>'], sealedRequests: 0, targetNames: ['HTTP/127.0.0.1'],
    });
  });

  it('is refused by a server whose certificate binding differs (a TLS-terminating relay)', async () => {
    const { handler, seen } = ntlmServer({ sealed: false, channelBindings: new TextEncoder().encode('tls-server-end-point:elsewhere') });
    const srv = await startHttps(pems, handler);
    const err = (await rejection(transport(srv.port, true).post('<a/>'))) as { code: string };
    expect(err.code).toBe('ETSR_AUTH_REJECTED');
    expect(seen.accepted).toEqual([]);
    expect(seen.rejected).toHaveLength(1);
    expect(seen.rejected[0]).toMatch(/channel binding/i);
  });
});
