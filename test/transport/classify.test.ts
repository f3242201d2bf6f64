import { describe, expect, it } from 'vitest';
import { TsrError } from '../../src/errors.js';
import { classifyError, type ClassifyContext } from '../../src/transport/classify.js';

const ctx: ClassifyContext = {
  host: 'web1', address: 'web1:5986', connectTimeoutMs: 30_000, readTimeoutMs: 90_000, maxResponseBytes: 1024,
};

function coded(code: string, name = 'Error'): Error {
  const err = Object.assign(new Error(`${code} happened`), { code });
  err.name = name;
  return err;
}

describe('classifyError', () => {
  const table: [string, string, string, string][] = [
    ['ECONNREFUSED', 'ConnectError', 'ETSR_CONNECT', 'connection refused (web1:5986)'],
    ['ENOTFOUND', 'ConnectError', 'ETSR_CONNECT', 'host not found (web1:5986)'],
    ['EAI_AGAIN', 'ConnectError', 'ETSR_CONNECT', 'host not found (DNS lookup failed; try again) (web1:5986)'],
    ['ECONNRESET', 'ConnectError', 'ETSR_CONNECT', 'connection reset (web1:5986)'],
    ['EHOSTUNREACH', 'ConnectError', 'ETSR_CONNECT', 'host unreachable (web1:5986)'],
    ['ETSR_HTTP_CLOSED', 'ConnectError', 'ETSR_CONNECT', 'connection closed by the server before it answered (web1:5986)'],
    ['ETSR_HTTP_DESTROYED', 'ConnectError', 'ETSR_CONNECT', 'connection closed (web1:5986)'],
    ['ETSR_HTTP_CONNECT_TIMEOUT', 'TimeoutError', 'ETSR_TIMEOUT', 'connect timeout after 30 s'],
    ['ETSR_HTTP_READ_TIMEOUT', 'TimeoutError', 'ETSR_TIMEOUT', 'read timeout: no response after 90 s'],
    ['ABORT_ERR', 'AbortedError', 'ETSR_ABORTED', 'request aborted'],
    ['ETSR_HTTP_TOO_LARGE', 'ResponseTooLargeError', 'ETSR_RESPONSE_TOO_LARGE', 'response larger than 1024 bytes; stopped reading'],
    ['ETSR_HTTP_PROTOCOL', 'ConnectError', 'ETSR_CONNECT', 'malformed HTTP response from web1:5986: ETSR_HTTP_PROTOCOL happened'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TlsError', 'ETSR_TLS', 'TLS certificate of web1:5986 is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TlsError', 'ETSR_TLS', 'TLS certificate of web1:5986 is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'],
    ['CERT_HAS_EXPIRED', 'TlsError', 'ETSR_TLS', 'TLS certificate of web1:5986 is expired or not yet valid (CERT_HAS_EXPIRED)'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TlsError', 'ETSR_TLS', 'TLS certificate does not match the host name web1:5986 (ERR_TLS_CERT_ALTNAME_INVALID)'],
    ['CERT_REVOKED', 'TlsError', 'ETSR_TLS', 'TLS certificate of web1:5986 rejected (CERT_REVOKED)'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TlsError', 'ETSR_TLS', 'TLS handshake with web1:5986 failed (ERR_SSL_WRONG_VERSION_NUMBER)'],
    ['EWHATEVER', 'ConnectError', 'ETSR_CONNECT', 'request to web1:5986 failed (EWHATEVER)'],
  ];
  it.each(table)('%s -> %s', (code, name, tsrCode, message) => {
    const cause = coded(code);
    const err = classifyError(cause, ctx);
    expect([err.name, err.code, err.message, err.host, err.cause]).toEqual([name, tsrCode, message, 'web1', cause]);
  });

  it('finds the code under an AggregateError (happy eyeballs) and under cause', () => {
    const agg = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed');
    const wrapped = new TypeError('fetch failed', { cause: coded('ENOTFOUND') });
    expect([classifyError(agg, ctx).message, classifyError(wrapped, ctx).message]).toEqual([
      'connection refused (web1:5986)', 'host not found (web1:5986)',
    ]);
  });

  it('maps a DOMException AbortError to ETSR_ABORTED', () => {
    const err = classifyError(new DOMException('This operation was aborted', 'AbortError'), ctx);
    expect(err.code).toBe('ETSR_ABORTED');
  });

  it('passes TsrErrors through, filling in the host', () => {
    const inner = new TsrError('ETSR_WSMAN_FAULT', 'fault');
    expect(classifyError(inner, ctx)).toBe(inner);
    expect(inner.host).toBe('web1');
  });

  it('wraps non-errors without throwing', () => {
    expect(classifyError('boom', ctx).message).toBe('request to web1:5986 failed (string)');
  });
});
