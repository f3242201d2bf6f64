/**
 * Member access (`$x.Name`, `$a.Count`, member enumeration over arrays), a few .NET methods
 * (string methods, hashtable Add/ContainsKey, DateTime Add*, `.ForEach{}` / `.Where{}`) and
 * static members (`[math]::Round`, `[datetime]::Now`, `[int]::MaxValue` …). Nothing else of .NET
 * is reachable: an unknown method is PowerShell's MethodNotFound error.
 */
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isPSObject, kindOf, PSObject, ps, type PSValue } from '../../psrp/clixml/index.js';
import { fromNum, toNum } from './operators.js';
import { formatValue } from './format-string.js';
import { RuntimeFailure } from './runtime-error.js';
import { convertTo, requireType, roundHalfEven } from './types.js';
import { FileStreamObject, ioStatic, newByteArray } from './dotnet-io.js';
import {
  arrayItems, AUTOMATION_NULL, dictGet, dictKey, dictOf, dictSet, enumerate, getProperty, localDateTime, makeArray, ScriptBlock,
  setProperty, toBool, toStr, typeNameOf,
} from './values.js';

/** Runs a script block with `$_` set, collecting its output (for `.ForEach{}` / `.Where{}`). */
export type BlockRunner = (sb: ScriptBlock, dollarUnder: PSValue) => Promise<PSValue[]>;

const DATE_PARTS: Record<string, (d: Date) => PSValue> = {
  year: (d) => d.getFullYear(), month: (d) => d.getMonth() + 1, day: (d) => d.getDate(), hour: (d) => d.getHours(),
  minute: (d) => d.getMinutes(), second: (d) => d.getSeconds(), millisecond: (d) => d.getMilliseconds(),
  dayofyear: (d) => Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 0).getTime()) / 86400000),
  dayofweek: (d) => new PSObject({ typeNames: ['System.DayOfWeek', 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getDay()] ?? '', value: d.getDay() }),
  ticks: (d) => ps.i64(BigInt(d.getTime()) * 10000n + 621355968000000000n),
  date: (d) => localDateTime(new Date(d.getFullYear(), d.getMonth(), d.getDate())),
};

const SPAN_PARTS: Record<string, (ms: number) => PSValue> = {
  days: (ms) => Math.trunc(ms / 86400000), hours: (ms) => Math.trunc(ms / 3600000) % 24, minutes: (ms) => Math.trunc(ms / 60000) % 60,
  seconds: (ms) => Math.trunc(ms / 1000) % 60, milliseconds: (ms) => Math.trunc(ms) % 1000,
  totaldays: (ms) => ps.double(ms / 86400000), totalhours: (ms) => ps.double(ms / 3600000), totalminutes: (ms) => ps.double(ms / 60000),
  totalseconds: (ms) => ps.double(ms / 1000), totalmilliseconds: (ms) => ps.double(ms), ticks: (ms) => ps.i64(Math.round(ms * 10000)),
};

/** `$value.name`. Unknown members are $null (strict mode off), as in PowerShell. */
export function getMember(v: PSValue, name: string): PSValue {
  const lower = name.toLowerCase();
  if (v === null) return null;
  const items = arrayItems(v);
  if (items) {
    if (lower === 'count' || lower === 'length' || lower === 'longlength') return items.length;
    if (lower === 'rank') return 1;
    // Member enumeration (PowerShell 3+): the member of each element, flattened.
    const out: PSValue[] = [];
    for (const item of items) {
      const r = getMember(item, name);
      if (r !== null) out.push(...enumerate(r));
    }
    return out.length === 0 ? null : out.length === 1 ? (out[0] ?? null) : makeArray(out);
  }
  const d = dictOf(v);
  if (d) {
    const hit = dictGet(d, name);
    if (hit !== undefined) return hit;
    if (lower === 'count') return d.entries.size;
    if (lower === 'keys') return makeArray([...d.entries.keys()]);
    if (lower === 'values') return makeArray([...d.entries.values()]);
    if (isPSObject(v)) return getProperty(v, name).value;
    return null;
  }
  if (typeof v === 'string') {
    if (lower === 'length') return v.length;
    return lower === 'count' ? 1 : null;
  }
  if (v instanceof FileStreamObject) {
    const m = v.member(lower);
    if (m !== undefined) return m;
  }
  if (isPSObject(v) && !(v instanceof ScriptBlock)) {
    const p = getProperty(v, name);
    if (p.found) return p.value;
    if (v.value !== undefined && v.value !== null && !isPSObject(v.value)) return getMember(v.value, name);
    return lower === 'count' || lower === 'length' ? 1 : null;
  }
  const k = kindOf(v);
  if (k === 'BA' && typeof v === 'object' && 'value' in v && v.value instanceof Uint8Array && (lower === 'length' || lower === 'count' || lower === 'longlength')) return v.value.length;
  if (k === 'DT' && typeof v === 'object' && 'date' in v) return DATE_PARTS[lower]?.(v.date) ?? null;
  if (k === 'TS' && typeof v === 'object' && 'ms' in v) return SPAN_PARTS[lower]?.(v.ms) ?? null;
  if (k === 'Version' && typeof v === 'object' && 'value' in v) {
    const parts = String(v.value).split('.').map(Number);
    const idx = ['major', 'minor', 'build', 'revision'].indexOf(lower);
    if (idx >= 0) return parts[idx] ?? -1;
  }
  return lower === 'count' || lower === 'length' ? 1 : null;
}

/** `$value.name = x` on a hashtable or object. */
export function setMember(v: PSValue, name: string, value: PSValue): void {
  const d = dictOf(v);
  if (d) {
    dictSet(d, name, value);
    return;
  }
  if (isPSObject(v) && !arrayItems(v)) {
    setProperty(v, name, value);
    return;
  }
  throw new RuntimeFailure('PropertyNotFound', `The property '${name}' cannot be found on this object. Verify that the property exists and can be set.`, 'InvalidOperation');
}

function methodNotFound(v: PSValue, name: string): RuntimeFailure {
  return new RuntimeFailure('MethodNotFound', `Method invocation failed because [${typeNameOf(v)}] does not contain a method named '${name}'.`, 'InvalidOperation', 'System.Management.Automation.RuntimeException');
}

function str(a: PSValue[], i: number): string {
  return toStr(a[i] ?? null);
}

function int(a: PSValue[], i: number): number {
  return toNum(a[i] ?? null)?.n ?? 0;
}

function stringMethod(s: string, name: string, a: PSValue[]): PSValue | undefined {
  switch (name) {
    case 'toupper': case 'toupperinvariant': return s.toUpperCase();
    case 'tolower': case 'tolowerinvariant': return s.toLowerCase();
    case 'trim': return a.length ? trimChars(s, str(a, 0), true, true) : s.trim();
    // TrimStart('\\', '/'): params char[], so every argument is a set of characters.
    case 'trimstart': return a.length ? trimChars(s, a.map((x) => toStr(x)).join(''), true, false) : s.trimStart();
    case 'trimend': return a.length ? trimChars(s, a.map((x) => toStr(x)).join(''), false, true) : s.trimEnd();
    case 'split': {
      const seps = a.flatMap((x) => enumerate(x).map((y) => toStr(y))).filter((x) => x !== '');
      if (seps.length === 0) return makeArray(s.split(/\s/));
      const chars = seps.length === 1 && seps[0] !== undefined && seps[0].length > 1 && a.length === 1 && typeof a[0] === 'string' ? [...seps[0]] : seps;
      const re = new RegExp(chars.map((c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));
      return makeArray(s.split(re));
    }
    case 'replace': return s.split(str(a, 0)).join(str(a, 1));
    case 'contains': return s.includes(str(a, 0));
    case 'startswith': return s.startsWith(str(a, 0));
    case 'endswith': return s.endsWith(str(a, 0));
    case 'substring': return a.length > 1 ? s.substr(int(a, 0), int(a, 1)) : s.slice(int(a, 0));
    case 'indexof': return s.indexOf(str(a, 0), a.length > 1 ? int(a, 1) : 0);
    case 'lastindexof': return s.lastIndexOf(str(a, 0));
    case 'padleft': return s.padStart(int(a, 0), a.length > 1 ? str(a, 1) : ' ');
    case 'padright': return s.padEnd(int(a, 0), a.length > 1 ? str(a, 1) : ' ');
    case 'insert': return s.slice(0, int(a, 0)) + str(a, 1) + s.slice(int(a, 0));
    case 'remove': return a.length > 1 ? s.slice(0, int(a, 0)) + s.slice(int(a, 0) + int(a, 1)) : s.slice(0, int(a, 0));
    case 'tochararray': return makeArray([...s].map((c) => ps.num('C', c.charCodeAt(0))));
    case 'equals': return s === str(a, 0);
    case 'compareto': return Math.sign(s.localeCompare(str(a, 0)));
    case 'normalize': return s.normalize();
    default: return undefined;
  }
}

function trimChars(s: string, chars: string, start: boolean, end: boolean): string {
  let i = 0;
  let j = s.length;
  while (start && i < j && chars.includes(s[i] ?? '')) i++;
  while (end && j > i && chars.includes(s[j - 1] ?? '')) j--;
  return s.slice(i, j);
}

/** `$value.Name(args)`. */
export async function invokeMethod(v: PSValue, name: string, args: PSValue[], run: BlockRunner): Promise<PSValue> {
  const lower = name.toLowerCase();
  const items = arrayItems(v);
  if (lower === 'foreach' || lower === 'where') {
    const sb = args[0];
    if (!(sb instanceof ScriptBlock)) throw methodNotFound(v, name);
    const out: PSValue[] = [];
    for (const item of items ?? enumerate(v)) {
      const r = await run(sb, item);
      if (lower === 'foreach') out.push(...r);
      else if (toBool(r.length === 1 ? (r[0] ?? null) : makeArray(r))) out.push(item);
    }
    return new PSObject({ typeNames: ['System.Collections.ObjectModel.Collection`1[[System.Management.Automation.PSObject, System.Management.Automation]]', 'System.Object'], value: ps.list(out) });
  }
  if (lower === 'gettype') return typeObject(typeNameOf(v));
  if (v instanceof FileStreamObject) {
    const r = v.call(lower, args);
    if (r !== undefined) return r === null ? AUTOMATION_NULL : r;
  }
  if (lower === 'tostring' && args.length === 0) return toStr(v);
  if (typeof v === 'string') {
    const r = stringMethod(v, lower, args);
    if (r !== undefined) return r;
  }
  if (items) {
    if (lower === 'contains') return items.some((x) => x === args[0] || toStr(x) === toStr(args[0] ?? null));
    if (lower === 'indexof') return items.findIndex((x) => toStr(x) === toStr(args[0] ?? null));
    if (lower === 'add' && isPSObject(v) && v.typeNames[0] === 'System.Collections.ArrayList') {
      items.push(args[0] ?? null);
      return items.length - 1;
    }
    if (lower === 'add') throw new RuntimeFailure('NotSupportedException', 'Exception calling "Add" with "1" argument(s): "Collection was of a fixed size."', 'NotSpecified', 'System.Management.Automation.MethodInvocationException');
  }
  const d = dictOf(v);
  if (d) {
    switch (lower) {
      case 'containskey': case 'contains': return dictKey(d, args[0] ?? null) !== undefined;
      case 'containsvalue': return [...d.entries.values()].some((x) => toStr(x) === toStr(args[0] ?? null));
      case 'add':
        if (dictKey(d, args[0] ?? null) !== undefined) {
          throw new RuntimeFailure('ArgumentException', `Exception calling "Add" with "2" argument(s): "Item has already been added. Key in dictionary: '${str(args, 0)}'  Key being added: '${str(args, 0)}'"`, 'NotSpecified', 'System.Management.Automation.MethodInvocationException');
        }
        d.entries.set(args[0] ?? null, args[1] ?? null);
        return AUTOMATION_NULL;
      case 'remove': {
        const k = dictKey(d, args[0] ?? null);
        if (k !== undefined) d.entries.delete(k);
        return AUTOMATION_NULL;
      }
      case 'clear': d.entries.clear(); return AUTOMATION_NULL;
      default:
    }
  }
  const k = kindOf(v);
  if (k === 'DT' && v !== null && typeof v === 'object' && 'date' in v) {
    const unit: Record<string, number> = { adddays: 86400000, addhours: 3600000, addminutes: 60000, addseconds: 1000, addmilliseconds: 1 };
    if (unit[lower] !== undefined) return localDateTime(new Date(v.date.getTime() + int(args, 0) * (unit[lower] ?? 1)));
    if (lower === 'addmonths' || lower === 'addyears') {
      const d2 = new Date(v.date);
      if (lower === 'addmonths') d2.setMonth(d2.getMonth() + int(args, 0));
      else d2.setFullYear(d2.getFullYear() + int(args, 0));
      return localDateTime(d2);
    }
    if (lower === 'tostring') return formatValue(v, str(args, 0));
    if (lower === 'touniversaltime') return ps.dateTime(v.date);
    if (lower === 'tolocaltime') return localDateTime(v.date);
  }
  if (lower === 'tostring') return formatValue(v, str(args, 0));
  if (lower === 'equals') return toStr(v) === str(args, 0);
  throw methodNotFound(v, name);
}

/** A minimal System.RuntimeType object for `.GetType()`. */
function typeObject(fullName: string): PSObject {
  const short = fullName.split('.').pop() ?? fullName;
  return new PSObject({
    typeNames: ['System.RuntimeType', 'System.Type', 'System.Object'], toStringText: fullName,
    adapted: [['Name', short], ['FullName', fullName], ['Namespace', fullName.slice(0, Math.max(0, fullName.length - short.length - 1))]],
  });
}

/** `[type]::Member`. */
export function staticMember(typeName: string, name: string): PSValue {
  const type = requireType(typeName);
  const lower = name.toLowerCase();
  const key = `${type}::${lower}`;
  switch (key) {
    case 'System.DateTime::now': return localDateTime(new Date());
    case 'System.DateTime::utcnow': return ps.dateTime(new Date());
    case 'System.DateTime::today': { const d = new Date(); return localDateTime(new Date(d.getFullYear(), d.getMonth(), d.getDate())); }
    case 'System.Int32::maxvalue': return 2147483647;
    case 'System.Int32::minvalue': return -2147483648;
    case 'System.Int64::maxvalue': return ps.i64(9223372036854775807n);
    case 'System.Int64::minvalue': return ps.i64(-9223372036854775808n);
    case 'System.Double::maxvalue': return ps.double(Number.MAX_VALUE);
    case 'System.Math::pi': return ps.double(Math.PI);
    case 'System.Math::e': return ps.double(Math.E);
    case 'System.String::empty': return '';
    case 'System.Environment::machinename': return os.hostname();
    case 'System.Environment::newline': return os.EOL;
    case 'System.Environment::processorcount': return os.cpus().length;
    case 'System.Environment::username': return os.userInfo().username;
    case 'System.Environment::currentdirectory': return process.cwd();
    case 'System.IO.Path::directoryseparatorchar': return ps.num('C', path.sep.charCodeAt(0));
    case 'System.IO.Path::pathseparator': return ps.num('C', path.delimiter.charCodeAt(0));
    default:
      throw new RuntimeFailure('PropertyNotFound', `The property '${name}' cannot be found on type [${type}].`, 'InvalidOperation');
  }
}

/** `[type]::Method(args)`. */
export function invokeStatic(typeName: string, name: string, a: PSValue[]): PSValue {
  const type = requireType(typeName);
  const lower = name.toLowerCase();
  const num = (i: number): number => toNum(a[i] ?? null)?.n ?? 0;
  const numOut = (x: number, like: PSValue): PSValue => (kindOf(like) === 'Db' || !Number.isInteger(x) ? ps.double(x) : fromNum({ t: 'int', n: x }));
  const io = ioStatic(`${type}::${lower}`, a);
  if (io !== undefined) return io;
  switch (`${type}::${lower}`) {
    case 'System.Byte[]::new': return newByteArray(a[0] ?? null);
    case 'System.Math::round': return ps.double(roundHalfEven(num(0), a.length > 1 ? num(1) : 0));
    case 'System.Math::floor': return ps.double(Math.floor(num(0)));
    case 'System.Math::ceiling': return ps.double(Math.ceil(num(0)));
    case 'System.Math::truncate': return ps.double(Math.trunc(num(0)));
    case 'System.Math::abs': return numOut(Math.abs(num(0)), a[0] ?? null);
    case 'System.Math::max': return numOut(Math.max(num(0), num(1)), a[0] ?? null);
    case 'System.Math::min': return numOut(Math.min(num(0), num(1)), a[0] ?? null);
    case 'System.Math::pow': return ps.double(num(0) ** num(1));
    case 'System.Math::sqrt': return ps.double(Math.sqrt(num(0)));
    case 'System.Math::log': return ps.double(a.length > 1 ? Math.log(num(0)) / Math.log(num(1)) : Math.log(num(0)));
    case 'System.Math::log10': return ps.double(Math.log10(num(0)));
    case 'System.String::isnullorempty': return a[0] === null || toStr(a[0] ?? null) === '';
    case 'System.String::isnullorwhitespace': return a[0] === null || toStr(a[0] ?? null).trim() === '';
    case 'System.String::join': return a.slice(1).flatMap((x) => enumerate(x)).map((x) => toStr(x)).join(toStr(a[0] ?? null));
    case 'System.String::concat': return a.map((x) => toStr(x)).join('');
    case 'System.Guid::newguid': return ps.guid(randomUUID());
    // .NET starts over at a rooted part: Combine('C:\\x', 'D:\\y') is D:\\y, unlike path.join.
    case 'System.IO.Path::combine': return a.map((x) => toStr(x)).reduce((acc, p) => (path.isAbsolute(p) || acc === '' ? p : path.join(acc, p)), '');
    case 'System.IO.Path::getfilename': return path.basename(toStr(a[0] ?? null));
    case 'System.IO.Path::getfilenamewithoutextension': { const p = toStr(a[0] ?? null); return path.basename(p, path.extname(p)); }
    case 'System.IO.Path::getextension': return path.extname(toStr(a[0] ?? null));
    case 'System.IO.Path::getdirectoryname': return path.dirname(toStr(a[0] ?? null));
    case 'System.IO.Path::gettemppath': return os.tmpdir() + path.sep;
    case 'System.IO.File::exists': return existsSync(toStr(a[0] ?? null));
    case 'System.Environment::getenvironmentvariable': return process.env[toStr(a[0] ?? null)] ?? null;
    case 'System.Convert::toint32': return a.length > 1 ? parseInt(toStr(a[0] ?? null), num(1)) : convertTo('int', a[0] ?? null);
    case 'System.DateTime::parse': return convertTo('datetime', a[0] ?? null);
    default:
      throw new RuntimeFailure('MethodNotFound', `Method invocation failed because [${type}] does not contain a method named '${name}'.`, 'InvalidOperation');
  }
}
