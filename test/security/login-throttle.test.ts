/**
 * serve's login throttling (src/server/auth/throttle.ts inside the Authenticator): after 10 failed
 * logons of one address + user within 60 s, that pair gets 401 without its password being checked
 * until the window passes; other pairs and successful logons are untouched; memory stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { NtlmClientContext } from '../../src/auth/ntlm/index.js';
import {
  Authenticator,
  BasicAcceptor,
  DEFAULT_MAX_FAILURES,
  LoginThrottle,
  NtlmAcceptor,
  type AuthConnection,
  type AuthOutcome,
} from '../../src/server/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { decide } from '../helpers/auth-outcome.js';

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const b64 = (t: Uint8Array): string => Buffer.from(t).toString('base64');
const connFrom = (address: string): AuthConnection => ({ secure: true, connection: { remoteAddress: address } });

describe('LoginThrottle', () => {
  it('locks a pair after maxFailures within the window and unlocks when the oldest failure leaves it', () => {
    let now = 1_000_000;
    const t = new LoginThrottle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(t.lockedFor('10.0.0.1', 'alice')).toBeUndefined();
      t.failed('10.0.0.1', 'alice');
      now += 1000;
    }
    // Failures at 0 s, 1 s, 2 s; now = 3 s: locked until the first (0 s) is 60 s old.
    expect(t.lockedFor('10.0.0.1', 'alice')).toBe(57_000);
    expect(t.lockedFor('10.0.0.1', 'ALICE')).toBe(57_000);
    expect(t.lockedFor('10.0.0.1', '.\\alice')).toBe(57_000);
    expect(t.lockedFor('::ffff:10.0.0.1', 'alice')).toBe(57_000);
    expect(t.lockedFor('10.0.0.2', 'alice')).toBeUndefined();
    expect(t.lockedFor('10.0.0.1', 'bob')).toBeUndefined();
    now += 57_000;
    expect(t.lockedFor('10.0.0.1', 'alice')).toBeUndefined();
  });

  it('does not lock on failures spread wider than the window', () => {
    let now = 0;
    const t = new LoginThrottle({ maxFailures: 3, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 20; i++) {
      t.failed('10.0.0.1', 'alice');
      now += 5_001; // two failures at most inside any 10 s
      expect(t.lockedFor('10.0.0.1', 'alice')).toBeUndefined();
    }
  });

  it('a success clears the pair', () => {
    const t = new LoginThrottle({ maxFailures: 2, now: () => 5 });
    t.failed('a', 'u');
    t.succeeded('a', 'u');
    t.failed('a', 'u');
    expect(t.lockedFor('a', 'u')).toBeUndefined();
    t.failed('a', 'u');
    expect(t.lockedFor('a', 'u')).toBeGreaterThan(0);
  });

  it('keeps at most maxEntries pairs, dropping the least recently failing first', () => {
    const t = new LoginThrottle({ maxFailures: 2, maxEntries: 1000, now: () => 5 });
    t.failed('victim-net', 'admin');
    t.failed('victim-net', 'admin');
    for (let i = 0; i < 50_000; i++) t.failed(`198.51.100.${i % 250}`, `user${i}`);
    expect(t.size).toBe(1000);
    // The oldest entries went first.
    expect(t.lockedFor('victim-net', 'admin')).toBeUndefined();
    t.failed('x', 'y');
    t.failed('x', 'y');
    expect(t.lockedFor('x', 'y')).toBeGreaterThan(0);
    expect(t.size).toBe(1000);
  });
});

describe('Authenticator with throttling (Basic)', () => {
  const users = [
    { username: 'alice', password: 'right-alice' },
    { username: 'bob', password: 'right-bob' },
  ];

  it('refuses the right password after 10 failures, without checking it; other users and addresses still log on', () => {
    let checks = 0;
    const counted = new BasicAcceptor(
      users.map((u) => ({ username: u.username, verifyPassword: (p: string) => (checks++, p === u.password) })),
      false,
    );
    const gate = new Authenticator([counted]);
    const attacker = connFrom('203.0.113.9');
    for (let i = 0; i < DEFAULT_MAX_FAILURES; i++) {
      expect(decide(gate, basic('alice', `guess${i}`), attacker)).toMatchObject({ ok: false, reason: "wrong password for 'alice'" });
    }
    expect(checks).toBe(10);
    const locked = decide(gate, basic('alice', 'right-alice'), attacker);
    expect(locked).toMatchObject({ ok: false, challenges: ['Basic realm="WSMAN"'] });
    expect(locked.ok ? '' : locked.reason).toMatch(/^'alice' locked out for 60 s after repeated failed logons \(credentials not checked\)$/);
    expect(checks).toBe(10);
    // The domain form of the same account is the same pair.
    expect(decide(gate, basic('CORP\\Alice', 'right-alice'), attacker)).toMatchObject({ ok: false });
    expect(checks).toBe(10);
    expect(decide(gate, basic('bob', 'right-bob'), attacker)).toMatchObject({ ok: true, username: 'bob' });
    expect(decide(gate, basic('alice', 'right-alice'), connFrom('127.0.0.1'))).toMatchObject({ ok: true, username: 'alice' });
    expect(gate.throttledPairs).toBe(1);
  });

  it('a success before the threshold resets the count', () => {
    const gate = new Authenticator([new BasicAcceptor(users, true)]);
    const c = connFrom('127.0.0.1');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < DEFAULT_MAX_FAILURES - 1; i++) decide(gate, basic('alice', 'nope'), c);
      expect(decide(gate, basic('alice', 'right-alice'), c)).toMatchObject({ ok: true });
    }
    expect(gate.throttledPairs).toBe(0);
  });

  it('throttle: false turns it off', () => {
    const gate = new Authenticator([new BasicAcceptor(users, true)], { throttle: false });
    const c = connFrom('127.0.0.1');
    for (let i = 0; i < 30; i++) decide(gate, basic('alice', 'nope'), c);
    expect(decide(gate, basic('alice', 'right-alice'), c)).toMatchObject({ ok: true });
  });
});

describe('Authenticator with throttling (NTLM)', () => {
  const users = [{ username: 'vagrant', password: 'pw' }];

  function handshake(gate: Authenticator, conn: AuthConnection, user: string, password: string): AuthOutcome {
    const client = new NtlmClientContext(new Credential(user, password));
    const first = decide(gate, `${client.scheme} ${b64(client.step())}`, conn);
    if (first.ok || first.continued !== true) throw new Error(`expected a challenge, got ${JSON.stringify(first)}`);
    const token = Buffer.from((first.challenges[0] ?? '').split(' ')[1] ?? '', 'base64');
    return decide(gate, `${client.scheme} ${b64(client.step(token))}`, conn);
  }

  it('counts failed AUTHENTICATE messages by their UserName and then refuses the right one', () => {
    const gate = new Authenticator([new NtlmAcceptor({ users, cbt: 'relaxed' })]);
    const conn = connFrom('192.0.2.7');
    for (let i = 0; i < DEFAULT_MAX_FAILURES; i++) expect(handshake(gate, conn, 'vagrant', `wrong${i}`)).toMatchObject({ ok: false });
    const locked = handshake(gate, conn, 'VAGRANT', 'pw');
    expect(locked.ok ? '' : locked.reason).toMatch(/'vagrant' locked out/);
    // A different domain prefix is still the same user name.
    expect(handshake(gate, conn, 'OTHER\\vagrant', 'pw')).toMatchObject({ ok: false });
    expect(handshake(gate, connFrom('192.0.2.8'), 'vagrant', 'pw')).toMatchObject({ ok: true, username: 'vagrant' });
  });
});

describe('serve refuses a locked-out pair over HTTP (Basic)', () => {
  let server: RunningServer;
  const log: string[] = [];
  const identify = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>';

  beforeAll(async () => {
    server = await startServer({
      listen: ['127.0.0.1:0'],
      users: [
        { username: 'alice', password: 'right-alice' },
        { username: 'bob', password: 'right-bob' },
      ],
      allowUnencrypted: true,
      auth: ['basic'],
      log: (l) => void log.push(l),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const post = async (authorization: string): Promise<number> => {
    const res = await fetch(server.urls[0]!, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/soap+xml;charset=UTF-8' },
      body: identify,
    });
    await res.arrayBuffer();
    return res.status;
  };

  it('answers 401 to the right password after 10 wrong ones, while bob still gets 200', async () => {
    expect(await post(basic('alice', 'right-alice'))).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await post(basic('alice', `wrong-${i}`)));
    expect(statuses).toEqual(Array(10).fill(401));
    expect(await post(basic('alice', 'right-alice'))).toBe(401);
    expect(await post(basic('bob', 'right-bob'))).toBe(200);
    expect(log.filter((l) => l.includes('locked out'))).toEqual([expect.stringMatching(/^401 for .*127\.0\.0\.1: 'alice' locked out for \d+ s/)]);
    expect(log.join('\n')).not.toContain('right-alice');
  });
});
