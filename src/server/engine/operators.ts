/**
 * PowerShell's operators on PSValues (about_Arithmetic_Operators, about_Comparison_Operators).
 *
 * The left operand decides: `"a" + 1` concatenates, `1 + "2"` adds, `@(1) + 2` appends, and a
 * comparison converts the right operand to the left one's type. Comparison operators applied to
 * an array on the left filter it (`1,2,3 -gt 1` is `2,3`). Integers stay Int32 while they fit,
 * widen to Int64, then to Double, as PowerShell's arithmetic does.
 */
import { isPSObject, kindOf, ps, type PSValue } from '../../psrp/clixml/index.js';
import {
  arrayItems, baseValue, dictOf, dictKey, formatDouble, isNumeric, makeArray, makeHashtable, toBool, toStr,
} from './values.js';
import { RuntimeFailure } from './runtime-error.js';
import { formatValue } from './format-string.js';

export type NumType = 'int' | 'long' | 'double' | 'decimal';
export interface Num { t: NumType; n: number }

const NUMBER_TEXT = /^\s*([+-]?)(?:0x([0-9a-f]+)|(\d+)|(\d*\.\d+(?:e[+-]?\d+)?|\d+\.?\d*e[+-]?\d+|\d+\.))\s*(kb|mb|gb|tb|pb)?\s*$/i;
const MULT: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

/** A value as a number, or null when it does not convert. */
export function toNum(v: PSValue | undefined): Num | null {
  v = v === undefined ? null : baseValue(v);
  if (v === null) return { t: 'int', n: 0 };
  if (typeof v === 'number') return { t: Number.isInteger(v) && Math.abs(v) <= 2147483648 ? 'int' : 'double', n: v };
  if (typeof v === 'boolean') return { t: 'int', n: v ? 1 : 0 };
  if (typeof v === 'string') {
    if (v.trim() === '') return { t: 'int', n: 0 };
    const m = NUMBER_TEXT.exec(v);
    if (!m) return null;
    const mult = MULT[(m[5] ?? '').toLowerCase()] ?? 1;
    const sign = m[1] === '-' ? -1 : 1;
    if (m[2] !== undefined) return widen(sign * parseInt(m[2], 16) * mult);
    if (m[3] !== undefined) return widen(sign * Number(m[3]) * mult);
    return { t: 'double', n: sign * Number(m[4]) * mult };
  }
  const items = arrayItems(v);
  if (items) return items.length === 1 ? toNum(items[0]) : null;
  if (isPSObject(v)) return null;
  switch (v.kind) {
    case 'Db': case 'Sg': return { t: 'double', n: v.value };
    case 'I64': case 'U64': return { t: 'long', n: Number(v.value) };
    case 'D': return { t: 'decimal', n: Number(v.value) };
    case 'By': case 'SB': case 'I16': case 'U16': case 'C': return { t: 'int', n: v.value };
    case 'U32': return widen(v.value);
    default: return null;
  }
}

function widen(n: number): Num {
  if (!Number.isInteger(n)) return { t: 'double', n };
  if (n >= -2147483648 && n <= 2147483647) return { t: 'int', n };
  return Number.isSafeInteger(n) ? { t: 'long', n } : { t: 'double', n };
}

/** A Num back to a PSValue. */
export function fromNum(x: Num): PSValue {
  if (x.t === 'double') return ps.double(x.n);
  if (x.t === 'decimal') return ps.text('D', String(x.n));
  const w = widen(x.n);
  if (w.t === 'int' && x.t === 'int') return w.n;
  if (w.t === 'double') return ps.double(w.n);
  return ps.i64(w.n);
}

function requireNum(v: PSValue, op: string): Num {
  const n = toNum(v);
  if (n) return n;
  throw new RuntimeFailure('InvalidCastFromStringToInteger', `Cannot convert value "${toStr(v)}" to type "System.Int32". Error: "The input string '${toStr(v)}' was not in a correct format."`, 'InvalidArgument', 'System.Management.Automation.RuntimeException', { op });
}

function arith(a: Num, b: Num, f: (x: number, y: number) => number): Num {
  const t: NumType = a.t === 'double' || b.t === 'double' ? 'double' : a.t === 'decimal' || b.t === 'decimal' ? 'decimal' : a.t === 'long' || b.t === 'long' ? 'long' : 'int';
  const n = f(a.n, b.n);
  if (t === 'double' || t === 'decimal') return { t, n };
  const w = widen(n);
  return t === 'long' && w.t === 'int' ? { t: 'long', n } : w;
}

/** `+` */
export function add(a: PSValue, b: PSValue): PSValue {
  const items = arrayItems(a);
  if (items) return makeArray([...items, ...(arrayItems(b) ?? [b])]);
  const da = dictOf(a);
  if (da) {
    const db = dictOf(b);
    if (!db) throw new RuntimeFailure('AddHashTableToNonHashTable', 'A hash table can only be added to another hash table.', 'InvalidOperation');
    const out = makeHashtable(da.entries, isPSObject(a) && a.typeNames[0]?.includes('Ordered'));
    const od = dictOf(out);
    for (const [k, v] of db.entries) {
      if (od && dictKey(od, k) !== undefined) throw new RuntimeFailure('DuplicateKeyInHashLiteral', `Item has already been added. Key in dictionary: '${toStr(k)}'  Key being added: '${toStr(k)}'`, 'InvalidOperation');
      od?.entries.set(k, v);
    }
    return out;
  }
  if (a === null) return b;
  if (typeof a === 'string') return a + toStr(b);
  if (kindOf(a) === 'DT' && kindOf(b) === 'TS' && typeof a === 'object' && typeof b === 'object' && a && b && 'date' in a && 'ms' in b) {
    const d = new Date(a.date.getTime() + b.ms);
    return { kind: 'DT', value: d.toISOString(), date: d };
  }
  return fromNum(arith(requireNum(a, '+'), requireNum(b, '+'), (x, y) => x + y));
}

/** `-`, `*`, `/`, `%` */
export function arithmetic(op: string, a: PSValue, b: PSValue): PSValue {
  if (op === '+') return add(a, b);
  if (op === '*') {
    if (typeof a === 'string') return a.repeat(Math.max(0, requireNum(b, op).n));
    const items = arrayItems(a);
    if (items) {
      const out: PSValue[] = [];
      for (let i = 0; i < requireNum(b, op).n; i++) out.push(...items);
      return makeArray(out);
    }
  }
  const x = requireNum(a, op);
  const y = requireNum(b, op);
  if ((op === '/' || op === '%') && y.n === 0 && x.t !== 'double' && y.t !== 'double') {
    throw new RuntimeFailure('RuntimeException', 'Attempted to divide by zero.', 'NotSpecified', 'System.Management.Automation.RuntimeException');
  }
  if (op === '-') return fromNum(arith(x, y, (p, q) => p - q));
  if (op === '*') return fromNum(arith(x, y, (p, q) => p * q));
  if (op === '%') return fromNum(arith(x, y, (p, q) => p % q));
  const r = arith(x, y, (p, q) => p / q);
  return fromNum(Number.isInteger(r.n) || r.t === 'double' || r.t === 'decimal' ? r : { t: 'double', n: r.n });
}

/** Negation (unary `-`). */
export function negate(v: PSValue): PSValue {
  return arithmetic('*', v, -1);
}

/** Three-way comparison with the left operand's conversion; strings compare case-insensitively by default. */
export function compare(a: PSValue, b: PSValue, caseSensitive = false): number {
  a = baseValue(a);
  b = baseValue(b);
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string') {
    const x = caseSensitive ? a : a.toLowerCase();
    const s = toStr(b);
    const y = caseSensitive ? s : s.toLowerCase();
    return x.localeCompare(y, 'en', { sensitivity: caseSensitive ? 'variant' : 'accent' });
  }
  if (typeof a === 'boolean') return Number(a) - Number(toBool(b));
  const ka = kindOf(a);
  if (ka === 'DT' && typeof a === 'object' && a && 'date' in a) {
    const bd = typeof b === 'object' && b && 'date' in b ? b.date : new Date(toStr(b));
    return Math.sign(a.date.getTime() - bd.getTime());
  }
  if (ka === 'TS' && typeof a === 'object' && a && 'ms' in a && typeof b === 'object' && b && 'ms' in b) return Math.sign(a.ms - b.ms);
  if (isNumeric(a)) {
    const x = toNum(a);
    const y = toNum(b);
    if (x && y) return Math.sign(x.n - y.n);
    return toStr(a).localeCompare(toStr(b));
  }
  return toStr(a).toLowerCase().localeCompare(toStr(b).toLowerCase());
}

/** `-eq` on two scalars. */
export function equals(a: PSValue, b: PSValue, caseSensitive = false): boolean {
  a = baseValue(a);
  b = baseValue(b);
  if (a === null || b === null) return a === b;
  if (typeof a === 'string') return caseSensitive ? a === toStr(b) : a.toLowerCase() === toStr(b).toLowerCase();
  if (typeof a === 'boolean') return a === toBool(b);
  if (isNumeric(a)) {
    const x = toNum(a);
    const y = typeof b === 'boolean' || typeof b === 'string' || isNumeric(b) ? toNum(b) : null;
    return x !== null && y !== null && x.n === y.n;
  }
  if (isPSObject(a) || isPSObject(b)) return a === b;
  return compare(a, b, caseSensitive) === 0;
}

/** A PowerShell wildcard pattern (about_Wildcards) as a RegExp: `*`, `?`, `[a-z]`, backtick escapes. */
export function wildcardRegExp(pattern: string, caseSensitive = false): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '`' && i + 1 < pattern.length) re += escapeRe(pattern[++i] ?? '');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, close).replace(/[\\^\]]/g, '\\$&')}]`;
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, caseSensitive ? 's' : 'is');
}

/** True when a pattern has wildcard characters. */
export function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A .NET regular expression as a JS one (inline `(?i)` becomes a flag). */
export function dotnetRegExp(pattern: string, caseSensitive = false, global = false): RegExp {
  let flags = caseSensitive ? '' : 'i';
  let p = pattern;
  const inline = /^\(\?([imsx]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    if (inline[1]?.includes('i') && !flags.includes('i')) flags += 'i';
    if (inline[1]?.includes('s')) flags += 's';
    if (inline[1]?.includes('m')) flags += 'm';
  }
  try {
    return new RegExp(p, flags + (global ? 'g' : '') + 'u');
  } catch {
    try {
      return new RegExp(p, flags + (global ? 'g' : ''));
    } catch (err) {
      throw new RuntimeFailure('InvalidRegularExpression', `The regular expression pattern ${pattern} is not valid.`, 'InvalidOperation', 'System.Management.Automation.RuntimeException', { cause: err });
    }
  }
}

/** `-replace`: .NET substitutions (`$1`, `${name}`, `$0`) mapped onto JS ones. */
export function replace(input: string, pattern: string, replacement: string, caseSensitive: boolean): string {
  const js = replacement.replace(/\$\{(\w+)\}/g, (_m, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`)).replace(/\$0/g, '$$&');
  return input.replace(dotnetRegExp(pattern, caseSensitive, true), js);
}

/** `-split` with a regex and an optional maximum count. */
export function split(input: string, pattern: string, max: number, caseSensitive: boolean): string[] {
  const re = dotnetRegExp(pattern, caseSensitive, true);
  if (max <= 0) return input.split(re).filter((x) => x !== undefined);
  const out: string[] = [];
  let last = 0;
  for (const m of input.matchAll(re)) {
    if (out.length >= max - 1) break;
    if (m[0] === '' && m.index === last) continue;
    out.push(input.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(input.slice(last));
  return out;
}

/** `-f`: .NET composite formatting (`{0}`, `{1,-10}`, `{0:N2}`, `{{`). */
export function formatOperator(format: string, args: PSValue[]): string {
  return format.replace(/\{\{|\}\}|\{(\d+)(?:,(-?\d+))?(?::([^}]*))?\}/g, (m, idx?: string, align?: string, spec?: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const i = Number(idx);
    if (i >= args.length) throw new RuntimeFailure('FormatError', 'Error formatting a string: Index (zero based) must be greater than or equal to zero and less than the size of the argument list..', 'InvalidOperation');
    const text = formatValue(args[i] ?? null, spec ?? '');
    const width = Number(align ?? 0);
    return width < 0 ? text.padEnd(-width) : text.padStart(width);
  });
}

export { formatDouble };
