/**
 * Runtime values. The engine computes directly on the CLIXML model (PSValue), so what it outputs
 * needs no conversion before serialization:
 *
 * - arrays are PSObjects typed `System.Object[]` wrapping a `LST`; hashtables wrap a `DCT`;
 * - `[pscustomobject]` is a PSObject typed `System.Management.Automation.PSCustomObject` whose
 *   properties are extended members (serialized in `<MS>`, as PowerShell does);
 * - a script block is a PSObject subclass (`ScriptBlock`) that keeps its syntax tree;
 * - `AUTOMATION_NULL` is PowerShell's "nothing" (a void method, an empty statement): it emits no
 *   output, and reads as `$null` in a scalar context.
 *
 * Conversions follow PowerShell's (about_Type_Conversion) closely enough for scripts of the subset:
 * strings in the invariant culture, `$OFS` (a space) between array elements, case-insensitive keys.
 */
import { isPSObject, kindOf, PSObject, ps, type PSDict, type PSValue } from '../../psrp/clixml/index.js';
import type { ScriptBlockAst } from './ast.js';

export const OBJECT_ARRAY = ['System.Object[]', 'System.Array', 'System.Object'];
export const HASHTABLE = ['System.Collections.Hashtable', 'System.Object'];
export const ORDERED = ['System.Collections.Specialized.OrderedDictionary', 'System.Object'];
export const PSCUSTOMOBJECT = ['System.Management.Automation.PSCustomObject', 'System.Object'];

/** A script block value: a PSObject (so it fits anywhere a PSValue does) that can be invoked. */
export class ScriptBlock extends PSObject {
  readonly ast: ScriptBlockAst;
  readonly script: string;

  constructor(ast: ScriptBlockAst, script: string) {
    super({ typeNames: ['System.Management.Automation.ScriptBlock', 'System.Object'], toStringText: ast.text, value: ps.text('SBK', ast.text) });
    this.ast = ast;
    this.script = script;
  }
}

/** PowerShell's AutomationNull: no output at all. */
export const AUTOMATION_NULL: PSObject = Object.freeze(new PSObject({ typeNames: OBJECT_ARRAY, value: ps.list([]) })) as PSObject;

/** A new `System.Object[]`. */
export function makeArray(items: PSValue[]): PSObject {
  return new PSObject({ typeNames: OBJECT_ARRAY, value: ps.list(items) });
}

/** A new Hashtable (or `[ordered]` dictionary). */
export function makeHashtable(entries: Iterable<[PSValue, PSValue]> = [], ordered = false): PSObject {
  return new PSObject({ typeNames: ordered ? ORDERED : HASHTABLE, toStringText: ordered ? ORDERED[0] : HASHTABLE[0], value: ps.dict(entries) });
}

/** A `[pscustomobject]` with these properties, in order. */
export function makeCustomObject(props: Iterable<[string, PSValue]>): PSObject {
  return new PSObject({ typeNames: [...PSCUSTOMOBJECT], extended: props });
}

/** The items of an array-like value (an LST/IE/STK/QUE, bare or wrapped), or null for a scalar. */
export function arrayItems(v: PSValue | undefined): PSValue[] | null {
  if (v === null || v === undefined || typeof v !== 'object') return null;
  if (v instanceof ScriptBlock) return null;
  const inner = isPSObject(v) ? v.value : v;
  if (inner === null || inner === undefined || typeof inner !== 'object' || isPSObject(inner)) return null;
  const k = inner.kind;
  return k === 'LST' || k === 'IE' || k === 'STK' || k === 'QUE' ? inner.items : null;
}

/** The dictionary of a Hashtable-like value, or null. */
export function dictOf(v: PSValue | undefined): PSDict | null {
  if (v === null || v === undefined || typeof v !== 'object') return null;
  const inner = isPSObject(v) ? v.value : v;
  return inner !== null && inner !== undefined && typeof inner === 'object' && !isPSObject(inner) && inner.kind === 'DCT' ? inner : null;
}

/** A dictionary key, found case-insensitively for strings as Hashtable does with its default comparer. */
export function dictKey(d: PSDict, key: PSValue): PSValue | undefined {
  if (d.entries.has(key)) return key;
  const want = keyText(key);
  for (const k of d.entries.keys()) if (keyText(k) === want && sameKind(k, key)) return k;
  return undefined;
}

function keyText(k: PSValue): string {
  return typeof k === 'string' ? k.toLowerCase() : toStr(k);
}

function sameKind(a: PSValue, b: PSValue): boolean {
  return typeof a === typeof b || (isNumeric(a) && isNumeric(b));
}

export function dictGet(d: PSDict, key: PSValue): PSValue | undefined {
  const k = dictKey(d, key);
  return k === undefined ? undefined : d.entries.get(k);
}

export function dictSet(d: PSDict, key: PSValue, value: PSValue): void {
  d.entries.set(dictKey(d, key) ?? key, value);
}

/** The value a PSObject wraps (an enum's number, a string with notes), else the value itself. */
export function baseValue(v: PSValue): PSValue {
  if (isPSObject(v) && !(v instanceof ScriptBlock) && v.value !== undefined && !arrayItems(v) && !dictOf(v)) return v.value;
  return v;
}

/** True for numbers, tagged or plain. */
export function isNumeric(v: PSValue): boolean {
  if (typeof v === 'number') return true;
  const k = kindOf(v);
  return k === 'Db' || k === 'I64' || k === 'U64' || k === 'Sg' || k === 'By' || k === 'SB' || k === 'I16' || k === 'U16' || k === 'U32' || k === 'D';
}

/** A double formatted as .NET Core's Double.ToString() (shortest round trip, `E+` exponents). */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '∞';
  if (n === -Infinity) return '-∞';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-5)) {
    const [m, e] = n.toExponential().split('e');
    const exp = Number(e);
    return `${m}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** .NET DateTime.ToString() in the invariant culture (what `"$date"` gives): `MM/dd/yyyy HH:mm:ss`. */
export function formatDateInvariant(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}/${p(d.getDate())}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** PowerShell's conversion to string (LanguagePrimitives.ConvertTo<string>). */
export function toStr(v: PSValue | undefined, ofs = ' '): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return formatDouble(v);
  const items = arrayItems(v);
  if (items) return items.map((i) => toStr(i, ofs)).join(ofs);
  if (isPSObject(v)) {
    if (v.typeNames[0] === PSCUSTOMOBJECT[0] && v.toStringText === undefined) {
      return `@{${[...v.extended].map(([k, x]) => `${k}=${toStr(x)}`).join('; ')}}`;
    }
    if (v.toStringText !== undefined) return v.toStringText;
    if (v.value !== undefined && !dictOf(v)) return toStr(v.value, ofs);
    return v.typeNames[0] ?? 'System.Management.Automation.PSObject';
  }
  switch (v.kind) {
    case 'Db': case 'Sg': return formatDouble(v.value);
    case 'C': return String.fromCharCode(v.value);
    case 'I64': case 'U64': return v.value.toString();
    case 'DT': return formatDateInvariant(v.date);
    case 'TS': return formatTimeSpan(v.ms);
    case 'BA': return 'System.Byte[]';
    case 'PR': return v.activity;
    case 'DCT': return 'System.Collections.Hashtable';
    case 'LST': case 'IE': case 'STK': case 'QUE': return v.items.map((i) => toStr(i, ofs)).join(ofs);
    default: return 'value' in v ? String(v.value) : '';
  }
}

/** TimeSpan.ToString(): `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimeSpan(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let t = Math.abs(ms);
  const days = Math.floor(t / 86400000);
  t -= days * 86400000;
  const h = Math.floor(t / 3600000);
  t -= h * 3600000;
  const m = Math.floor(t / 60000);
  t -= m * 60000;
  const s = Math.floor(t / 1000);
  const frac = Math.round((t - s * 1000) * 10000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${sign}${days ? `${days}.` : ''}${p(h)}:${p(m)}:${p(s)}${frac ? `.${String(frac).padStart(7, '0')}` : ''}`;
}

/** PowerShell's truthiness (LanguagePrimitives.IsTrue). */
export function toBool(v: PSValue | undefined): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  const items = arrayItems(v);
  if (items) return items.length === 0 ? false : items.length === 1 ? toBool(items[0]) : true;
  if (v instanceof ScriptBlock) return true;
  if (isPSObject(v)) return v.value !== undefined && !dictOf(v) && v.typeNames[0] !== PSCUSTOMOBJECT[0] ? toBool(v.value) || v.typeNames.includes('System.Enum') : true;
  if (v.kind === 'Db' || v.kind === 'Sg' || v.kind === 'By' || v.kind === 'SB' || v.kind === 'I16' || v.kind === 'U16' || v.kind === 'U32' || v.kind === 'C') return v.value !== 0;
  if (v.kind === 'I64' || v.kind === 'U64') return v.value !== 0n;
  if (v.kind === 'D') return Number(v.value) !== 0;
  return true;
}

/** The enumeration a pipeline applies: arrays unroll, everything else (hashtables too) is one item. */
export function enumerate(v: PSValue | undefined): PSValue[] {
  if (v === undefined || v === AUTOMATION_NULL) return [];
  return arrayItems(v) ?? [v];
}

/** Output of a statement collected into a value: nothing → null, one → itself, more → an array. */
export function collapse(items: PSValue[]): PSValue {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0] ?? null;
  return makeArray(items);
}

/** A DateTime in local time, written as .NET writes a Local-kind DateTime (`…+02:00`). */
export function localDateTime(date: Date): PSValue {
  const off = -date.getTimezoneOffset();
  const p = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, '0');
  const local = new Date(date.getTime() + off * 60000);
  const text = `${local.toISOString().slice(0, 19)}.${p(date.getMilliseconds(), 3)}0000${off < 0 ? '-' : '+'}${p(off / 60)}:${p(off % 60)}`;
  return { kind: 'DT', value: text, date };
}

/** A PSObject's property, found case-insensitively (extended members first). */
export function getProperty(o: PSObject, name: string): { found: boolean; value: PSValue } {
  for (const map of [o.extended, o.adapted]) {
    const direct = map.get(name);
    if (direct !== undefined) return { found: true, value: direct };
    const lower = name.toLowerCase();
    for (const [k, v] of map) if (k.toLowerCase() === lower) return { found: true, value: v };
  }
  return { found: false, value: null };
}

/** Sets a property case-insensitively; a new one becomes an extended (note) property. */
export function setProperty(o: PSObject, name: string, value: PSValue): void {
  const lower = name.toLowerCase();
  for (const map of [o.extended, o.adapted]) {
    for (const k of map.keys()) {
      if (k.toLowerCase() === lower) {
        map.set(k, value);
        return;
      }
    }
  }
  o.extended.set(name, value);
}

/** The names of an object's properties, in display order (adapted first, then extended). */
export function propertyNames(v: PSValue): string[] {
  if (!isPSObject(v) || arrayItems(v)) return [];
  const d = dictOf(v);
  if (d) return [];
  const names = [...v.adapted.keys()];
  for (const k of v.extended.keys()) if (!names.includes(k)) names.push(k);
  return names;
}

/** The short .NET type name used in messages (`String`, `Int32`, `Object[]`). */
export function typeNameOf(v: PSValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'System.String';
  if (typeof v === 'boolean') return 'System.Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'System.Int32' : 'System.Double';
  if (isPSObject(v)) return v.typeNames[0] ?? 'System.Management.Automation.PSObject';
  const names: Record<string, string> = {
    Db: 'System.Double', Sg: 'System.Single', I64: 'System.Int64', U64: 'System.UInt64', U32: 'System.UInt32', I16: 'System.Int16', U16: 'System.UInt16',
    By: 'System.Byte', SB: 'System.SByte', C: 'System.Char', D: 'System.Decimal', G: 'System.Guid', Version: 'System.Version', URI: 'System.Uri',
    DT: 'System.DateTime', TS: 'System.TimeSpan', BA: 'System.Byte[]', SS: 'System.Security.SecureString', SBK: 'System.Management.Automation.ScriptBlock',
    XD: 'System.Xml.XmlDocument', PR: 'System.Management.Automation.ProgressRecord', DCT: 'System.Collections.Hashtable', LST: 'System.Collections.ArrayList',
  };
  return names[v.kind] ?? 'System.Object';
}
