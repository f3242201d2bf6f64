/**
 * Connection slots: one HTTP/1.1 connection (one socket at a time, no pipelining) with the
 * authentication context that belongs to that socket.
 *
 * Theory of operation
 * - NTLM authenticates a TCP connection, not a request: after the handshake the server knows the
 *   user by the socket, and the sealing keys and sequence numbers of MS-NLMP session security are
 *   shared by exactly that client context and that server context. A pool that hands requests to
 *   any socket would send a message sealed for one logon down another. So each slot pairs one
 *   socket with one context, and a request holds its slot from the first handshake leg to the
 *   last byte of the response.
 * - A new socket is a new logon. The slot forgets its handshake whenever the connection reports the
 *   socket gone or a new one connected; the transport then handshakes again.
 * - Over TLS the slot keeps the server's certificate (DER) for channel binding
 *   (RFC 5929 tls-server-end-point): each slot's context reads it when it builds AUTHENTICATE.
 * - `SlotPool` lends slots: an idle one (lowest id first, so a sequential caller keeps one
 *   connection), a new one while fewer than `max` exist, else the caller waits in FIFO order. The
 *   PSRP pump needs two at once: a long-poll Receive and a Send or Signal beside it.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type ConnectTarget, Http1Connection } from './http1/connection.js';
import type { AuthContext } from '../auth/context.js';
import { InvalidArgumentError } from '../errors.js';
import { AbortedError } from './errors.js';

export interface SlotOptions {
  /** Where and how every connection of the pool connects (TLS options, connect timeout, keep-alive). */
  target: ConnectTarget;
  /** Makes a fresh context for this slot; called for every new handshake. */
  newContext: (slot: ConnectionSlot) => AuthContext;
}

export class ConnectionSlot {
  /** 0-based, in order of creation; shown in traces and debug lines. */
  readonly id: number;
  readonly #opts: SlotOptions;
  #connection: Http1Connection;
  readonly #newContext: (slot: ConnectionSlot) => AuthContext;
  #context: AuthContext;
  #authenticated = false;
  /** True once #context has started a handshake; a new logon then needs a new context. */
  #used = false;
  #peerCertificate: Buffer | undefined;

  constructor(id: number, opts: SlotOptions) {
    this.id = id;
    this.#opts = opts;
    this.#newContext = opts.newContext;
    this.#connection = this.#newConnection();
    this.#context = this.#newContext(this);
  }

  /** The connection of the current socket; `discard()` replaces it. */
  get connection(): Http1Connection {
    return this.#connection;
  }

  /**
   * Throws the socket and its logon away: the connection is destroyed (a request still in flight
   * on it fails with ETSR_HTTP_DESTROYED) and replaced, and the next request logs on with a fresh
   * context. Used when the connection's state can no longer be trusted, e.g. a sealed response
   * that could not be opened leaves the RC4 sequence out of step.
   */
  discard(): void {
    const old = this.#connection;
    this.#connection = this.#newConnection();
    this.#authenticated = false;
    this.#used = true; // the next beginLogon() makes a new context
    this.#peerCertificate = undefined;
    old.destroy();
  }

  /** Closes the socket for good (the pool is closing). */
  close(): void {
    this.#connection.destroy();
  }

  #newConnection(): Http1Connection {
    const connection: Http1Connection = new Http1Connection(this.#opts.target, {
      onConnect: (socket) => {
        if (connection === this.#connection) this.#onSocket(socket);
      },
      onDisconnect: () => {
        if (connection === this.#connection) this.#authenticated = false;
      },
    });
    return connection;
  }

  /** The context of the current (or next) logon on this connection. */
  get context(): AuthContext {
    return this.#context;
  }

  /** True when the current socket has finished a connection-bound handshake. */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** DER of the server certificate on the current TLS socket; undefined on plain HTTP. */
  get peerCertificate(): Buffer | undefined {
    return this.#peerCertificate;
  }

  /** Starts a new logon with an unused context (new keys, sequence numbers from 0). */
  beginLogon(): AuthContext {
    this.#authenticated = false;
    if (this.#used) this.#context = this.#newContext(this);
    this.#used = true;
    return this.#context;
  }

  /** The server dropped this connection's logon: the next request logs on again. */
  forgetLogon(): void {
    this.#authenticated = false;
  }

  /** Records that `context` finished its handshake on the current socket. */
  markAuthenticated(context: AuthContext): void {
    if (context === this.#context) this.#authenticated = true;
  }

  #onSocket(socket: Socket): void {
    this.#authenticated = false;
    const tls = socket as Partial<TLSSocket>;
    if (typeof tls.getPeerCertificate === 'function') {
      const raw = tls.getPeerCertificate().raw as Buffer | undefined;
      this.#peerCertificate = raw && raw.length > 0 ? Buffer.from(raw) : undefined;
    }
  }
}

interface Waiter {
  resolve: (slot: ConnectionSlot) => void;
  reject: (err: Error) => void;
}

/** Lends connection slots, at most `max` of them, to one request at a time each. */
export class SlotPool {
  readonly #max: number;
  readonly #host: string;
  readonly #opts: SlotOptions;
  readonly #slots: ConnectionSlot[] = [];
  readonly #busy = new Set<ConnectionSlot>();
  readonly #waiters: Waiter[] = [];
  #closing: Promise<void> | undefined;
  #allRetired: (() => void) | undefined;
  #retired = 0;

  constructor(max: number, host: string, opts: SlotOptions) {
    this.#max = max;
    this.#host = host;
    this.#opts = opts;
  }

  /** Slots opened so far. */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * Takes an idle slot, opens a new one, or waits for one in FIFO order.
   * @throws AbortedError when `signal` aborts while waiting; InvalidArgumentError once closed.
   */
  acquire(signal?: AbortSignal): Promise<ConnectionSlot> {
    if (this.#closing) return Promise.reject(new InvalidArgumentError('transport is closed', { host: this.#host }));
    const idle = this.#slots.find((s) => !this.#busy.has(s));
    if (idle) return Promise.resolve(this.#lend(idle));
    if (this.#slots.length < this.#max) {
      const slot = new ConnectionSlot(this.#slots.length, this.#opts);
      this.#slots.push(slot);
      return Promise.resolve(this.#lend(slot));
    }
    return new Promise<ConnectionSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(new AbortedError({ host: this.#host, cause: signal?.reason }));
      };
      const waiter: Waiter = {
        resolve: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a slot back; the longest waiter gets it at once. */
  release(slot: ConnectionSlot): void {
    const next = this.#waiters.shift();
    if (next) {
      next.resolve(slot);
      return;
    }
    this.#busy.delete(slot);
    if (this.#closing) this.#retire(slot);
  }

  /** Refuses new requests, fails the waiting ones, and closes each socket once its request is done. */
  close(): Promise<void> {
    if (!this.#closing) {
      // Built only when someone waits: an error's stack costs more than the rest of close() (a
      // fan-out closes a pool per host).
      const waiters = this.#waiters.splice(0);
      if (waiters.length > 0) {
        const closed = new InvalidArgumentError('transport is closed', { host: this.#host });
        for (const waiter of waiters) waiter.reject(closed);
      }
      this.#closing = new Promise<void>((resolve) => {
        this.#allRetired = resolve;
      });
      for (const slot of this.#slots) if (!this.#busy.has(slot)) this.#retire(slot);
      if (this.#slots.length === 0) this.#allRetired?.();
    }
    return this.#closing;
  }

  /** Closes an idle slot's socket: it has nothing to flush. */
  #retire(slot: ConnectionSlot): void {
    slot.close();
    this.#retired += 1;
    if (this.#retired === this.#slots.length) this.#allRetired?.();
  }

  #lend(slot: ConnectionSlot): ConnectionSlot {
    this.#busy.add(slot);
    return slot;
  }
}
