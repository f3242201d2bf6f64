/**
 * Broken and hostile input only ever produces a typed TsrError (XmlParseError, WSManProtocolError,
 * WSManFault) — never another exception (DESIGN: any other exception escaping a layer is a bug).
 */
import fc from 'fast-check';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeFixtures, listFiles } from '../helpers/fixtures.js';
import { IRONPOSH, pypsrp } from './corpus.js';
import { TsrError } from '../../src/errors.js';
import {
  XmlParseError,
  WSManProtocolError,
  parseRequest,
  parseResponse,
  readReceiveResponse,
  readShellCreated,
} from '../../src/wsman/index.js';

/** The error code a call raises, or 'ok'; fails the test on a non-TsrError. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof TsrError)) throw new Error(`non-TsrError escaped: ${String(err)}`, { cause: err });
    return `${err.name}:${err.code}`;
  }
}

describeFixtures('ironposh malformed envelopes', (dir) => {
  const files = listFiles(path.join(dir, IRONPOSH, 'malformed'), /\.xml$/);

  it('each gives the expected typed error from parseResponse + readReceiveResponse', () => {
    const got = Object.fromEntries(
      files.map((f) => [path.basename(f), codeOf(() => readReceiveResponse(parseResponse(readFileSync(f, 'utf8'))))]),
    );
    expect(got).toEqual({
      // Body present but empty: the reader, not the parser, refuses it.
      'empty_body.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
      // Unknown extra elements are ignored, as SOAP allows.
      'extra_unknown_elements.xml': 'ok',
      'invalid_xml_syntax.xml': 'XmlParseError:ETSR_XML_MALFORMED',
      'missing_body.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
      'missing_envelope.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
      'not_xml_at_all.xml': 'XmlParseError:ETSR_XML_MALFORMED',
      'truncated_mid_tag.xml': 'XmlParseError:ETSR_XML_MALFORMED',
      'wrong_namespace.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
    });
  });

  it('parseRequest: the frame errors are the same; an empty Body is a reader matter', () => {
    const got = Object.fromEntries(files.map((f) => [path.basename(f), codeOf(() => parseRequest(readFileSync(f, 'utf8')))]));
    expect(got).toEqual({
      'empty_body.xml': 'ok',
      'extra_unknown_elements.xml': 'ok',
      'invalid_xml_syntax.xml': 'XmlParseError:ETSR_XML_MALFORMED',
      'missing_body.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
      'missing_envelope.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
      'not_xml_at_all.xml': 'XmlParseError:ETSR_XML_MALFORMED',
      'truncated_mid_tag.xml': 'XmlParseError:ETSR_XML_MALFORMED',
      'wrong_namespace.xml': 'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
    });
  });
});

describe('hostile input', () => {
  it('entity bombs and external entities are refused before any expansion', () => {
    const bomb =
      '<!DOCTYPE s:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&c;</s:Body></s:Envelope>';
    expect(codeOf(() => parseResponse(bomb))).toBe('XmlParseError:ETSR_XML_MALFORMED');
    expect(codeOf(() => parseRequest(bomb))).toBe('XmlParseError:ETSR_XML_MALFORMED');
  });

  it('over-size and over-deep envelopes give ETSR_XML_LIMIT', () => {
    const env = (inner: string): string => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${inner}</s:Body></s:Envelope>`;
    expect(codeOf(() => parseResponse(env('x'.repeat(10_000)), { maxBytes: 8_000 }))).toBe('XmlParseError:ETSR_XML_LIMIT');
    expect(codeOf(() => parseResponse(env('<a>'.repeat(100) + '</a>'.repeat(100))))).toBe('XmlParseError:ETSR_XML_LIMIT');
    expect(codeOf(() => parseRequest(env('<a/>'.repeat(50)), { maxElements: 20 }))).toBe('XmlParseError:ETSR_XML_LIMIT');
  });

  it('bad base64, bad ExitCode and ShellId-less CreateResponses are protocol errors', () => {
    const rr = (inner: string): string =>
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body><rsp:ReceiveResponse>${inner}</rsp:ReceiveResponse></s:Body></s:Envelope>`;
    expect(codeOf(() => readReceiveResponse(parseResponse(rr('<rsp:Stream Name="stdout">@@@@</rsp:Stream>'))))).toBe('WSManProtocolError:ETSR_WSMAN_PROTOCOL');
    expect(codeOf(() => readReceiveResponse(parseResponse(rr('<rsp:Stream Name="stdout">abc</rsp:Stream>'))))).toBe('WSManProtocolError:ETSR_WSMAN_PROTOCOL');
    expect(codeOf(() => readReceiveResponse(parseResponse(rr('<rsp:CommandState State="x"><rsp:ExitCode>zero</rsp:ExitCode></rsp:CommandState>'))))).toBe(
      'WSManProtocolError:ETSR_WSMAN_PROTOCOL',
    );
    const created = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x:ResourceCreated xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"/></s:Body></s:Envelope>';
    expect(codeOf(() => readShellCreated(parseResponse(created)))).toBe('WSManProtocolError:ETSR_WSMAN_PROTOCOL');
    expect(new WSManProtocolError('x')).toBeInstanceOf(TsrError);
    expect(new XmlParseError('ETSR_XML_LIMIT', 'x').code).toBe('ETSR_XML_LIMIT');
  });
});

describeFixtures('fuzzing recorded envelopes', (dir) => {
  const samples = [
    ...pypsrp(dir, 'test_winrs_standard.yml').flatMap((m) => [m.request, m.response]),
    pypsrp(dir, 'test_winrs_bad_cmd_id.yml').find((m) => m.response.includes('InvalidSelectors'))!.response,
  ];

  it('truncations, byte flips and splices only ever raise TsrErrors (property)', () => {
    expect.assertions(1);
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', '<', '>', '&', '"', "'", '</s:Body>', '<!DOCTYPE x>', '&#0;', '&#x110000;', 'xmlns:s="urn:x"', '\u0000'),
        (xml, cut, at, junk) => {
          const i = cut % (xml.length + 1);
          const j = at % (xml.length + 1);
          for (const text of [xml.slice(0, i), xml.slice(0, j) + junk + xml.slice(j), xml.slice(0, j) + xml.slice(i)]) {
            codeOf(() => readReceiveResponse(parseResponse(text)));
            codeOf(() => parseRequest(text));
          }
          return true;
        },
      ),
      { numRuns: 400 },
    );
    expect(true).toBe(true);
  });
});
