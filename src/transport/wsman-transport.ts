/**
 * WSManTransport: POSTs SOAP envelopes to one WinRM listener over HTTP(S) and returns the reply.
 *
 * Theory of operation
 * - One undici Pool per endpoint, HTTP/1.1 with keep-alive, so consecutive operations of a shell
 *   reuse sockets (and, later, connection-bound auth such as NTLM).
 * - Security first: TLS is verified unless the user skips it; a mechanism that would expose a
 *   secret or the message bodies on plain HTTP is refused before any byte is sent.
 * - Auth is an AuthContext stepped by `#exchange`: each 401 carrying a token for our scheme is fed
 *   back into `step` until the context is complete (one leg for Basic).
 * - Every failure leaves as a TsrError naming the host: WS-Man faults (HTTP 500 + SOAP fault) as
 *   WSManFault, everything else as the transport's or auth's own errors.
 * - Idempotent operations (Identify, Get, Enumerate, Delete) are retried on connection loss and
 *   429/503; nothing else is, because a Create or Command may already have run.
 * - The debug hook sees method, URL, status, sizes and durations; never headers or bodies.
 */
import { STATUS_CODES } from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Pool, type Dispatcher } from 'undici';
import { InvalidArgumentError, TsrError } from '../errors.js';
import {
  type AuthChoice, type AuthContext, type Credential,
  authUnsupported, createAuthContext, logonRejected, offeredSchemes, parseWwwAuthenticate,
} from '../auth/index.js';
import { parseFault, type WSManFault } from '../wsman/index.js';
import type { Endpoint } from './endpoint.js';
import { classifyError, type ClassifyContext } from './classify.js';
import { decodeBody } from './charset.js';
import {
  AbortedError, ConnectError, HttpStatusError, InsecureError, ResponseTooLargeError,
} from './errors.js';
import { DEFAULT_RETRY, RETRY_STATUSES, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from './retry.js';
import { tlsOptions } from './tls.js';
import { USER_AGENT } from './version.js';

export interface TransportOptions {
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
  /** Allow unsealed bodies and Basic credentials over plain HTTP (`--allow-unencrypted`). */
  allowUnencrypted?: boolean;
  /** Default 30 s. */
  connectTimeoutMs?: number;
  /** The WS-Man OperationTimeout the caller sends (default 60 s); the read timeout must outlast it. */
  operationTimeoutSec?: number;
  /** Default: operationTimeoutSec + 30 s. */
  readTimeoutMs?: number;
  /** Sockets per endpoint (default 4). */
  maxConnections?: number;
  /** Largest response body read (default 64 MiB). */
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Receives one line per request; never secrets. */
  debug?: (line: string) => void;
  /** Receives each warning as it is raised (they are also kept in `warnings`). */
  onWarning?: (message: string) => void;
}

export interface PostOptions {
  signal?: AbortSignal;
  /** Safe to send again (Identify, Get, Enumerate, Delete): enables retries. */
  idempotent?: boolean;
  /** Overrides the read timeout for this request (e.g. a Receive long-poll). */
  readTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_OPERATION_TIMEOUT_SEC = 60;
export const READ_TIMEOUT_MARGIN_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
const MAX_AUTH_LEGS = 5;
const EXCERPT_CHARS = 200;

interface RawResponse {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Buffer;
}

/** HTTP(S) transport for WS-Management requests to one endpoint. */
export class WSManTransport {
  readonly endpoint: Endpoint;
  /** Warnings the CLI should print (e.g. certificate checks disabled). */
  readonly warnings: string[] = [];
  /** Default read timeout in ms (headers and body), derived from operationTimeoutSec unless given. */
  readonly readTimeoutMs: number;
  readonly #pool: Pool;
  readonly #auth: AuthContext;
  readonly #credential: Credential | undefined;
  readonly #connectTimeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #retry: RetryPolicy;
  readonly #debug: ((line: string) => void) | undefined;
  #closing: Promise<void> | undefined;

  /**
   * @throws InsecureError when the chosen auth would send secrets or plaintext bodies over HTTP
   *   and `allowUnencrypted` is not set; AuthError (ETSR_CREDENTIALS) when a credential is missing;
   *   InvalidArgumentError for bad options or an unreadable `caFile`.
   */
  constructor(opts: TransportOptions) {
    const { endpoint } = opts;
    const host = endpoint.label;
    this.endpoint = endpoint;
    this.#credential = opts.credential;
    this.#debug = opts.debug;
    this.#connectTimeoutMs = positive('connectTimeoutMs', opts.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS);
    const operationSec = positive('operationTimeoutSec', opts.operationTimeoutSec, DEFAULT_OPERATION_TIMEOUT_SEC);
    this.readTimeoutMs = positive('readTimeoutMs', opts.readTimeoutMs, operationSec * 1000 + READ_TIMEOUT_MARGIN_MS);
    this.#maxResponseBytes = positive('maxResponseBytes', opts.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES);
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    const connections = positive('maxConnections', opts.maxConnections, 4);

    this.#auth = createAuthContext(opts.auth, opts.credential, host);
    if (!endpoint.https && this.#auth.encrypts) {
      // multipart/encrypted framing (MS-WSMV 2.2.9.1) arrives with the first sealing mechanism;
      // until then never let a sealing context's bodies go out in the clear.
      throw new InvalidArgumentError(`${this.#auth.scheme} message encryption over HTTP is not supported yet`, { host });
    }
    if (!endpoint.https && !this.#auth.encrypts && opts.auth !== 'none') {
      if (!opts.allowUnencrypted) {
        throw new InsecureError(
          this.#auth.revealsSecret
            ? `refusing to send ${this.#auth.scheme} credentials over unencrypted HTTP`
            : `refusing to send unencrypted messages over HTTP (${this.#auth.scheme} does not seal them)`,
          { host },
        );
      }
      this.#warn(
        opts.onWarning,
        this.#auth.revealsSecret
          ? `${host}: ${this.#auth.scheme} credentials and messages are sent unencrypted (--allow-unencrypted)`
          : `${host}: messages are sent unencrypted (--allow-unencrypted)`,
      );
    }
    if (endpoint.https && opts.skipCertCheck) {
      this.#warn(opts.onWarning, `${host}: TLS certificate verification is disabled (--skip-cert-check)`);
    }

    this.#pool = new Pool(endpoint.url.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      headersTimeout: this.readTimeoutMs,
      bodyTimeout: this.readTimeoutMs,
      maxResponseSize: this.#maxResponseBytes,
      connect: {
        timeout: this.#connectTimeoutMs,
        ...(endpoint.https ? tlsOptions(opts, host) : {}),
      },
    });
  }

  /** True when bodies are sealed by the auth mechanism (NTLM/Kerberos over HTTP); never for Basic. */
  get encrypts(): boolean {
    return !this.endpoint.https && this.#auth.encrypts;
  }

  /**
   * Sends one SOAP envelope and returns the response envelope.
   * @throws WSManFault for a SOAP fault; AuthError on 401; ConnectError, TimeoutError, TlsError,
   *   HttpStatusError, ResponseTooLargeError, AbortedError (ETSR_ABORTED) otherwise.
   */
  async post(xml: string, opts: PostOptions = {}): Promise<string> {
    const host = this.endpoint.label;
    if (this.#closing) throw new InvalidArgumentError('transport is closed', { host });
    const body = Buffer.from(xml, 'utf8');
    for (let attempt = 1; ; attempt++) {
      if (opts.signal?.aborted) throw new AbortedError({ host, cause: opts.signal.reason });
      try {
        return await this.#exchange(body, opts);
      } catch (err) {
        const error = err instanceof TsrError ? err.withHost(host) : this.#classify(err, opts);
        if (opts.signal?.aborted) {
          throw error.code === 'ETSR_ABORTED' ? error : new AbortedError({ host, cause: error });
        }
        const delay = opts.idempotent && attempt < this.#retry.tries ? this.#retryDelay(error, attempt) : null;
        if (delay === null) throw error;
        this.#log(`retry ${attempt + 1}/${this.#retry.tries} in ${delay} ms after ${error.code}: ${error.message}`);
        await sleep(delay, opts.signal, host);
      }
    }
  }

  /** Closes idle sockets and waits for requests in flight. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.close();
    return this.#closing;
  }

  /** One request, including any extra auth legs; resolves with the 200 body or throws. */
  async #exchange(body: Buffer, opts: PostOptions): Promise<string> {
    const auth = this.#auth;
    let token = !auth.complete || auth.everyRequest ? await auth.step() : null;
    for (let leg = 1; ; leg++) {
      const res = await this.#send(body, token, opts);
      if (res.status !== 401) return this.#interpret(res);
      const header = res.headers['www-authenticate'];
      const offered = offeredSchemes(header);
      const host = this.endpoint.label;
      const mine = parseWwwAuthenticate(header).find((c) => c.scheme.toLowerCase() === auth.scheme.toLowerCase());
      if (!mine) {
        throw offered.length > 0 ? authUnsupported(auth.scheme, offered, { host }) : logonRejected(auth.scheme, offered, { host });
      }
      if (auth.complete || mine.token === undefined || leg >= MAX_AUTH_LEGS) {
        throw logonRejected(auth.scheme, offered, { host });
      }
      token = await auth.step(Buffer.from(mine.token, 'base64'));
      if (token === null) throw logonRejected(auth.scheme, offered, { host });
    }
  }

  async #send(body: Buffer, token: Uint8Array | null, opts: PostOptions): Promise<RawResponse> {
    const headers: Record<string, string> = {
      'content-type': SOAP_CONTENT_TYPE,
      'user-agent': USER_AGENT,
      accept: 'application/soap+xml, */*;q=0.5',
    };
    if (token) headers.authorization = `${this.#auth.scheme} ${Buffer.from(token).toString('base64')}`;
    else if (this.#auth.scheme === 'Anonymous') headers.wsmanidentify = 'unauthenticated';
    const readTimeoutMs = opts.readTimeoutMs ?? this.readTimeoutMs;
    const started = performance.now();
    const url = this.endpoint.url;
    try {
      const res = await this.#pool.request({
        method: 'POST',
        path: url.pathname + url.search,
        headers,
        body,
        signal: opts.signal,
        headersTimeout: readTimeoutMs,
        bodyTimeout: readTimeoutMs,
      });
      const received = await this.#readBody(res);
      // undici frees a keep-alive socket one event-loop turn after the response (client-h1.js,
      // onMessageComplete: setImmediate(resume)); wait for it, or the next post opens a new socket.
      await yieldToLoop();
      this.#log(
        `POST ${url.href} -> ${res.statusCode} (${body.length} B sent, ${received.length} B received, ${elapsed(started)})`,
      );
      return { status: res.statusCode, headers: res.headers, body: received };
    } catch (err) {
      const error = this.#classify(err, opts);
      this.#log(`POST ${url.href} failed after ${elapsed(started)}: ${error.code} ${error.message}`);
      throw error;
    }
  }

  /** Reads the body, stopping (and dropping the socket) once it passes the size cap. */
  async #readBody(res: Dispatcher.ResponseData): Promise<Buffer> {
    const limit = this.#maxResponseBytes;
    const declared = Number(res.headers['content-length']);
    if (declared > limit) {
      res.body.destroy();
      throw new ResponseTooLargeError(limit, { host: this.endpoint.label });
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        res.body.destroy();
        throw new ResponseTooLargeError(limit, { host: this.endpoint.label });
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  /** Turns a non-401 response into the envelope or the error it stands for. */
  #interpret(res: RawResponse): string {
    const host = this.endpoint.label;
    const contentType = headerValue(res.headers['content-type']);
    const text = decodeBody(res.body, contentType);
    if (res.status === 200) return text;
    let cause: unknown;
    if ((res.status === 500 || res.status === 400) && text.trim() !== '') {
      let fault: WSManFault | null = null;
      try {
        fault = parseFault(text);
      } catch (err) {
        cause = err; // not a SOAP fault after all: report the status, keep why as the cause
      }
      if (fault) throw fault.withHost(host);
    }
    const reason = STATUS_CODES[res.status] ?? 'unknown status';
    const excerpt = this.#excerpt(text);
    const retryAfterMs = RETRY_STATUSES.has(res.status)
      ? parseRetryAfter(headerValue(res.headers['retry-after']))
      : undefined;
    throw new HttpStatusError(res.status, `HTTP ${res.status} ${reason}${excerpt ? `: ${excerpt}` : ''}`, {
      host, cause, retryAfterMs, hint: STATUS_HINTS[res.status],
    });
  }

  /** A short, single-line piece of a response body, with anything of ours that is secret removed. */
  #excerpt(text: string): string {
    let out = text.replace(/\s+/g, ' ').trim();
    const password = this.#credential?.revealPassword();
    if (password) out = out.split(password).join('***');
    if (this.#credential && password !== undefined) {
      const basic = Buffer.from(`${this.#credential.username}:${password}`, 'utf8').toString('base64');
      out = out.split(basic).join('***');
    }
    return out.length > EXCERPT_CHARS ? `${out.slice(0, EXCERPT_CHARS)}…` : out;
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

const STATUS_HINTS: Partial<Record<number, string>> = {
  404: 'no WinRM listener at this path; the default is /wsman',
  413: 'the request exceeds the server MaxEnvelopeSizekb',
  415: 'the server rejected the content type; is this a WinRM listener?',
};

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`invalid ${name} ${value}: expected a positive number`);
  return value;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)} ms`;
}
