/**
 * The transport's retry classes (issue 7): a request that never left (connection refused) is sent
 * again for every operation, a Command included; one that reached the server and lost its answer
 * is not (that is the session's call); a 200 that is not SOAP is a clear ContentTypeError; the
 * long-poll read timeout is OperationTimeout plus clamp(OperationTimeout / 2, 5 s, 30 s).
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import {
  ConnectError, ContentTypeError, WSManTransport, longPollReadTimeoutMs, parseHostSpec, type TransportOptions,
} from '../../src/transport/index.js';
import { closeAll, envelope, freePort, ok, startHttp } from '../transport/servers.js';

const transports: WSManTransport[] = [];
const extraServers: http.Server[] = [];

function transport(port: number, extra: Partial<TransportOptions> = {}): WSManTransport {
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${port}`, { https: false }),
    credential: new Credential('u', 'p'),
    auth: 'basic',
    allowUnencrypted: true,
    retry: { baseDelayMs: 100 },
    ...extra,
  });
  transports.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  for (const s of extraServers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
  await closeAll();
});

describe('requests that never left', () => {
  it('a non-idempotent request (a Command) is sent again once the refusing port listens', async () => {
    const port = await freePort();
    let answered = 0;
    const late = http.createServer((_req, res) => {
      answered += 1;
      res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
      res.end(envelope('<late/>'));
    });
    extraServers.push(late);
    const lines: string[] = [];
    const t = transport(port, { debug: (l) => lines.push(l) });
    // Attempts at 0, 100, 300, 700 ms …: the port opens after the first refusals.
    setTimeout(() => late.listen(port, '127.0.0.1'), 250);
    expect(await t.post('<command/>')).toBe(envelope('<late/>'));
    expect(answered).toBe(1);
    expect(lines.some((l) => /retry 2\/5 .*ETSR_CONNECT: connection refused/.test(l))).toBe(true);
  });

  it('gives up after connectTries attempts with the refusal', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const t = transport(port, { retry: { baseDelayMs: 5, connectTries: 3 }, debug: (l) => lines.push(l) });
    const err = await t.post('<command/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).reason).toBe('refused');
    expect(lines.filter((l) => l.includes(' retry '))).toHaveLength(2);
  });

  it('a request that reached the server and lost its answer is not resent by the transport', async () => {
    const srv = await startHttp((_req, res) => res.socket?.destroy());
    const t = transport(srv.port);
    await expect(t.post('<command/>')).rejects.toBeInstanceOf(ConnectError);
    expect(srv.requests).toHaveLength(1);
  });
});

describe('a 401 to Basic credentials', () => {
  const basic401: http.OutgoingHttpHeaders = { 'www-authenticate': 'Basic realm="WSMAN"', 'content-length': 0 };

  it('after the server accepted them once (it restarted): sent once more, and answered', async () => {
    let n = 0;
    const srv = await startHttp((_req, res) => {
      n += 1;
      if (n === 2) {
        res.writeHead(401, basic401);
        res.end();
        return;
      }
      ok(_req, res, undefined as never);
    });
    const t = transport(srv.port);
    expect(await t.post('<first/>')).toBe(envelope());
    expect(await t.post('<second/>')).toBe(envelope());
    expect(srv.requests.map((r) => r.body.toString())).toEqual(['<first/>', '<second/>', '<second/>']);
  });

  it('on the very first request (a wrong password): rejected at once, sent once', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(401, basic401);
      res.end();
    });
    await expect(transport(srv.port).post('<x/>')).rejects.toMatchObject({ code: 'ETSR_AUTH_REJECTED' });
    expect(srv.requests).toHaveLength(1);
  });
});

describe('a 200 that is not SOAP', () => {
  it('is a ContentTypeError: "answered with text/html, not SOAP — a proxy?"', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>sign in</body></html>');
    });
    const err = await transport(srv.port).post('<x/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContentTypeError);
    expect(err).toMatchObject({ host: `127.0.0.1:${srv.port}`, message: 'answered with text/html, not SOAP — a proxy?' });
  });

  it('accepts application/soap+xml, text/xml and a missing Content-Type', async () => {
    for (const type of ['application/soap+xml;charset=UTF-8', 'text/xml', undefined]) {
      const srv = await startHttp((_req, res) => {
        res.writeHead(200, type ? { 'content-type': type } : {});
        res.end(envelope());
      });
      expect(await transport(srv.port).post('<x/>')).toBe(envelope());
    }
    const srv = await startHttp(ok);
    expect(await transport(srv.port).post('<x/>')).toBe(envelope());
  });
});

describe('long-poll read timeout', () => {
  it.each([
    [1, 6_000],
    [20, 30_000],
    [60, 90_000],
    [120, 150_000],
  ])('OperationTimeout %i s -> %i ms', (sec, ms) => {
    expect(longPollReadTimeoutMs(sec)).toBe(ms);
  });

  it('is the transport default', () => {
    expect(transport(1, { operationTimeoutSec: 20 }).readTimeoutMs).toBe(30_000);
  });
});
