/**
 * A TimeSpan written on its own is shown with the System.TimeSpan list view
 * (DotNetTypes_format_ps1xml.cs): Days … Ticks, then the Total* doubles.
 */
import type { PSTimeSpan } from '../../psrp/clixml/index.js';
import { formatDouble, timeSpanTicks } from '../value-text.js';

const TICKS_PER = { ms: 10_000n, s: 10_000_000n, min: 600_000_000n, h: 36_000_000_000n, d: 864_000_000_000n };

/** The `Name : Value` entries of a TimeSpan. */
export function timeSpanEntries(ts: PSTimeSpan): Array<[string, string]> {
  const ticks = timeSpanTicks(ts.value, ts.ms);
  // .NET components truncate toward zero and carry the sign.
  const part = (unit: bigint, mod: bigint): string => ((ticks / unit) % mod).toString();
  const total = (unit: bigint): string => formatDouble(Number(ticks) / Number(unit));
  return [
    ['Days', (ticks / TICKS_PER.d).toString()],
    ['Hours', part(TICKS_PER.h, 24n)],
    ['Minutes', part(TICKS_PER.min, 60n)],
    ['Seconds', part(TICKS_PER.s, 60n)],
    ['Milliseconds', part(TICKS_PER.ms, 1000n)],
    ['Ticks', ticks.toString()],
    ['TotalDays', total(TICKS_PER.d)],
    ['TotalHours', total(TICKS_PER.h)],
    ['TotalMinutes', total(TICKS_PER.min)],
    ['TotalSeconds', total(TICKS_PER.s)],
    ['TotalMilliseconds', total(TICKS_PER.ms)],
  ];
}
