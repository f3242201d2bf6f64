/**
 * Each fault kind of `startServer({ faultSpec })` against the in-process server: the exact wire
 * behaviour of the contract (docs/serve.md, "Fault injection"), and faultCounts() agreeing.
 */
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { buildCommand, buildIdentify, buildReceive, parseFault, parseXml, XmlParseError, buildEnumerate } from '../../../src/wsman/index.js';
import { TestClient } from '../client.js';
import { PASSWORD, USER, rawPost, untilAnswered } from './raw-http.js';

let server: RunningServer | undefined;
let client: TestClient | undefined;
const logs: string[] = [];

async function serve(faultSpec: string, https = false): Promise<{ url: URL; server: RunningServer; client: TestClient }> {
  logs.length = 0;
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], allowUnencrypted: true, https, faultSpec, log: (l) => logs.push(l) });
  const url = server.urls[0]!;
  client = new TestClient(url, USER, PASSWORD, server.certPem === undefined ? {} : { ca: server.certPem });
  return { url, server, client };
}

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const IDENTIFY = buildIdentify().xml;

describe('fault injection on the wire', () => {
  it('reset: sends the head and `at` body bytes, then resets; at=0 resets before any byte', async () => {
    const { url, server } = await serve('reset@identify:nth=1,at=50;reset@identify:nth=2,at=0');
    const cut = await rawPost(url, IDENTIFY);
    expect(cut.status).toBe(200);
    expect(Number(cut.headers['content-length'])).toBeGreaterThan(50);
    expect([cut.body.length, cut.error]).toEqual([50, 'ECONNRESET']);
    const none = await rawPost(url, IDENTIFY);
    expect([none.status, none.body.length, none.error]).toEqual([undefined, 0, 'ECONNRESET']);
    const whole = await rawPost(url, IDENTIFY);
    expect([whole.status, whole.error, Number(whole.headers['content-length'])]).toEqual([200, undefined, whole.body.length]);
    expect(whole.body.subarray(0, 50)).toEqual(cut.body);
    expect(server.faultCounts()).toEqual({ reset: 2 });
    expect(logs.filter((l) => l.startsWith('fault reset on identify port '))).toHaveLength(2);
  });

  it('truncated: a 200 whose Content-Length matches the XML cut at `at` bytes', async () => {
    const { url, server } = await serve('truncated@identify:count=1,at=120');
    const cut = await rawPost(url, IDENTIFY);
    const whole = await rawPost(url, IDENTIFY);
    expect([cut.status, cut.error, cut.body.length, cut.headers['content-length']]).toEqual([200, undefined, 120, '120']);
    expect(cut.body).toEqual(whole.body.subarray(0, 120));
    expect(() => parseXml(cut.body.toString())).toThrow(XmlParseError);
    expect(server.faultCounts()).toEqual({ truncated: 1 });
  });

  it('malformed: a 200 SOAP-typed body that is not XML', async () => {
    const { url, server } = await serve('malformed@identify');
    const r = await rawPost(url, IDENTIFY);
    expect([r.status, r.headers['content-type']]).toEqual([200, 'application/soap+xml;charset=UTF-8']);
    expect(r.body.toString()).toMatch(/^<s:Envelope/);
    expect(() => parseXml(r.body.toString())).toThrow(XmlParseError);
    expect(server.faultCounts()).toEqual({ malformed: 1 });
  });

  it('content-type: a 200 text/html proxy page instead of SOAP', async () => {
    const { url, server } = await serve('content-type@identify');
    const r = await rawPost(url, IDENTIFY);
    expect([r.status, r.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(r.body.toString()).toMatch(/^<!DOCTYPE html>/);
    expect(server.faultCounts()).toEqual({ 'content-type': 1 });
  });

  it('oversized: a 200 of exactly `bytes` bytes that starts like a SOAP envelope', async () => {
    const { url, server } = await serve('oversized@identify:bytes=3000000');
    const r = await rawPost(url, IDENTIFY);
    expect([r.status, r.error, r.headers['content-length'], r.body.length]).toEqual([200, undefined, '3000000', 3_000_000]);
    expect(r.body.subarray(0, 12).toString()).toBe('<s:Envelope ');
    expect(server.faultCounts()).toEqual({ oversized: 1 });
  });

  it('drip: the whole response still arrives, byte for byte', async () => {
    const { url, server } = await serve('drip@identify:count=1,bps=20000');
    const slow = await rawPost(url, IDENTIFY);
    const fast = await rawPost(url, IDENTIFY);
    expect([slow.status, slow.error]).toEqual([200, undefined]);
    expect(slow.body.toString().replace(/uuid:[0-9A-Fa-f-]+/g, 'ID')).toBe(fast.body.toString().replace(/uuid:[0-9A-Fa-f-]+/g, 'ID'));
    expect(server.faultCounts()).toEqual({ drip: 1 });
  });

  it('stall: handled but never answered; the socket stays open', async () => {
    const { url, server } = await serve('stall@identify');
    const r = await rawPost(url, IDENTIFY, { timeoutMs: 1500 });
    expect([r.status, r.error]).toEqual([undefined, 'TIMEOUT']);
    expect(server.faultCounts()).toEqual({ stall: 1 });
  });

  it('http500, timeout and quota: their WS-Man faults, the request not handled', async () => {
    const { url, server, client } = await serve('http500@command;timeout@receive;quota@create:nth=2');
    const shellId = await client.createShell();
    const cmd = await rawPost(url, buildCommand(client.ctx, shellId, { command: 'echo', arguments: ['x'] }).xml);
    expect([cmd.status, parseFault(cmd.body.toString())?.subcode]).toEqual([500, 'InternalError']);
    expect(server.stats().pids).toEqual([]);
    const recv = await rawPost(url, buildReceive(client.ctx, shellId, { commandId: 'C0FFEE00-0000-0000-0000-000000000000' }).xml);
    // A real Receive for an unknown command would be InvalidSelectors: TimedOut proves it was not handled.
    expect([recv.status, parseFault(recv.body.toString())?.wsmanFaultCode]).toEqual([500, 2150858793]);
    await expect(client.createShell()).rejects.toMatchObject({ subcode: 'QuotaLimit' });
    expect(server.stats().shells).toBe(1);
    expect(server.faultCounts()).toEqual({ http500: 1, timeout: 1, quota: 1 });
  });

  it('vanish: the addressed shell dies first, so the request meets InvalidSelectors', async () => {
    const { server, client } = await serve('vanish@command');
    const shellId = await client.createShell();
    expect(server.stats().shells).toBe(1);
    await expect(client.command(shellId, 'echo', ['hi'])).rejects.toMatchObject({ subcode: 'InvalidSelectors' });
    expect(server.stats().shells).toBe(0);
    expect(server.faultCounts()).toEqual({ vanish: 1 });
  });

  it('401: the usual challenges, the request not handled', async () => {
    const { url, server } = await serve('401@identify:count=1');
    const r = await rawPost(url, IDENTIFY);
    expect(r.status).toBe(401);
    expect(String(r.headers['www-authenticate'])).toMatch(/Negotiate|Basic/);
    expect((await rawPost(url, IDENTIFY)).status).toBe(200);
    expect(server.faultCounts()).toEqual({ '401': 1 });
  });

  it('refuse: the connection resets, connects are refused during the window, then it listens again on the same port', async () => {
    const { url, server } = await serve('refuse@identify:count=1,ms=1500');
    const first = await rawPost(url, IDENTIFY);
    expect([first.status, first.error]).toEqual([undefined, 'ECONNRESET']);
    const during = await rawPost(url, IDENTIFY);
    expect(during.error).toBe('ECONNREFUSED');
    const after = await untilAnswered(url, IDENTIFY);
    expect(after.status).toBe(200);
    expect(server.faultCounts()).toEqual({ refuse: 1 });
  });

  it('restart: every shell and its children gone, connections dropped, then InvalidSelectors for the old shell', async () => {
    const { url, server, client } = await serve('restart@enumerate:ms=300');
    const shellId = await client.createShell();
    await client.command(shellId, 'sleep', ['30']);
    const [pid] = server.stats().pids;
    expect(pid).toBeTypeOf('number');
    const r = await rawPost(url, buildEnumerate(client.ctx, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell', { optimize: true }).xml);
    expect(r.status).toBeUndefined();
    expect(server.stats()).toMatchObject({ shells: 0, pids: [] });
    expect(() => process.kill(pid!, 0)).toThrow();
    const again = await untilAnswered(url, buildReceive(client.ctx, shellId, { commandId: 'C0FFEE00-0000-0000-0000-000000000000' }).xml);
    expect([again.status, parseFault(again.body.toString())?.subcode]).toEqual([500, 'InvalidSelectors']);
    expect(server.faultCounts()).toEqual({ restart: 1 });
  });

  it('wrong-cert: the HTTPS listener presents a certificate for wrong.invalid only', async () => {
    const { url, server } = await serve('wrong-cert', true);
    const cert = await new Promise<{ cn: unknown; san: string | undefined; error: string | undefined }>((resolve, reject) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port), ca: server.certPem, servername: 'localhost' }, () => {
        const peer = socket.getPeerCertificate();
        const error = socket.authorizationError;
        resolve({ cn: peer.subject.CN, san: peer.subjectaltname, error: error === null ? undefined : String(error) });
        socket.end();
      });
      socket.once('error', reject);
      socket.setTimeout(10_000, () => reject(new Error('TLS timeout')));
    }).catch((err: NodeJS.ErrnoException) => ({ cn: undefined, san: undefined, error: err.code ?? err.message }));
    // Trusting the served certificate is not enough: it names wrong.invalid, not the host.
    expect(cert.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const peer = await new Promise<{ cn: unknown; san: string | undefined }>((resolve, reject) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
        const p = socket.getPeerCertificate();
        resolve({ cn: p.subject.CN, san: p.subjectaltname });
        socket.end();
      });
      socket.once('error', reject);
    });
    expect(peer).toEqual({ cn: 'wrong.invalid', san: 'DNS:wrong.invalid' });
    // The server counts a connection once its side of the handshake completes, just after the client's.
    await vi.waitFor(() => expect(server.faultCounts()['wrong-cert']).toBeGreaterThanOrEqual(1));
  });

  it('refuses TLS below 1.2', async () => {
    const { url } = await serve('reset@pull', true);
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, () => {
        resolve(`connected ${socket.getProtocol() ?? ''}`);
        socket.end();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(outcome).not.toMatch(/^connected/);
  });
});
