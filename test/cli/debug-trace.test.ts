/** `--debug` output of an HTTP exchange: readable, and never a credential. */
import { describe, expect, it } from 'vitest';
import { formatTrace, prettyXml, redactHeader, type TraceEvent } from '../../src/cli/debug-trace.js';

describe('redactHeader', () => {
  it.each([
    ['Authorization', 'Negotiate TlRMTVNTUAABAAAAB4IIog==', 'Negotiate [redacted]'],
    ['authorization', 'Basic dXNlcjpwYXNzd29yZA==', 'Basic [redacted]'],
    ['authorization', 'Negotiate <redacted, 40 bytes>', 'Negotiate <redacted, 40 bytes>'],
    ['www-authenticate', 'Negotiate, Basic realm="WSMAN"', 'Negotiate, Basic [redacted]'],
    ['WWW-Authenticate', 'Negotiate TlRMTVNTUAACAAAA, Basic realm="x"', 'Negotiate [redacted], Basic [redacted]'],
    ['proxy-authorization', 'Basic Zm9vOmJhcg==', 'Basic [redacted]'],
    ['authorization', '=base64only', '[redacted]'],
    ['cookie', 'session=abc', '[redacted]'],
    ['content-type', 'application/soap+xml;charset=UTF-8', 'application/soap+xml;charset=UTF-8'],
  ])('%s: %s -> %s', (name, value, shown) => {
    expect(redactHeader(name, value)).toBe(shown);
  });
});

describe('prettyXml', () => {
  it('puts one element per line, text-only elements on one line', () => {
    expect(prettyXml('<?xml version="1.0"?><s:Envelope a="1"><s:Header><x>1</x><y/><z></z></s:Header><s:Body>t</s:Body></s:Envelope>')).toBe(
      [
        '<?xml version="1.0"?>',
        '<s:Envelope a="1">',
        '  <s:Header>',
        '    <x>1</x>',
        '    <y/>',
        '    <z></z>',
        '  </s:Header>',
        '  <s:Body>t</s:Body>',
        '</s:Envelope>',
      ].join('\n'),
    );
  });
});

describe('formatTrace', () => {
  const request: TraceEvent = {
    type: 'request',
    method: 'POST',
    host: 'web1',
    connection: 0,
    url: 'http://web1:5985/wsman',
    headers: { authorization: 'Basic dXNlcjpodW50ZXIy', 'content-type': 'application/soap+xml;charset=UTF-8' },
    body: '<s:Envelope><s:Body>hunter2 dXNlcjpodW50ZXIy</s:Body></s:Envelope>',
    sealed: false,
    bytes: 66,
  };

  it('shows the request line, redacted headers and the indented body; blanks the given secrets', () => {
    expect(formatTrace(request, ['hunter2', 'dXNlcjpodW50ZXIy'])).toEqual([
      '[web1] > POST http://web1:5985/wsman (connection 0, 66 bytes)',
      '[web1] > authorization: Basic [redacted]',
      '[web1] > content-type: application/soap+xml;charset=UTF-8',
      '[web1] >',
      '[web1] > <s:Envelope>',
      '[web1] >   <s:Body>*** ***</s:Body>',
      '[web1] > </s:Envelope>',
    ]);
  });

  it('shows a sealed response with its status, timing and the unsealed body', () => {
    const response: TraceEvent = {
      type: 'response',
      status: 401,
      durationMs: 12,
      host: 'web1',
      connection: 1,
      url: 'http://web1:5985/wsman',
      headers: { 'www-authenticate': 'Negotiate TlRMTVNTUAACAAAADAAMADgAAAA=' },
      body: '<a>b</a>',
      sealed: true,
      bytes: 300,
    };
    expect(formatTrace(response)).toEqual([
      '[web1] < 401 Unauthorized (connection 1, 300 bytes sealed, 12 ms)',
      '[web1] < www-authenticate: Negotiate [redacted]',
      '[web1] <',
      '[web1] < (sealed on the wire; shown unsealed)',
      '[web1] < <a>b</a>',
    ]);
  });

  it('cuts bodies longer than 64 KiB', () => {
    const lines = formatTrace({ ...request, body: 'x'.repeat(70_000) });
    expect(lines.at(-1)).toBe(`[web1] > [… ${70_000 - 65_536} more characters]`);
    expect(lines.at(-2)).toBe(`[web1] > ${'x'.repeat(65_536)}`);
  });
});
