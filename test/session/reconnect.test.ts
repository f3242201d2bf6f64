/**
 * Disconnect-PSSession / Connect-PSSession in process, against serve: a pool opened by one client,
 * disconnected, then attached from a second client (a new WS-Man SessionId and connection pool),
 * keeps its runspace — the variable set before is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession, deleteShell, queryShellState, type WSManClient } from '../../src/session/index.js';
import { WSManFault } from '../../src/wsman/index.js';
import { basicLoopbackClient } from '../helpers/basic-client.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true });
});
afterAll(async () => server.close());

const client = (): WSManClient =>
  basicLoopbackClient(server.urls[0]!.host);

async function outputs(session: PowerShellSession, script: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of session.run(script)) if (e.type === 'PipelineOutput') out.push(e.value);
  return out;
}

describe('PowerShellSession.disconnect / reconnect', () => {
  it('a second client reconnects to the disconnected pool and reads the variable the first one set', async () => {
    const c1 = client();
    const first = await PowerShellSession.open(c1, { idleTimeoutSec: 600 });
    const shellId = first.shellId;
    expect(await outputs(first, '$x = 42; "set"')).toEqual(['set']);
    await first.disconnect(600);
    await c1.close();
    expect(first.phase).toBe('disconnected');
    expect(Object.fromEntries(first.requests)).toEqual({ create: 1, receive: 2, command: 1, disconnect: 1 });
    expect(server.stats().shells).toBe(1);

    const c2 = client();
    expect(await queryShellState(c2, shellId)).toBe('Disconnected');
    const second = await PowerShellSession.reconnect(c2, shellId);
    expect(second.shellId).toBe(shellId);
    expect(await queryShellState(c2, shellId)).toBe('Connected');
    expect(await outputs(second, '$x; $x + 1')).toEqual([42, 43]);
    await second.disconnect();
    expect(Object.fromEntries(second.requests)).toEqual({ connect: 1, receive: 2, command: 1, disconnect: 1 });

    // A third client, and this time it closes the pool for good.
    const third = await PowerShellSession.reconnect(c2, shellId);
    expect(await outputs(third, '$x')).toEqual([42]);
    await third.close();
    await c2.close();
    expect(server.stats().shells).toBe(0);
  });

  it('a disconnected session refuses to run and close() leaves the shell alone', async () => {
    const c = client();
    const s = await PowerShellSession.open(c);
    await s.disconnect();
    await expect(outputs(s, '1')).rejects.toMatchObject({ code: 'ETSR_PSRP_STATE' });
    await s.close();
    expect(server.stats().shells).toBe(1);
    const again = await PowerShellSession.reconnect(c, s.shellId);
    await again.close();
    await c.close();
    expect(server.stats().shells).toBe(0);
  });

  it('closing a pool the server no longer has (restarted, idled out, removed) is not an error', async () => {
    const c = client();
    const s = await PowerShellSession.open(c);
    expect(await outputs(s, '1')).toEqual([1]);
    const other = client();
    expect(await deleteShell(other, s.shellId)).toBe(true);
    await other.close();
    // Its Delete answers InvalidSelectors: the pool is gone, nothing "may still be open".
    await expect(s.close()).resolves.toBeUndefined();
    expect(s.phase).toBe('closed');
    await c.close();
    expect(server.stats().shells).toBe(0);
  });

  it('reconnecting to a shell the server no longer has fails with InvalidSelectors', async () => {
    const c = client();
    const err = await PowerShellSession.reconnect(c, '0A1B2C3D-0000-4000-8000-000000000001').catch((e: unknown) => e);
    expect(await queryShellState(c, '0A1B2C3D-0000-4000-8000-000000000001')).toBe('NotFound');
    await c.close();
    expect(err).toBeInstanceOf(WSManFault);
    expect((err as WSManFault).subcode).toBe('InvalidSelectors');
  });
});
