/** Compares two CLIXML texts as XML trees (test helper). */
import { decodeString } from '../../../src/psrp/clixml/escape.js';
import { readXmlForest, type XElement } from '../../../src/psrp/clixml/xml.js';

export interface TreeOptions {
  /** Attributes to ignore on top-level values (e.g. powershell.exe's S="Error"). */
  ignoreRootAttrs?: string[];
  /** Compare leaf texts after `_xHHHH_` decoding (for hand-indented files with literal newlines in text). */
  decodeText?: boolean;
}

/** A canonical text of the tree: names, sorted attributes, leaf texts exact, layout whitespace dropped. */
export function canonical(xml: string, opts: TreeOptions = {}): string {
  const roots = readXmlForest(xml, { maxDepth: 10_000, maxElements: 10_000_000 });
  const out: string[] = [];
  const walk = (el: XElement, indent: string, top: boolean): void => {
    const attrs = [...el.attrs].filter(([k]) => !(top && opts.ignoreRootAttrs?.includes(k))).sort(([a], [b]) => (a < b ? -1 : 1));
    const kids = el.children.filter((c): c is XElement => typeof c !== 'string');
    const head = `${indent}<${el.name}${attrs.map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join('')}>`;
    if (kids.length === 0) {
      const text = el.children.join('');
      out.push(`${head}${JSON.stringify(opts.decodeText ? decodeString(text) : text)}`);
      return;
    }
    out.push(head);
    for (const k of kids) walk(k, `${indent}  `, el.name === 'Objs' ? true : false);
  };
  for (const r of roots) walk(r, '', r.name !== 'Objs');
  return out.join('\n');
}
