/**
 * Shows WS-Man resource instances (XML elements) the way Get-WSManInstance does: `Name : value`
 * lines, nested elements indented; and as plain JSON for `--json`.
 */
import type { XmlElement } from '../wsman/index.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function isNil(el: XmlElement): boolean {
  return el.attrs.some((a) => a.ns === XSI && a.local === 'nil' && a.value === 'true');
}

/**
 * The JSON form of an element: text-only elements become strings (null when xsi:nil), elements with
 * children become objects keyed by local name (repeated names become arrays), attributes appear
 * under `@name` keys.
 */
export function xmlToJson(el: XmlElement): unknown {
  if (isNil(el)) return null;
  const attrs = el.attrs.filter((a) => a.ns !== XSI);
  if (el.children.length === 0 && attrs.length === 0) return el.text.trim();
  const out: Record<string, unknown> = {};
  for (const a of attrs) out[`@${a.local}`] = a.value;
  for (const c of el.children) {
    const value = xmlToJson(c);
    const prev = out[c.local];
    if (prev === undefined) out[c.local] = value;
    else if (Array.isArray(prev) && (prev as unknown[] & { __multi?: true }).__multi) (prev as unknown[]).push(value);
    else {
      const arr = [prev, value] as unknown[] & { __multi?: true };
      Object.defineProperty(arr, '__multi', { value: true, enumerable: false });
      out[c.local] = arr;
    }
  }
  if (el.children.length === 0 && el.text.trim()) out['#text'] = el.text.trim();
  return out;
}

/** `Name : value` lines for an element's children, aligned, nested ones indented. */
export function xmlToText(el: XmlElement, indent = ''): string {
  const rows = el.children;
  if (rows.length === 0) return `${indent}${el.local} : ${el.text.trim()}\n`;
  const width = Math.max(...rows.map((c) => c.local.length));
  let out = '';
  for (const c of rows) {
    if (c.children.length > 0) {
      out += `${indent}${c.local.padEnd(width)} :\n${xmlToText(c, `${indent}    `)}`;
    } else {
      out += `${indent}${c.local.padEnd(width)} : ${isNil(c) ? '' : c.text.trim()}\n`;
    }
  }
  return out;
}
