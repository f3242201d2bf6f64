/**
 * One HTTP/1.1 connection to one server: a socket opened on first use, one request at a time (no
 * pipelining), kept alive between requests, opened again after the server closes it.
 *
 * Theory of operation
 * - Connection-bound authentication (NTLM, Kerberos, CredSSP) logs a socket on, not a request, so
 *   the owner (ConnectionSlot) must know when a new socket starts (`onConnect`, which also hands it
 *   the TLS peer certificate for channel binding) and when the old one is gone (`onDisconnect`).
 * - One time limit covers each phase: connect (TCP and TLS handshake), then the read timeout
 *   while a request waits for its response (the time to the first byte, then between chunks), then
 *   the keep-alive idle time (the server's `Keep-Alive: timeout` less a second, else 30 s). The
 *   limits of all connections run on one timer (deadlines.ts), not one socket timeout each.
 * - An idle socket is unref'd, so a forgotten connection never holds the process open.
 * - Every request settles: by its response, a parse error, the socket closing or failing, a timeout,
 *   its AbortSignal, or `destroy()`. Whatever fails, the socket goes with it: its bytes can no longer
 *   be trusted to line up with a request, and a new socket is a new logon.
 * - On plain TCP the request is written at once, before the socket is connected: Node buffers it,
 *   and a request that never reached the server fails with the connect error (ECONNREFUSED, the
 *   connect timeout), which tells the caller it is safe to send again. Over TLS it waits for the
 *   handshake, so a failed handshake reports its own error (a write queued before it would fail
 *   first, as a bare EPROTO).
 */
import net from 'node:net';
import tls from 'node:tls';
import { InvalidArgumentError } from '../../errors.js';
import { Deadline, deadlines } from './deadlines.js';
import { HttpClientError } from './errors.js';
import { DEFAULT_MAX_HEADER_BYTES, type HttpResponse, ResponseParser } from './response-parser.js';

export interface ConnectTarget {
  /** A host name or IP address (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** TLS options (CA, verification, client certificate, minimum version); absent for plain HTTP. */
  tls?: tls.ConnectionOptions | undefined;
  connectTimeoutMs: number;
  /** Idle time before a kept-alive socket is closed when the server names none. Default 30 s. */
  keepAliveMs?: number;
  /** Cap on the server's own keep-alive timeout. Default 120 s. */
  keepAliveMaxMs?: number;
  /** TLS sessions to resume, shared by the connections to one server. */
  sessions?: TlsSessionCache | undefined;
}

export interface ConnectionHooks {
  /** A new socket is connected (over TLS: handshaken and verified). */
  onConnect?: (socket: net.Socket) => void;
  /** The socket in use is gone, closed by either side. */
  onDisconnect?: () => void;
}

export interface HttpRequest {
  method: 'POST';
  /** The request target: path and query. */
  path: string;
  /** The Host field: the URL's host, with a port when it is not the default. */
  host: string;
  /** Field names in lower case; Host and Content-Length are added here. */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** How long to wait for the response to start, and then between its chunks. */
  readTimeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal | undefined;
}

/** The last TLS session a server gave, to resume on the next connection to it. */
export class TlsSessionCache {
  #session: Buffer | undefined;
  get(): Buffer | undefined {
    return this.#session;
  }
  set(session: Buffer): void {
    this.#session = session;
  }
}

const DEFAULT_KEEP_ALIVE_MS = 30_000;
const DEFAULT_KEEP_ALIVE_MAX_MS = 120_000;
/** Taken off the server's keep-alive timeout, so we close first rather than race its close. */
const KEEP_ALIVE_MARGIN_MS = 1_000;
const TCP_KEEP_ALIVE_DELAY_MS = 60_000;
const UNSAFE_IN_HEAD = /[\r\n\0]/;

type Phase = 'connecting' | 'waiting' | 'idle';

interface Pending {
  parser: ResponseParser;
  resolve: (res: HttpResponse) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  readTimeoutMs: number;
}

export class Http1Connection {
  readonly #target: ConnectTarget;
  readonly #hooks: ConnectionHooks;
  #socket: net.Socket | undefined;
  #phase: Phase = 'idle';
  #pending: Pending | undefined;
  /** A request head and body waiting for the TLS handshake. */
  #queued: [string, Buffer] | undefined;
  /** The socket's own error, reported when it closes. */
  #socketError: Error | undefined;
  #destroyed = false;
  /** The socket's time limit for its phase (see deadlines.ts); expiring is #onTimeout. */
  readonly #deadline = new Deadline(() => this.#onTimeout());
  /** A request went out whole: the wait for its response starts now, however long the upload took. */
  readonly #onWritten = (): void => deadlines.touch(this.#deadline);
  readonly #onAbort = (): void => {
    const reason: unknown = this.#pending?.signal?.reason;
    this.#fail(reason ?? new HttpClientError('ETSR_HTTP_DESTROYED', 'the request was aborted'));
  };

  constructor(target: ConnectTarget, hooks: ConnectionHooks = {}) {
    this.#target = target;
    this.#hooks = hooks;
  }

  /** True while a socket is open or opening. */
  get connected(): boolean {
    return this.#socket !== undefined;
  }

  /**
   * Sends one request and reads its response whole.
   * @throws InvalidArgumentError for a field value or path that would break the head (CR, LF, NUL);
   *   HttpClientError (ETSR_HTTP_*), the socket's own error (ECONNREFUSED, ECONNRESET, TLS errors),
   *   or the signal's reason.
   */
  request(req: HttpRequest): Promise<HttpResponse> {
    if (this.#destroyed) return Promise.reject(new HttpClientError('ETSR_HTTP_DESTROYED', 'the connection was closed'));
    if (this.#pending) return Promise.reject(new InvalidArgumentError('a request is already in flight on this connection'));
    if (req.signal?.aborted) return Promise.reject(req.signal.reason);
    let head: string;
    try {
      head = requestHead(req);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<HttpResponse>((resolve, reject) => {
      this.#pending = {
        parser: new ResponseParser({ maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES, maxBodyBytes: req.maxBodyBytes }),
        resolve,
        reject,
        signal: req.signal,
        readTimeoutMs: req.readTimeoutMs,
      };
      req.signal?.addEventListener('abort', this.#onAbort, { once: true });
      let socket = this.#socket;
      if (socket === undefined) {
        socket = this.#open();
      } else if (this.#phase === 'idle') {
        this.#phase = 'waiting';
        socket.ref();
        deadlines.arm(this.#deadline, req.readTimeoutMs);
      }
      if (this.#phase === 'connecting' && this.#target.tls) this.#queued = [head, req.body];
      else write(socket, head, req.body, this.#onWritten);
    });
  }

  /** Closes the socket; a request in flight fails with ETSR_HTTP_DESTROYED, later ones at once. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#pending) this.#fail(new HttpClientError('ETSR_HTTP_DESTROYED', 'the connection was closed'));
    else this.#drop();
  }

  #open(): net.Socket {
    const t = this.#target;
    this.#phase = 'connecting';
    this.#socketError = undefined;
    let socket: net.Socket;
    if (t.tls) {
      const session = t.sessions?.get();
      socket = tls.connect({
        ...t.tls,
        host: t.hostname,
        port: t.port,
        // SNI carries a name, never an address (RFC 6066 §3).
        ...(net.isIP(t.hostname) === 0 ? { servername: t.hostname } : {}),
        ...(session ? { session } : {}),
      });
      socket.once('secureConnect', () => this.#onConnected(socket));
      if (t.sessions) {
        const sessions = t.sessions;
        socket.on('session', (s: Buffer) => sessions.set(s));
      }
      socket.on('data', (chunk: Buffer) => {
        if (socket === this.#socket) {
          deadlines.touch(this.#deadline);
          this.#onData(chunk);
        }
      });
    } else {
      // Plain TCP reads into one shared buffer and hands each read straight to the parser, without
      // the Readable stream's push, 'data' event and read-ahead tick (a few µs per read, five reads
      // per fan-out host). The callback runs to completion before the next read anywhere, and each
      // read is copied (copyOf) before the parser may keep any of it, so one buffer serves every
      // connection.
      socket = net.connect({
        host: t.hostname,
        port: t.port,
        onread: {
          buffer: sharedReadBuffer,
          callback: (bytes: number, buffer: Uint8Array): boolean => {
            if (socket === this.#socket) {
              deadlines.touch(this.#deadline);
              this.#onData(copyOf(buffer, bytes));
            }
            return true;
          },
        },
      });
      socket.once('connect', () => this.#onConnected(socket));
    }
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEP_ALIVE_DELAY_MS);
    deadlines.arm(this.#deadline, t.connectTimeoutMs);
    socket.on('error', (err: Error) => {
      if (socket === this.#socket) this.#socketError ??= err;
    });
    socket.on('close', () => {
      if (socket === this.#socket) this.#onClose();
    });
    return socket;
  }

  #onConnected(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    this.#hooks.onConnect?.(socket);
    if (this.#phase !== 'connecting') return;
    this.#phase = this.#pending ? 'waiting' : 'idle';
    deadlines.arm(this.#deadline, this.#pending ? this.#pending.readTimeoutMs : this.#keepAliveMs(undefined));
    const queued = this.#queued;
    this.#queued = undefined;
    if (queued && this.#pending) write(socket, queued[0], queued[1], this.#onWritten);
  }

  #onData(chunk: Buffer): void {
    const pending = this.#pending;
    if (!pending) {
      // Bytes nobody asked for: this socket no longer lines up with our requests.
      this.#drop();
      return;
    }
    let res: HttpResponse | undefined;
    try {
      res = pending.parser.push(chunk);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (res) this.#complete(res);
  }

  #complete(res: HttpResponse): void {
    const pending = this.#pending as Pending;
    this.#settle(pending);
    const socket = this.#socket;
    if (socket && res.keepAlive && !this.#destroyed) {
      this.#phase = 'idle';
      deadlines.arm(this.#deadline, this.#keepAliveMs(res.keepAliveTimeoutMs));
      socket.unref();
    } else {
      this.#drop();
    }
    pending.resolve(res);
  }

  #onTimeout(): void {
    if (this.#phase === 'idle') {
      this.#drop();
      return;
    }
    this.#fail(
      this.#phase === 'connecting'
        ? new HttpClientError('ETSR_HTTP_CONNECT_TIMEOUT', `connect timeout after ${this.#target.connectTimeoutMs} ms`)
        : new HttpClientError('ETSR_HTTP_READ_TIMEOUT', `no response after ${this.#pending?.readTimeoutMs ?? 0} ms`),
    );
  }

  #onClose(): void {
    const pending = this.#pending;
    const error = this.#socketError;
    this.#socket = undefined;
    deadlines.disarm(this.#deadline);
    this.#queued = undefined;
    this.#hooks.onDisconnect?.();
    if (!pending) return;
    if (error) {
      this.#settle(pending);
      pending.reject(error);
      return;
    }
    let res: HttpResponse;
    try {
      res = pending.parser.end();
    } catch (err) {
      this.#settle(pending);
      pending.reject(err);
      return;
    }
    this.#settle(pending);
    pending.resolve(res);
  }

  /** Fails the request in flight and drops the socket. */
  #fail(err: unknown): void {
    const pending = this.#pending;
    if (pending) this.#settle(pending);
    this.#drop();
    pending?.reject(err);
  }

  #settle(pending: Pending): void {
    this.#pending = undefined;
    pending.signal?.removeEventListener('abort', this.#onAbort);
  }

  /** Closes the socket at once; the owner hears of it now, not when 'close' comes. */
  #drop(): void {
    const socket = this.#socket;
    this.#queued = undefined;
    if (!socket) return;
    this.#socket = undefined;
    this.#phase = 'idle';
    deadlines.disarm(this.#deadline);
    socket.destroy();
    this.#hooks.onDisconnect?.();
  }

  #keepAliveMs(serverMs: number | undefined): number {
    const t = this.#target;
    if (serverMs === undefined) return t.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    return Math.max(KEEP_ALIVE_MARGIN_MS, Math.min(serverMs - KEEP_ALIVE_MARGIN_MS, t.keepAliveMaxMs ?? DEFAULT_KEEP_ALIVE_MAX_MS));
  }
}

/**
 * Where every plain-TCP socket's reads land (see #open): the size Node's own reads use. Allocated
 * on first use, so a process that never connects does not pay for it.
 */
const READ_BUFFER_BYTES = 64 * 1024;
function sharedReadBuffer(): Uint8Array {
  readBuffer ??= new Uint8Array(READ_BUFFER_BYTES);
  return readBuffer;
}
let readBuffer: Uint8Array | undefined;

/** The first `bytes` of the shared read buffer as a Buffer of its own, since the next read overwrites it. */
function copyOf(buffer: Uint8Array, bytes: number): Buffer {
  const chunk = Buffer.allocUnsafe(bytes);
  chunk.set(buffer.subarray(0, bytes));
  return chunk;
}

/** Up to this many body bytes, head and body are copied into one buffer for a single write. */
const ONE_WRITE_MAX_BODY = 16 * 1024;

/**
 * Head and body in one write (one segment on the wire when they fit). A small body is copied
 * behind the head, which costs less than Node's corked two-chunk write; a large one is not copied,
 * and the read timeout starts again once it has gone out (`written`): an upload is not a silent server.
 */
function write(socket: net.Socket, head: string, body: Buffer, written: () => void): void {
  if (body.length <= ONE_WRITE_MAX_BODY) {
    const bytes = Buffer.allocUnsafe(head.length + body.length);
    bytes.write(head, 0, 'latin1');
    bytes.set(body, head.length);
    socket.write(bytes);
    return;
  }
  socket.cork();
  socket.write(head, 'latin1');
  socket.write(body, written);
  socket.uncork();
}

/**
 * The request line and fields. Every value is ours or the URL's, but a CR or LF in one would
 * start a field or a request of its own, so each is checked.
 * @throws InvalidArgumentError naming the field that holds CR, LF or NUL.
 */
export function requestHead(req: Pick<HttpRequest, 'method' | 'path' | 'host' | 'headers' | 'body'>): string {
  if (UNSAFE_IN_HEAD.test(req.path) || UNSAFE_IN_HEAD.test(req.host)) throw new InvalidArgumentError('the request URL holds CR, LF or NUL');
  let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${req.host}\r\n`;
  for (const name in req.headers) {
    const value = req.headers[name] as string;
    if (UNSAFE_IN_HEAD.test(value)) throw new InvalidArgumentError(`the ${name} field holds CR, LF or NUL`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}content-length: ${req.body.length}\r\n\r\n`;
}
