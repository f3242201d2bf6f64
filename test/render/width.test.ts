import { describe, expect, it } from 'vitest';
import { displayWidth, stripAnsi, truncate } from '../../src/render/index.js';
import { fitColumns } from '../../src/render/table.js';
import { formatDateTime, formatDouble, formatN2, formatSingle, formatTimeSpan, timeSpanTicks } from '../../src/render/value-text.js';

describe('display width', () => {
  it('counts East Asian wide characters as 2 cells, combining marks and escapes as 0', () => {
    expect(displayWidth('こんにちは')).toBe(10);
    expect(displayWidth('漢字abc')).toBe(7);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('\u001b[1m\u001b[31mred\u001b[39m\u001b[22m')).toBe(3);
    expect(displayWidth('🚀')).toBe(2);
    expect(stripAnsi('\u001b[32mok\u001b[39m')).toBe('ok');
  });

  it('never splits a wide character when truncating', () => {
    expect(truncate('こんにちは', 6)).toBe('こん\u2026');
    expect(displayWidth(truncate('こんにちは', 6))).toBe(5);
    expect(truncate('こんにちは', 6, 'right')).toBe('\u2026ちは');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcd', 1)).toBe('a');
  });
});

describe('column widths (ColumnWidthManager)', () => {
  it('shares the rest of the screen among unassigned columns, from the left', () => {
    expect(fitColumns([30, 0], 80)).toEqual([30, 49]);
    expect(fitColumns([5, 0, 0], 20)).toEqual([5, 7, 6]);
  });

  it('shrinks the last visible column, hiding it when it would drop below one cell', () => {
    expect(fitColumns([10, 10, 10], 28)).toEqual([10, 10, 6]);
    expect(fitColumns([10, 10, 10], 21)).toEqual([10, 10, -1]);
    expect(fitColumns([10, 10, 10], 15)).toEqual([10, 4, -1]);
  });
});

describe('value text (.NET formatting, en-US)', () => {
  it('writes doubles as the shortest round-trip G text', () => {
    expect([0.1, 1.5, 100, 1e14, 1e15, 123456789012345680000, 0.0001, 0.00001, -2.5e-7, NaN, Infinity].map(formatDouble))
      .toEqual(['0.1', '1.5', '100', '100000000000000', '1E+15', '1.2345678901234568E+20', '0.0001', '1E-05', '-2.5E-07', 'NaN', '\u221e']);
  });

  it('writes singles with float precision', () => {
    expect([0.1, 3.14159274, 1e7, 1234567].map(formatSingle)).toEqual(['0.1', '3.1415927', '1E+07', '1234567']);
  });

  it('writes N2 with thousands separators', () => {
    expect([0, 1234.5, 0.005, -1234567.891].map(formatN2)).toEqual(['0.00', '1,234.50', '0.01', '-1,234,567.89']);
  });

  it('writes DateTime wall-clock text in en-US short and long forms', () => {
    expect(formatDateTime('2024-07-04T00:05:09.1234567-07:00')).toBe('7/4/2024 12:05:09 AM');
    expect(formatDateTime('2024-07-04T12:05:09Z', 'long')).toBe('Thursday, July 4, 2024 12:05:09 PM');
  });

  it('writes TimeSpans as [-][d.]hh:mm:ss[.fffffff]', () => {
    expect(formatTimeSpan(timeSpanTicks('PT1M30.5S', 90_500))).toBe('00:01:30.5000000');
    expect(formatTimeSpan(timeSpanTicks('P3DT4H', 0))).toBe('3.04:00:00');
    expect(formatTimeSpan(timeSpanTicks('-PT0.0000001S', 0))).toBe('-00:00:00.0000001');
  });
});
