/**
 * Maps what our HTTP/1.1 client and Node throw (socket, DNS, TLS, timeout and HTTP errors,
 * identified by `code`) onto the transport's typed errors. The client passes socket errors through
 * unchanged; Node's happy-eyeballs
 * connect may wrap them in an AggregateError, and some wrappers hide them under `cause`, so the
 * first recognised code along that chain wins.
 */
import { TsrError } from '../errors.js';
import {
  AbortedError, ConnectError, ContentTypeError, ResponseTooLargeError, SealedResponseError, TimeoutError, TlsError, type ConnectReason,
} from './errors.js';

export interface ClassifyContext {
  /** Endpoint label. */
  host: string;
  /** `host:port` of the URL, for messages. */
  address: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxResponseBytes: number;
}

const CONNECT: Record<string, [ConnectReason, string]> = {
  ECONNREFUSED: ['refused', 'connection refused'],
  ENOTFOUND: ['not-found', 'host not found'],
  EAI_NONAME: ['not-found', 'host not found'],
  EAI_FAIL: ['not-found', 'host not found'],
  EAI_NODATA: ['not-found', 'host not found'],
  EAI_AGAIN: ['not-found', 'host not found (DNS lookup failed; try again)'],
  EHOSTUNREACH: ['unreachable', 'host unreachable'],
  ENETUNREACH: ['unreachable', 'network unreachable'],
  EHOSTDOWN: ['unreachable', 'host is down'],
  EADDRNOTAVAIL: ['unreachable', 'address not available'],
  ECONNRESET: ['reset', 'connection reset'],
  EPIPE: ['reset', 'connection reset'],
  ECONNABORTED: ['reset', 'connection reset'],
  ETSR_HTTP_CLOSED: ['closed', 'connection closed by the server before it answered'],
  ETSR_HTTP_DESTROYED: ['closed', 'connection closed'],
};

const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG',
]);
const TLS_EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const TLS_NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);

/** The first error `code` along the cause/AggregateError chain, with the name and message of the error that carries it. */
export function findCode(err: unknown): { code: string | undefined; name: string | undefined; message?: string } {
  const seen = new Set<unknown>();
  let current: unknown = err;
  let name: string | undefined;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    name ??= current.name;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return { code, name: current.name, message: current.message };
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else current = current.cause;
  }
  return { code: undefined, name };
}

/** Turns a thrown value into a TsrError about `ctx.host`; TsrErrors pass through with the host filled in. */
export function classifyError(err: unknown, ctx: ClassifyContext): TsrError {
  if (err instanceof TsrError) return err.withHost(ctx.host);
  const { code, name, message } = findCode(err);
  const opts = { host: ctx.host, cause: err };
  if (code === undefined) {
    if (name === 'AbortError') return new AbortedError(opts);
    return new ConnectError('other', `request to ${ctx.address} failed (${name ?? typeof err})`, opts);
  }
  const connect = CONNECT[code];
  // The line already starts with the host's label; name the address only when it adds something.
  const where = ctx.address === ctx.host ? '' : ` (${ctx.address})`;
  if (connect) return new ConnectError(connect[0], `${connect[1]}${where}`, opts);
  if (code === 'ETSR_HTTP_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return new TimeoutError('connect', ctx.connectTimeoutMs, opts);
  if (code === 'ETSR_HTTP_READ_TIMEOUT') return new TimeoutError('read', ctx.readTimeoutMs, opts);
  if (code === 'ABORT_ERR' || code === 'ERR_ABORTED') return new AbortedError(opts);
  if (code === 'ETSR_HTTP_TOO_LARGE') return new ResponseTooLargeError(ctx.maxResponseBytes, opts);
  if (code === 'ETSR_HTTP_PROTOCOL') return new ConnectError('other', `malformed HTTP response from ${ctx.address}: ${message}`, opts);
  if (code.startsWith('ERR_SSL_')) {
    return new TlsError(`TLS handshake with ${ctx.address} failed (${code})`, {
      ...opts,
      hint: 'check the port: WinRM listens for HTTPS on 5986 and plain HTTP on 5985',
    });
  }
  const tls = tlsMessage(code, ctx.address);
  if (tls) return new TlsError(tls, opts);
  return new ConnectError('other', `request to ${ctx.address} failed (${code})`, opts);
}

function tlsMessage(code: string, address: string): string | undefined {
  if (TLS_UNTRUSTED.has(code)) return `TLS certificate of ${address} is not trusted (${code})`;
  if (TLS_EXPIRED.has(code)) return `TLS certificate of ${address} is expired or not yet valid (${code})`;
  if (TLS_NAME.has(code)) return `TLS certificate does not match the host name ${address} (${code})`;
  if (code.startsWith('CERT_') || code.startsWith('ERR_TLS_')) return `TLS certificate of ${address} rejected (${code})`;
  return undefined;
}

/**
 * Codes that prove no byte of the request reached the server: the TCP connection was never made
 * (refused, connect timeout) or the name did not resolve this time (EAI_AGAIN). Resending is safe
 * for every operation. A reused keep-alive socket closed before the answer (ETSR_HTTP_CLOSED) is
 * not here: nothing tells us whether the server read the request before it closed.
 */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ETSR_HTTP_CONNECT_TIMEOUT', 'EAI_AGAIN']);

/** True when `err` (a classified transport error) says the request never left this machine. */
export function neverSent(err: TsrError): boolean {
  if (err instanceof TimeoutError) return err.phase === 'connect';
  if (!(err instanceof ConnectError)) return false;
  const { code } = findCode(err.cause);
  return code !== undefined && NEVER_SENT.has(code);
}

/**
 * True when the request may have run but its response did not arrive intact: the connection was
 * reset or closed, the read timed out, the body was not well-formed XML (cut short or garbled), or
 * something other than SOAP answered, or a sealed connection got a response it could not open
 * (SealedResponseError: the transport already dropped that connection's logon). Only such a response can be recovered by a retransmission
 * (wsman/robust.ts); a fault, an auth failure or an oversized body cannot.
 */
export function isResponseLost(err: unknown): boolean {
  if (!(err instanceof TsrError) || neverSent(err)) return false;
  if (err instanceof ConnectError) return err.reason === 'reset' || err.reason === 'closed';
  if (err instanceof TimeoutError) return err.phase === 'read';
  if (err instanceof ContentTypeError || err instanceof SealedResponseError) return true;
  return err.code === 'ETSR_XML_MALFORMED';
}
