/**
 * Text forms of the primitive types (MS-PSRP §2.2.5.1.x): parse the element text into our model,
 * format the model back into the text PowerShell writes.
 *
 * Numbers follow .NET's XmlConvert: integers in decimal; Double/Single as the shortest text that
 * round-trips, switching to `1E+15` style when the exponent is ≥ 15 (Single: ≥ 7) or ≤ -5, and
 * `INF`, `-INF`, `NaN` for the specials.
 */
import { ClixmlError } from './errors.js';
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

// The two readers below take the texts PowerShell writes without a regex match (an array of
// captured strings per value), a trim or a padEnd, and give the pattern's exact result. They
// return undefined for anything else, valid or not, and the pattern path decides: surrounding
// whitespace, a year not of four digits or below 100, a run of digits too long to read exactly.

/** Where the last readDigits stopped. */
let digitsEnd = 0;

/** The value of the decimal digits from `at` (at most 15, so exact), or -1 when there are none or more. */
function readDigits(s: string, at: number): number {
  let i = at;
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  digitsEnd = i;
  return i === at || i - at > 15 ? -1 : n;
}

/** Milliseconds of 1–7 fraction digits from `at` (100 ns ticks / 10,000, as the pattern path), or -1. */
function readTicksMs(s: string, at: number): number {
  const f = readDigits(s, at);
  const digits = digitsEnd - at;
  return f < 0 || digits > 7 ? -1 : (f * 10 ** (7 - digits)) / 10_000;
}

/** The largest time a Date holds (ECMA-262 TimeClip); beyond it the pattern path reports the error. */
const MAX_EPOCH_MS = 8.64e15;

const isXmlSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** Two digits at `at`, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `yyyy-MM-ddTHH:mm:ss[.fffffff][Z|±hh:mm]` as milliseconds since the epoch, or undefined. */
function canonicalDateTimeEpoch(t: string): number | undefined {
  if (t.length < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84
    || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const y = readDigits(t, 0);
  if (digitsEnd !== 4 || y < 100) return undefined; // Date.UTC reads years 0–99 as 1900–1999
  const mo = twoDigits(t, 5);
  const d = twoDigits(t, 8);
  const h = twoDigits(t, 11);
  const mi = twoDigits(t, 14);
  const sec = twoDigits(t, 17);
  if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (t.charCodeAt(i) === 46) {
    ms = readTicksMs(t, i + 1);
    if (ms < 0) return undefined;
    i = digitsEnd;
  }
  let epoch = Date.UTC(y, mo - 1, d, h, mi, sec) + ms;
  const zone = t.charCodeAt(i);
  if (zone === 90) i += 1;
  else if (zone === 43 || zone === 45) {
    const zh = twoDigits(t, i + 1);
    const zm = twoDigits(t, i + 4);
    if (zh < 0 || zm < 0 || t.charCodeAt(i + 3) !== 58) return undefined;
    epoch -= (zone === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
    i += 6;
  }
  return i === t.length && Math.abs(epoch) <= MAX_EPOCH_MS ? epoch : undefined;
}

/** `[-]P[nD][T[nH][nM][n[.fffffff]S]]` (not ending in P or T) as milliseconds, or undefined. */
function canonicalTimeSpanMs(t: string): number | undefined {
  const n = t.length;
  if (n === 0 || isXmlSpace(t.charCodeAt(n - 1))) return undefined;
  const neg = t.charCodeAt(0) === 45;
  let i = neg ? 1 : 0;
  if (t.charCodeAt(i) !== 80 || ++i === n) return undefined;
  let d = 0;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let frac = 0;
  let v = readDigits(t, i);
  if (v >= 0) {
    if (t.charCodeAt(digitsEnd) !== 68) return undefined;
    d = v;
    i = digitsEnd + 1;
  }
  if (i < n) {
    if (t.charCodeAt(i) !== 84 || ++i === n) return undefined;
    v = readDigits(t, i);
    if (v >= 0 && t.charCodeAt(digitsEnd) === 72) {
      h = v;
      i = digitsEnd + 1;
      v = i < n ? readDigits(t, i) : -1;
    }
    if (v >= 0 && t.charCodeAt(digitsEnd) === 77) {
      mi = v;
      i = digitsEnd + 1;
      v = i < n ? readDigits(t, i) : -1;
    }
    if (v >= 0) {
      sec = v;
      i = digitsEnd;
      if (t.charCodeAt(i) === 46) {
        frac = readTicksMs(t, i + 1);
        if (frac < 0) return undefined;
        i = digitsEnd;
      }
      if (t.charCodeAt(i) !== 83) return undefined;
      i += 1;
    }
    if (i !== n) return undefined;
  }
  const ms = (((d * 24 + h) * 60 + mi) * 60 + sec) * 1000 + frac;
  return neg ? -ms : ms;
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

export function formatBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
