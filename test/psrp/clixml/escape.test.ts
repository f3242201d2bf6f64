import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeString, deserialize, encodeString, PSObject, serialize } from '../../../src/psrp/clixml/index.js';

// MS-PSRP §2.2.5.3.2 and what PowerShell actually writes.
const CASES: [string, string][] = [
  ['line\r\nbreak', 'line_x000D__x000A_break'],
  ['_x000A_', '_x005F_x000A_'],
  ['_X000a_', '_x005F_X000a_'],
  ['_x12345678_', '_x005F_x12345678_'],
  ['\u{10437}', '_xD801__xDC37_'],
  ['lone \ud801 high', 'lone _xD801_ high'],
  ['lone \udc37 low', 'lone _xDC37_ low'],
  ['\u0000\u0007\t\u001f\u007f\u0085\u009f', '_x0000__x0007__x0009__x001F__x007F__x0085__x009F_'],
  ['\ufffe\uffff', '_xFFFE__xFFFF_'],
  ['こんにちは', 'こんにちは'],
  ['Order_Details _x _x00 _x0041', 'Order_Details _x _x00 _x0041'],
  ['<&>"\'', '<&>"\''],
];

describe('string escaping (MS-PSRP 2.2.5.3.2)', () => {
  it.each(CASES)('encodes %j as %j and back', (plain, encoded) => {
    expect(encodeString(plain)).toBe(encoded);
    expect(decodeString(encoded)).toBe(plain);
  });

  it('decodes lower-case hex and leaves malformed escapes alone', () => {
    expect(decodeString('_x000d__x000a_')).toBe('\r\n');
    expect(decodeString('_x00G1_ _x41_ __')).toBe('_x00G1_ _x41_ __');
  });

  it('reads the round-tripped string of test_psrp_multiple_commands.yml', () => {
    const xml = '<S>こんにちは - actual_x005F_x000A_string_x000A_newline: _xD801__xDC37_</S>';
    const value = deserialize(xml);
    expect(value).toBe('こんにちは - actual_x000A_string\nnewline: \u{10437}');
    expect(serialize(value)).toBe(xml);
  });

  it('escapes property names, type names and ToString the same way', () => {
    const obj = new PSObject({
      typeNames: ['My_x0041_Type'], toStringText: 'to\r\nstring', adapted: [['na\tme', 1]], extended: [['_x0041_', 'x']],
    });
    const xml = serialize(obj);
    expect(xml).toBe('<Obj RefId="0"><TN RefId="0"><T>My_x005F_x0041_Type</T></TN><ToString>to_x000D__x000A_string</ToString>'
      + '<Props><I32 N="na_x0009_me">1</I32></Props><MS><S N="_x005F_x0041_">x</S></MS></Obj>');
    expect(deserialize(xml)).toEqual(obj);
  });

  it('keeps whitespace-only and padded strings exactly', () => {
    for (const s of [' ', '\n', '  x  ', '\t\r\n', '']) expect(deserialize(serialize(s))).toBe(s);
    expect(deserialize('<S>\n            </S>')).toBe('\n            ');
  });

  it('survives any string, lone surrogates and escape look-alikes included (property)', () => {
    const tricky = fc.constantFrom('_x', '_X', '_x0041_', '_x005F_', '_xD800_', '\ud800', '\udfff', '\r\n', '\u0000', '<', '&', ']]>', '\ufffe');
    const str = fc.array(fc.oneof(fc.string({ unit: 'binary' }), tricky), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(fc.property(str, (s) => {
      expect(decodeString(encodeString(s))).toBe(s);
      expect(deserialize(serialize(s))).toBe(s);
      const named = new PSObject({ extended: [[s, s]] });
      expect(deserialize(serialize(named))).toEqual(named);
    }), { numRuns: 500 });
  });
});
