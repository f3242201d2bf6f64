/**
 * Structural XML comparison for tests: two element trees are equal when they have the same
 * (namespace, local name) elements in the same order, the same attributes (by namespace, local name
 * and value) and the same trimmed text. Prefixes, namespace declarations and whitespace between
 * elements never count. Options say what else to ignore (ids, To, ActivityId …).
 */
import type { XmlElement } from '../../src/wsman/index.js';

export interface CompareOptions {
  /** Elements to leave out entirely (on both sides). */
  skip?: (el: XmlElement) => boolean;
  /** Elements whose text is not compared. */
  ignoreText?: (el: XmlElement) => boolean;
  /** Attributes not compared. */
  ignoreAttr?: (el: XmlElement, attr: { ns: string; local: string }) => boolean;
  /** Maps text / attribute values before comparing (e.g. case of booleans). */
  normalize?: (value: string, el: XmlElement, attrName?: string) => string;
  /** Compare children as multisets where this returns true (element order not significant). */
  unordered?: (el: XmlElement) => boolean;
}

const nameOf = (el: { ns: string; local: string }): string => `{${el.ns}}${el.local}`;

function attrsOf(el: XmlElement, o: CompareOptions): string[] {
  return el.attrs
    .filter((a) => !(o.ignoreAttr?.(el, a) ?? false))
    .map((a) => `${nameOf(a)}=${JSON.stringify(o.normalize ? o.normalize(a.value, el, a.local) : a.value)}`)
    .sort();
}

function textOfEl(el: XmlElement, o: CompareOptions): string {
  if (o.ignoreText?.(el)) return '<ignored>';
  const t = el.text.trim();
  return o.normalize ? o.normalize(t, el) : t;
}

function kids(el: XmlElement, o: CompareOptions): XmlElement[] {
  return el.children.filter((c) => !(o.skip?.(c) ?? false));
}

/** A canonical one-line string of a tree under the options (used for unordered matching). */
export function canonical(el: XmlElement, o: CompareOptions = {}): string {
  const children = kids(el, o).map((c) => canonical(c, o));
  if (o.unordered?.(el)) children.sort();
  return `${nameOf(el)}[${attrsOf(el, o).join(',')}](${JSON.stringify(textOfEl(el, o))}){${children.join('')}}`;
}

/**
 * Lists the differences between two trees (empty when structurally equal). Paths use local names.
 */
export function diffXml(a: XmlElement, b: XmlElement, o: CompareOptions = {}, path = ''): string[] {
  const here = `${path}/${a.local}`;
  if (nameOf(a) !== nameOf(b)) return [`${path}: element ${nameOf(a)} != ${nameOf(b)}`];
  const out: string[] = [];
  const aa = attrsOf(a, o).join(' ');
  const ba = attrsOf(b, o).join(' ');
  if (aa !== ba) out.push(`${here}: attributes [${aa}] != [${ba}]`);
  const at = textOfEl(a, o);
  const bt = textOfEl(b, o);
  if (at !== bt) out.push(`${here}: text ${JSON.stringify(at.slice(0, 80))} != ${JSON.stringify(bt.slice(0, 80))}`);
  const ak = kids(a, o);
  const bk = kids(b, o);
  if (o.unordered?.(a)) {
    const ac = ak.map((c) => canonical(c, o)).sort();
    const bc = bk.map((c) => canonical(c, o)).sort();
    if (ac.join('\n') !== bc.join('\n')) {
      const missing = bc.filter((c) => !ac.includes(c)).map((c) => c.slice(0, 120));
      const extra = ac.filter((c) => !bc.includes(c)).map((c) => c.slice(0, 120));
      out.push(`${here}: children differ (unordered); only left: ${extra.join(' | ')}; only right: ${missing.join(' | ')}`);
    }
    return out;
  }
  if (ak.length !== bk.length) {
    out.push(`${here}: ${ak.length} children [${ak.map((c) => c.local).join(',')}] != ${bk.length} [${bk.map((c) => c.local).join(',')}]`);
    return out;
  }
  ak.forEach((c, i) => out.push(...diffXml(c, bk[i] as XmlElement, o, here)));
  return out;
}
