/**
 * WSManTransport: POSTs SOAP envelopes to one WinRM listener over HTTP(S) and returns the reply.
 *
 * Theory of operation
 * - Connections are slots (connection-slot.ts): one socket plus the AuthContext that logged it on.
 *   A request holds its slot from the first auth leg to the end of the response, because NTLM
 *   authenticates the connection and its sealing state belongs to that connection alone.
 * - Security first: TLS is verified unless the user skips it; a mechanism that would expose a
 *   secret or the message bodies on plain HTTP is refused before any byte is sent. A mechanism that
 *   seals (NTLM) always seals on plain HTTP, `allowUnencrypted` or not.
 * - Per-request mechanisms (Basic, certificate) send their token with every request. Connection-
 *   bound ones (NTLM) handshake once per socket, as pywinrm and pypsrp do for sealed sessions:
 *   ```
 *   POST, empty body         Authorization: Negotiate <NEGOTIATE>
 *     <- 401                 WWW-Authenticate: Negotiate <CHALLENGE>
 *   POST, the real body      Authorization: Negotiate <AUTHENTICATE>   (sealed on plain HTTP)
 *     <- 200/500             (sealed on plain HTTP)
 *   POST, next body          no Authorization                         (sealed on plain HTTP)
 *   ```
 *   On a sealed connection every response must be multipart/encrypted (MS-WSMV 2.2.9.1); one that
 *   arrives in the clear could come from anyone on the path and is never parsed. Such a response,
 *   or a sealed one that is cut short or fails its signature, is a SealedResponseError: the slot
 *   (socket and logon) is discarded and the response counts as lost, so the session may
 *   retransmit a Create or Receive on a fresh logon. A 401 on a connection that was logged on
 *   means the server dropped the logon; the server did not run the request, so the slot
 *   handshakes once more with a fresh context and resends it.
 * - Requests go over our own HTTP/1.1 connection (http1/), one socket per slot. A failed or aborted
 *   request discards its slot's connection (ConnectionSlot.discard): the next one connects and logs
 *   on afresh. Every request settles, by its response, a timeout, the socket closing or its signal.
 * - Every failure leaves as a TsrError naming the host: WS-Man faults (HTTP 500 + SOAP fault) as
 *   WSManFault, everything else as the transport's or auth's own errors.
 * - A request that never left (connection refused, connect timeout, DNS EAI_AGAIN) is sent again
 *   for every operation, up to `retry.connectTries` attempts: the server cannot have run it.
 *   Idempotent operations (Identify, Get, Enumerate, Delete) are also retried on connection loss
 *   and 429/503; nothing else is, because a Create or Command may already have run. Recovering a
 *   lost Create or Receive response is the session's job (WSManClient, wsman/robust.ts).
 * - A 200 must be XML: an HTML page from a proxy is a ContentTypeError, never parsed as a reply.
 * - `debug` sees one line per request (method, URL, status, sizes, durations). `trace` sees each
 *   request and response with auth tokens redacted and sealed bodies shown as their plaintext.
 */
import { InvalidArgumentError, TsrError } from '../errors.js';
import type { AuthChoice, AuthContext } from '../auth/context.js';
import type { Credential } from '../auth/credential.js';
import type { KerberosSettings } from '../auth/negotiate.js';
import { AuthError } from '../auth/errors.js';
import { CertificateAuthContext } from '../auth/certificate.js';
import { createAuthContext } from '../auth/create-context.js';
import { tlsServerEndPoint } from '../auth/channel-binding.js';
import { type Outgoing, type Sent, handshakeLegs, outgoing, perRequestLegs, rejected } from './auth-legs.js';
import type { Endpoint } from './endpoint.js';
import { classifyError, neverSent, type ClassifyContext } from './classify.js';
import { decodeBody } from './charset.js';
import { ConnectionSlot, SlotPool } from './connection-slot.js';
import { readTicketCaches } from './kerberos-ccache.js';
import { TlsSessionCache } from './http1/connection.js';
import { encryptedContentType, isEncryptedContentType, openBody, protocolOf } from './encrypted-body.js';
import {
  AbortedError, ConnectError, ContentTypeError, HttpStatusError, InsecureError, SealedResponseError,
} from './errors.js';
import { type RawResponse, headerValue, interpretResponse } from './response.js';
import { DEFAULT_RETRY, RETRY_STATUSES, retryDelay, sleep, type RetryPolicy } from './retry.js';
import { type ClientCertificateSource, clientCertificate, tlsOptions } from './tls.js';
import { type TraceEvent, redactHeaders, scrub } from './trace.js';
import { USER_AGENT } from './version.js';

export interface TransportOptions extends ClientCertificateSource {
  endpoint: Endpoint;
  credential?: Credential;
  /** `none` sends no credentials and marks requests `WSMANIDENTIFY: unauthenticated` (Identify only). */
  auth: AuthChoice;
  /** PEM file of extra trusted CAs (`--ca-file`); read once, here. */
  caFile?: string;
  /** Extra trusted CAs as PEM; added to Node's built-in roots, not replacing them. */
  ca?: string | Buffer;
  /** Accept any server certificate (`--skip-cert-check`); adds a warning. */
  skipCertCheck?: boolean;
  /** Allow Basic credentials and unsealed bodies over plain HTTP (`--allow-unencrypted`). */
  allowUnencrypted?: boolean;
  /** Default 30 s. */
  connectTimeoutMs?: number;
  /** The WS-Man OperationTimeout the caller sends (default 60 s); the read timeout must outlast it. */
  operationTimeoutSec?: number;
  /** Default: operationTimeoutSec plus longPollMarginMs (see there). */
  readTimeoutMs?: number;
  /** Sockets per endpoint (default 4); each has its own logon. */
  maxConnections?: number;
  /** Largest response body read (default 16 MiB, see DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Receives one line per request; never secrets. */
  debug?: (line: string) => void;
  /** Receives each HTTP request and response, tokens redacted, sealed bodies as plaintext (`--debug`). */
  trace?: (event: TraceEvent) => void;
  /** Receives each warning as it is raised (they are also kept in `warnings`). */
  onWarning?: (message: string) => void;
  /**
   * Builds each connection's AuthContext instead of `createAuthContext(auth, credential)`: for
   * mechanisms of your own, and for tests. `channelBindings` reads that connection's TLS binding.
   */
  authContext?: (channelBindings: () => Uint8Array | undefined) => AuthContext;
  /** `auth: 'kerberos'`, and Negotiate trying Kerberos: SPN overrides, principal, delegation. */
  kerberos?: KerberosSettings;
}

export interface PostOptions {
  signal?: AbortSignal;
  /** Safe to send again (Identify, Get, Enumerate, Delete): enables retries. */
  idempotent?: boolean;
  /**
   * What to send instead when an idempotent request is retried after it may have reached the
   * server: the same operation marked as a retransmission (same OperationID, mustUnderstand="true"),
   * since resending the original id unmarked is a fault (wsa:InvalidMessageInformationHeader).
   * A function, called only when such a retry happens: most requests are never retried.
   */
  resendXml?: string | (() => string);
  /** Overrides the read timeout for this request (e.g. a Receive long-poll). */
  readTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_OPERATION_TIMEOUT_SEC = 60;
export const READ_TIMEOUT_MARGIN_MS = 30_000;

/**
 * How much longer than OperationTimeout to wait for a long-poll's answer: half of it, at least 5 s
 * and at most 30 s. The server answers w:TimedOut at OperationTimeout, so the margin only covers
 * latency and a busy server; a tighter one than a fixed 30 s finds a lost Receive response (a
 * stalled or silently dropped connection) sooner, so it is retransmitted sooner.
 */
export function longPollMarginMs(operationTimeoutSec: number): number {
  return Math.min(READ_TIMEOUT_MARGIN_MS, Math.max(5_000, (operationTimeoutSec * 1000) / 2));
}

/** The read timeout of a Receive (or any request) sent with this OperationTimeout. */
export function longPollReadTimeoutMs(operationTimeoutSec: number): number {
  return Math.round(operationTimeoutSec * 1000 + longPollMarginMs(operationTimeoutSec));
}
/**
 * A reply is bounded by the MaxEnvelopeSize we send (150 KiB, 500 KiB for PSRP 2.2+), so 16 MiB
 * is 32 times the largest one: room for configured envelopes and sealing overhead, while a
 * chunked runaway body costs at most this much memory before it is refused (a declared
 * Content-Length over the cap costs nothing).
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

/** HTTP(S) transport for WS-Management requests to one endpoint. */
export class WSManTransport {
  readonly endpoint: Endpoint;
  /** Warnings the CLI should print (e.g. certificate checks disabled). */
  readonly warnings: string[] = [];
  /** Default read timeout in ms (headers and body), derived from operationTimeoutSec unless given. */
  readonly readTimeoutMs: number;
  readonly #slots: SlotPool;
  /** Properties of the mechanism (every slot's context has the same). */
  readonly #mechanism: AuthContext;
  /** NTLM-like: one handshake per socket, then no token; false for Basic, certificate, anonymous. */
  readonly #connectionBound: boolean;
  readonly #credential: Credential | undefined;
  readonly #connectTimeoutMs: number;
  readonly #maxResponseBytes: number;
  /** The request target of every POST (path and query of the endpoint URL). */
  readonly #path: string;
  /** The Host field: read from the URL once, since a URL's getters cost something on every request. */
  readonly #hostField: string;
  readonly #retry: RetryPolicy;
  readonly #debug: ((line: string) => void) | undefined;
  readonly #trace: ((event: TraceEvent) => void) | undefined;
  #closed = false;
  /** A per-request mechanism's credentials got past the server once (see #exchange). */
  #accepted = false;

  /**
   * @throws InsecureError when the chosen auth would send secrets or plaintext bodies over HTTP
   *   and `allowUnencrypted` is not set, or is certificate auth over HTTP; AuthError
   *   (ETSR_CREDENTIALS) when a credential is missing; InvalidArgumentError for bad options, an
   *   unreadable `caFile`, or a missing or unusable client certificate.
   */
  constructor(opts: TransportOptions) {
    const { endpoint } = opts;
    const host = endpoint.label;
    this.endpoint = endpoint;
    this.#credential = opts.credential;
    this.#debug = opts.debug;
    this.#trace = opts.trace;
    this.#connectTimeoutMs = positive('connectTimeoutMs', opts.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS);
    const operationSec = positive('operationTimeoutSec', opts.operationTimeoutSec, DEFAULT_OPERATION_TIMEOUT_SEC);
    this.readTimeoutMs = positive('readTimeoutMs', opts.readTimeoutMs, longPollReadTimeoutMs(operationSec));
    this.#maxResponseBytes = positive('maxResponseBytes', opts.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES);
    this.#path = endpoint.url.pathname + endpoint.url.search;
    this.#hostField = endpoint.url.host;
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    const connections = positive('maxConnections', opts.maxConnections, 4);

    // The host without IPv6 brackets: the SPN's host part and what the socket connects to.
    const hostname = endpoint.url.hostname.replace(/^\[|\]$/g, '');
    const newContext = (bindings: () => Uint8Array | undefined): AuthContext =>
      opts.authContext ? opts.authContext(bindings) : createAuthContext(opts.auth, opts.credential, host, {
            channelBindings: bindings,
            targetName: `HTTP/${hostname}`,
            ...(opts.kerberos || opts.auth === 'kerberos' ? { kerberos: { readTicketCaches: () => readTicketCaches(), ...opts.kerberos } } : {}),
          });
    // A context made up front checks the credential and tells the policy what the mechanism does.
    const mechanism = newContext(() => undefined);
    this.#mechanism = mechanism;
    this.#connectionBound = !mechanism.everyRequest && !mechanism.complete;
    const certificate = mechanism instanceof CertificateAuthContext;
    if (certificate && !endpoint.https) {
      throw new InsecureError('certificate authentication needs HTTPS: the client certificate is presented in the TLS handshake', {
        host,
        hint: 'use --https (WinRM listens for HTTPS on 5986)',
      });
    }
    if (!endpoint.https && !mechanism.encrypts && opts.auth !== 'none') {
      if (!opts.allowUnencrypted) {
        throw new InsecureError(
          mechanism.revealsSecret
            ? `refusing to send ${mechanism.scheme} credentials over unencrypted HTTP`
            : `refusing to send unencrypted messages over HTTP (${mechanism.scheme} does not seal them)`,
          { host },
        );
      }
      this.#warn(
        opts.onWarning,
        mechanism.revealsSecret
          ? `${host}: ${mechanism.scheme} credentials and messages are sent unencrypted (--allow-unencrypted)`
          : `${host}: messages are sent unencrypted (--allow-unencrypted)`,
      );
    }
    if (endpoint.https && opts.skipCertCheck) {
      this.#warn(opts.onWarning, `${host}: TLS certificate verification is disabled (--skip-cert-check)`);
    }

    this.#slots = new SlotPool(connections, host, {
      target: {
        hostname,
        port: Number(endpoint.url.port) || (endpoint.https ? 443 : 80),
        connectTimeoutMs: this.#connectTimeoutMs,
        keepAliveMs: 30_000,
        keepAliveMaxMs: 120_000,
        ...(endpoint.https
          ? { tls: { ...tlsOptions(opts, host), ...(certificate ? clientCertificate(opts, host) : {}) }, sessions: new TlsSessionCache() }
          : {}),
      },
      newContext: (slot) =>
        newContext(() => (slot.peerCertificate ? tlsServerEndPoint(slot.peerCertificate) : undefined)),
    });
  }

  /** True when bodies are sealed by the auth mechanism (NTLM/Kerberos over HTTP); never for Basic. */
  get encrypts(): boolean {
    return !this.endpoint.https && this.#mechanism.encrypts;
  }

  /**
   * Sends one SOAP envelope and returns the response envelope.
   * @throws WSManFault for a SOAP fault; AuthError on 401 or a sealed body that fails its checks;
   *   ConnectError, TimeoutError, TlsError, HttpStatusError, ResponseTooLargeError, AbortedError
   *   (ETSR_ABORTED) otherwise.
   */
  async post(xml: string, opts: PostOptions = {}): Promise<string> {
    const host = this.endpoint.label;
    if (this.#closed) throw new InvalidArgumentError('transport is closed', { host });
    let body = Buffer.from(xml, 'utf8');
    let resending = false;
    for (let attempt = 1; ; attempt++) {
      if (opts.signal?.aborted) throw new AbortedError({ host, cause: opts.signal.reason });
      try {
        const slot = await this.#slots.acquire(opts.signal);
        try {
          return await this.#exchange(slot, body, opts);
        } finally {
          this.#slots.release(slot);
        }
      } catch (err) {
        const error = err instanceof TsrError ? err.withHost(host) : this.#classify(err, opts);
        if (opts.signal?.aborted) {
          throw error.code === 'ETSR_ABORTED' ? error : new AbortedError({ host, cause: error });
        }
        const unsent = neverSent(error);
        const tries = unsent ? Math.max(this.#retry.connectTries, opts.idempotent ? this.#retry.tries : 1) : this.#retry.tries;
        const delay = attempt >= tries ? null : unsent ? retryDelay(this.#retry, attempt) : opts.idempotent ? this.#retryDelay(error, attempt) : null;
        if (delay === null) throw error;
        this.#log(`retry ${attempt + 1}/${tries} in ${delay} ms after ${error.code}: ${error.message}`);
        await sleep(delay, opts.signal, host);
        // Once a request may have been seen, every later try is a retransmission of it.
        if (!unsent && opts.resendXml !== undefined && !resending) {
          body = Buffer.from(typeof opts.resendXml === 'string' ? opts.resendXml : opts.resendXml(), 'utf8');
          resending = true;
        }
      }
    }
  }

  /** Closes idle sockets and waits for requests in flight; later posts fail. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#slots.close();
  }

  /** One request on one slot, with whatever auth legs it needs; resolves with the envelope. */
  async #exchange(slot: ConnectionSlot, body: Buffer, opts: PostOptions): Promise<string> {
    const host = this.endpoint.label;
    const https = this.endpoint.https;
    if (!this.#connectionBound) {
      const context = slot.context;
      const legs = (): Promise<Sent> => perRequestLegs(context, body, (out) => this.#send(slot, context, out, opts), host, https);
      let sent: Sent;
      try {
        sent = await legs();
      } catch (err) {
        // A 401 to credentials this server accepted before means it lost its state (a restart), not
        // that they are wrong; it did not run the request, so it is sent once more.
        if (!(this.#accepted && err instanceof AuthError && err.code === 'ETSR_AUTH_REJECTED')) throw err;
        this.#log('401 to credentials accepted before; sending once more');
        sent = await legs();
      }
      this.#accepted = true;
      return this.#finish(slot, context, sent);
    }
    let renewed = false;
    for (;;) {
      if (!slot.authenticated) {
        const context = slot.beginLogon();
        let sent: Sent;
        try {
          sent = await handshakeLegs(context, body, (out) => this.#send(slot, context, out, opts), host, https);
        } catch (err) {
          // These credentials logged on before (on this or another socket): a 401 on the last leg
          // now is the server dropping state, not a wrong password, and the request did not run.
          if (renewed || !this.#accepted || !(err instanceof AuthError && err.code === 'ETSR_AUTH_REJECTED')) throw err;
          renewed = true;
          this.#log(`401 to a logon accepted before, on connection ${slot.id}; authenticating once more`);
          slot.forgetLogon();
          continue;
        }
        if (context.complete) {
          slot.markAuthenticated(context);
          this.#accepted = true;
        }
        return this.#finish(slot, context, sent);
      }
      const context = slot.context;
      const sent = await this.#send(slot, context, await outgoing(context, body, null, https), opts);
      if (sent.res.status !== 401) return this.#finish(slot, context, sent);
      // The server forgot this connection's logon and did not run the request: log on again once
      // with a fresh context (new keys, sequence numbers from 0), then send the same body.
      if (renewed) throw rejected(context, sent.res, host);
      renewed = true;
      this.#log(`401 on logged-on connection ${slot.id}; authenticating again`);
      slot.forgetLogon();
    }
  }

  /**
   * Opens (when sealed), traces and interprets a response other than a 401.
   * @throws SealedResponseError (ETSR_AUTH_INTEGRITY) when a sealed connection gets a response in
   *   the clear, or a sealed body fails its framing, signature or length check; the slot is
   *   discarded first (see there).
   */
  #finish(slot: ConnectionSlot, context: AuthContext, { res, sealed, started }: Sent): string | Promise<string> {
    const host = this.endpoint.label;
    const contentType = headerValue(res.headers['content-type']);
    const sealedReply = sealed && isEncryptedContentType(contentType);
    // A 200, 400 or 500 would be read as an envelope or a fault; on a sealed connection only the
    // peer holding the keys may say such things. Other statuses carry no envelope worth forging.
    if (sealed && !sealedReply && (res.status === 200 || res.status === 400 || res.status === 500)) {
      this.#emit(slot, res, '', false, started);
      throw this.#unreadable(
        slot,
        `the server sent an unsealed response (HTTP ${res.status}) on an encrypted connection; it was not read`,
        undefined,
        'something other than the server may be answering; check the endpoint and any proxy in between',
      );
    }
    if (res.status === 200 && !sealedReply && !isXmlContentType(contentType)) {
      this.#emit(slot, res, '', false, started);
      throw new ContentTypeError(contentType?.split(';')[0]?.trim() || 'no Content-Type', { host });
    }
    const unreadable = (err: unknown): never => {
      if (!sealed) throw err;
      throw this.#unreadable(slot, err instanceof Error ? err.message : String(err), err);
    };
    const read = (plain: Uint8Array, type: string | undefined): string => {
      let text: string;
      try {
        text = decodeBody(plain, type);
      } catch (err) {
        return unreadable(err);
      }
      this.#emit(slot, res, text, sealedReply, started);
      return interpretResponse(res.status, res.headers, text, { host, secrets: this.#secrets(), parseFaults: !sealed || sealedReply });
    };
    if (!sealedReply) return read(res.body, contentType);
    let opened: Buffer | Promise<Buffer>;
    try {
      opened = openBody(context, res.body);
    } catch (err) {
      return unreadable(err);
    }
    // Mechanisms that unseal elsewhere (GSSAPI, TLS) answer later; NTLM answers now.
    return opened instanceof Promise ? opened.then((plain) => read(plain, SOAP_CONTENT_TYPE), unreadable) : read(opened, SOAP_CONTENT_TYPE);
  }

  /**
   * A sealed connection got a response it cannot open. Whoever answered, the context's sequence
   * numbers and RC4 state no longer match the server's (MS-NLMP 3.4: each direction is one RC4
   * stream and one sequence), so the socket and its logon go, and the response counts
   * as lost: WSManClient may retransmit a Create or Receive on a fresh logon, and serve (like
   * Windows) answers from the cache it keeps per user and OperationID, not per connection.
   */
  #unreadable(slot: ConnectionSlot, message: string, cause: unknown, hint?: string): SealedResponseError {
    this.#log(`connection ${slot.id}: sealed response could not be opened (${message}); dropping the connection and its logon`);
    slot.discard();
    return new SealedResponseError(message, {
      host: this.endpoint.label,
      ...(cause === undefined ? {} : { cause }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  /** One POST on the slot's socket; 401s are traced here, other responses by #finish once opened. */
  async #send(slot: ConnectionSlot, context: AuthContext, out: Outgoing, opts: PostOptions): Promise<Sent> {
    const headers: Record<string, string> = {
      'content-type': out.sealed ? encryptedContentType(protocolOf(context), out.plain.length) : SOAP_CONTENT_TYPE,
      'user-agent': USER_AGENT,
      accept: 'application/soap+xml, */*;q=0.5',
    };
    if (out.token) {
      headers.authorization = out.token.length > 0
        ? `${context.scheme} ${Buffer.from(out.token).toString(context.tokenEncoding === 'text' ? 'utf8' : 'base64')}`
        : context.scheme;
    } else if (context.scheme === 'Anonymous') headers.wsmanidentify = 'unauthenticated';
    const readTimeoutMs = opts.readTimeoutMs ?? this.readTimeoutMs;
    const url = this.endpoint.url;
    if (this.#trace) {
      this.#trace({
        type: 'request', host: this.endpoint.label, connection: slot.id, method: 'POST', url: url.href,
        headers: redactHeaders({ ...headers, 'content-length': String(out.wire.length) }),
        body: scrub(out.plain.toString('utf8'), this.#secrets()), sealed: out.sealed, bytes: out.wire.length,
      });
    }
    const started = performance.now();
    const connection = slot.connection;
    try {
      const res = await connection.request({
        method: 'POST',
        path: this.#path,
        host: this.#hostField,
        headers,
        body: out.wire,
        signal: opts.signal,
        readTimeoutMs,
        maxBodyBytes: this.#maxResponseBytes,
      });
      const received = res.body;
      if (this.#debug) {
        this.#log(
          `POST ${url.href} -> ${res.status} (${out.wire.length} B sent, ${received.length} B received, ${elapsed(started)}, connection ${slot.id})`,
        );
      }
      const sent: Sent = { res: { status: res.status, headers: res.headers, body: received }, sealed: out.sealed, started };
      if (res.status === 401) this.#emit(slot, sent.res, decodeBody(received, headerValue(res.headers['content-type'])), false, started);
      return sent;
    } catch (err) {
      const error = this.#classify(err, opts);
      // Whatever failed (connect, TLS, reset, timeout, an oversized body), this socket is done: a
      // new one is a new logon anyway.
      if (slot.connection === connection) slot.discard();
      this.#log(`POST ${url.href} failed after ${elapsed(started)}: ${error.code} ${error.message}`);
      throw error;
    }
  }

  #emit(slot: ConnectionSlot, res: RawResponse, text: string, sealed: boolean, started: number): void {
    if (!this.#trace) return;
    this.#trace({
      type: 'response', host: this.endpoint.label, connection: slot.id, url: this.endpoint.url.href, status: res.status,
      headers: redactHeaders(res.headers), body: scrub(text, this.#secrets()), sealed, bytes: res.body.length,
      durationMs: Math.round(performance.now() - started),
    });
  }

  /** The password and what a careless server could echo of it. */
  #secrets(): string[] {
    const password = this.#credential?.revealPassword();
    if (!this.#credential || !password) return [];
    return [password, Buffer.from(`${this.#credential.username}:${password}`, 'utf8').toString('base64')];
  }

  #retryDelay(error: TsrError, attempt: number): number | null {
    if (error instanceof ConnectError && ['refused', 'reset', 'closed'].includes(error.reason)) {
      return retryDelay(this.#retry, attempt);
    }
    if (error instanceof HttpStatusError && RETRY_STATUSES.has(error.status)) {
      return retryDelay(this.#retry, attempt, error.retryAfterMs);
    }
    return null;
  }

  #classify(err: unknown, opts: PostOptions): TsrError {
    const url = this.endpoint.url;
    const ctx: ClassifyContext = {
      host: this.endpoint.label,
      address: url.host,
      connectTimeoutMs: this.#connectTimeoutMs,
      readTimeoutMs: opts.readTimeoutMs ?? this.readTimeoutMs,
      maxResponseBytes: this.#maxResponseBytes,
    };
    if (opts.signal?.aborted && !(err instanceof TsrError)) return new AbortedError({ host: ctx.host, cause: err });
    return classifyError(err, ctx);
  }

  #warn(hook: ((message: string) => void) | undefined, message: string): void {
    this.warnings.push(message);
    hook?.(message);
  }

  #log(line: string): void {
    this.#debug?.(`[${this.endpoint.label}] ${line}`);
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`invalid ${name} ${value}: expected a positive number`);
  return value;
}

/** application/soap+xml (WinRM), text/xml or application/xml (some OMI builds); absent is tolerated. */
function isXmlContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type.endsWith('/xml') || type.endsWith('+xml');
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)} ms`;
}
