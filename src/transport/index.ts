/**
 * tsremote transport — WS-Management over HTTP(S) with undici: endpoints, TLS policy, auth
 * handshakes, timeouts, retries of idempotent operations, and the typed errors of all of that.
 */
export {
  type Endpoint, type HostSpecDefaults, parseHostSpec, DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, DEFAULT_PATH,
} from './endpoint.js';
export {
  type TransportOptions, type PostOptions, WSManTransport,
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_OPERATION_TIMEOUT_SEC, READ_TIMEOUT_MARGIN_MS, DEFAULT_MAX_RESPONSE_BYTES,
  SOAP_CONTENT_TYPE,
} from './wsman-transport.js';
export {
  type ConnectReason, ConnectError, TimeoutError, TlsError, HttpStatusError, AbortedError, ResponseTooLargeError,
  InsecureError,
} from './errors.js';
export { type RetryPolicy, DEFAULT_RETRY } from './retry.js';
export { decodeBody, charsetOf } from './charset.js';
export { USER_AGENT, VERSION } from './version.js';
