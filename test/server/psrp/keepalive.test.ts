/**
 * serve and idle shells (issue 6): a keep-alive Receive resets the idle timer, and the IdleTimeOut
 * of a WS-Man Disconnect replaces the Create's for the disconnected shell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../../src/auth/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { PowerShellSession, connect, queryShellState, type WSManClient } from '../../../src/session/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(idleTimeoutMs: number): Promise<{ server: RunningServer; client: () => WSManClient }> {
  const s = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true, idleTimeoutMs });
  server = s;
  const client = (): WSManClient =>
    connect(s.urls[0]!.host, {
      https: false, auth: 'basic', credential: new Credential('u', 'p'), allowUnencrypted: true, operationTimeoutSec: 20, connectTimeoutSec: 5,
    });
  return { server: s, client };
}

describe('serve: keep-alive and Disconnect IdleTimeOut', () => {
  it('answers a keep-alive Receive like Windows (held, then w:TimedOut) and restarts the idle timer', async () => {
    const { server: s, client } = await serve(1500);
    const c = client();
    const session = await PowerShellSession.open(c);
    try {
      const t0 = Date.now();
      await session.keepAlive();
      // Held for its 1 s OperationTimeout: nothing was there to send.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      await sleep(1000);
      await session.keepAlive();
      await sleep(1000);
      expect(s.stats().shells).toBe(1);
      await sleep(2000);
      expect(s.stats().shells).toBe(0);
    } finally {
      await c.close();
    }
  }, 15_000);

  it('deletes a disconnected shell after the Disconnect IdleTimeOut, shorter than the Create one', async () => {
    const { server: s, client } = await serve(60_000);
    const c = client();
    const short = await PowerShellSession.open(c, { idleTimeoutSec: 600 });
    const long = await PowerShellSession.open(c, { idleTimeoutSec: 600 });
    const shortId = short.shellId;
    const longId = long.shellId;
    await short.disconnect(1);
    await long.disconnect();
    expect(s.stats().shells).toBe(2);
    await sleep(2500);
    try {
      expect(await queryShellState(c, shortId)).toBe('NotFound');
      expect(await queryShellState(c, longId)).toBe('Disconnected');
    } finally {
      await c.close();
    }
  }, 15_000);
});
