/**
 * What the HTTP/1.1 client raises, identified by `code` as Node's socket errors are, so that
 * classify.ts turns both into the transport's typed errors (which name the host) in one place.
 */

export type HttpClientCode =
  | 'ETSR_HTTP_CONNECT_TIMEOUT'
  | 'ETSR_HTTP_READ_TIMEOUT'
  /** The server closed the connection before its response was complete. */
  | 'ETSR_HTTP_CLOSED'
  /** We closed it: the connection was discarded or the transport closed. */
  | 'ETSR_HTTP_DESTROYED'
  | 'ETSR_HTTP_PROTOCOL'
  | 'ETSR_HTTP_TOO_LARGE';

export class HttpClientError extends Error {
  readonly code: HttpClientCode;
  constructor(code: HttpClientCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpClientError';
    this.code = code;
  }
}

/** The server's bytes are not an HTTP/1.1 response we may read. */
export class HttpProtocolError extends HttpClientError {
  constructor(message: string) {
    super('ETSR_HTTP_PROTOCOL', message);
    this.name = 'HttpProtocolError';
  }
}

/** The response body is larger than the caller's cap (declared or counted). */
export class HttpTooLargeError extends HttpClientError {
  constructor(message: string) {
    super('ETSR_HTTP_TOO_LARGE', message);
    this.name = 'HttpTooLargeError';
  }
}
