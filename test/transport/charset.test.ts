import { describe, expect, it } from 'vitest';
import { charsetOf, decodeBody } from '../../src/transport/index.js';

const TEXT = '<s:Envelope>こんにちは Grüße 𐐷</s:Envelope>';
const le = Buffer.from(TEXT, 'utf16le');
const be = Buffer.from(TEXT, 'utf16le').swap16();

describe('decodeBody', () => {
  const cases: [string, Buffer, string | undefined][] = [
    ['UTF-8 by default', Buffer.from(TEXT, 'utf8'), undefined],
    ['UTF-8 declared', Buffer.from(TEXT, 'utf8'), 'application/soap+xml;charset=UTF-8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), 'application/soap+xml'],
    ['utf-16 with LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'application/soap+xml;charset=utf-16'],
    ['utf-16 with BE BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'application/soap+xml;charset=utf-16'],
    ['utf-16 without BOM is LE (Windows)', le, 'application/soap+xml; charset=UTF-16'],
    ['utf-16le declared', le, 'application/soap+xml;charset=utf-16le'],
    ['utf-16be declared, quoted', be, 'application/soap+xml; charset="UTF-16BE"'],
    ['BOM wins over a wrong header', Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'application/soap+xml;charset=utf-8'],
  ];
  it.each(cases)('%s', (_name, body, contentType) => {
    expect(decodeBody(body, contentType)).toBe(TEXT);
  });

  it('decodes other labels TextDecoder knows and falls back to UTF-8 for unknown ones', () => {
    expect(decodeBody(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]), 'text/xml; charset=iso-8859-1')).toBe('Grüße');
    expect(decodeBody(Buffer.from('Grüße'), 'text/xml; charset=x-made-up')).toBe('Grüße');
  });

  it('reads the charset parameter', () => {
    expect([
      charsetOf('application/soap+xml;charset=UTF-8'),
      charsetOf('application/soap+xml; action="x"; charset="utf-16"'),
      charsetOf('application/soap+xml'),
      charsetOf(undefined),
    ]).toEqual(['utf-8', 'utf-16', undefined, undefined]);
  });
});
