/**
 * The text PowerShell shows for a value: a property in a table cell or list entry, or a scalar
 * written on its own line. We render for an en-US console, as PowerShell does on the client (the
 * formatting happens locally, after deserialization, never on the remote host).
 *
 * - Numbers: Int32 and friends as plain digits; Double and Single as .NET Core 3.0+'s shortest
 *   round-trip "G" text (`1E+15`, `1E-05`, `∞`).
 * - DateTime: the wall-clock time as sent (the remote host's zone), `M/d/yyyy h:mm:ss tt`; alone on a
 *   line, `dddd, MMMM d, yyyy h:mm:ss tt` (the DateTime view's `DateTime` script property).
 * - TimeSpan: `[-][d.]hh:mm:ss[.fffffff]` (TimeSpan.ToString()).
 * - Collections in a cell: `{a, b, c, d…}`, cut after `$FormatEnumerationLimit` (4) items.
 */
import { isEnum, PSObject, type PSValue } from '../psrp/clixml/index.js';

/** The `$FormatEnumerationLimit` default. */
export const FORMAT_ENUMERATION_LIMIT = 4;

const DESERIALIZED = 'Deserialized.';

/** A type name without the `Deserialized.` prefix PowerShell adds to remote objects. */
export function baseTypeName(name: string): string {
  return name.startsWith(DESERIALIZED) ? name.slice(DESERIALIZED.length) : name;
}

/** The object's type names without `Deserialized.` prefixes, most derived first. */
export function typeNamesOf(obj: PSObject): string[] {
  return obj.typeNamesView.map(baseTypeName);
}

/** True when a (deserialized) object's type chain includes `name`. */
export function hasType(obj: PSObject, name: string): boolean {
  return obj.typeNamesView.some((t) => baseTypeName(t) === name);
}

/** The value of a property, or undefined. */
export function prop(obj: PSObject, name: string): PSValue | undefined {
  return obj.get(name);
}

/** Properties never shown (PowerShell hides the remoting bookkeeping one). */
const HIDDEN = new Set(['PSShowComputerName']);

/**
 * The properties a default view shows, in PowerShell's order: `<Props>` then `<MS>` (the
 * deserializer adds both as instance members in document order); a name in both appears once,
 * where it first occurs, with the extended value.
 */
export function visibleProperties(obj: PSObject): Array<[string, PSValue]> {
  const out = new Map<string, PSValue>();
  obj.forEachMember((v, k) => {
    if (!HIDDEN.has(k)) out.set(k, v);
  });
  return [...out];
}

/** True for values PowerShell right-aligns in generated tables. */
export function isNumeric(v: PSValue | undefined): boolean {
  if (typeof v === 'number') return true;
  if (v === null || v === undefined || typeof v !== 'object') return false;
  if (v instanceof PSObject) return !isEnum(v) && v.toStringText === undefined && v.value !== undefined && isNumeric(v.value);
  switch (v.kind) {
    case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'Sg': case 'Db': case 'I64': case 'U64': case 'D':
      return true;
    default:
      return false;
  }
}

/** .NET "G" text from a mantissa's digits and a decimal exponent, switching to E notation outside [-4, precision). */
function gFormat(negative: boolean, digits: string, exp: number, precision: number): string {
  const sign = negative ? '-' : '';
  if (exp >= precision || exp < -4) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${mant}E${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Splits JS exponential text (`-1.25e+3`) into sign, digits and exponent. */
function parts(expText: string): { negative: boolean; digits: string; exp: number } {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(expText);
  if (!m) return { negative: false, digits: '0', exp: 0 };
  return { negative: m[1] === '-', digits: `${m[2]}${m[3] ?? ''}`.replace(/0+$/, '') || '0', exp: Number(m[4]) };
}

function special(n: number): string | undefined {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '\u221e';
  if (n === -Infinity) return '-\u221e';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  return undefined;
}

/** A Double as `double.ToString()` in .NET Core 3.0+ (shortest round-trip, E notation from 1E+15). */
export function formatDouble(n: number): string {
  const s = special(n);
  if (s !== undefined) return s;
  const p = parts(n.toExponential());
  return gFormat(p.negative, p.digits, p.exp, 15);
}

/** A Single as `float.ToString()`: the shortest digits that read back as the same float. */
export function formatSingle(n: number): string {
  const s = special(n);
  if (s !== undefined) return s;
  const f = Math.fround(n);
  let text = f.toExponential(8);
  for (let digits = 0; digits <= 8; digits++) {
    const candidate = f.toExponential(digits);
    if (Math.fround(Number(candidate)) === f) {
      text = candidate;
      break;
    }
  }
  const p = parts(text);
  return gFormat(p.negative, p.digits, p.exp, 7);
}

/** `{0:N2}`: two decimals, thousands separated, rounded half away from zero. */
export function formatN2(n: number): string {
  if (!Number.isFinite(n)) return special(n) ?? '';
  const fixed = Math.abs(n).toFixed(2);
  const [int = '0', frac = '00'] = fixed.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 && fixed !== '0.00' ? '-' : ''}${grouped}.${frac}`;
}

const DT = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface WallClock { y: number; mo: number; d: number; h: number; mi: number; s: number }

function wallClock(text: string): WallClock | undefined {
  const m = DT.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return { y, mo, d, h, mi, s };
}

function time12(c: WallClock, seconds: boolean): string {
  const h = c.h % 12 === 0 ? 12 : c.h % 12;
  const mm = String(c.mi).padStart(2, '0');
  const ss = seconds ? `:${String(c.s).padStart(2, '0')}` : '';
  return `${h}:${mm}${ss} ${c.h < 12 ? 'AM' : 'PM'}`;
}

/** A DateTime's wire text as en-US `M/d/yyyy h:mm:ss tt` (or `long`: `dddd, MMMM d, yyyy h:mm:ss tt`). */
export function formatDateTime(text: string, form: 'short' | 'long' = 'short'): string {
  const c = wallClock(text);
  if (!c) return text;
  if (form === 'short') return `${c.mo}/${c.d}/${c.y} ${time12(c, true)}`;
  const dow = new Date(Date.UTC(c.y, c.mo - 1, c.d)).getUTCDay();
  return `${DAYS[dow]}, ${MONTHS[c.mo - 1]} ${c.d}, ${c.y} ${time12(c, true)}`;
}

/** `{0,10:d} {0,8:t}`: the FileSystem view's LastWriteTimeString (`1/15/2024  2:30 PM`). */
export function formatFileTime(text: string): string {
  const c = wallClock(text);
  if (!c) return text;
  return `${`${c.mo}/${c.d}/${c.y}`.padStart(10)} ${time12(c, false).padStart(8)}`;
}

const DURATION = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/;

/** A TimeSpan's length in 100 ns ticks, from its xsd:duration text (or its milliseconds). */
export function timeSpanTicks(value: string, ms: number): bigint {
  const m = DURATION.exec(value);
  if (!m) return BigInt(Math.round(ms * 10_000));
  const n = (i: number): bigint => BigInt(m[i] ?? '0');
  const frac = BigInt(((m[6] ?? '') + '0000000').slice(0, 7));
  const ticks = (((n(2) * 24n + n(3)) * 60n + n(4)) * 60n + n(5)) * 10_000_000n + frac;
  return m[1] ? -ticks : ticks;
}

/** TimeSpan.ToString(): `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimeSpan(ticks: bigint): string {
  const neg = ticks < 0n;
  let t = neg ? -ticks : ticks;
  const frac = t % 10_000_000n;
  t /= 10_000_000n;
  const s = t % 60n;
  t /= 60n;
  const mi = t % 60n;
  t /= 60n;
  const h = t % 24n;
  const d = t / 24n;
  const two = (v: bigint): string => v.toString().padStart(2, '0');
  return `${neg ? '-' : ''}${d > 0n ? `${d}.` : ''}${two(h)}:${two(mi)}:${two(s)}${frac > 0n ? `.${frac.toString().padStart(7, '0')}` : ''}`;
}

/** `@{a=1; b=x}`: how PowerShell writes a PSCustomObject in a cell. */
function customObjectText(obj: PSObject, depth: number): string {
  return `@{${visibleProperties(obj).map(([k, v]) => `${k}=${text(v, depth + 1, false)}`).join('; ')}}`;
}

function listText(items: Iterable<string>, count: number): string {
  const shown = [...items];
  return `{${shown.join(', ')}${count > FORMAT_ENUMERATION_LIMIT ? '\u2026' : ''}}`;
}

function text(v: PSValue | undefined, depth: number, topLevel: boolean): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (v instanceof PSObject) {
    // A PSObject wrapping a PSObject goes one level deeper, so one built around itself ends.
    const inner = v.value instanceof PSObject ? depth + 1 : depth;
    if (inner > 8) return v.typeNamesView[0] ?? '';
    if (isEnum(v)) return v.toStringText ?? text(v.value, inner, topLevel);
    if (v.value !== undefined && v.value !== null && typeof v.value === 'object' && !(v.value instanceof PSObject) && depth < 2) {
      const k = v.value.kind;
      if (k === 'LST' || k === 'IE' || k === 'STK' || k === 'QUE' || k === 'DCT') return text(v.value, depth, topLevel);
    }
    if (v.value !== undefined && v.memberCount === 0) return v.toStringText ?? text(v.value, inner, topLevel);
    if (v.toStringText !== undefined) return v.toStringText;
    if (hasType(v, 'System.Management.Automation.PSCustomObject') && depth < 2) return customObjectText(v, depth);
    return v.typeNamesView[0] ?? '';
  }
  switch (v.kind) {
    case 'By': case 'SB': case 'I16': case 'U16': case 'U32': return String(v.value);
    case 'Db': return formatDouble(v.value);
    case 'Sg': return formatSingle(v.value);
    case 'C': return String.fromCharCode(v.value);
    case 'I64': case 'U64': return v.value.toString();
    case 'D': case 'G': case 'Version': case 'URI': case 'XD': case 'SBK': return v.value;
    case 'SS': return 'System.Security.SecureString';
    case 'DT': return formatDateTime(v.value, topLevel ? 'long' : 'short');
    case 'TS': return formatTimeSpan(timeSpanTicks(v.value, v.ms));
    case 'BA': return listText([...v.value.subarray(0, FORMAT_ENUMERATION_LIMIT)].map(String), v.value.length);
    case 'PR': return v.activity;
    case 'LST': case 'IE': case 'STK': case 'QUE':
      if (depth >= 1) return 'System.Object[]';
      return listText(v.items.slice(0, FORMAT_ENUMERATION_LIMIT).map((i) => text(i, depth + 1, false)), v.items.length);
    case 'DCT': {
      if (depth >= 1) return 'System.Collections.Hashtable';
      const entries = [...v.entries].slice(0, FORMAT_ENUMERATION_LIMIT);
      return listText(entries.map(([k, val]) => `[${text(k, depth + 1, false)}, ${text(val, depth + 1, false)}]`), v.entries.size);
    }
  }
}

/** The text of a property value in a table cell or list entry. */
export function cellText(v: PSValue | undefined): string {
  return text(v, 0, false);
}

/** The text of a scalar written on its own line (DateTime in its long form). */
export function scalarText(v: PSValue): string {
  return text(v, 0, true);
}
