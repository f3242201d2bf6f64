/**
 * Text forms of the primitive types (MS-PSRP §2.2.5.1.x): parse the element text into our model,
 * format the model back into the text PowerShell writes.
 *
 * Numbers follow .NET's XmlConvert: integers in decimal; Double/Single as the shortest text that
 * round-trips, switching to `1E+15` style when the exponent is ≥ 15 (Single: ≥ 7) or ≤ -5, and
 * `INF`, `-INF`, `NaN` for the specials.
 */
import { ClixmlError } from './errors.js';
import { canonicalDateTimeEpoch, canonicalTimeSpanMs } from './canonical-time.js';
import { decodeString, encodeString } from './escape.js';
import type { PSBigInt, PSDateTime, PSNumber, PSNumberKind, PSText, PSTextKind, PSTimeSpan } from './model.js';

/** Integer ranges per kind; Sg/Db are checked separately. */
export const INT_RANGE: Record<Exclude<PSNumberKind, 'Sg' | 'Db'> | 'I32', [number, number]> = {
  By: [0, 0xff], SB: [-0x80, 0x7f], I16: [-0x8000, 0x7fff], U16: [0, 0xffff], U32: [0, 0xffffffff],
  C: [0, 0xffff], I32: [-0x80000000, 0x7fffffff],
};
const BIG_RANGE: Record<PSBigInt['kind'], [bigint, bigint]> = {
  I64: [-(2n ** 63n), 2n ** 63n - 1n],
  U64: [0n, 2n ** 64n - 1n],
};

function bad(kind: string, text: string, path: string): ClixmlError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return new ClixmlError('ETSR_PSRP_PROTOCOL', `invalid <${kind}> value ${JSON.stringify(shown)}`, { path });
}

/** XmlConvert trims XML whitespace around numbers and the like. */
const trimXml = (s: string): string => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

export function parseInteger(kind: keyof typeof INT_RANGE, text: string, path: string): number {
  const t = trimXml(text);
  const range = INT_RANGE[kind];
  if (!/^[+-]?\d{1,20}$/.test(t)) throw bad(kind, text, path);
  const n = Number(t);
  if (n < range[0] || n > range[1]) throw bad(kind, text, path);
  return n === 0 ? 0 : n; // no -0 from "-0"
}

export function parseBigInt(kind: PSBigInt['kind'], text: string, path: string): bigint {
  const t = trimXml(text);
  if (!/^[+-]?\d{1,30}$/.test(t)) throw bad(kind, text, path);
  const n = BigInt(t);
  const [lo, hi] = BIG_RANGE[kind];
  if (n < lo || n > hi) throw bad(kind, text, path);
  return n;
}

export function parseFloatText(kind: 'Sg' | 'Db', text: string, path: string): number {
  const t = trimXml(text);
  if (t === 'INF' || t === 'Infinity' || t === '∞') return Infinity;
  if (t === '-INF' || t === '-Infinity' || t === '-∞') return -Infinity;
  if (t === 'NaN') return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw bad(kind, text, path);
  const n = Number(t);
  return kind === 'Sg' ? Math.fround(n) : n;
}

export function parseBoolean(text: string, path: string): boolean {
  if (text === 'true') return true; // as written, before trimming
  if (text === 'false') return false;
  const t = trimXml(text);
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw bad('B', text, path);
}

/** .NET "R"-style text of a Double or Single. */
export function formatFloat(kind: 'Sg' | 'Db', value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'INF';
  if (value === -Infinity) return '-INF';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  let exp: string;
  if (kind === 'Db') {
    exp = value.toExponential();
  } else {
    // Shortest digits that still read back as the same float32.
    let p = 1;
    while (p < 9 && Math.fround(Number(value.toPrecision(p))) !== value) p += 1;
    exp = Number(value.toPrecision(p)).toExponential();
  }
  const [mant = '0', e = '0'] = exp.split('e');
  const exponent = Number(e);
  if (exponent >= (kind === 'Db' ? 15 : 7) || exponent < -4) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mant}E${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return Number(exp).toString();
}

export function parseNumber(kind: PSNumberKind, text: string, path: string): PSNumber {
  return { kind, value: kind === 'Sg' || kind === 'Db' ? parseFloatText(kind, text, path) : parseInteger(kind, text, path) };
}

export function formatNumber(v: PSNumber): string {
  return v.kind === 'Sg' || v.kind === 'Db' ? formatFloat(v.kind, v.value) : String(v.value);
}

/** Which text kinds carry a §2.2.5.3.2-encoded string (the rest are plain tokens). */
const ENCODED_TEXT: ReadonlySet<PSTextKind> = new Set(['URI', 'XD', 'SBK']);
const TEXT_SHAPE: Partial<Record<PSTextKind, RegExp>> = {
  D: /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/,
  G: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  Version: /^\d+(\.\d+){1,3}$/,
  SS: /^[A-Za-z0-9+/=\s]*$/,
};

export function parseText(kind: PSTextKind, text: string, path: string): PSText {
  if (ENCODED_TEXT.has(kind)) return { kind, value: decodeString(text) };
  const t = trimXml(text);
  const shape = TEXT_SHAPE[kind];
  if (shape && !shape.test(t)) throw bad(kind, text, path);
  return { kind, value: t };
}

export function formatText(v: PSText): string {
  return ENCODED_TEXT.has(v.kind) ? encodeString(v.value) : v.value;
}

// xsd:dateTime as .NET writes it: 2018-06-13T23:46:27.9270288+00:00, …Z, or no offset (Unspecified).
const DATETIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

export function parseDateTime(text: string, path: string): PSDateTime {
  const epoch = canonicalDateTimeEpoch(text);
  if (epoch !== undefined) return { kind: 'DT', value: text, date: new Date(epoch) };
  return dateTimeByPattern(text, path);
}

/** parseDateTime by its pattern: anything canonicalDateTimeEpoch does not take, and every error. */
export function dateTimeByPattern(text: string, path: string): PSDateTime {
  const t = trimXml(text);
  const m = DATETIME.exec(t);
  if (!m) throw bad('DT', text, path);
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const ms = Number(frac.padEnd(7, '0')) / 10_000; // 100 ns ticks → ms without float noise in the digits
  // Not Date.UTC: it reads years 0–99 as 1900–1999.
  const base = new Date(0);
  base.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  base.setUTCHours(Number(h), Number(mi), Number(s));
  let epoch = base.getTime() + ms;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    epoch -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  // Unspecified kind (no offset) is read as UTC: the remote host's zone is unknown here.
  const date = new Date(epoch);
  if (Number.isNaN(date.getTime())) throw bad('DT', text, path);
  return { kind: 'DT', value: t, date };
}

// xsd:duration restricted to what TimeSpan writes: -P1DT2H3M4.5S (no years or months).
const DURATION = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,7}))?S)?)?$/;

export function parseTimeSpan(text: string, path: string): PSTimeSpan {
  const ms = canonicalTimeSpanMs(text);
  if (ms !== undefined) return { kind: 'TS', value: text, ms };
  return timeSpanByPattern(text, path);
}

/** parseTimeSpan by its pattern: anything canonicalTimeSpanMs does not take, and every error. */
export function timeSpanByPattern(text: string, path: string): PSTimeSpan {
  const t = trimXml(text);
  const m = DURATION.exec(t);
  if (!m || t.endsWith('P') || t.endsWith('T')) throw bad('TS', text, path);
  const [, neg, d = '0', h = '0', mi = '0', s = '0', frac = ''] = m;
  const ms = (((Number(d) * 24 + Number(h)) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + Number(frac.padEnd(7, '0')) / 10_000;
  return { kind: 'TS', value: t, ms: neg ? -ms : ms };
}

/** A TimeSpan from milliseconds, written the way TimeSpan is (`PT1M30.5S`, `P2DT3H`, `PT0S`). */
export function timeSpanFromMs(ms: number): PSTimeSpan {
  const neg = ms < 0;
  // Work in 100 ns ticks, TimeSpan's unit, to avoid float noise in the seconds.
  let ticks = BigInt(Math.round(Math.abs(ms) * 10_000));
  const days = ticks / 864_000_000_000n;
  ticks %= 864_000_000_000n;
  const hours = ticks / 36_000_000_000n;
  ticks %= 36_000_000_000n;
  const minutes = ticks / 600_000_000n;
  ticks %= 600_000_000n;
  const whole = ticks / 10_000_000n;
  const frac = (ticks % 10_000_000n).toString().padStart(7, '0').replace(/0+$/, '');
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (whole || frac || (!days && !time)) time += `${whole}${frac ? `.${frac}` : ''}S`;
  const value = `${neg ? '-' : ''}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
  return { kind: 'TS', value, ms };
}

export function parseBase64(text: string, path: string): Uint8Array {
  const t = text.replace(/[ \t\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw bad('BA', text, path);
  return new Uint8Array(Buffer.from(t, 'base64'));
}
