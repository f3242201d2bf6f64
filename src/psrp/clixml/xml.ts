/**
 * A small, strict, bounded XML reader for CLIXML.
 *
 * Why not a general parser: CLIXML needs every character of `<S>` text kept exactly (leading and
 * trailing spaces, whitespace-only strings), numeric character references decoded once, no DTD or
 * entity expansion at all, and hard limits on depth and element count checked *before* recursion.
 * CLIXML uses only elements, attributes, text and (rarely) CDATA, so a few dozen lines of scanner
 * cover it and let every failure be a `ClixmlError` instead of some library's exception.
 *
 * Namespaces are dropped: CLIXML has a single default namespace
 * (`http://schemas.microsoft.com/powershell/2004/04`), so elements and attributes keep their local
 * name only, and `xmlns`/`xmlns:*` attributes are skipped.
 */
import { ClixmlError } from './errors.js';

/** An XML element: local name, attributes by local name, children in order (text as strings). */
export interface XElement {
  name: string;
  attrs: Map<string, string>;
  children: (XElement | string)[];
}

export interface XmlReadLimits {
  /** Deepest element nesting accepted. */
  maxDepth: number;
  /** Most elements accepted in one input. */
  maxElements: number;
}

const NAME = /[^\s/>=<"'!?]+/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function malformed(message: string, at: number): ClixmlError {
  return new ClixmlError('ETSR_XML_MALFORMED', `${message} at offset ${at}`);
}

/** Decodes the five predefined entities and numeric character references; rejects any other. */
export function decodeRefs(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,10});?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw malformed('unterminated entity reference', at);
    const named = ENTITY[body];
    if (named !== undefined) return named;
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(body) ?? /^#([0-9]{1,7})$/.exec(body);
    if (num) {
      const code = Number.parseInt(num[1] ?? '', body[1] === 'x' ? 16 : 10);
      if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    throw malformed(`unsupported entity reference &${body};`, at);
  });
}

/** Line-end normalisation (XML 1.0 §2.11): CRLF and lone CR become LF in literal text. */
export function normaliseLines(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/**
 * Reads every top-level element of `text` (a CLIXML stream may hold several documents). Prolog
 * items (XML declaration, comments, processing instructions) are skipped; a DOCTYPE is refused.
 *
 * @throws ClixmlError `ETSR_XML_MALFORMED` for anything not well-formed, `ETSR_XML_LIMIT` past a limit.
 */
export function readXmlForest(text: string, limits: XmlReadLimits): XElement[] {
  const roots: XElement[] = [];
  const stack: XElement[] = [];
  let elements = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const matchAt = (re: RegExp, at: number): string | null => {
    re.lastIndex = at;
    const m = re.exec(text);
    return m ? m[0] : null;
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const raw = text.slice(i, end);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(decodeRefs(normaliseLines(raw), i));
      else if (raw.trim() !== '') throw malformed('text outside the root element', i);
      i = end;
      continue;
    }
    if (text.startsWith('<?', i)) {
      const close = text.indexOf('?>', i + 2);
      if (close < 0) throw malformed('unterminated processing instruction', i);
      i = close + 2;
    } else if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close < 0) throw malformed('unterminated comment', i);
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const close = text.indexOf(']]>', i + 9);
      const parent = stack[stack.length - 1];
      if (close < 0 || !parent) throw malformed('CDATA outside an element or unterminated', i);
      parent.children.push(text.slice(i + 9, close));
      i = close + 3;
    } else if (text.startsWith('<!', i)) {
      throw malformed('DTDs and entity declarations are not accepted in CLIXML', i);
    } else if (text.startsWith('</', i)) {
      const name = matchAt(NAME, i + 2);
      const open = stack.pop();
      if (!name || !open || localName(name) !== open.name) {
        throw malformed(`unexpected closing tag </${name ?? ''}>`, i);
      }
      i += 2 + name.length;
      i += matchAt(SPACE, i)?.length ?? 0;
      if (text[i] !== '>') throw malformed('bad closing tag', i);
      i += 1;
    } else {
      const el = readStartTag();
      elements += 1;
      if (elements > limits.maxElements) {
        throw new ClixmlError('ETSR_XML_LIMIT', `more than ${limits.maxElements} XML elements`);
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el.element);
      else roots.push(el.element);
      if (!el.selfClosing) {
        stack.push(el.element);
        if (stack.length > limits.maxDepth) {
          throw new ClixmlError('ETSR_XML_LIMIT', `XML nested deeper than ${limits.maxDepth} elements`);
        }
      }
    }
  }
  if (stack.length > 0) throw malformed(`unclosed element <${stack[stack.length - 1]?.name ?? ''}>`, n);
  return roots;

  function readStartTag(): { element: XElement; selfClosing: boolean } {
    const start = i;
    const name = matchAt(NAME, i + 1);
    if (!name) throw malformed('bad start tag', i);
    i += 1 + name.length;
    const attrs = new Map<string, string>();
    for (;;) {
      const space = matchAt(SPACE, i)?.length ?? 0;
      i += space;
      const c = text[i];
      if (c === '>' || (c === '/' && text[i + 1] === '>')) {
        i += c === '>' ? 1 : 2;
        return { element: { name: localName(name), attrs, children: [] }, selfClosing: c === '/' };
      }
      const attr = space > 0 ? matchAt(NAME, i) : null;
      if (!attr) throw malformed(`bad attribute in <${name}>`, i);
      i += attr.length;
      i += matchAt(SPACE, i)?.length ?? 0;
      if (text[i] !== '=') throw malformed(`attribute ${attr} has no value`, i);
      i += 1;
      i += matchAt(SPACE, i)?.length ?? 0;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") throw malformed(`attribute ${attr} is not quoted`, i);
      const close = text.indexOf(quote, i + 1);
      if (close < 0) throw malformed(`unterminated attribute ${attr}`, start);
      const raw = text.slice(i + 1, close);
      if (raw.includes('<')) throw malformed(`'<' in attribute ${attr}`, i);
      i = close + 1;
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      const key = localName(attr);
      if (attrs.has(key)) throw malformed(`duplicate attribute ${attr}`, i);
      // Attribute-value normalisation (XML 1.0 §3.3.3): literal whitespace becomes a space.
      attrs.set(key, decodeRefs(raw.replace(/\r\n|[\t\n\r]/g, ' '), i));
    }
  }
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** Reads a document that must hold exactly one root element. */
export function readXmlDocument(text: string, limits: XmlReadLimits): XElement {
  const roots = readXmlForest(text, limits);
  if (roots.length !== 1 || !roots[0]) {
    throw new ClixmlError('ETSR_XML_MALFORMED', `expected one root element, found ${roots.length}`);
  }
  return roots[0];
}

// Each tested (without /g, so no lastIndex to reset) before it is replaced: most text has
// nothing to escape, and a miss costs a replace more.
const TEXT_SPECIALS = /[&<>]/g;
const TEXT_SPECIAL = new RegExp(TEXT_SPECIALS.source);
const ATTR_SPECIALS = /[&<>"\t\n\r]/g;
const ATTR_SPECIAL = new RegExp(ATTR_SPECIALS.source);

/** Escapes text content for XML output (`>` too, so `]]>` never appears). */
export function escapeXmlText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIALS, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')) : s;
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

/** Escapes an attribute value for output inside double quotes (whitespace as references survives normalisation). */
export function escapeXmlAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIALS, (c) => ATTR_ESCAPES[c] ?? c) : s;
}

/** The element children of `el`, skipping text. */
export function elementChildren(el: XElement): XElement[] {
  return el.children.filter((c): c is XElement => typeof c !== 'string');
}

/** The concatenated text children of `el`. */
export function textContent(el: XElement): string {
  let s = '';
  for (const c of el.children) if (typeof c === 'string') s += c;
  return s;
}
