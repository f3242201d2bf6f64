/**
 * Lost responses end to end, in process, against serve with fault injection (issue 7 contracts 1
 * and 2): a Receive or Create whose answer is cut, garbled, replaced or never sent is recovered by
 * retransmitting its OperationID, so the output is exact; a Command is never replayed; a request
 * refused before it was sent is retried; a server that never echoes OperationID loses nothing
 * silently (ETSR_OUTPUT_LOST). Each server is fresh, so fault counters belong to one test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import {
  CommandLostError, OutputLostError, PowerShellSession, WinRSShell, connect, type WSManClient,
} from '../../src/session/index.js';
import { ResponseTooLargeError } from '../../src/transport/index.js';
import { winrsStdout } from './winrs-stdout.js';

const servers: RunningServer[] = [];
const clients: WSManClient[] = [];
const proxies: http.Server[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const p of proxies.splice(0)) {
    p.closeAllConnections();
    p.close();
  }
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(faultSpec?: string): Promise<RunningServer> {
  const server = await startServer({
    listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true, log: () => undefined,
    ...(faultSpec === undefined ? {} : { faultSpec }),
  });
  servers.push(server);
  return server;
}

function clientFor(host: string, operationTimeoutSec = 20): WSManClient {
  const c = connect(host, {
    https: false, auth: 'basic', credential: new Credential('u', 'p'), allowUnencrypted: true, operationTimeoutSec, connectTimeoutSec: 5,
  });
  clients.push(c);
  return c;
}

const SEQ = 'seq 1 30000';
const expectedSeq = Array.from({ length: 30000 }, (_, i) => `${i + 1}\n`).join('');

describe('WinRS Receive responses lost on the way back', () => {
  it.each(['reset', 'truncated', 'malformed', 'content-type'])('%s on the 2nd Receive: output exact, recovered by retransmission', async (kind) => {
    const server = await serve(`${kind}@receive:nth=2`);
    const client = clientFor(server.urls[0]!.host);
    expect(await winrsStdout(client, SEQ)).toBe(expectedSeq);
    expect(server.faultCounts()[kind]).toBe(1);
    expect(client.robust).toBe(true);
    expect(client.retransmissions).toBe(1);
    expect(server.stats().shells).toBe(0);
  });

  it('a stalled Receive is recovered after its read timeout (OperationTimeout + 5 s)', async () => {
    const server = await serve('stall@receive:nth=1');
    const client = clientFor(server.urls[0]!.host, 1);
    expect(await winrsStdout(client, 'echo after-stall')).toBe('after-stall\n');
    expect(server.faultCounts().stall).toBe(1);
    expect(client.retransmissions).toBe(1);
  }, 30_000);

  it('a Receive reset while the port then refuses for 800 ms: retransmitted, its refused connects retried', async () => {
    const server = await serve('refuse@receive:nth=2,ms=800');
    const client = clientFor(server.urls[0]!.host);
    expect(await winrsStdout(client, SEQ)).toBe(expectedSeq);
    expect(server.faultCounts().refuse).toBe(1);
    expect(client.retransmissions).toBeGreaterThanOrEqual(1);
  });
});

describe('Create and Command', () => {
  it('a lost CreateResponse is recovered from the server cache: one shell, not two', async () => {
    const server = await serve('reset@create:nth=1');
    const client = clientFor(server.urls[0]!.host);
    const shell = await WinRSShell.open(client);
    expect(server.faultCounts().reset).toBe(1);
    expect(client.retransmissions).toBe(1);
    expect(server.stats().shells).toBe(1);
    await shell.close();
    expect(server.stats().shells).toBe(0);
  });

  it('a lost CommandResponse fails with CommandLostError (never replayed, though the server could have); the shell is then deleted', async () => {
    const server = await serve('reset@command:nth=1');
    const client = clientFor(server.urls[0]!.host);
    const shell = await WinRSShell.open(client);
    const err = await shell.run('echo once').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandLostError);
    expect((err as Error).message).toMatch(/not sent again/);
    expect(client.retransmissions).toBe(0);
    await shell.close();
    expect(server.stats().shells).toBe(0);
  });

  it('a lost DeleteResponse is retried as a retransmission (same OperationID, marked), not refused as a reused id', async () => {
    const server = await serve('reset@delete:nth=1');
    const client = clientFor(server.urls[0]!.host);
    const shell = await WinRSShell.open(client);
    await shell.close();
    expect(server.faultCounts().reset).toBe(1);
    // close() resolved: the retry was answered from the kept response, not refused as a reused id.
    expect(server.stats().shells).toBe(0);
  });

  it('PSRP: a lost CommandResponse fails the session with one clear error, and close() still deletes the shell', async () => {
    const server = await serve('reset@command:nth=1');
    const client = clientFor(server.urls[0]!.host);
    const session = await PowerShellSession.open(client);
    expect(server.stats().shells).toBe(1);
    const failed = (async () => {
      for await (const _ of session.run('"x"')) void _;
    })();
    await expect(failed).rejects.toBeInstanceOf(CommandLostError);
    await session.close();
    expect(server.stats().shells).toBe(0);
  });
});

describe('PSRP Receive responses lost', () => {
  it('every 3rd Receive reset while 3000 records stream: all of them arrive, in order', async () => {
    const server = await serve('reset@receive:every=3');
    const client = clientFor(server.urls[0]!.host);
    const session = await PowerShellSession.open(client);
    const out: unknown[] = [];
    try {
      for await (const e of session.run('1..3000')) if (e.type === 'PipelineOutput') out.push(e.value);
    } finally {
      await session.close();
    }
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(server.faultCounts().reset).toBeGreaterThan(0);
    expect(client.retransmissions).toBe(server.faultCounts().reset);
    expect(server.stats().shells).toBe(0);
  });
});

describe('an oversized response', () => {
  it('is refused from its Content-Length (70 MiB) without reading the body', async () => {
    const server = await serve('oversized@receive:nth=1');
    const client = clientFor(server.urls[0]!.host);
    const before = process.memoryUsage().rss;
    const err = await winrsStdout(client, 'echo hi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
    expect(server.stats().shells).toBe(0);
  });
});

/**
 * A server without robust connections: forwards to serve, strips the echoed OperationID, and cuts
 * the 2nd Receive response in half.
 */
async function nonRobustProxy(upstream: URL): Promise<string> {
  let receives = 0;
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isReceive = body.includes('/windows/shell/Receive<');
      const forward = http.request(upstream, { method: 'POST', headers: { ...req.headers, host: upstream.host } }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8').replace(/<(\w+):OperationID\b[^>]*>[^<]*<\/\1:OperationID>(<\1:SequenceId>[^<]*<\/\1:SequenceId>)?/g, '');
          const out = Buffer.from(text, 'utf8');
          res.writeHead(up.statusCode ?? 500, { 'content-type': up.headers['content-type'] ?? 'text/plain', 'content-length': out.length });
          if (isReceive && ++receives === 2) res.write(out.subarray(0, out.length >> 1), () => res.socket?.destroy());
          else res.end(out);
        });
      });
      forward.end(body);
    });
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe('a server that never echoes OperationID', () => {
  it('a lost Receive fails with ETSR_OUTPUT_LOST naming the host, sent once, never silently skipped', async () => {
    const server = await serve();
    const host = await nonRobustProxy(server.urls[0]!);
    const client = clientFor(host);
    const err = await winrsStdout(client, SEQ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLostError);
    expect(err).toMatchObject({ code: 'ETSR_OUTPUT_LOST', host });
    expect((err as Error).message).toMatch(/output may be incomplete/);
    expect(client.robust).toBe(false);
    expect(client.retransmissions).toBe(0);
    expect(server.stats().shells).toBe(0);
  });
});
