/**
 * Loopback HTTP(S) servers for transport tests: port 0, every socket and request recorded, and
 * everything torn down by `closeAll()` (call it in afterEach).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

export interface SeenRequest {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Index of the connection (0-based) that carried it. */
  connection: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest) => void;

export interface TestServer {
  port: number;
  /** Sockets accepted so far. */
  connections: Socket[];
  requests: SeenRequest[];
  server: http.Server;
}

const open: TestServer[] = [];

function wire(server: http.Server, handler: Handler): Promise<TestServer> {
  const state: TestServer = { port: 0, connections: [], requests: [], server };
  const socketIndex = new WeakMap<Socket, number>();
  const onConnection = (socket: Socket): void => {
    socketIndex.set(socket, state.connections.length);
    state.connections.push(socket);
  };
  server.on(server instanceof https.Server ? 'secureConnection' : 'connection', onConnection);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks),
        connection: socketIndex.get(req.socket as Socket) ?? -1,
      };
      state.requests.push(seen);
      handler(req, res, seen);
    });
  });
  open.push(state);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      state.port = (server.address() as AddressInfo).port;
      resolve(state);
    });
  });
}

/** A plain-HTTP server on 127.0.0.1. */
export function startHttp(handler: Handler): Promise<TestServer> {
  return wire(http.createServer(), handler);
}

/** An HTTPS server on 127.0.0.1 presenting `pems`; `extra` adds TLS options (e.g. requestCert). */
export function startHttps(pems: { cert: string; key: string }, handler: Handler, extra: https.ServerOptions = {}): Promise<TestServer> {
  return wire(https.createServer({ cert: pems.cert, key: pems.key, ...extra }), handler);
}

/** Closes every server started since the last call, dropping their sockets. */
export async function closeAll(): Promise<void> {
  const servers = open.splice(0);
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.server.closeAllConnections();
          s.server.close(() => resolve());
        }),
    ),
  );
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate valid for `names` (DNS names and IP addresses). */
export async function selfSignedCert(
  names: string[] = ['localhost', '127.0.0.1'],
  validity: { notBeforeDate?: Date; notAfterDate?: Date } = {},
): Promise<{ cert: string; key: string }> {
  const altNames = names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A minimal WS-Man-looking response envelope. */
export function envelope(body = ''): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body>${body}</s:Body></s:Envelope>`;
}

/** Answers 200 with a SOAP envelope. */
export const ok: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
  res.end(envelope());
};
