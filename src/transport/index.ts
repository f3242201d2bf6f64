/**
 * tsremote transport — WS-Management over HTTP(S) on our own HTTP/1.1 client: endpoints, TLS policy, connection-
 * bound auth handshakes, MS-WSMV message encryption, timeouts, retries of idempotent operations,
 * tracing, and the typed errors of all of that.
 */
export {
  type Endpoint, type HostSpecDefaults, parseHostSpec, DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, DEFAULT_PATH,
} from './endpoint.js';
export {
  type TransportOptions, type PostOptions, WSManTransport,
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_OPERATION_TIMEOUT_SEC, READ_TIMEOUT_MARGIN_MS, DEFAULT_MAX_RESPONSE_BYTES,
  SOAP_CONTENT_TYPE, longPollMarginMs, longPollReadTimeoutMs,
} from './wsman-transport.js';
export { isResponseLost, neverSent } from './classify.js';
export {
  type ConnectReason, ConnectError, TimeoutError, TlsError, HttpStatusError, AbortedError, ResponseTooLargeError,
  InsecureError, ContentTypeError, SealedResponseError,
} from './errors.js';
export { type RetryPolicy, DEFAULT_RETRY, sleep } from './retry.js';
export { type TraceEvent, type TraceRequest, type TraceResponse } from './trace.js';
export {
  type EncryptedParts, type SessionSecurity, ENCRYPTED_CONTENT_TYPE, SPNEGO_ENCRYPTED_PROTOCOL, isEncryptedContentType, encodeEncryptedBody,
  decodeEncryptedBody, sealBody, openBody,
} from './encrypted-body.js';
export { decodeBody, charsetOf } from './charset.js';
export { USER_AGENT, VERSION } from './version.js';
