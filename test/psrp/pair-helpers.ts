/**
 * h11's ConnectionPair / psrpcore's get_runspace_pair for PSRP: a client RunspacePool and a
 * ServerRunspacePool wired through memory, payload by payload, with a byte budget.
 */
import { RunspacePool, type RunspacePoolOptions } from '../../src/psrp/client/index.js';
import { ServerRunspacePool, type ServerRunspacePoolOptions } from '../../src/psrp/server/index.js';
import type { PsrpPayload } from '../../src/psrp/core/engine.js';
import type { PsrpEvent, ServerEvent } from '../../src/psrp/events.js';
import { ClientKeyExchange } from '../../src/psrp/securestring/index.js';

let sharedKey: ClientKeyExchange | undefined;
/** One RSA key for the whole run: generating 2048-bit keys is slow. */
export function testKeyExchange(): ClientKeyExchange {
  sharedKey ??= ClientKeyExchange.generate();
  return sharedKey;
}

export interface Pair {
  client: RunspacePool;
  server: ServerRunspacePool;
  /** Every payload that went client -> server, in order. */
  sent: PsrpPayload[];
  /** Every payload that went server -> client. */
  received: PsrpPayload[];
  maxBytes: number | undefined;
}

export function makePair(
  opts: { client?: RunspacePoolOptions; server?: ServerRunspacePoolOptions; maxBytes?: number } = {},
): Pair {
  return {
    client: new RunspacePool({ keyExchange: testKeyExchange, ...opts.client }),
    server: new ServerRunspacePool(opts.server),
    sent: [],
    received: [],
    maxBytes: opts.maxBytes,
  };
}

/** Moves everything the client has queued to the server; returns the payloads. */
export function toServer(p: Pair): PsrpPayload[] {
  const out: PsrpPayload[] = [];
  for (let payload = p.client.dataToSend(p.maxBytes); payload !== null; payload = p.client.dataToSend(p.maxBytes)) {
    out.push(payload);
    p.server.receiveData(payload.data);
  }
  p.sent.push(...out);
  return out;
}

/** Moves everything the server has queued to the client; returns the payloads. */
export function toClient(p: Pair): PsrpPayload[] {
  const out: PsrpPayload[] = [];
  for (let payload = p.server.dataToSend(p.maxBytes); payload !== null; payload = p.server.dataToSend(p.maxBytes)) {
    out.push(payload);
    p.client.receiveData(payload.data);
  }
  p.received.push(...out);
  return out;
}

export function serverEvents(p: Pair): ServerEvent[] {
  const out: ServerEvent[] = [];
  for (let e = p.server.nextEvent(); e !== null; e = p.server.nextEvent()) out.push(e);
  return out;
}

export function clientEvents(p: Pair): PsrpEvent[] {
  const out: PsrpEvent[] = [];
  for (let e = p.client.nextEvent(); e !== null; e = p.client.nextEvent()) out.push(e);
  return out;
}

/** Opens the pair: open(), the server accepts; returns both sides' events. */
export function openPair(p: Pair): { server: ServerEvent[]; client: PsrpEvent[] } {
  p.client.open();
  toServer(p);
  const server = serverEvents(p);
  p.server.open();
  toClient(p);
  return { server, client: clientEvents(p) };
}

/** Client -> server, server events; then server -> client, client events. */
export function roundTrip(p: Pair, onServer: (e: ServerEvent) => void = () => {}): PsrpEvent[] {
  toServer(p);
  for (const e of serverEvents(p)) onServer(e);
  toClient(p);
  return clientEvents(p);
}

/** The `type`s of events, for compact comparisons. */
export const types = (events: readonly { type: string }[]): string[] => events.map((e) => e.type);
