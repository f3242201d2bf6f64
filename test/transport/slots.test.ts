/**
 * Connection slots: each socket has its own logon and sealing state, requests beyond
 * maxConnections wait in order, and a socket the server closed logs on again.
 */
import { afterEach, expect, it } from 'vitest';
import { rejection } from '../helpers/rejection.js';
import { WSManTransport, parseHostSpec, type TransportOptions } from '../../src/transport/index.js';
import { ToyClientContext, toyServer, type ToyServerOptions } from './fake-seal.js';
import { closeAll, startHttp, type TestServer } from './servers.js';

const transports: WSManTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

async function setup(
  server: ToyServerOptions,
  extra: Partial<TransportOptions> = {},
): Promise<{ t: WSManTransport; toy: ReturnType<typeof toyServer>; srv: TestServer }> {
  const toy = toyServer(server);
  const srv = await startHttp(toy.handler);
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${srv.port}`, { https: false }),
    auth: 'negotiate',
    authContext: (bindings) => new ToyClientContext('op', 'toy-password', bindings),
    ...extra,
  });
  transports.push(t);
  return { t, toy, srv };
}

/** The conn and recv attributes of a toy reply. */
function where(text: string): [number, number] {
  const m = /<r conn="(\d+)" n="\d+" recv="(\d+)">/.exec(text);
  return [Number(m?.[1]), Number(m?.[2])];
}

it('gives concurrent requests their own connections, each with its own logon and sequence numbers', async () => {
  const { t, toy } = await setup({ delayMs: 100 }, { maxConnections: 2 });
  const first = await Promise.all([t.post('<a/>'), t.post('<b/>')]);
  const second = await Promise.all([t.post('<c/>'), t.post('<d/>')]);
  expect(toy.connections.map((c) => c.legs.map((l) => l.auth))).toEqual([
    ['NEG', 'AUTH', undefined],
    ['NEG', 'AUTH', undefined],
  ]);
  // Every connection's receive counter runs 1, 2 on its own: no message crossed to the other logon.
  expect([...first, ...second].map(where).sort()).toEqual([[0, 1], [0, 2], [1, 1], [1, 2]]);
  expect(toy.connections.map((c) => c.plaintexts.length)).toEqual([2, 2]);
});

it('makes requests beyond maxConnections wait their turn, in order', async () => {
  const { t, toy, srv } = await setup({ delayMs: 30 }, { maxConnections: 1 });
  const order: string[] = [];
  await Promise.all(['<a/>', '<b/>', '<c/>'].map((x) => t.post(x).then(() => order.push(x))));
  expect(order).toEqual(['<a/>', '<b/>', '<c/>']);
  expect(srv.connections).toHaveLength(1);
  expect(toy.connections[0]?.plaintexts).toEqual(['<a/>', '<b/>', '<c/>']);
});

it('lets a request waiting for a connection be aborted without sending it', async () => {
  const { t, toy } = await setup({ delayMs: 150 }, { maxConnections: 1 });
  const busy = t.post('<a/>');
  const ac = new AbortController();
  const waiting = rejection(t.post('<b/>', { signal: ac.signal }));
  ac.abort();
  const err = (await waiting) as { code: string; host: string };
  expect([err.code, err.host]).toEqual(['ETSR_ABORTED', t.endpoint.label]);
  await busy;
  expect(toy.connections[0]?.plaintexts).toEqual(['<a/>']);
});

it('logs on again, without a wasted request, after the server closes an idle connection', async () => {
  const { t, toy, srv } = await setup({});
  await t.post('<a/>');
  const closed = new Promise<void>((resolve) => srv.connections[0]?.once('close', () => resolve()));
  srv.connections[0]?.destroy();
  await closed;
  await new Promise((r) => setTimeout(r, 20)); // let undici notice
  expect(where(await t.post('<b/>'))).toEqual([1, 1]);
  expect(toy.connections.map((c) => c.legs.map((l) => l.auth))).toEqual([
    ['NEG', 'AUTH'],
    ['NEG', 'AUTH'],
  ]);
});

it('fails waiting requests when the transport closes', async () => {
  const { t } = await setup({ delayMs: 100 }, { maxConnections: 1 });
  const busy = t.post('<a/>');
  const waiting = rejection(t.post('<b/>'));
  const closing = t.close();
  const err = (await waiting) as { code: string; message: string };
  expect([err.code, err.message]).toEqual(['ETSR_INVALID_ARGUMENT', 'transport is closed']);
  expect(await busy).toMatch(/^<s:Envelope/);
  await closing;
});
