/**
 * The HTTP(S) side of `serve`: one node:http(s) server per port, speaking what WinRM's HTTP.sys
 * listener speaks.
 *
 * - Only `POST /wsman` (any case, any query such as `?PSVersion=…`); other paths 404, other
 *   methods 405, as Windows answers them.
 * - Authentication before the body is read: 401 with the offered `WWW-Authenticate` challenges and
 *   an empty body. The body of a refused request is drained, never buffered. NTLM logs the whole
 *   connection on (see auth/index.ts); an authenticated POST with an empty body (pywinrm's and
 *   pypsrp's "set up the context" request) gets 200 and an empty body.
 * - Message encryption (MS-WSMV 2.2.9.1): a `multipart/encrypted` body is opened with the
 *   connection's NTLM keys and the response is sealed the same way, faults included. A body that
 *   does not open is never dispatched: 400, the connection is logged off and closed. On plain HTTP
 *   an NTLM request that is not sealed gets 401 unless allowUnencrypted, as WinRM answers it.
 * - `Content-Type: application/soap+xml`; charset UTF-8, or UTF-16 (BOM or charset; winrmsharp
 *   recordings declare it). Bodies over the cap (sealed ones included) get HTTP 413, as Windows
 *   answers an envelope over MaxEnvelopeSizekb.
 * - HTTPS with a client CA asks every client for a certificate but lets those without one in
 *   (rejectUnauthorized false): the certificate acceptor decides, other schemes still work.
 * - Keep-alive, and `setNoDelay` on every socket: without it a keep-alive request/response pair
 *   stalls ~40 ms on delayed ACKs.
 * - TLS 1.2 at least: WinRM over HTTPS has required it since Windows Server 2016 hardening guides,
 *   and nothing we serve needs older.
 * - Fault injection (docs/serve.md): the dispatcher decides; this file acts out what happens on
 *   the wire (fault-injection/wire.ts) and what takes a port away (refuse, restart: the listening
 *   socket is really closed, so connects get ECONNREFUSED, and bound again on the same port).
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { isEncryptedContentType } from '../transport/encrypted-body.js';
import type { Authenticator, AuthConnection, ClientCertificate, Logon } from './auth/index.js';
import { openRequest, sealResponse } from './auth/sealing.js';
import { securityProfile } from './auth/types.js';
import type { Dispatcher, DispatchResult } from './dispatcher.js';
import { resetSocket, writeFaulty, writePlain, MALFORMED_ENVELOPE, type FaultInjector, type Injection } from './fault-injection/index.js';
import { fault } from './faults.js';
import { buildFault } from '../wsman/index.js';
import { envelopeBytes } from './envelope-bytes.js';
import { ListeningPorts } from './listening-ports.js';
import type { RequestCounter } from './request-stats.js';
import type { ListenAddress } from './options.js';
import type { TlsMaterial } from './tls.js';

export interface ListenerConfig {
  authenticator: Authenticator;
  /** Serve unsealed NTLM bodies on plain HTTP (Basic's own check is in its acceptor). */
  allowUnencrypted: boolean;
  dispatcher: Dispatcher;
  /** MaxEnvelopeSize in bytes: the body cap is this (twice for UTF-16) plus a little headroom. */
  maxEnvelopeSize: number;
  tls: TlsMaterial | undefined;
  log: (line: string) => void;
  /** Aborted on close(): pending long-polls end. */
  closing: AbortSignal;
  /** Counts and logs connection-level injections (wrong-cert). */
  injector?: FaultInjector;
  /** The served certificate is the deliberately wrong one (fault `wrong-cert`). */
  wrongCert?: boolean;
  /** Counts HTTP requests per port and 401 answers. */
  counter?: RequestCounter;
  /** Every request waits this long before it is handled (a simulated WAN round trip); 0 = none. */
  latencyMs?: number;
}

const DEFAULT_REFUSE_MS = 1000;
const DEFAULT_RESTART_MS = 500;

/** Bytes a request may exceed MaxEnvelopeSize by (HTTP framing slack, XML declaration, BOM). */
const BODY_HEADROOM = 16384;
/** HTTP.sys keeps idle keep-alive connections for 2 minutes. */
const KEEP_ALIVE_MS = 120_000;

export class Listener {
  readonly #ports: ListeningPorts;
  readonly #sockets = new Set<Socket>();
  readonly #connectionAborts = new WeakMap<Socket, AbortController>();
  readonly #config: ListenerConfig;

  constructor(config: ListenerConfig) {
    this.#config = config;
    this.#ports = new ListeningPorts(() => this.#createServer(), config.log);
  }

  /**
   * Listens on every address (in parallel, so a 200-port range starts quickly).
   * @returns the URLs actually bound (port 0 resolved).
   * @throws the listen error (EADDRINUSE …) after closing what did start.
   */
  async listen(addresses: ListenAddress[]): Promise<URL[]> {
    const scheme = this.#config.tls === undefined ? 'http' : 'https';
    const results = await Promise.allSettled(addresses.map((a) => this.#ports.listen(a)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      await this.close();
      throw failed.reason;
    }
    return results.map((r) => {
      const { host, port } = (r as PromiseFulfilledResult<ListenAddress>).value;
      return new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}/wsman`);
    });
  }

  /** A configured server for one port (not yet listening). */
  #createServer(): http.Server | https.Server {
    const { counter, latencyMs = 0 } = this.#config;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (counter !== undefined) {
        counter.http(req.socket.localPort ?? 0);
        res.once('finish', () => {
          if (res.statusCode === 401) counter.unauthorized();
        });
      }
      if (latencyMs <= 0) return void this.#handle(req, res);
      // Held before handling: the client sees every round trip (auth legs too) take latencyMs more.
      const timer = setTimeout(() => {
        this.#config.closing.removeEventListener('abort', cancel);
        if (!req.socket.destroyed) void this.#handle(req, res);
      }, latencyMs);
      const cancel = (): void => clearTimeout(timer);
      this.#config.closing.addEventListener('abort', cancel, { once: true });
    };
    const common = { keepAlive: true, noDelay: true, keepAliveTimeout: KEEP_ALIVE_MS, requestTimeout: 0 };
    const server =
      this.#config.tls === undefined
        ? http.createServer(common, handler)
        : https.createServer({ ...common, ...tlsOptions(this.#config.tls) }, handler);
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('secureConnection', raiseWriteHighWater);
    server.on('tlsClientError', (err) => this.#config.log(`TLS handshake failed: ${err.message}`));
    if (this.#config.wrongCert === true) {
      server.on('secureConnection', (socket: TLSSocket) => this.#config.injector?.record('wrong-cert', 'connect', socket.localPort ?? 0));
    }
    return server;
  }

  /** Stops listening and drops every connection (pending responses included). */
  async close(): Promise<void> {
    await this.#ports.close();
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Fault `restart`: every connection dropped, every port refusing for `ms`, then listening again. */
  #restart(ms: number): void {
    this.#ports.suspendAll(ms);
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Acts out a fault that replaces the response (refuse, 401, restart); false for any other. */
  #actOutUnhandled(injection: Injection, res: http.ServerResponse, req: http.IncomingMessage, conn: AuthConnection): boolean {
    switch (injection.kind) {
      case 'refuse':
        resetSocket(req.socket);
        this.#ports.suspend(injection.port, injection.rule.ms ?? DEFAULT_REFUSE_MS);
        return true;
      case 'restart':
        this.#restart(injection.rule.ms ?? DEFAULT_RESTART_MS);
        return true;
      case '401': {
        const auth = this.#config.authenticator;
        auth.logoff(conn);
        const challenges = auth.challenges(conn);
        if (challenges.length > 0) res.setHeader('WWW-Authenticate', challenges);
        finish(req, res, 401);
        return true;
      }
      default:
        return false;
    }
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('Server', 'tsremote');
    const path = (req.url ?? '').split('?')[0]?.toLowerCase();
    if (path !== '/wsman') return finish(req, res, 404);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return finish(req, res, 405);
    }
    const socket = req.socket;
    const secure = this.#config.tls !== undefined;
    const peer = this.#config.tls?.clientCa === undefined ? undefined : clientCertificate(socket);
    const conn: AuthConnection = { secure, connection: socket, ...(peer === undefined ? {} : { clientCertificate: peer }) };
    const who = socket.remoteAddress ?? '?';
    const auth = this.#config.authenticator;
    const decided = auth.authenticate(req.headers.authorization, conn);
    const outcome = decided instanceof Promise ? await decided : decided;
    let logon: Logon;
    // Windows answers an Identify without a logon when the client marks it so (Test-WSMan's
    // default); the dispatcher refuses anything else from such a caller with 401.
    const anonymous = !outcome.ok && !req.headers.authorization && isUnauthenticatedIdentify(req.headers.wsmanidentify);
    if (outcome.ok) logon = outcome;
    else if (anonymous) logon = { username: '', profile: securityProfile(secure, 'basic') };
    else {
      if (outcome.continued !== true) this.#config.log(`401 for ${who}: ${outcome.reason}`);
      if (outcome.challenges.length > 0) res.setHeader('WWW-Authenticate', outcome.challenges);
      return finish(req, res, 401);
    }
    // Kerberos mutual authentication: the AP-REP rides on the response to the AP-REQ.
    if (outcome.ok && outcome.challenge !== undefined) res.setHeader('WWW-Authenticate', outcome.challenge);

    const type = (req.headers['content-type'] ?? '').toLowerCase();
    const sealed = isEncryptedContentType(type);
    const security = logon.security;
    if (sealed && security === undefined) {
      this.#config.log(`400 for ${who}: a sealed body, but '${logon.username}' logged on without session security (NTLM seals, Basic cannot)`);
      return finish(req, res, 400);
    }
    // pywinrm and pypsrp authenticate with an empty POST (SOAP type, no body) before their first
    // sealed message; Windows answers it 200.
    if (!sealed && !anonymous && isEmpty(req)) return finish(req, res, 200);
    if (!sealed && !type.startsWith('application/soap+xml')) return finish(req, res, 415);
    if (!sealed && security !== undefined && !secure && !this.#config.allowUnencrypted) {
      this.#config.log(`401 for ${who}: unencrypted ${security.scheme} request from '${logon.username}' on plain HTTP refused (allowUnencrypted is off; seal the body)`);
      auth.logoff(conn);
      res.setHeader('WWW-Authenticate', auth.challenges(conn));
      return finish(req, res, 401);
    }

    try {
      const utf16 = !sealed && /charset\s*=\s*"?utf-16/.test(type);
      const body = await readBody(req, this.#config.maxEnvelopeSize * (utf16 ? 2 : 1) + BODY_HEADROOM);
      if (body === 'too-large') {
        // An unread sealed message leaves the RC4 streams out of step: the connection is done.
        if (sealed) auth.logoff(conn);
        const f = fault('encodingLimit');
        return send(res, 413, buildFault(undefined, f.spec), true);
      }
      let envelope: string;
      if (sealed && security !== undefined) {
        let opened: { plaintext: Buffer; contentType: string };
        try {
          const maybe = openRequest(security, body);
          opened = maybe instanceof Promise ? await maybe : maybe;
        } catch (err) {
          this.#config.log(`400 for ${who}: sealed body from '${logon.username}' refused: ${(err as Error).message}`);
          auth.logoff(conn);
          return send(res, 400, '', true);
        }
        envelope = decode(opened.plaintext, opened.contentType.toLowerCase());
      } else {
        envelope = decode(body, type);
      }
      const host = hostOf(req.headers.host, socket.localAddress ?? '127.0.0.1');
      const address = `${secure ? 'https' : 'http'}://${req.headers.host ?? host}/wsman`;
      const result = await this.#config.dispatcher.dispatch(envelope, {
        username: logon.username,
        anonymous,
        clientIp: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        signal: this.#connectionSignal(socket),
        address,
        machine: host,
        securityProfile: logon.profile,
        port: socket.localPort ?? 0,
      });
      if (result.injection !== undefined && this.#actOutUnhandled(result.injection, res, req, conn)) return;
      if (result.status === 401) {
        const challenges = auth.challenges(conn);
        if (challenges.length > 0) res.setHeader('WWW-Authenticate', challenges);
      }
      if (res.destroyed) return;
      const responded = respond(res, result, sealed && security !== undefined ? security : undefined);
      if (responded instanceof Promise) await responded;
    } catch (err) {
      this.#config.log(`request failed: ${(err as Error).message}`);
      if (!res.headersSent && !res.destroyed) send(res, 500, '', true);
    }
  }

  /**
   * The signal a request's handler waits on (a long-polling Receive): aborted when its connection
   * closes or the server closes. One per connection, not per request: HTTP/1.1 answers a
   * connection's requests in turn, so "this request's response can no longer be sent" is "this
   * connection closed", and an AbortController with its listeners costs about as much as the
   * rest of a small request's routing.
   */
  #connectionSignal(socket: Socket): AbortSignal {
    let aborter = this.#connectionAborts.get(socket);
    if (aborter === undefined) {
      const made = new AbortController();
      aborter = made;
      setMaxListeners(0, made.signal);
      const closing = this.#config.closing;
      const abort = (): void => made.abort();
      closing.addEventListener('abort', abort, { once: true });
      socket.once('close', () => {
        closing.removeEventListener('abort', abort);
        abort();
      });
      this.#connectionAborts.set(socket, made);
    }
    return aborter.signal;
  }
}

type SessionSecurity = Parameters<typeof sealResponse>[0];

/** Writes the dispatcher's answer, sealed when the request was, acting out a wire-level fault. */
function respond(res: http.ServerResponse, result: DispatchResult, security: SessionSecurity | undefined): void | Promise<void> {
  const injection = result.injection;
  // malformed replaces the plaintext, before sealing (see fault-injection/wire.ts).
  const text = injection?.kind === 'malformed' ? MALFORMED_ENVELOPE : result.body;
  const write = (body: Buffer, contentType: string): void => {
    const out = { status: result.status, body, contentType };
    if (injection === undefined) writePlain(res, out);
    else writeFaulty(res, out, injection);
  };
  if (security === undefined || text === '') return write(envelopeBytes(text), SOAP_CONTENT_TYPE);
  const sealed = sealResponse(security, text);
  return sealed instanceof Promise ? sealed.then((s) => write(s.body, s.contentType)) : write(sealed.body, sealed.contentType);
}

/** Above the largest response: MaxEnvelopeSize (512000 bytes) plus sealing and HTTP framing. */
const TLS_WRITE_HIGH_WATER = 1024 * 1024;

/**
 * Lets a TLS socket take a whole response without "needing drain". With Node's 16 KiB a large
 * response leaves the socket needing drain for a moment after the client has read all of it; a
 * client that sends its next request at once (pywinrm does) then meets Node's HTTP server pausing
 * its parser mid-request, and over TLS the rest of the request fails to parse (HPE_PAUSED) and the
 * connection is dropped unanswered: about one pywinrm run in six with 70 KB of output over HTTPS
 * (test/server/pywinrm.test.ts). Node gives the server's TLS sockets no option for
 * it (tls.Server builds them without a highWaterMark), so the stream's own setting is raised.
 */
function raiseWriteHighWater(socket: TLSSocket): void {
  const state = (socket as unknown as { _writableState?: { highWaterMark?: unknown } })._writableState;
  if (state !== undefined && typeof state.highWaterMark === 'number' && state.highWaterMark < TLS_WRITE_HIGH_WATER) {
    state.highWaterMark = TLS_WRITE_HIGH_WATER;
  }
}

/** node:https options: our certificate, and with a client CA a request for the client's. */
function tlsOptions(tls: TlsMaterial): https.ServerOptions {
  const base: https.ServerOptions = { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' };
  if (tls.clientCa === undefined) return base;
  // rejectUnauthorized false: a client without a (valid) certificate still connects and may use
  // Basic or NTLM; the certificate acceptor refuses an unverified one.
  return { ...base, requestCert: true, rejectUnauthorized: false, ca: tls.clientCa };
}

/** The client certificate of a TLS socket, when the client sent one. */
function clientCertificate(socket: Socket): ClientCertificate | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const peer = socket.getPeerCertificate();
  if (peer === null || typeof peer !== 'object' || Object.keys(peer).length === 0) return undefined;
  const cn: unknown = peer.subject?.CN;
  const commonName = Array.isArray(cn) ? String(cn[0]) : typeof cn === 'string' ? cn : undefined;
  const error = socket.authorizationError;
  return {
    authorized: socket.authorized,
    ...(error === undefined || error === null ? {} : { error: typeof error === 'string' ? error : error.message }),
    ...(commonName === undefined ? {} : { commonName }),
    ...(peer.subjectaltname === undefined ? {} : { subjectAltName: peer.subjectaltname }),
  };
}

/** True when the request declares no body (Content-Length 0, or neither length nor chunking). */
function isEmpty(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) === 0;
  return req.headers['transfer-encoding'] === undefined;
}

function isUnauthenticatedIdentify(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim().toLowerCase() === 'unauthenticated';
}

const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

function send(res: http.ServerResponse, status: number, body: string | Buffer, close = false, contentType = SOAP_CONTENT_TYPE): void {
  const bytes = typeof body === 'string' ? envelopeBytes(body) : body;
  res.statusCode = status;
  if (bytes.length > 0) res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', bytes.length);
  if (close) res.setHeader('Connection', 'close');
  res.end(bytes);
}

/** Answers without a body, draining (not keeping) whatever the client sends. */
function finish(req: http.IncomingMessage, res: http.ServerResponse, status: number): void {
  req.resume();
  send(res, status, '');
}

/** Reads the body up to `cap` bytes; past the cap the rest is drained and 'too-large' returned. */
function readBody(req: http.IncomingMessage, cap: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > cap) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) over = true;
      else parts.push(chunk);
    });
    req.once('end', () => resolve(over ? 'too-large' : Buffer.concat(parts)));
    req.once('error', reject);
  });
}

/** UTF-16 when the body starts with a BOM or the charset says so; UTF-8 otherwise. */
function decode(body: Buffer, contentType: string): string {
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return body.subarray(2).toString('utf16le');
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return swap16(body.subarray(2)).toString('utf16le');
  const charset = /charset\s*=\s*"?([\w-]+)/.exec(contentType)?.[1];
  if (charset === 'utf-16' || charset === 'utf-16le') return body.toString('utf16le');
  if (charset === 'utf-16be') return swap16(body).toString('utf16le');
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function swap16(b: Buffer): Buffer {
  const copy = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return copy.swap16();
}

/** The host part of a Host header (IPv6 brackets removed), else the local address. */
function hostOf(hostHeader: string | undefined, fallback: string): string {
  if (hostHeader === undefined || hostHeader === '') return fallback;
  const v6 = /^\[([^\]]+)\]/.exec(hostHeader);
  if (v6 !== null) return v6[1] ?? fallback;
  return hostHeader.split(':')[0] ?? fallback;
}
