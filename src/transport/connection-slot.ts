/**
 * Connection slots: one undici `Client` (one socket at a time, no pipelining) with the
 * authentication context that belongs to that socket.
 *
 * Theory of operation
 * - NTLM authenticates a TCP connection, not a request: after the handshake the server knows the
 *   user by the socket, and the sealing keys and sequence numbers of MS-NLMP session security are
 *   shared by exactly that client context and that server context. A pool that hands requests to
 *   any socket would send a message sealed for one logon down another. So each slot pairs one
 *   socket with one context, and a request holds its slot from the first handshake leg to the
 *   last byte of the response.
 * - A new socket is a new logon. The slot forgets its handshake whenever undici reports the socket
 *   gone ('disconnect') or our connector hands it a new one; the transport then handshakes again.
 * - Over TLS the connector keeps the server's certificate (DER) for channel binding
 *   (RFC 5929 tls-server-end-point): each slot's context reads it when it builds AUTHENTICATE.
 * - `SlotPool` lends slots: an idle one (lowest id first, so a sequential caller keeps one
 *   connection), a new one while fewer than `max` exist, else the caller waits in FIFO order. The
 *   PSRP pump needs two at once: a long-poll Receive and a Send or Signal beside it.
 */
import type { TLSSocket } from 'node:tls';
import { Client, buildConnector } from './undici-client.js';
import type { AuthContext } from '../auth/index.js';
import { InvalidArgumentError } from '../errors.js';
import { AbortedError } from './errors.js';

export interface SlotOptions {
  origin: string;
  /** undici Client options other than `connect` (timeouts, size caps, keep-alive). */
  client: Omit<Client.Options, 'connect' | 'pipelining'>;
  /** Options for `tls.connect`/`net.connect` (timeout, CA, client certificate). */
  connect: buildConnector.BuildOptions;
  /** Makes a fresh context for this slot; called for every new handshake. */
  newContext: (slot: ConnectionSlot) => AuthContext;
}

export class ConnectionSlot {
  /** 0-based, in order of creation; shown in traces and debug lines. */
  readonly id: number;
  readonly #opts: SlotOptions;
  #client: Client;
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
    this.#client = this.#newClient();
    this.#context = this.#newContext(this);
  }

  /** The undici Client of the current socket; `discard()` replaces it. */
  get client(): Client {
    return this.#client;
  }

  /**
   * Throws the socket and its logon away: the undici Client is destroyed (any request still
   * pending on it rejects with UND_ERR_DESTROYED) and replaced, and the next request logs on with a
   * fresh context. Used when the connection's state can no longer be trusted: a sealed response
   * that could not be opened leaves the RC4 sequence out of step, and undici 7 leaves a Client
   * whose connect failed with ERR_TLS_CERT_ALTNAME_INVALID unable to settle any later request,
   * even an aborted one (nodejs/undici, seen with 7.30.2 on Node 20).
   */
  discard(): void {
    const old = this.#client;
    this.#client = this.#newClient();
    this.#authenticated = false;
    this.#used = true; // the next beginLogon() makes a new context
    this.#peerCertificate = undefined;
    void old.destroy().catch(() => undefined);
  }

  #newClient(): Client {
    const inner = buildConnector(this.#opts.connect);
    const connect: buildConnector.connector = (options, callback) => {
      inner(options, (...args: Parameters<buildConnector.Callback>) => {
        if (args[0] === null && client === this.#client) this.#onSocket(args[1]);
        callback(...args);
      });
    };
    const client = new Client(this.#opts.origin, { ...this.#opts.client, pipelining: 1, connect });
    client.on('disconnect', () => {
      if (client === this.#client) this.#authenticated = false;
    });
    return client;
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

  #onSocket(socket: Parameters<buildConnector.Callback>[1]): void {
    this.#authenticated = false;
    const tls = socket as Partial<TLSSocket> | null;
    if (typeof tls?.getPeerCertificate === 'function') {
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

  /**
   * Closes an idle slot's socket. `destroy`, not `close`: undici 7's Client.close() never settles
   * after a request failed with ERR_TLS_CERT_ALTNAME_INVALID, and an idle slot has nothing to flush.
   */
  #retire(slot: ConnectionSlot): void {
    void slot.client.destroy().catch(() => undefined).then(() => {
      this.#retired += 1;
      if (this.#retired === this.#slots.length) this.#allRetired?.();
    });
  }

  #lend(slot: ConnectionSlot): ConnectionSlot {
    this.#busy.add(slot);
    return slot;
  }
}
