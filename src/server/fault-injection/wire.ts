/**
 * The listener-level fault actions: what happens to a response's bytes on the way out. They run
 * after the dispatcher handled the request (so the robust-connection cache holds the true
 * response and a retransmission can recover it).
 *
 * On sealed NTLM connections (multipart/encrypted over HTTP) reset, truncated and drip act on the
 * sealed bytes as they cross the wire (a network fault does not know what it cuts), while
 * malformed replaces the plaintext before sealing (the client must open the body to find the XML
 * bad, as it would with a broken server). content-type and oversized answer in plain text: a proxy
 * page or a runaway body is not sealed by whoever sends it.
 */
import type http from 'node:http';
import { Socket } from 'node:net';
import type { Injection } from './injector.js';

/** A response the listener is about to write. */
export interface OutgoingResponse {
  status: number;
  body: Buffer;
  contentType: string;
}

const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';
const DEFAULT_BPS = 4096;
const DEFAULT_OVERSIZED_BYTES = 70 * 1024 * 1024;
const DRIP_TICK_MS = 50;

/** Well-formed at first glance, then mismatched tags: no XML parser accepts it. */
export const MALFORMED_ENVELOPE =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
  '<s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse</a:Header><s:Body><<broken/></s:Envelope>';

/** What a proxy or captive portal answers instead of the endpoint. */
export const PROXY_PAGE = '<!DOCTYPE html><html><head><title>Proxy notice</title></head><body><h1>Access through this proxy requires a sign-in</h1></body></html>';

/**
 * Writes `out` the way `injection` says (reset, stall, drip, truncated, oversized, content-type);
 * any other kind writes it normally.
 */
export function writeFaulty(res: http.ServerResponse, out: OutgoingResponse, injection: Injection): void {
  switch (injection.kind) {
    case 'reset':
      return writeThenReset(res, out, injection.rule.at ?? Math.floor(out.body.length / 2));
    case 'stall':
      // Handled, never answered: the socket stays open until the client or server.close() drops it.
      return;
    case 'drip':
      return drip(res, out, injection.rule.bps ?? DEFAULT_BPS);
    case 'truncated': {
      const cut = out.body.subarray(0, Math.min(out.body.length, injection.rule.at ?? Math.floor(out.body.length / 2)));
      return writePlain(res, { ...out, body: cut });
    }
    case 'oversized':
      return void streamOversized(res, injection.rule.bytes ?? DEFAULT_OVERSIZED_BYTES);
    case 'content-type':
      return writePlain(res, { status: 200, body: Buffer.from(PROXY_PAGE), contentType: 'text/html; charset=utf-8' });
    default:
      return writePlain(res, out);
  }
}

export function writePlain(res: http.ServerResponse, out: OutgoingResponse): void {
  res.statusCode = out.status;
  if (out.body.length > 0) res.setHeader('Content-Type', out.contentType);
  res.setHeader('Content-Length', out.body.length);
  res.end(out.body);
}

/** Drops the connection abruptly: an RST on plain TCP (resetAndDestroy), a destroy on TLS. */
export function resetSocket(socket: Socket | null): void {
  if (socket === null) return;
  if (socket.constructor === Socket && !socket.destroyed) {
    try {
      socket.resetAndDestroy();
      return;
    } catch {
      // A socket whose handle is already gone: destroy is all that is left.
    }
  }
  socket.destroy();
}

/** Sends the head and `at` body bytes (Content-Length promising all), then resets the socket. */
function writeThenReset(res: http.ServerResponse, out: OutgoingResponse, at: number): void {
  const socket = res.socket;
  if (at <= 0) return resetSocket(socket);
  res.writeHead(out.status, { 'Content-Type': out.contentType, 'Content-Length': out.body.length });
  res.write(out.body.subarray(0, Math.min(at, out.body.length)), () => resetSocket(socket));
}

/** Sends the response in small writes at about `bps` bytes per second. */
function drip(res: http.ServerResponse, out: OutgoingResponse, bps: number): void {
  const step = Math.max(1, Math.round((bps * DRIP_TICK_MS) / 1000));
  const tick = Math.max(1, Math.round((step * 1000) / bps));
  res.writeHead(out.status, { 'Content-Type': out.contentType, 'Content-Length': out.body.length });
  let sent = 0;
  const next = (): void => {
    if (res.destroyed) return;
    const chunk = out.body.subarray(sent, sent + step);
    sent += chunk.length;
    if (sent >= out.body.length) {
      res.end(chunk);
      return;
    }
    res.write(chunk);
    setTimeout(next, tick);
  };
  next();
}

/** A 200 of `total` bytes that opens like a SOAP envelope; written chunk by chunk with backpressure. */
async function streamOversized(res: http.ServerResponse, total: number): Promise<void> {
  const head = Buffer.from('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header></s:Header><s:Body>');
  const filler = Buffer.alloc(64 * 1024, 0x20);
  res.writeHead(200, { 'Content-Type': SOAP_TYPE, 'Content-Length': total });
  let left = total;
  const write = (chunk: Buffer): Promise<void> | undefined => {
    left -= chunk.length;
    if (res.write(chunk)) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  };
  await write(head.subarray(0, Math.min(head.length, left)));
  while (left > 0 && !res.destroyed) await write(filler.subarray(0, Math.min(filler.length, left)));
  if (!res.destroyed) res.end();
}
