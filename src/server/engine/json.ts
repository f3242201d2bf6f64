/**
 * ConvertTo-Json as pwsh 7 writes it (Newtonsoft.Json, Formatting.Indented: two spaces, `"key": `
 * with one space, one array element per line, `[]` / `{}` when empty; -Compress: no whitespace).
 * Objects nested deeper than -Depth (default 2) become their ToString text.
 */
import { isPSObject, kindOf, type PSValue } from '../../psrp/clixml/index.js';
import { arrayItems, dictOf, formatDouble, propertyNames, ScriptBlock, toStr } from './values.js';
import { getProperty } from './values.js';

/** JSON string escaping as Newtonsoft's default StringEscapeHandling does. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c === 0x85 || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function scalar(v: PSValue): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatDouble(v);
  const k = kindOf(v);
  if (k === 'Db' || k === 'Sg') {
    const n = (v as { value: number }).value;
    return Number.isInteger(n) ? `${n}.0` : formatDouble(n);
  }
  if (k === 'I64' || k === 'U64' || k === 'By' || k === 'SB' || k === 'I16' || k === 'U16' || k === 'U32' || k === 'D') return toStr(v);
  if (k === 'DT' && v && typeof v === 'object' && 'value' in v) return quote(String(v.value));
  if (k === 'G' || k === 'Version' || k === 'URI' || k === 'C' || k === 'TS' || k === 'SBK') return quote(toStr(v));
  if (isPSObject(v) && v.typeNames.includes('System.Enum')) return toStr(v.value ?? null);
  return undefined;
}

/** Serializes one value; `depth` is how many more levels of objects may be expanded. */
export function toJson(v: PSValue, depth: number, compress: boolean, indent = ''): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  const nl = compress ? '' : '\n';
  const inner = compress ? '' : `${indent}  `;
  const sep = compress ? ':' : ': ';
  const items = arrayItems(v);
  if (items) {
    if (depth < 0) return quote(toStr(v));
    if (items.length === 0) return '[]';
    return `[${nl}${items.map((x) => inner + toJson(x, depth - 1, compress, inner)).join(`,${nl}`)}${nl}${indent}]`;
  }
  if (depth < 0 || v instanceof ScriptBlock) return quote(toStr(v));
  const d = dictOf(v);
  let entries: [string, PSValue][];
  if (d) entries = [...d.entries].map(([k, x]) => [toStr(k), x]);
  else if (isPSObject(v)) {
    if (v.value !== undefined && propertyNames(v).length === 0) return toJson(v.value, depth, compress, indent);
    entries = propertyNames(v).map((n) => [n, getProperty(v, n).value]);
  } else entries = [];
  if (entries.length === 0) return '{}';
  return `{${nl}${entries.map(([k, x]) => `${inner}${quote(k)}${sep}${toJson(x, depth - 1, compress, inner)}`).join(`,${nl}`)}${nl}${indent}}`;
}
