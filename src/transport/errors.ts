/**
 * The transport's error family. Each names the host (the Endpoint label) in `host` and keeps the
 * undici or Node error it came from as `cause`; messages never carry request bodies or headers.
 */
import { TsrError, type TsrErrorOptions } from '../errors.js';
import { AuthError } from '../auth/errors.js';

/** Why a connection could not be made or was lost. */
export type ConnectReason = 'refused' | 'not-found' | 'unreachable' | 'reset' | 'closed' | 'other';

/** The server could not be reached, or dropped the connection before answering (ETSR_CONNECT). */
export class ConnectError extends TsrError {
  readonly reason: ConnectReason;
  constructor(reason: ConnectReason, message: string, options: TsrErrorOptions = {}) {
    super('ETSR_CONNECT', message, options);
    this.name = 'ConnectError';
    this.reason = reason;
  }
}

/** Connecting, or waiting for the response, took too long (ETSR_TIMEOUT). */
export class TimeoutError extends TsrError {
  readonly phase: 'connect' | 'read';
  readonly timeoutMs: number | undefined;
  constructor(phase: 'connect' | 'read', timeoutMs: number | undefined, options: TsrErrorOptions = {}) {
    const after = timeoutMs !== undefined ? ` after ${formatMs(timeoutMs)}` : '';
    super(
      'ETSR_TIMEOUT',
      phase === 'connect' ? `connect timeout${after}` : `read timeout: no response${after}`,
      {
        hint:
          phase === 'connect'
            ? 'check the host name, the port and that WinRM listens there (winrm enumerate winrm/config/listener)'
            : 'the server is slow or the operation outlives --read-timeout; raise it if this is expected',
        ...options,
      },
    );
    this.name = 'TimeoutError';
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The TLS handshake failed: the certificate is not trusted, expired, or for another name (ETSR_TLS). */
export class TlsError extends TsrError {
  constructor(message: string, options: TsrErrorOptions = {}) {
    super('ETSR_TLS', message, {
      hint: 'trust the issuing CA with --ca-file FILE.pem, or use --skip-cert-check if you accept the risk',
      ...options,
    });
    this.name = 'TlsError';
  }
}

/** The server answered with an HTTP status we cannot use (ETSR_HTTP_STATUS). */
export class HttpStatusError extends TsrError {
  readonly status: number;
  /** The server's Retry-After in milliseconds (429/503), when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, message: string, options: TsrErrorOptions & { retryAfterMs?: number } = {}) {
    super('ETSR_HTTP_STATUS', message, options);
    this.name = 'HttpStatusError';
    this.status = status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The caller aborted the request through its AbortSignal (ETSR_ABORTED). */
export class AbortedError extends TsrError {
  constructor(options: TsrErrorOptions = {}) {
    super('ETSR_ABORTED', 'request aborted', options);
    this.name = 'AbortedError';
  }
}

/** The response body exceeded the size cap; reading stopped (ETSR_RESPONSE_TOO_LARGE). */
export class ResponseTooLargeError extends TsrError {
  readonly limit: number;
  constructor(limit: number, options: TsrErrorOptions = {}) {
    super('ETSR_RESPONSE_TOO_LARGE', `response larger than ${limit} bytes; stopped reading`, {
      hint: 'WS-Management envelopes are bounded by MaxEnvelopeSize; is this really a WinRM listener?',
      ...options,
    });
    this.name = 'ResponseTooLargeError';
    this.limit = limit;
  }
}

/**
 * A 200 whose Content-Type is not XML: something else answered (ETSR_WSMAN_PROTOCOL), typically a
 * proxy's or captive portal's HTML page. The request may or may not have reached the server.
 */
export class ContentTypeError extends TsrError {
  readonly contentType: string;
  constructor(contentType: string, options: TsrErrorOptions = {}) {
    super('ETSR_WSMAN_PROTOCOL', `answered with ${contentType}, not SOAP — a proxy?`, {
      hint: 'check for an HTTP proxy or load balancer between you and the WinRM listener (HTTPS avoids most)',
      ...options,
    });
    this.name = 'ContentTypeError';
    this.contentType = contentType;
  }
}

/**
 * A response on a sealed connection (NTLM over HTTP) that could not be opened: unsealed, cut short,
 * badly framed, or failing its signature (ETSR_AUTH_INTEGRITY). It is never read. The request may
 * have run, and the connection's sealing state is lost with it (the RC4 stream is out of step), so
 * the transport throws the connection and its logon away; the response counts as lost
 * (`isResponseLost`), and only a retransmission on a fresh logon may carry the result.
 */
export class SealedResponseError extends AuthError {
  constructor(message: string, options: TsrErrorOptions = {}) {
    super('ETSR_AUTH_INTEGRITY', message, options);
    this.name = 'SealedResponseError';
  }
}

/** A request that would put secrets on the wire unencrypted (ETSR_INSECURE). */
export class InsecureError extends TsrError {
  constructor(message: string, options: TsrErrorOptions = {}) {
    super('ETSR_INSECURE', message, {
      hint: 'use --https, or --allow-unencrypted if you accept the risk',
      ...options,
    });
    this.name = 'InsecureError';
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
