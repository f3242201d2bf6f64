import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import { Credential } from '../../src/auth/index.js';
import {
  AbortedError, ConnectError, HttpStatusError, InsecureError, ResponseTooLargeError, TimeoutError, WSManTransport,
  parseHostSpec, type TransportOptions,
} from '../../src/transport/index.js';
import { closeAll, envelope, freePort, ok, startHttp, type Handler } from './servers.js';

const cred = new Credential('DOMAIN\\vagrant', 'Pässwörd!123');
const transports: WSManTransport[] = [];

function transport(port: number, extra: Partial<TransportOptions> = {}): WSManTransport {
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${port}`, { https: false }),
    credential: cred,
    auth: 'basic',
    allowUnencrypted: true,
    retry: { baseDelayMs: 10 },
    ...extra,
  });
  transports.push(t);
  return t;
}


afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

describe('WSManTransport over HTTP', () => {
  it('reuses one keep-alive connection for consecutive posts', async () => {
    const srv = await startHttp(ok);
    const t = transport(srv.port);
    const replies = [await t.post('<a/>'), await t.post('<b/>'), await t.post('<c/>')];
    expect(replies).toEqual([envelope(), envelope(), envelope()]);
    expect(srv.connections.length).toBe(1);
    expect(srv.requests.map((r) => r.connection)).toEqual([0, 0, 0]);
  });

  it('sends POST /wsman with Basic base64(user:password) in UTF-8, the SOAP content type and a UTF-8 body', async () => {
    const srv = await startHttp(ok);
    await transport(srv.port).post('<s:Envelope>é</s:Envelope>');
    const [req] = srv.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/wsman');
    expect(req?.headers.authorization).toBe(
      `Basic ${Buffer.from('DOMAIN\\vagrant:Pässwörd!123', 'utf8').toString('base64')}`,
    );
    expect(req?.headers['content-type']).toBe('application/soap+xml;charset=UTF-8');
    expect(req?.headers['user-agent']).toMatch(/^tsremote\/\d+\.\d+\.\d+/);
    expect(req?.body).toEqual(Buffer.from('<s:Envelope>é</s:Envelope>', 'utf8'));
  });

  it('refuses Basic over plain HTTP without allowUnencrypted, before sending anything', async () => {
    const srv = await startHttp(ok);
    let caught: unknown;
    try {
      transport(srv.port, { allowUnencrypted: false });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InsecureError);
    const err = caught as InsecureError;
    expect([err.code, err.host, err.message]).toEqual([
      'ETSR_INSECURE', `127.0.0.1:${srv.port}`, 'refusing to send Basic credentials over unencrypted HTTP',
    ]);
    expect(err.hint).toBe('use --https, or --allow-unencrypted if you accept the risk');
    expect(srv.connections.length).toBe(0);
  });

  it('warns when Basic goes over plain HTTP because the user allowed it', async () => {
    const srv = await startHttp(ok);
    const heard: string[] = [];
    const t = transport(srv.port, { onWarning: (m) => heard.push(m) });
    expect(t.warnings).toEqual([`127.0.0.1:${srv.port}: Basic credentials and messages are sent unencrypted (--allow-unencrypted)`]);
    expect(heard).toEqual(t.warnings);
  });

  it('turns 401 into AuthError listing the schemes WWW-Authenticate offered', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(401, [['WWW-Authenticate', 'Negotiate'], ['WWW-Authenticate', 'Basic realm="WSMAN"']]);
      res.end();
    });
    const err = (await rejection(transport(srv.port).post('<x/>'))) as { code: string; message: string; hint: string; offered: string[]; host: string };
    expect(err.code).toBe('ETSR_AUTH_REJECTED');
    expect(err.offered).toEqual(['Negotiate', 'Basic']);
    expect(err.message).toBe('logon rejected (401) for Basic; server offers Negotiate, Basic');
    expect(err.hint).toBe('check -u DOMAIN\\user, the password and --auth');
    expect(err.host).toBe(`127.0.0.1:${srv.port}`);
    expect(srv.requests.length).toBe(1);
  });

  it('says ETSR_AUTH_UNSUPPORTED when the server does not offer Basic', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Negotiate, Kerberos' });
      res.end();
    });
    const err = (await rejection(transport(srv.port).post('<x/>'))) as { code: string; message: string; offered: string[] };
    expect([err.code, err.offered, err.message]).toEqual([
      'ETSR_AUTH_UNSUPPORTED', ['Negotiate', 'Kerberos'], 'server does not accept Basic authentication (it offers Negotiate, Kerberos)',
    ]);
  });

  it('turns a 500 without a SOAP fault into HttpStatusError with a body excerpt', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('kaboom   \n  not xml');
    });
    const err = await rejection(transport(srv.port).post('<x/>'));
    expect(err).toBeInstanceOf(HttpStatusError);
    expect([(err as HttpStatusError).status, (err as HttpStatusError).message]).toEqual([
      500, 'HTTP 500 Internal Server Error: kaboom not xml',
    ]);
  });

  it('turns other statuses into HttpStatusError with a hint', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const err = (await rejection(transport(srv.port).post('<x/>'))) as HttpStatusError;
    expect([err.code, err.status, err.message, err.hint]).toEqual([
      'ETSR_HTTP_STATUS', 404, 'HTTP 404 Not Found', 'no WinRM listener at this path; the default is /wsman',
    ]);
  });

  it('reports a refused connection as ConnectError naming the host', async () => {
    const port = await freePort();
    const err = (await rejection(transport(port).post('<x/>'))) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect([err.code, err.reason, err.host, err.message]).toEqual([
      'ETSR_CONNECT', 'refused', `127.0.0.1:${port}`, 'connection refused',
    ]);
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('names the address in a connect error when the host was given another way (a URL)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/wsman`;
    const t = new WSManTransport({ endpoint: parseHostSpec(url, { https: false }), auth: 'basic', credential: new Credential('u', 'p'), allowUnencrypted: true });
    const err = (await rejection(t.post('<x/>'))) as ConnectError;
    await t.close();
    expect([err.host, err.message]).toEqual([url, `connection refused (127.0.0.1:${port})`]);
  });

  it('reports a server that never answers as a read TimeoutError', async () => {
    const srv = await startHttp(() => {});
    const started = Date.now();
    const err = (await rejection(transport(srv.port, { readTimeoutMs: 200 }).post('<x/>'))) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect([err.code, err.phase, err.message]).toEqual(['ETSR_TIMEOUT', 'read', 'read timeout: no response after 200 ms']);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(srv.requests.length).toBe(1); // a timeout is never retried
  });

  it('lets one request wait longer than the default read timeout (a Receive long-poll)', async () => {
    const srv = await startHttp((req, res) => {
      setTimeout(() => ok(req, res, srv.requests[0]!), 400);
    });
    const t = transport(srv.port, { readTimeoutMs: 150 });
    expect(await t.post('<x/>', { readTimeoutMs: 2000 })).toBe(envelope());
  });

  it('derives the read timeout from operationTimeoutSec plus a 30 s margin', () => {
    const timeouts = [
      transport(1, { readTimeoutMs: undefined }).readTimeoutMs,
      transport(1, { readTimeoutMs: undefined, operationTimeoutSec: 120 }).readTimeoutMs,
      transport(1, { readTimeoutMs: 5000, operationTimeoutSec: 120 }).readTimeoutMs,
    ];
    expect(timeouts).toEqual([90_000, 150_000, 5000]);
  });
});

describe('retries', () => {
  /** Destroys the socket of the first `n` requests, answers the rest. */
  function flaky(n: number): Handler {
    let count = 0;
    return (req, res, seen) => {
      count += 1;
      if (count <= n) req.socket.destroy();
      else ok(req, res, seen);
    };
  }

  it('retries an idempotent op after the server drops the connection', async () => {
    const srv = await startHttp(flaky(1));
    const lines: string[] = [];
    const reply = await transport(srv.port, { debug: (l) => lines.push(l) }).post('<x/>', { idempotent: true });
    expect(reply).toBe(envelope());
    expect(srv.requests.length).toBe(2);
    expect(srv.connections.length).toBe(2);
    expect(lines.filter((l) => l.includes('retry 2/3'))).toHaveLength(1);
  });

  it('does not retry a non-idempotent op after the server drops the connection', async () => {
    const srv = await startHttp(flaky(1));
    const err = (await rejection(transport(srv.port).post('<x/>'))) as ConnectError;
    expect([err.code, err.reason]).toEqual(['ETSR_CONNECT', 'closed']);
    expect(srv.requests.length).toBe(1);
  });

  it('gives up after three tries', async () => {
    const srv = await startHttp(flaky(10));
    const err = (await rejection(transport(srv.port).post('<x/>', { idempotent: true }))) as ConnectError;
    expect(err.code).toBe('ETSR_CONNECT');
    expect(srv.requests.length).toBe(3);
  });

  it('retries 503 and 429 honouring Retry-After, and only for idempotent ops', async () => {
    const statuses = [503, 429];
    const srv = await startHttp((req, res, seen) => {
      const status = statuses.shift();
      if (status === undefined) return ok(req, res, seen);
      res.writeHead(status, { 'retry-after': '0' });
      res.end();
    });
    expect(await transport(srv.port).post('<x/>', { idempotent: true })).toBe(envelope());
    expect(srv.requests.length).toBe(3);

    statuses.push(503);
    const err = (await rejection(transport(srv.port).post('<x/>'))) as HttpStatusError;
    expect([err.status, srv.requests.length]).toEqual([503, 4]);
  });

  it('does not retry when Retry-After asks for longer than the cap', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(503, { 'retry-after': '3600' });
      res.end();
    });
    const err = (await rejection(transport(srv.port).post('<x/>', { idempotent: true }))) as HttpStatusError;
    expect([err.status, err.retryAfterMs, srv.requests.length]).toEqual([503, 3_600_000, 1]);
  });

  it('does not retry once the signal has aborted during the backoff', async () => {
    const srv = await startHttp(flaky(10));
    const ac = new AbortController();
    const t = transport(srv.port, { retry: { baseDelayMs: 5_000 } });
    const pending = rejection(t.post('<x/>', { idempotent: true, signal: ac.signal }));
    while (srv.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    ac.abort();
    const err = (await pending) as AbortedError;
    expect(err.code).toBe('ETSR_ABORTED');
    expect(Date.now() - started).toBeLessThan(500);
    expect(srv.requests.length).toBe(1);
  });
});

describe('abort, size and charset', () => {
  it('rejects promptly with ETSR_ABORTED and tears the request down', async () => {
    const srv = await startHttp(() => {});
    const ac = new AbortController();
    const pending = rejection(transport(srv.port).post('<x/>', { signal: ac.signal }));
    while (srv.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closed = new Promise<void>((resolve) => srv.connections[0]!.once('close', () => resolve()));
    const started = Date.now();
    ac.abort();
    const err = (await pending) as AbortedError;
    expect([err.code, err.host]).toEqual(['ETSR_ABORTED', `127.0.0.1:${srv.port}`]);
    expect(Date.now() - started).toBeLessThan(500);
    await closed; // the socket is gone, not left waiting for the response
  });

  it('sends nothing when the signal is already aborted', async () => {
    const srv = await startHttp(ok);
    const err = (await rejection(transport(srv.port).post('<x/>', { signal: AbortSignal.abort() }))) as AbortedError;
    expect([err.code, srv.connections.length]).toEqual(['ETSR_ABORTED', 0]);
  });

  it('decodes a UTF-16LE response with a BOM', async () => {
    const text = envelope('こんにちは');
    const srv = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-16' });
      res.end(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    });
    expect(await transport(srv.port).post('<x/>')).toBe(text);
  });

  it('decodes a UTF-16BE response declared by charset only', async () => {
    const text = envelope('Grüße');
    const srv = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset="utf-16be"' });
      res.end(Buffer.from(text, 'utf16le').swap16());
    });
    expect(await transport(srv.port).post('<x/>')).toBe(text);
  });

  it('rejects a response larger than the cap (declared length)', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/soap+xml' });
      res.end(Buffer.alloc(10_000, 0x41));
    });
    const err = (await rejection(transport(srv.port, { maxResponseBytes: 1024 }).post('<x/>'))) as ResponseTooLargeError;
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect([err.code, err.limit]).toEqual(['ETSR_RESPONSE_TOO_LARGE', 1024]);
  });

  it('stops reading an endless chunked response at the cap', async () => {
    let serverSawClose = false;
    const srv = await startHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/soap+xml' });
      const chunk = Buffer.alloc(16 * 1024, 0x41);
      const pump = (): void => {
        if (res.destroyed || res.writableEnded) return;
        res.write(chunk, () => setImmediate(pump));
      };
      res.on('close', () => {
        serverSawClose = true;
      });
      pump();
    });
    const err = (await rejection(transport(srv.port, { maxResponseBytes: 64 * 1024 }).post('<x/>'))) as ResponseTooLargeError;
    expect(err.code).toBe('ETSR_RESPONSE_TOO_LARGE');
    for (let i = 0; i < 100 && !serverSawClose; i++) await new Promise((r) => setTimeout(r, 10));
    expect(serverSawClose).toBe(true);
  });

  it('refuses to post after close', async () => {
    const srv = await startHttp(ok);
    const t = transport(srv.port);
    await t.close();
    const err = (await rejection(t.post('<x/>'))) as { code: string };
    expect(err.code).toBe('ETSR_INVALID_ARGUMENT');
  });
});
