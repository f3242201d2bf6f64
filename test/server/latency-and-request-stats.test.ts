/**
 * serve's benchmark aids: `latencyMs` (`--latency`) holds every request, and stats().requests
 * counts HTTP requests per port (401 legs included) and WS-Man requests by operation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { serveCommand, type ServeVerbOptions } from '../../src/cli/serve.js';
import { parseLatency, startServer, type RunningServer } from '../../src/server/index.js';
import { TestClient } from './client.js';

const USER = 'alice';
const PASSWORD = 'secret-pw';

let server: RunningServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

async function start(extra: { latencyMs?: number; listen?: string[] } = {}): Promise<RunningServer> {
  server = await startServer({ listen: extra.listen ?? ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], allowUnencrypted: true, ...extra });
  return server;
}

function client(url: URL, user: string | undefined = USER, password = PASSWORD): TestClient {
  const c = new TestClient(url, user, password);
  clients.push(c);
  return c;
}

describe('parseLatency', () => {
  it('reads milliseconds, seconds and plain numbers', () => {
    expect([parseLatency('20ms'), parseLatency('0.5s'), parseLatency('15'), parseLatency(' 2.5 MS '), parseLatency('0')]).toEqual([20, 500, 15, 2.5, 0]);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '-5', '20m', 'fast', '1e3', '20 ms s']) expect(() => parseLatency(bad)).toThrow(/invalid latency/);
  });
});

describe('serve --latency', () => {
  it('is parsed into latencyMs, 0 without the flag', async () => {
    process.env.TSREMOTE_SERVE_PASSWORD = PASSWORD;
    try {
      const seen: ServeVerbOptions[] = [];
      for (const args of [['--latency', '20ms'], []]) {
        const cmd = serveCommand({ code: 0 }, async (o) => {
          seen.push(o);
          return 0;
        });
        cmd.exitOverride();
        await cmd.parseAsync(['--user', USER, ...args], { from: 'user' });
      }
      expect(seen.map((o) => o.latencyMs)).toEqual([20, 0]);
    } finally {
      delete process.env.TSREMOTE_SERVE_PASSWORD;
    }
  });
});

describe('latencyMs', () => {
  it('holds each request back: n round trips take at least n × latency', async () => {
    const s = await start({ latencyMs: 60 });
    const c = client(s.urls[0] as URL);
    const began = performance.now();
    await c.identify();
    await c.identify();
    // A lower bound only (timers never fire early); no upper bound on a shared machine.
    expect(performance.now() - began).toBeGreaterThanOrEqual(2 * 60 - 2);
  });

  it('refuses a negative latency', async () => {
    await expect(start({ latencyMs: -1 })).rejects.toThrow(/latencyMs must be a number >= 0/);
  });
});

describe('stats().requests', () => {
  it('counts WS-Man requests by operation and HTTP requests per port', async () => {
    const s = await start({ listen: ['127.0.0.1:0', '127.0.0.1:0'] });
    const [a, b] = s.urls as [URL, URL];
    await client(a).run('echo hi');
    await client(b).identify();
    const r = s.stats().requests;
    // run: Create, Command, Receive (until done), Delete.
    expect(r.wsman.Create).toBe(1);
    expect(r.wsman.Command).toBe(1);
    expect(r.wsman.Receive).toBeGreaterThanOrEqual(1);
    expect(r.wsman.Delete).toBe(1);
    expect(r.wsman.Send).toBe(0);
    expect(r.wsman.other).toBe(1); // the Identify
    const wsmanTotal = Object.values(r.wsman).reduce((x, y) => x + y, 0);
    expect(r.http.total).toBe(wsmanTotal);
    expect(r.http.byPort[Number(b.port)]).toBe(1);
    expect(r.http.byPort[Number(a.port)]).toBe(wsmanTotal - 1);
    expect(r.http.unauthorized).toBe(0);
  });

  it('counts a refused logon as an HTTP request answered 401, and no WS-Man request', async () => {
    const s = await start();
    const url = s.urls[0] as URL;
    const reply = await client(url, USER, 'wrong').post('<x/>');
    expect(reply.status).toBe(401);
    const r = s.stats().requests;
    expect([r.http.total, r.http.unauthorized, r.http.byPort[Number(url.port)]]).toEqual([1, 1, 1]);
    expect(Object.values(r.wsman).every((n) => n === 0)).toBe(true);
  });
});
