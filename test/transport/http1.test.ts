/**
 * The HTTP/1.1 client under the transport: the response parser on hand-made bytes (split at every
 * offset), and the connection against real loopback servers (node:http and raw sockets), for
 * keep-alive, reconnects, timeouts, aborts and responses cut short.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Connection, requestHead, type ConnectTarget, type HttpRequest } from '../../src/transport/http1/connection.js';
import { ResponseParser, type HttpResponse } from '../../src/transport/http1/response-parser.js';
import { rejection } from '../helpers/rejection.js';

const LIMITS = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 1024 };

/** Feeds `raw` in pieces cut at `cuts`; returns the response and whether it came before the end. */
function parse(raw: string | Buffer, cuts: number[] = [], limits = LIMITS): HttpResponse | undefined {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const parser = new ResponseParser(limits);
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    const res = parser.push(bytes.subarray(from, at));
    from = at;
    if (res) return res;
  }
  return undefined;
}

function parseError(raw: string, limits = LIMITS): { code: string; message: string } {
  try {
    const res = parse(raw, [], limits);
    return { code: 'none', message: res ? 'complete' : 'incomplete' };
  } catch (err) {
    return err as { code: string; message: string };
  }
}

describe('ResponseParser', () => {
  const chunked =
    'HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nTransfer-Encoding: chunked\r\nX-Dup: a\r\nx-dup: b\r\n\r\n' +
    '5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer-Field: t\r\n\r\n';

  it('reads a chunked response the same however the socket splits it', () => {
    const whole = parse(chunked);
    expect(whole && [whole.status, whole.body.toString(), whole.headers['x-dup'], whole.keepAlive]).toEqual([200, 'hello, world', ['a', 'b'], true]);
    for (let cut = 1; cut < chunked.length; cut++) {
      const res = parse(chunked, [cut]);
      expect([cut, res?.body.toString()]).toEqual([cut, 'hello, world']);
    }
    // One byte at a time.
    const bytes = [...Array(chunked.length).keys()].slice(1);
    expect(parse(chunked, bytes)?.body.toString()).toBe('hello, world');
  });

  it('reads a Content-Length body split anywhere, and skips interim 1xx responses', () => {
    const raw = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nKeep-Alive: timeout=5, max=100\r\n\r\nfault';
    for (let cut = 0; cut <= raw.length; cut++) {
      const res = parse(raw, [cut]);
      expect([cut, res?.status, res?.body.toString(), res?.keepAliveTimeoutMs]).toEqual([cut, 500, 'fault', 5000]);
    }
  });

  it('completes a response with no body without waiting for more bytes', () => {
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n')?.body.length).toBe(0);
    expect(parse('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nWWW-Authenticate: Negotiate abc\r\n\r\n')?.headers['www-authenticate']).toBe('Negotiate abc');
  });

  it('reads a body delimited by the close, and reports a response cut short as closed', () => {
    const parser = new ResponseParser(LIMITS);
    expect(parser.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\npart one, '))).toBeUndefined();
    expect(parser.push(Buffer.from('part two'))).toBeUndefined();
    const res = parser.end();
    expect([res.body.toString(), res.keepAlive]).toEqual(['part one, part two', false]);

    const cut = new ResponseParser(LIMITS);
    cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => cut.end()).toThrow(expect.objectContaining({ code: 'ETSR_HTTP_CLOSED' }));
    expect(() => new ResponseParser(LIMITS).end()).toThrow(expect.objectContaining({ code: 'ETSR_HTTP_CLOSED' }));
  });

  it('does not keep a connection the server closes, or one with bytes after the response', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(true);
    // Connection is a token list: any case, any OWS, several fields; a token must match whole.
    expect(parse('HTTP/1.1 200 OK\r\nConnection: Upgrade ,\tCLOSE\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(false);
    expect(parse('HTTP/1.1 200 OK\r\nConnection: te\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(false);
    expect(parse('HTTP/1.1 200 OK\r\nConnection: closed, xclose, ,\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(true);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: foo,Keep-Alive\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(true);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: keep-alives\r\nContent-Length: 1\r\n\r\nx')?.keepAlive).toBe(false);
    const extra = parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n');
    expect([extra?.body.toString(), extra?.keepAlive]).toEqual(['x', false]);
  });

  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200 OK\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['a field name with whitespace', 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx', 'ETSR_HTTP_PROTOCOL'],
    ['obsolete line folding', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['a field without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['Content-Length beside Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['a transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['a Content-Length that is not digits', 'HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['two Content-Lengths that disagree', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'ETSR_HTTP_PROTOCOL'],
    ['chunk data without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy', 'ETSR_HTTP_PROTOCOL'],
    ['a declared body over the cap', 'HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n', 'ETSR_HTTP_TOO_LARGE'],
    ['a chunked body over the cap', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n${'x'.repeat(1024)}\r\n1\r\n`, 'ETSR_HTTP_TOO_LARGE'],
    ['a close-delimited body over the cap', `HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(1025)}`, 'ETSR_HTTP_TOO_LARGE'],
    ['a head over its limit', `HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(16 * 1024)}\r\n\r\n`, 'ETSR_HTTP_PROTOCOL'],
  ])('refuses %s', (_what, raw, code) => {
    expect(parseError(raw).code).toBe(code);
  });

  it('refuses a head over its limit even when it never ends', () => {
    const parser = new ResponseParser({ maxHeaderBytes: 64, maxBodyBytes: 10 });
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\nX: '))).toBeUndefined();
    expect(() => parser.push(Buffer.alloc(100, 0x61))).toThrow(/head exceeds 64 bytes/);
  });
});

describe('requestHead', () => {
  it('writes the request line, Host, the fields and Content-Length', () => {
    const head = requestHead({ method: 'POST', path: '/wsman?PSVersion=7', host: '[::1]:5985', headers: { 'content-type': 'a/b' }, body: Buffer.from('xyz') });
    expect(head).toBe('POST /wsman?PSVersion=7 HTTP/1.1\r\nhost: [::1]:5985\r\ncontent-type: a/b\r\ncontent-length: 3\r\n\r\n');
  });

  it('refuses a value that would start a field or a request of its own', () => {
    const base = { method: 'POST' as const, path: '/wsman', host: 'h', body: Buffer.alloc(0) };
    expect(() => requestHead({ ...base, headers: { authorization: 'Negotiate x\r\nX-Evil: 1' } })).toThrow(/authorization field holds CR, LF or NUL/);
    expect(() => requestHead({ ...base, path: '/wsman\r\n', headers: {} })).toThrow(/URL holds CR, LF or NUL/);
  });
});

describe('Http1Connection', () => {
  const servers: net.Server[] = [];
  const connections: Http1Connection[] = [];
  afterEach(async () => {
    for (const c of connections.splice(0)) c.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function listen(server: net.Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  }

  function connection(port: number, extra: Partial<ConnectTarget> = {}, events: string[] = []): Http1Connection {
    const c = new Http1Connection({ hostname: '127.0.0.1', port, connectTimeoutMs: 2000, ...extra }, {
      onConnect: () => events.push('connect'),
      onDisconnect: () => events.push('disconnect'),
    });
    connections.push(c);
    return c;
  }

  const request = (body: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
    method: 'POST', path: '/wsman', host: 'h', headers: { 'content-type': 'text/plain' }, body: Buffer.from(body), readTimeoutMs: 2000, maxBodyBytes: 1 << 20, ...extra,
  });

  it('keeps one socket for a run of requests, and reads node:http answers of every framing', async () => {
    const sockets = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (body === 'chunked') {
          res.write('one,');
          setTimeout(() => res.end('two'), 5);
        } else res.end(`echo ${body} ${req.headers['content-length']}`);
      });
    });
    const events: string[] = [];
    const c = connection(await listen(server), {}, events);
    const answers = [];
    for (const body of ['a', 'chunked', 'bb', 'x'.repeat(100_000)]) {
      const res = await c.request(request(body));
      answers.push(res.body.toString().slice(0, 20));
    }
    expect(answers).toEqual(['echo a 1', 'one,two', 'echo bb 2', `echo ${'x'.repeat(15)}`]);
    expect([sockets.size, events]).toEqual([1, ['connect']]);
  });

  it('opens a new socket, and says so, after the server closes an idle one', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', () => setTimeout(() => socket.end(), 20)));
    });
    const events: string[] = [];
    const c = connection(await listen(server), {}, events);
    expect((await c.request(request('1'))).body.toString()).toBe('ok');
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['connect', 'disconnect']);
    expect((await c.request(request('2'))).body.toString()).toBe('ok');
    expect(events).toEqual(['connect', 'disconnect', 'connect']);
  });

  it('fails a response cut short with ETSR_HTTP_CLOSED, and a malformed one with ETSR_HTTP_PROTOCOL', async () => {
    const replies = ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx'];
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.end(replies.shift() ?? ''));
    });
    const port = await listen(server);
    const cut = (await rejection(connection(port).request(request('x')))) as { code: string };
    const bad = (await rejection(connection(port).request(request('x')))) as { code: string };
    expect([cut.code, bad.code]).toEqual(['ETSR_HTTP_CLOSED', 'ETSR_HTTP_PROTOCOL']);
  });

  it('times out a server that never answers, and one that never finishes its body', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', (d: Buffer) => {
        if (d.toString().includes('slow-body')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      });
    });
    const port = await listen(server);
    const silent = (await rejection(connection(port).request(request('x', { readTimeoutMs: 100 })))) as { code: string };
    const stalled = (await rejection(connection(port).request(request('slow-body', { readTimeoutMs: 100 })))) as { code: string };
    expect([silent.code, stalled.code]).toEqual(['ETSR_HTTP_READ_TIMEOUT', 'ETSR_HTTP_READ_TIMEOUT']);
  });

  it('waits on a body that keeps coming for longer than the read timeout, and closes an idle socket after the keep-alive time', async () => {
    // The read timeout runs between chunks, not over the whole response (connection.ts).
    const server = net.createServer((socket) => {
      socket.on('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n');
        let sent = 0;
        const tick = setInterval(() => {
          socket.write(String.fromCharCode(0x61 + sent));
          if (++sent === 12) clearInterval(tick);
        }, 50);
      });
    });
    const events: string[] = [];
    const c = connection(await listen(server), { keepAliveMs: 150 }, events);
    const started = performance.now();
    // 600 ms of body, a chunk every 50: twice the read timeout in all, never a sixth of it between chunks.
    const res = await c.request(request('x', { readTimeoutMs: 300 }));
    const took = performance.now() - started;
    expect([res.body.toString(), took > 500]).toEqual(['abcdefghijkl', true]);
    expect(events).toEqual(['connect']);
    await new Promise((r) => setTimeout(r, 500));
    expect([events, c.connected]).toEqual([['connect', 'disconnect'], false]);
  });

  it('times out a TLS handshake that never completes as a connect timeout', async () => {
    const server = net.createServer((socket) => socket.resume()); // accepts TCP, never speaks TLS
    const port = await listen(server);
    const err = (await rejection(connection(port, { tls: { rejectUnauthorized: true }, connectTimeoutMs: 150 }).request(request('x')))) as { code: string };
    expect(err.code).toBe('ETSR_HTTP_CONNECT_TIMEOUT');
  });

  it('reports a refused connection with the socket error, and settles on abort and on destroy', async () => {
    const closed = net.createServer();
    const deadPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    servers.splice(servers.indexOf(closed), 1);
    const refused = (await rejection(connection(deadPort).request(request('x')))) as { code: string };

    const server = net.createServer((socket) => socket.resume()); // reads, never answers
    const port = await listen(server);
    const ac = new AbortController();
    const pending = rejection(connection(port).request(request('x', { signal: ac.signal })));
    setTimeout(() => ac.abort(new Error('user stop')), 30);
    const aborted = (await pending) as Error;

    const c = connection(port);
    const inFlight = rejection(c.request(request('x')));
    setTimeout(() => c.destroy(), 30);
    const destroyed = (await inFlight) as { code: string };
    const after = (await rejection(c.request(request('y')))) as { code: string };
    expect([refused.code, aborted.message, destroyed.code, after.code]).toEqual(['ECONNREFUSED', 'user stop', 'ETSR_HTTP_DESTROYED', 'ETSR_HTTP_DESTROYED']);
  });

  it('reads responses arriving at once on several plain sockets, each body whole', async () => {
    // Plain TCP reads land in one buffer shared by every connection (connection.ts, #open): each
    // read must be copied before the next one anywhere overwrites it.
    const server = net.createServer((socket) => {
      socket.once('data', (d: Buffer) => {
        const letter = /\r\n\r\n(.)/s.exec(d.toString('latin1'))?.[1] ?? '?';
        const body = Buffer.alloc(200_000, letter);
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
        let at = 0;
        const next = (): void => {
          if (at >= body.length) return;
          socket.write(body.subarray(at, at + 7_000), () => setImmediate(next));
          at += 7_000;
        };
        next();
      });
    });
    const port = await listen(server);
    const letters = ['a', 'b', 'c', 'd'];
    const bodies = await Promise.all(letters.map((l) => connection(port).request(request(l)).then((r) => r.body)));
    expect(bodies.map((b) => [b.length, b.every((x) => x === b[0]), String.fromCharCode(b[0] ?? 0)])).toEqual(
      letters.map((l) => [200_000, true, l]),
    );
  });

  it('sends head and body byte for byte, copied into one write or written as two', async () => {
    const received: Buffer[] = [];
    const server = net.createServer((socket) => {
      let got = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        const headEnd = got.indexOf('\r\n\r\n');
        const length = Number(/content-length: (\d+)/.exec(got.toString('latin1'))?.[1] ?? -1);
        if (headEnd >= 0 && got.length >= headEnd + 4 + length) {
          received.push(got);
          got = Buffer.alloc(0);
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
        }
      });
    });
    const c = connection(await listen(server));
    // Around the size up to which head and body go as one buffer (ONE_WRITE_MAX_BODY, 16 KiB).
    const sizes = [0, 1, 16 * 1024, 16 * 1024 + 1, 100_000];
    const sent: Buffer[] = [];
    for (const size of sizes) {
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = (i * 31 + size) & 0xff;
      const req = request('', { body });
      sent.push(Buffer.concat([Buffer.from(requestHead(req), 'latin1'), body]));
      await c.request(req);
    }
    expect(received.map((b, i) => b.equals(sent[i] as Buffer))).toEqual(sizes.map(() => true));
  });

  it('drops a socket that sends bytes nobody asked for', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 20);
      });
    });
    const events: string[] = [];
    const c = connection(await listen(server), {}, events);
    await c.request(request('x'));
    await new Promise((r) => setTimeout(r, 80));
    expect([events, c.connected]).toEqual([['connect', 'disconnect'], false]);
  });
});
