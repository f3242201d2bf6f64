/**
 * A pool that never opens (the server answers every Receive with TimedOut and never sends the
 * pool's state) fails after the open timeout with one clear error, and its shell is deleted.
 * Seen in the soak: a client waited in NegotiationSent until the soak killed it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession } from '../../src/session/index.js';
import { basicLoopbackClient } from '../helpers/basic-client.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    listen: ['127.0.0.1:0'],
    users: [{ username: 'u', password: 'p' }],
    allowUnencrypted: true,
    faultSpec: 'timeout@receive:rate=1;seed=1',
  });
});
afterAll(async () => server.close());

it('gives up opening after openTimeoutMs, names the state, and deletes the shell', async () => {
  const client = basicLoopbackClient(server.urls[0]!.host);
  const started = Date.now();
  const err = await PowerShellSession.open(client, { openTimeoutMs: 1500 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await client.close();
  expect(err).toMatchObject({ code: 'ETSR_TIMEOUT', host: server.urls[0]!.host });
  expect((err as Error).message).toMatch(/^the runspace pool did not open within 2 s \(still \w+\)$/);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(server.faultCounts().timeout).toBeGreaterThan(0);
  expect(server.stats().shells).toBe(0);
});
