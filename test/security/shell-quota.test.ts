/**
 * serve's MaxShellsPerUser (src/server/shells.ts) holds for WinRS shells and PSRP runspace pools
 * alike, counts them together, holds under concurrent creates, and is per user: one user at the
 * limit does not stop another. (WinRM's quota is the same: a shell is a shell, whatever its
 * resource URI.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession, WinRSShell, connect, type WSManClient } from '../../src/session/index.js';

const LIMIT = 2;
let server: RunningServer;
const clients: WSManClient[] = [];

const clientFor = (user: string): WSManClient => {
  const c = connect(server.urls[0]!.host, {
    https: false, auth: 'basic', credential: new Credential(user, `${user}-pw`), allowUnencrypted: true, operationTimeoutSec: 20, connectTimeoutSec: 5,
  });
  clients.push(c);
  return c;
};

/** The error a refused create raised, as something comparable. */
const refusal = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const QUOTA = new RegExp(`maximum number of ${LIMIT} concurrent shells`);

beforeAll(async () => {
  server = await startServer({
    listen: ['127.0.0.1:0'],
    users: ['alice', 'bob'].map((u) => ({ username: u, password: `${u}-pw` })),
    allowUnencrypted: true,
    maxShellsPerUser: LIMIT,
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('MaxShellsPerUser', () => {
  it('counts WinRS shells and PSRP pools together, per user, and frees a slot on close', async () => {
    const alice = clientFor('alice');
    const bob = clientFor('bob');
    const winrs = await WinRSShell.open(alice);
    const pool = await PowerShellSession.open(alice);
    expect(server.stats().shells).toBe(2);

    const thirdWinrs = await WinRSShell.open(alice).then(() => 'opened', refusal);
    const thirdPsrp = await PowerShellSession.open(alice).then(() => 'opened', refusal);
    expect(thirdWinrs).toMatch(QUOTA);
    expect(thirdPsrp).toMatch(QUOTA);
    expect(server.stats().shells).toBe(2);

    // Bob is not affected by Alice being at her limit, and has his own.
    const bobShells = [await PowerShellSession.open(bob), await WinRSShell.open(bob)];
    expect(await WinRSShell.open(bob).then(() => 'opened', refusal)).toMatch(QUOTA);
    expect(server.stats().shells).toBe(4);

    await winrs.close();
    const again = await PowerShellSession.open(alice);
    expect(server.stats().shells).toBe(4);
    for (const s of [pool, again, ...bobShells]) await s.close();
    expect(server.stats().shells).toBe(0);
  });

  it('holds when one user asks for many shells at once (WinRS and PSRP mixed)', async () => {
    const alice = clientFor('alice');
    const open = (i: number): Promise<WinRSShell | PowerShellSession> => (i % 2 === 0 ? WinRSShell.open(alice) : PowerShellSession.open(alice));
    const attempts = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(open));
    const opened = attempts.filter((a): a is PromiseFulfilledResult<WinRSShell | PowerShellSession> => a.status === 'fulfilled');
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(opened.length).toBe(LIMIT);
    expect(refused.map((r) => refusal(r.reason))).toEqual(Array(6 - LIMIT).fill(expect.stringMatching(QUOTA)));
    expect(server.stats().shells).toBe(LIMIT);
    for (const o of opened) await o.value.close();
    expect(server.stats().shells).toBe(0);
  });
});
