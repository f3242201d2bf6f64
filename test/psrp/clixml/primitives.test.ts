import { describe, expect, it } from 'vitest';
import { deserialize, PSObject, ps, serialize, timeSpanFromMs, type PSValue } from '../../../src/psrp/clixml/index.js';

const date = (iso: string): Date => new Date(iso);

// XML → value → the same XML, byte for byte (MS-PSRP §2.2.5.1).
const ROWS: [string, PSValue][] = [
  ['<Nil />', null],
  ['<S>hello</S>', 'hello'],
  ['<S />', ''],
  ['<S>  two spaces  </S>', '  two spaces  '],
  ['<S>a_x000D__x000A_b</S>', 'a\r\nb'],
  ['<S>&lt;tag&gt; &amp; more</S>', '<tag> & more'],
  ['<B>true</B>', true],
  ['<B>false</B>', false],
  ['<I32>-2147483648</I32>', -2147483648],
  ['<I32>2147483647</I32>', 2147483647],
  ['<By>255</By>', ps.num('By', 255)],
  ['<SB>-128</SB>', ps.num('SB', -128)],
  ['<I16>-32768</I16>', ps.num('I16', -32768)],
  ['<U16>65535</U16>', ps.num('U16', 65535)],
  ['<U32>4294967295</U32>', ps.num('U32', 4294967295)],
  ['<C>97</C>', ps.num('C', 97)],
  ['<I64>-9223372036854775808</I64>', ps.i64(-9223372036854775808n)],
  ['<U64>18446744073709551615</U64>', ps.u64(18446744073709551615n)],
  ['<Db>1.5</Db>', ps.double(1.5)],
  ['<Db>1</Db>', ps.double(1)],
  ['<Db>-0</Db>', ps.double(-0)],
  ['<Db>1E+15</Db>', ps.double(1e15)],
  ['<Db>123456789012345</Db>', ps.double(123456789012345)],
  ['<Db>1.7976931348623157E+308</Db>', ps.double(Number.MAX_VALUE)],
  ['<Db>0.0001</Db>', ps.double(0.0001)],
  ['<Db>1E-05</Db>', ps.double(0.00001)],
  ['<Db>5E-324</Db>', ps.double(5e-324)],
  ['<Db>INF</Db>', ps.double(Infinity)],
  ['<Db>-INF</Db>', ps.double(-Infinity)],
  ['<Db>NaN</Db>', ps.double(Number.NaN)],
  ['<Sg>1.1</Sg>', ps.num('Sg', Math.fround(1.1))],
  ['<Sg>3.4028235E+38</Sg>', ps.num('Sg', Math.fround(3.4028235e38))],
  ['<Sg>1E+07</Sg>', ps.num('Sg', 1e7)],
  ['<D>79228162514264337593543950335</D>', ps.text('D', '79228162514264337593543950335')],
  ['<D>-1.50</D>', ps.text('D', '-1.50')],
  ['<G>792e5b37-4505-47ef-b7d2-8711bb7affa8</G>', ps.guid('792e5b37-4505-47ef-b7d2-8711bb7affa8')],
  ['<Version>5.1.17763.1971</Version>', ps.version('5.1.17763.1971')],
  ['<URI>http://example.com/a%20b?x=1&amp;y=2</URI>', ps.text('URI', 'http://example.com/a%20b?x=1&y=2')],
  ['<XD>&lt;a&gt;x&lt;/a&gt;</XD>', ps.text('XD', '<a>x</a>')],
  ['<SBK>Get-Item_x000A_$x</SBK>', ps.text('SBK', 'Get-Item\n$x')],
  ['<SS>rTm4n3bxaFOIgdjhDDV5OA==</SS>', ps.text('SS', 'rTm4n3bxaFOIgdjhDDV5OA==')],
  ['<BA>AAEC/w==</BA>', ps.bytes(new Uint8Array([0, 1, 2, 255]))],
  ['<BA />', ps.bytes(new Uint8Array([]))],
  ['<DT>2018-06-13T23:46:27.9270288+00:00</DT>',
    { kind: 'DT', value: '2018-06-13T23:46:27.9270288+00:00', date: date('2018-06-13T23:46:27.927Z') }],
  ['<DT>2008-04-11T10:42:32.2731993-07:00</DT>',
    { kind: 'DT', value: '2008-04-11T10:42:32.2731993-07:00', date: date('2008-04-11T17:42:32.273Z') }],
  ['<DT>2020-01-02T03:04:05Z</DT>', { kind: 'DT', value: '2020-01-02T03:04:05Z', date: date('2020-01-02T03:04:05Z') }],
  ['<TS>PT9.0269026S</TS>', { kind: 'TS', value: 'PT9.0269026S', ms: 9026.9026 }],
  ['<TS>-P1DT2H3M4S</TS>', { kind: 'TS', value: '-P1DT2H3M4S', ms: -93_784_000 }],
  ['<TS>PT0S</TS>', { kind: 'TS', value: 'PT0S', ms: 0 }],
  ['<PR><AV>Copying</AV><AI>1</AI><Nil /><PI>-1</PI><PC>50</PC><T>Processing</T><SR>-1</SR><SD>half way</SD></PR>', {
    kind: 'PR', activity: 'Copying', activityId: 1, currentOperation: null, parentActivityId: -1, percentComplete: 50,
    recordType: 'Processing', secondsRemaining: -1, statusDescription: 'half way',
  }],
  ['<PR><AV>a</AV><AI>0</AI><S>op_x000A_</S><PI>2</PI><PC>-1</PC><T>Completed</T><SR>30</SR><SD /></PR>', {
    kind: 'PR', activity: 'a', activityId: 0, currentOperation: 'op\n', parentActivityId: 2, percentComplete: -1,
    recordType: 'Completed', secondsRemaining: 30, statusDescription: '',
  }],
];

describe('every primitive kind round-trips XML → value → the same XML', () => {
  it.each(ROWS)('%s', (xml, value) => {
    expect(deserialize(xml)).toEqual(value);
    expect(serialize(value)).toBe(xml);
  });

  it('covers every primitive element MS-PSRP §2.2.5.1 defines', () => {
    const tags = new Set(ROWS.map(([xml]) => /^<(\w+)/.exec(xml)?.[1]));
    expect([...tags].sort()).toEqual(['B', 'BA', 'By', 'C', 'D', 'DT', 'Db', 'G', 'I16', 'I32', 'I64', 'Nil', 'PR', 'S', 'SB',
      'SBK', 'SS', 'Sg', 'TS', 'U16', 'U32', 'U64', 'URI', 'Version', 'XD'].sort());
  });
});

describe('plain JS values on the way out', () => {
  it('writes an integral number as I32 and any other number as Double', () => {
    expect(serialize(7)).toBe('<I32>7</I32>');
    expect(serialize(2 ** 31)).toBe('<Db>2147483648</Db>');
    expect(serialize(0.5)).toBe('<Db>0.5</Db>');
    expect(serialize(-0)).toBe('<Db>-0</Db>');
  });

  it('writes a TimeSpan from milliseconds the way .NET does', () => {
    expect(timeSpanFromMs(0).value).toBe('PT0S');
    expect(timeSpanFromMs(90_500).value).toBe('PT1M30.5S');
    expect(timeSpanFromMs(2 * 86_400_000 + 3 * 3_600_000).value).toBe('P2DT3H');
    expect(timeSpanFromMs(-1).value).toBe('-PT0.001S');
    expect(deserialize(serialize(timeSpanFromMs(123_456.7)))).toEqual({ kind: 'TS', value: 'PT2M3.4567S', ms: 123_456.7 });
  });

  it('writes a DateTime made from a JS Date in UTC', () => {
    const dt = ps.dateTime(new Date('2024-02-29T12:00:00.123Z'));
    expect(serialize(dt)).toBe('<DT>2024-02-29T12:00:00.123Z</DT>');
  });

  it('names properties with N and escapes them', () => {
    const obj = new PSObject({ extended: [['a b_x', 1], ['new\nline', 'v']] });
    expect(serialize(obj)).toBe('<Obj RefId="0"><MS><I32 N="a b_x">1</I32><S N="new_x000A_line">v</S></MS></Obj>');
  });

  it('accepts the XmlConvert spellings of booleans and surrounding whitespace in numbers', () => {
    expect(deserialize('<B>1</B>')).toBe(true);
    expect(deserialize('<B> false </B>')).toBe(false);
    expect(deserialize('<I32> 42\n</I32>')).toBe(42);
  });
});
