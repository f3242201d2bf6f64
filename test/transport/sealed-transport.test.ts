/**
 * Connection-bound, sealing auth over plain HTTP (MS-WSMV 2.2.9.1), driven through the toy
 * mechanism of fake-seal.ts: the handshake legs, sealed bodies both ways, integrity failures and
 * re-authentication after the server drops a logon.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import type { AuthError } from '../../src/auth/index.js';
import {
  ENCRYPTED_CONTENT_TYPE, WSManTransport, isResponseLost, parseHostSpec, type TraceEvent, type TransportOptions,
} from '../../src/transport/index.js';
import { ToyClientContext, toyServer, type ToyServerOptions } from './fake-seal.js';
import { closeAll, envelope, startHttp } from './servers.js';

const SOAP = 'application/soap+xml;charset=UTF-8';
const transports: WSManTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

async function setup(
  server: ToyServerOptions = {},
  extra: Partial<TransportOptions> = {},
  password = 'toy-password',
): Promise<{ t: WSManTransport; toy: ReturnType<typeof toyServer>; port: number; made: ToyClientContext[] }> {
  const toy = toyServer(server);
  const srv = await startHttp(toy.handler);
  const made: ToyClientContext[] = [];
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${srv.port}`, { https: false }),
    auth: 'negotiate',
    authContext: (bindings) => {
      const c = new ToyClientContext('DOMAIN\\op', password, bindings);
      made.push(c);
      return c;
    },
    retry: { baseDelayMs: 5 },
    ...extra,
  });
  transports.push(t);
  return { t, toy, port: srv.port, made };
}

/** The reply the toy server builds around a request it opened. */
const reply = (conn: number, n: number, recv: number, body: string): string => envelope(`<r conn="${conn}" n="${n}" recv="${recv}">${body}</r>`);

describe('sealed NTLM-style exchange over HTTP', () => {
  it('sends NEGOTIATE with an empty body, then the sealed request with AUTHENTICATE, then sealed requests with no token', async () => {
    const { t, toy } = await setup();
    expect(t.encrypts).toBe(true);
    expect(t.warnings).toEqual([]);
    const answers = [await t.post('<a>é</a>'), await t.post('<b/>')];
    expect(answers).toEqual([reply(0, 1, 1, '<a>é</a>'), reply(0, 2, 2, '<b/>')]);
    expect(toy.connections).toHaveLength(1);
    const legs = toy.connections[0]?.legs;
    expect(legs?.map((l) => [l.auth, l.contentType])).toEqual([
      ['NEG', SOAP],
      ['AUTH', ENCRYPTED_CONTENT_TYPE],
      [undefined, ENCRYPTED_CONTENT_TYPE],
    ]);
    expect([legs?.[0]?.length, legs?.[0]?.contentLength]).toEqual([0, '0']);
    expect(toy.connections[0]?.plaintexts).toEqual(['<a>é</a>', '<b/>']);
  });

  it('seals even when allowUnencrypted is set, and warns about nothing', async () => {
    const { t, toy } = await setup({}, { allowUnencrypted: true });
    await t.post('<a/>');
    expect([t.encrypts, t.warnings, toy.connections[0]?.legs[1]?.contentType]).toEqual([true, [], ENCRYPTED_CONTENT_TYPE]);
  });

  it.each([
    ['plain200', 200],
    ['plain500', 500],
  ] as const)('refuses a response sent in the clear on a sealed connection (%s)', async (how, status) => {
    const { t } = await setup({ misbehave: (n) => (n === 1 ? how : undefined) });
    const err = (await rejection(t.post('<a/>'))) as AuthError;
    expect([err.code, err.message, err.host]).toEqual([
      'ETSR_AUTH_INTEGRITY',
      `the server sent an unsealed response (HTTP ${status}) on an encrypted connection; it was not read`,
      t.endpoint.label,
    ]);
  });

  it('refuses a sealed response whose signature does not match, and logs on afresh on a new connection for the next request', async () => {
    const { t, toy } = await setup({ misbehave: (n) => (n === 2 ? 'tamper' : undefined) });
    await t.post('<a/>');
    const err = (await rejection(t.post('<b/>'))) as AuthError;
    expect([err.name, err.code, err.message, err.host]).toEqual(['SealedResponseError', 'ETSR_AUTH_INTEGRITY', 'toy signature mismatch', t.endpoint.label]);
    expect(isResponseLost(err)).toBe(true);
    // The RC4 state of that connection is out of step: its socket and logon were thrown away.
    expect(await t.post('<c/>')).toBe(reply(1, 3, 1, '<c/>'));
    expect(toy.connections.map((c) => c.legs.map((l) => l.auth))).toEqual([['NEG', 'AUTH', undefined], ['NEG', 'AUTH']]);
  });

  it('refuses a sealed response whose declared length is wrong', async () => {
    const { t } = await setup({ misbehave: () => 'wrong-length' });
    const err = (await rejection(t.post('<a/>'))) as AuthError;
    expect(err.code).toBe('ETSR_AUTH_INTEGRITY');
    expect(err.message).toMatch(/^sealed body is \d+ bytes but declares 7: it was altered or cut short$/);
  });

  it('logs on again once and resends the same body when a logged-on connection gets a 401', async () => {
    const lines: string[] = [];
    const { t, toy, made } = await setup({ misbehave: (n) => (n === 2 ? 'forget' : undefined) }, { debug: (l) => lines.push(l) });
    await t.post('<a/>');
    expect(await t.post('<b/>')).toBe(reply(0, 3, 1, '<b/>')); // a new logon: sequence numbers start again
    expect(toy.connections[0]?.legs.map((l) => l.auth)).toEqual(['NEG', 'AUTH', undefined, 'NEG', 'AUTH']);
    expect(toy.connections[0]?.plaintexts).toEqual(['<a/>', '<b/>']);
    expect(made).toHaveLength(3); // the probe, the first logon, the second
    expect(lines.filter((l) => l.includes('authenticating again'))).toHaveLength(1);
    expect(await t.post('<c/>')).toBe(reply(0, 4, 2, '<c/>'));
  });

  it('gives up with ETSR_AUTH_REJECTED when the server refuses the new logon too', async () => {
    const { t, toy } = await setup({ misbehave: (n) => (n >= 2 ? 'forget' : undefined) });
    await t.post('<a/>');
    const err = (await rejection(t.post('<b/>'))) as AuthError;
    expect([err.code, err.message]).toEqual(['ETSR_AUTH_REJECTED', 'logon rejected (401) for Negotiate; server offers Negotiate']);
    expect(toy.connections[0]?.legs.map((l) => l.auth)).toEqual(['NEG', 'AUTH', undefined, 'NEG', 'AUTH']);
  });

  it('rejects a wrong password with ETSR_AUTH_REJECTED naming the host, with a hint', async () => {
    const { t, toy } = await setup({}, {}, 'wrong');
    const err = (await rejection(t.post('<a/>'))) as AuthError;
    expect([err.code, err.host, err.message, err.hint]).toEqual([
      'ETSR_AUTH_REJECTED', t.endpoint.label, 'logon rejected (401) for Negotiate; server offers Negotiate',
      'check -u DOMAIN\\user, the password and --auth',
    ]);
    expect(toy.connections[0]?.legs.map((l) => l.auth)).toEqual(['NEG', 'AUTH']);
  });

  it('says ETSR_AUTH_UNSUPPORTED when the server offers only Basic', async () => {
    const srv = await startHttp((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="WSMAN"' });
      res.end();
    });
    const t = new WSManTransport({
      endpoint: parseHostSpec(`127.0.0.1:${srv.port}`, { https: false }),
      auth: 'negotiate',
      authContext: () => new ToyClientContext('op', 'pw'),
    });
    transports.push(t);
    const err = (await rejection(t.post('<a/>'))) as AuthError;
    expect([err.code, err.message]).toEqual(['ETSR_AUTH_UNSUPPORTED', 'server does not accept Negotiate authentication (it offers Basic)']);
    expect(srv.requests).toHaveLength(1);
  });
});

describe('tracing', () => {
  it('shows the plaintext of sealed bodies, marks them sealed, and redacts every token', async () => {
    const events: TraceEvent[] = [];
    const { t } = await setup({}, { trace: (e) => events.push(e) });
    await t.post('<a/>');
    expect(events.map((e) => [e.type, e.type === 'response' ? e.status : e.method, e.sealed, e.body])).toEqual([
      ['request', 'POST', false, ''],
      ['response', 401, false, ''],
      ['request', 'POST', true, '<a/>'],
      ['response', 200, true, reply(0, 1, 1, '<a/>')],
    ]);
    expect(events[0]?.headers.authorization).toBe('Negotiate <redacted, 3 bytes>');
    expect(events[1]?.headers['www-authenticate']).toBe('Negotiate <redacted, 16 bytes>');
    expect(events[2]?.headers.authorization).toMatch(/^Negotiate <redacted, \d+ bytes>$/);
    expect(events[2]?.headers['content-type']).toBe(ENCRYPTED_CONTENT_TYPE);
    expect(events[2]?.bytes).toBeGreaterThan(events[2]?.body.length ?? 0);
    expect(events.every((e) => e.connection === 0 && e.host === t.endpoint.label)).toBe(true);
    const all = JSON.stringify(events);
    expect(all).not.toMatch(/proof|toy-password|TlVH/); // no token, no password, no base64 'NEG'
  });
});
