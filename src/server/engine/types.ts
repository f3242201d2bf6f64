/**
 * Type literals of the subset: casts (`[int]"5"`), `-is` / `-as`, parameter type constraints.
 * Only a handful of .NET types are known; any other name is "Unable to find type".
 */
import { isPSObject, kindOf, PSObject, ps, type PSValue } from '../../psrp/clixml/index.js';
import { fromNum, toNum } from './operators.js';
import { RuntimeFailure } from './runtime-error.js';
import {
  arrayItems, baseValue, dictOf, enumerate, localDateTime, makeArray, makeCustomObject, makeHashtable, ORDERED, PSCUSTOMOBJECT,
  ScriptBlock, toBool, toStr, typeNameOf,
} from './values.js';

/** Canonical .NET names of the accepted type literals (lower-case keys, `System.` optional). */
const TYPE_ALIASES: Record<string, string> = {
  int: 'System.Int32', int32: 'System.Int32', long: 'System.Int64', int64: 'System.Int64', double: 'System.Double', float: 'System.Single',
  single: 'System.Single', decimal: 'System.Decimal', string: 'System.String', bool: 'System.Boolean', boolean: 'System.Boolean',
  char: 'System.Char', byte: 'System.Byte', 'byte[]': 'System.Byte[]', array: 'System.Array', 'object[]': 'System.Object[]', 'string[]': 'System.String[]',
  'int[]': 'System.Int32[]', object: 'System.Object', psobject: 'System.Management.Automation.PSObject', hashtable: 'System.Collections.Hashtable',
  ordered: 'System.Collections.Specialized.OrderedDictionary', pscustomobject: 'System.Management.Automation.PSCustomObject',
  datetime: 'System.DateTime', timespan: 'System.TimeSpan', scriptblock: 'System.Management.Automation.ScriptBlock', switch: 'System.Management.Automation.SwitchParameter',
  version: 'System.Version', guid: 'System.Guid', math: 'System.Math', void: 'System.Void', regex: 'System.Text.RegularExpressions.Regex',
  environment: 'System.Environment', 'io.path': 'System.IO.Path', path: 'System.IO.Path', 'io.file': 'System.IO.File', 'io.directory': 'System.IO.Directory',
  convert: 'System.Convert', console: 'System.Console', uri: 'System.Uri', securestring: 'System.Security.SecureString', char_array: 'System.Char[]',
  'collections.arraylist': 'System.Collections.ArrayList', arraylist: 'System.Collections.ArrayList', 'collections.hashtable': 'System.Collections.Hashtable',
  'diagnostics.process': 'System.Diagnostics.Process', errorrecord: 'System.Management.Automation.ErrorRecord',
  'management.automation.errorrecord': 'System.Management.Automation.ErrorRecord', exception: 'System.Exception',
};

/** The canonical name of a type literal, or null when the subset does not know it. */
export function resolveType(name: string): string | null {
  const key = name.toLowerCase().replace(/^system\./, '').replace(/\s+/g, '');
  if (TYPE_ALIASES[key]) return TYPE_ALIASES[key] ?? null;
  const generic = /^collections\.generic\.list\[(.+)\]$/.exec(key) ?? /^list\[(.+)\]$/.exec(key);
  if (generic) return 'System.Collections.Generic.List`1';
  const full = Object.values(TYPE_ALIASES).find((v) => v.toLowerCase() === `system.${key}` || v.toLowerCase() === key);
  return full ?? null;
}

export function requireType(name: string): string {
  const t = resolveType(name);
  if (!t) throw new RuntimeFailure('TypeNotFound', `Unable to find type [${name}].`, 'InvalidOperation', 'System.Management.Automation.RuntimeException', { targetObject: name });
  return t;
}

function castError(v: PSValue, type: string, why = ''): RuntimeFailure {
  return new RuntimeFailure('InvalidCastParseTargetInvocation', `Cannot convert value "${toStr(v)}" to type "${type}".${why ? ` Error: "${why}"` : ''}`, 'InvalidArgument', 'System.Management.Automation.PSInvalidCastException', { targetObject: v });
}

function toInteger(v: PSValue, type: string, min: number, max: number): number {
  const n = toNum(v);
  if (!n) throw castError(v, type, `The input string '${toStr(v)}' was not in a correct format.`);
  // .NET rounds half to even when converting a double to an integer.
  const r = Number.isInteger(n.n) ? n.n : roundHalfEven(n.n);
  if (r < min || r > max) throw castError(v, type, `Value was either too large or too small for ${type.replace('System.', 'an ')}.`);
  return r;
}

/** Math.Round's default (banker's rounding). */
export function roundHalfEven(x: number, digits = 0): number {
  const f = 10 ** digits;
  const y = x * f;
  const r = Math.round(y);
  const diff = Math.abs(y % 1);
  const even = Math.abs(diff - 0.5) < 1e-9 ? (r % 2 === 0 ? r : r - 1) : r;
  return even / f;
}

/** `[type]value`. */
export function convertTo(typeName: string, v: PSValue): PSValue {
  const type = requireType(typeName);
  const b = baseValue(v);
  switch (type) {
    case 'System.Int32': return toInteger(b, type, -2147483648, 2147483647);
    case 'System.Int64': return ps.i64(toInteger(b, type, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    case 'System.Byte': return ps.num('By', toInteger(b, type, 0, 255));
    case 'System.Double': case 'System.Single': {
      const n = toNum(b);
      if (!n) throw castError(v, type, `The input string '${toStr(v)}' was not in a correct format.`);
      return type === 'System.Double' ? ps.double(n.n) : ps.num('Sg', n.n);
    }
    case 'System.Decimal': {
      const n = toNum(b);
      if (!n) throw castError(v, type);
      return ps.text('D', String(n.n));
    }
    case 'System.String': return v === null ? '' : toStr(v);
    case 'System.Boolean': case 'System.Management.Automation.SwitchParameter': return toBool(v);
    case 'System.Char': {
      if (typeof b === 'string' && b.length === 1) return ps.num('C', b.charCodeAt(0));
      const n = toNum(b);
      if (n && typeof b !== 'string') return ps.num('C', n.n);
      throw castError(v, type, 'String must be exactly one character long.');
    }
    case 'System.Array': case 'System.Object[]': return makeArray(enumerate(v === null ? undefined : v));
    case 'System.String[]': return makeArray(enumerate(v).map((x) => toStr(x)));
    case 'System.Int32[]': return makeArray(enumerate(v).map((x) => toInteger(x, 'System.Int32', -2147483648, 2147483647)));
    case 'System.Collections.ArrayList': case 'System.Collections.Generic.List`1':
      return new PSObject({ typeNames: ['System.Collections.ArrayList', 'System.Object'], value: ps.list([...enumerate(v === null ? undefined : v)]) });
    case 'System.Object': case 'System.Management.Automation.PSObject': return v;
    case 'System.Collections.Hashtable': {
      const d = dictOf(v);
      if (!d) throw castError(v, type);
      return makeHashtable(d.entries);
    }
    case 'System.Collections.Specialized.OrderedDictionary': {
      const d = dictOf(v);
      if (!d) throw new RuntimeFailure('OrderedAttributeOnlyOnHashLiteralNode', 'The ordered attribute can be specified only on a hash literal node.', 'ParserError');
      return isPSObject(v) && v.typeNames[0] === ORDERED[0] ? v : makeHashtable(d.entries, true);
    }
    case 'System.Management.Automation.PSCustomObject': {
      const d = dictOf(v);
      if (!d) return v;
      return makeCustomObject([...d.entries].map(([k, x]) => [toStr(k), x]));
    }
    case 'System.DateTime': {
      if (kindOf(b) === 'DT') return b;
      const d = new Date(toStr(b));
      if (Number.isNaN(d.getTime())) throw castError(v, type, `String '${toStr(v)}' was not recognized as a valid DateTime.`);
      return localDateTime(d);
    }
    case 'System.Version': {
      if (!/^\d+(\.\d+){1,3}$/.test(toStr(b))) throw castError(v, type);
      return ps.version(toStr(b));
    }
    case 'System.Guid': return ps.guid(toStr(b));
    case 'System.Management.Automation.ScriptBlock':
      if (v instanceof ScriptBlock) return v;
      throw castError(v, type);
    case 'System.Void': return null;
    default:
      if (isPSObject(v) && v.typeNames.includes(type)) return v;
      throw castError(v, type);
  }
}

/** `-is`. */
export function isType(v: PSValue, typeName: string): boolean {
  const type = requireType(typeName);
  const b = baseValue(v);
  switch (type) {
    case 'System.Object': case 'System.Management.Automation.PSObject': return v !== null;
    case 'System.Int32': return typeof b === 'number' && Number.isInteger(b);
    case 'System.Int64': return kindOf(b) === 'I64';
    case 'System.Double': return kindOf(b) === 'Db' || (typeof b === 'number' && !Number.isInteger(b));
    case 'System.String': return typeof b === 'string';
    case 'System.Boolean': return typeof b === 'boolean';
    case 'System.Array': case 'System.Object[]': return arrayItems(v) !== null;
    case 'System.Collections.Hashtable': return dictOf(v) !== null && isPSObject(v) && v.typeNames.includes('System.Collections.Hashtable');
    case 'System.Management.Automation.PSCustomObject': return isPSObject(v) && v.typeNames[0] === PSCUSTOMOBJECT[0];
    case 'System.DateTime': return kindOf(b) === 'DT';
    case 'System.Management.Automation.ScriptBlock': return v instanceof ScriptBlock;
    default: return typeNameOf(v) === type || (isPSObject(v) && v.typeNames.includes(type));
  }
}

/** `-as`: the conversion, or $null when it fails. */
export function asType(v: PSValue, typeName: string): PSValue {
  try {
    return convertTo(typeName, v);
  } catch (err) {
    if (err instanceof RuntimeFailure && err.errorId === 'TypeNotFound') throw err;
    return null;
  }
}

/** A numeric conversion used by parameters: `fromNum(toNum(x))`. */
export function numberValue(v: PSValue): PSValue {
  const n = toNum(v);
  return n ? fromNum(n) : v;
}
