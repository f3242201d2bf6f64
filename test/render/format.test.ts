import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deserialize, PSObject, ps } from '../../src/psrp/clixml/index.js';
import { displayWidth, formatObjects } from '../../src/render/index.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { pypsrpPayloads } from '../psrp/clixml/extract.js';
import { customObject, dateTime, fileItem, processObject, winrmService } from './objects.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('generated views (PSCustomObject)', () => {
  it('shows up to 4 properties as one table: header, dashes as long as each label, numbers right aligned', () => {
    const out = formatObjects([
      customObject([['Name', 'alpha'], ['Count', 5], ['Ratio', ps.double(0.5)]]),
      customObject([['Name', 'beta-longer'], ['Count', 12345], ['Ratio', ps.double(1e15)]]),
    ]);
    expect(out).toBe(lines(
      '',
      'Name        Count Ratio',
      '----        ----- -----',
      'alpha           5   0.5',
      'beta-longer 12345 1E+15',
      '',
    ));
  });

  it('shows 5 or more properties as a list entry, labels padded, collections as {a, b, c, d…}', () => {
    const out = formatObjects([customObject([
      ['Name', 'web1'], ['Enabled', true], ['Port', 5985], ['Tags', ps.list(['a', 'b', 'c', 'd', 'e'])],
      ['Started', dateTime('2024-03-05T17:04:09.123+01:00')], ['Owner', null],
    ])]);
    expect(out).toBe(lines(
      '',
      'Name    : web1',
      'Enabled : True',
      'Port    : 5985',
      'Tags    : {a, b, c, d…}',
      'Started : 3/5/2024 5:04:09 PM',
      'Owner   : ',
      '',
    ));
  });

  it('separates list entries with one empty line', () => {
    const six = (n: number): PSObject => customObject([['A', n], ['B', n], ['C', n], ['D', n], ['E', n], ['F', n]]);
    expect(formatObjects([six(1), six(2)])).toBe(lines(
      '', 'A : 1', 'B : 1', 'C : 1', 'D : 1', 'E : 1', 'F : 1',
      '', 'A : 2', 'B : 2', 'C : 2', 'D : 2', 'E : 2', 'F : 2', '',
    ));
  });

  it('keeps the first object’s columns for later objects of the same type, as PowerShell does', () => {
    const out = formatObjects([customObject([['a', 1]]), customObject([['b', 2]])]);
    expect(out).toBe(lines('', 'a', '-', '1', '', ''));
  });

  it('starts a new table when the type changes, and writes scalars in line without closing the table', () => {
    const typed = (t: string, v: string): PSObject => new PSObject({ typeNames: [t, 'System.Object'], adapted: [['Value', v]] });
    const out = formatObjects([typed('A.One', 'x'), 'a string', typed('A.One', 'y'), typed('B.Two', 'z'), 42]);
    expect(out).toBe(lines(
      '', 'Value', '-----', 'x', 'a string', 'y', '',
      '', 'Value', '-----', 'z', '42', '',
    ));
  });

  it('fits a table to 40 columns: the last column is hidden, then the one before it cut with …', () => {
    const out = formatObjects([customObject([
      ['Id', 7], ['Path', 'C:\\Windows\\System32\\drivers\\etc\\hosts'], ['Note', 'a rather long note that cannot fit'],
    ])], { columns: 40 });
    expect(out).toBe(lines(
      '',
      'Id Path',
      '-- ----',
      ' 7 C:\\Windows\\System32\\drivers\\etc\\hos…',
      '',
    ));
    for (const l of out.split('\n')) expect(displayWidth(l)).toBeLessThan(40);
  });

  it('cuts a right-aligned cell at its start: …89012345', () => {
    const out = formatObjects([customObject([['Name', 'ab'], ['Size', ps.i64(123456789012345)]])], { columns: 15 });
    expect(out).toBe(lines(
      '',
      'Name      Size',
      '----      ----',
      'ab   …89012345',
      '',
    ));
  });

  it('aligns East Asian wide characters as two cells each', () => {
    const out = formatObjects([
      customObject([['Greeting', 'こんにちは'], ['Lang', 'ja']]),
      customObject([['Greeting', 'hello'], ['Lang', 'en']]),
    ]);
    expect(out).toBe(lines(
      '',
      'Greeting   Lang',
      '--------   ----',
      'こんにちは ja',
      'hello      en',
      '',
    ));
  });
});

describe('dictionaries', () => {
  it('shows a Hashtable as Name/Value rows with a 30-cell Name column', () => {
    const h = new PSObject({ typeNames: ['System.Collections.Hashtable', 'System.Object'], value: ps.dict([['one', 1], ['two', 'deux']]) });
    expect(formatObjects([h])).toBe(lines(
      '',
      'Name                           Value',
      '----                           -----',
      'one                            1',
      'two                            deux',
      '',
    ));
  });

  it('puts consecutive dictionaries (OrderedDictionary too) in one table', () => {
    const h = new PSObject({ typeNames: ['System.Collections.Hashtable', 'System.Object'], value: ps.dict([['a', 1]]) });
    const o = new PSObject({ typeNames: ['System.Collections.Specialized.OrderedDictionary', 'System.Object'], value: ps.dict([['b', ps.list([1, 2])]]) });
    expect(formatObjects([h, o])).toBe(lines(
      '',
      'Name                           Value',
      '----                           -----',
      'a                              1',
      'b                              {1, 2}',
      '',
    ));
  });
});

describe('known views', () => {
  it('shows Get-Service objects with the Status/Name/DisplayName view (widths 8/18/38)', () => {
    expect(formatObjects([winrmService()])).toBe(lines(
      '',
      'Status   Name               DisplayName',
      '------   ----               -----------',
      'Running  WinRM              Windows Remote Management (WS-Managem…',
      '',
    ));
  });

  it('shows Get-Process objects with pwsh 7’s NPM(K)/PM(M)/WS(M)/CPU(s)/Id/SI/ProcessName view', () => {
    const out = formatObjects([
      processObject(4242, 'pwsh', { npm: 81_920, pm: 122_916_864, ws: 146_800_640, cpu: 25.90625, si: 1 }),
      processObject(4, 'System', { npm: 512, pm: 188_416, ws: 155_648, cpu: null, si: 0 }),
      processObject(812, 'sqlservr', { npm: 1_536, pm: 2_151_677_952, ws: 1_073_741_824, cpu: 12_345.678, si: 0 }),
    ]);
    expect(out).toBe(lines(
      '',
      ' NPM(K)    PM(M)      WS(M)     CPU(s)      Id  SI ProcessName',
      ' ------    -----      -----     ------      --  -- -----------',
      '     80   117.22     140.00      25.91    4242   1 pwsh',
      '      0     0.18       0.15       0.00       4   0 System',
      '      2 2,052.00   1,024.00  12,345.68     812   0 sqlservr',
      '',
    ));
  });

  it('groups Get-ChildItem output under a Directory line per folder, Mode/LastWriteTime/Length/Name', () => {
    const out = formatObjects([
      fileItem('C:\\temp', 'logs', null, '2024-01-15T09:05:00+01:00'),
      fileItem('C:\\temp', 'report.txt', 1234, '2024-11-05T14:30:12.5+01:00'),
      fileItem('C:\\temp\\logs', 'app.log', 1_048_576, '2024-12-31T23:59:59Z'),
    ]);
    expect(out).toBe(lines(
      '',
      '    Directory: C:\\temp',
      '',
      'Mode                 LastWriteTime         Length Name',
      '----                 -------------         ------ ----',
      'd----           1/15/2024  9:05 AM                logs',
      '-a---           11/5/2024  2:30 PM           1234 report.txt',
      '',
      '    Directory: C:\\temp\\logs',
      '',
      'Mode                 LastWriteTime         Length Name',
      '----                 -------------         ------ ----',
      '-a---          12/31/2024 11:59 PM        1048576 app.log',
      '',
    ));
  });
});

describe('scalars', () => {
  it('writes strings, numbers, booleans and enums on their own lines, and nothing for null', () => {
    const en = new PSObject({ typeNames: ['System.DayOfWeek', 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: 'Friday', value: 5 });
    expect(formatObjects(['two\r\nlines', 42, true, null, ps.double(0.1), ps.double(1e-5), ps.i64(2n ** 62n), en]))
      .toBe(lines('two', 'lines', '42', 'True', '0.1', '1E-05', '4611686018427387904', 'Friday'));
  });

  it('enumerates a collection written as one object', () => {
    expect(formatObjects([ps.list([1, 'two', ps.list([3])])])).toBe(lines('1', 'two', '3'));
  });

  it('shows a DateTime in its long form between empty lines, and a TimeSpan as a list', () => {
    expect(formatObjects([dateTime('2024-01-15T14:30:00.1234567+09:00'), { kind: 'TS', value: 'P1DT2H3M4.5S', ms: 93_784_500 }])).toBe(lines(
      '',
      'Monday, January 15, 2024 2:30:00 PM',
      '',
      '',
      'Days              : 1',
      'Hours             : 2',
      'Minutes           : 3',
      'Seconds           : 4',
      'Milliseconds      : 500',
      'Ticks             : 937845000000',
      'TotalDays         : 1.08546875',
      'TotalHours        : 26.05125',
      'TotalMinutes      : 1563.075',
      'TotalSeconds      : 93784.5',
      'TotalMilliseconds : 93784500',
      '',
    ));
  });
});

describeFixtures('recorded output', (dir) => {
  it('shows the Get-Service winrm object of pypsrp test_psrp_multiple_commands with the service view', () => {
    const file = path.join(dir, 'pypsrp/tests/tests_pypsrp/responses/test_psrp_multiple_commands.yml');
    const outputs = pypsrpPayloads(file).filter((p) => p.messageType === 0x41004).map((p) => deserialize(p.xml));
    const service = outputs.find((v) => v instanceof PSObject && v.typeNames[0] === 'System.ServiceProcess.ServiceController');
    expect(service).toBeDefined();
    expect(formatObjects([service ?? null])).toBe(lines(
      '',
      'Status   Name               DisplayName',
      '------   ----               -----------',
      'Running  winrm              Windows Remote Management (WS-Managem\u2026',
      '',
    ));
  });
});
