/**
 * A small, prefix-agnostic XML layer for SOAP envelopes.
 *
 * Strategy: fast-xml-parser (preserveOrder) does the tokenising; we then resolve every element and
 * attribute name to (namespace URI, local name), so readers never care whether a server writes
 * `s:`, `env:` or `SOAP-ENV:`. Entities are decoded here, not by the library: only the five
 * predefined entities and character references exist in SOAP (SOAP 1.2 part 1 §5 forbids a DTD),
 * so any DOCTYPE is rejected before parsing and an unknown `&name;` is malformed.
 *
 * Every input is bounded (size, nesting depth, element count) and every failure is an
 * XmlParseError — never the library's own exception.
 */
import { createRequire } from 'node:module';
import type { XMLParser, XMLValidator as Validator } from 'fast-xml-parser';
import { XmlParseError } from './errors.js';
import { toBase64 } from '../util/bytes.js';
import { parseXmlFast } from './fast-xml.js';

/**
 * fast-xml-parser, loaded on first use: the one-pass reader (fast-xml.ts) reads plain envelopes,
 * so most runs never need the library, and its ES build is some 25 modules to compile at every CLI
 * start. Its CommonJS build is the same code in one file.
 */
interface FastXmlParser {
  XMLParser: typeof XMLParser;
  XMLValidator: typeof Validator;
}
let library: FastXmlParser | undefined;
const fastXmlParser = (): FastXmlParser => (library ??= createRequire(import.meta.url)('fast-xml-parser') as FastXmlParser);

/** An attribute with its namespace resolved ('' when unprefixed). */
export interface XmlAttribute {
  ns: string;
  local: string;
  value: string;
}

/** An element with its namespace resolved; `text` is the concatenation of its direct text nodes. */
export interface XmlElement {
  ns: string;
  local: string;
  /** Attributes without the xmlns declarations (those live in `scope`). */
  attrs: XmlAttribute[];
  children: XmlElement[];
  /** Direct text and CDATA, entities decoded, whitespace kept. Use `textOf` for the trimmed value. */
  text: string;
  /** The prefix as written (informational; never match on it). */
  prefix?: string;
  /** In-scope prefix -> namespace map, needed to resolve QName-valued text (fault subcodes). */
  scope?: Readonly<Record<string, string>>;
}

/** Bounds applied by parseXml. */
export interface XmlLimits {
  /** Largest accepted document, in UTF-8 bytes. */
  maxBytes?: number;
  /** Deepest accepted element nesting. */
  maxDepth?: number;
  /** Most elements accepted in one document. */
  maxElements?: number;
}

/**
 * Defaults: 4.5 MiB covers Windows' largest MaxEnvelopeSizekb setting in common use (the default
 * is 500 KiB; the pypsrp tests go to 4096 KiB), 64 levels is far deeper than any WS-Man body.
 */
export const DEFAULT_XML_LIMITS: Required<XmlLimits> = {
  maxBytes: 4 * 1024 * 1024 + 512 * 1024,
  maxDepth: 64,
  maxElements: 100_000,
};

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const TEXT = '#text';
const CDATA = '#cdata';
const ATTRS = ':@';

/** One parser per depth limit: building one costs more than parsing a small envelope with it. */
const parsers = new Map<number, XMLParser>();
const parserFor = (maxDepth: number): XMLParser => {
  let parser = parsers.get(maxDepth);
  if (parser === undefined) {
    if (parsers.size > 16) parsers.clear();
    parser = newParser(maxDepth);
    parsers.set(maxDepth, parser);
  }
  return parser;
};

const newParser = (maxDepth: number): XMLParser =>
  new (fastXmlParser().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: CDATA,
    commentPropName: false,
    maxNestedTags: maxDepth,
    // Names are only read back with Object.entries of fresh objects; keep them verbatim.
    onDangerousProperty: (name: string) => name,
  });

type FxpNode = Record<string, unknown>;

/**
 * Parses a document into a namespace-resolved tree and returns its root element.
 * @throws XmlParseError ETSR_XML_MALFORMED (not well-formed, DOCTYPE, unbound prefix, unknown
 *   entity) or ETSR_XML_LIMIT (size, depth or element count over `limits`).
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  return parseChecked(text, limits, true);
}

/** parseXml without the one-pass reader (src/wsman/fast-xml.ts): what its tests compare it with. */
export function parseXmlSlowly(text: string, limits: XmlLimits = {}): XmlElement {
  return parseChecked(text, limits, false);
}

function parseChecked(text: string, limits: XmlLimits, fastPath: boolean): XmlElement {
  const max = { ...DEFAULT_XML_LIMITS, ...limits };
  if (typeof text !== 'string') throw new XmlParseError('ETSR_XML_MALFORMED', 'XML input is not a string');
  if (text.length > max.maxBytes || (text.length * 3 > max.maxBytes && Buffer.byteLength(text, 'utf8') > max.maxBytes)) {
    throw new XmlParseError('ETSR_XML_LIMIT', `XML document larger than ${max.maxBytes} bytes`);
  }
  if (hasDoctype(text)) {
    throw new XmlParseError('ETSR_XML_MALFORMED', 'XML with a DOCTYPE is refused (SOAP forbids DTDs)');
  }
  // Plain envelopes take the one-pass reader; anything it is unsure of is read the slow way below.
  const fast = fastPath ? parseXmlFast(text, max) : undefined;
  if (fast !== undefined) return fast;
  const { shrunk, saved } = setAsideLongText(text);
  let nodes: unknown;
  try {
    nodes = parserFor(max.maxDepth).parse(shrunk);
  } catch (err) {
    const limit = err instanceof Error && /nested tags/i.test(err.message);
    throw new XmlParseError(
      limit ? 'ETSR_XML_LIMIT' : 'ETSR_XML_MALFORMED',
      limit ? `XML nested deeper than ${max.maxDepth} elements` : `malformed XML: ${messageOf(err)}`,
      { cause: err },
    );
  }
  let valid: ReturnType<typeof Validator.validate>;
  try {
    valid = fastXmlParser().XMLValidator.validate(shrunk);
  } catch (err) {
    throw new XmlParseError('ETSR_XML_MALFORMED', `malformed XML: ${messageOf(err)}`, { cause: err });
  }
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new XmlParseError('ETSR_XML_MALFORMED', `malformed XML at ${line}:${col}: ${msg}`);
  }
  const top = Array.isArray(nodes) ? (nodes as FxpNode[]) : [];
  // fast-xml-parser drops text around the root, and its validator misses text after `<a/>`.
  const lead = text.indexOf('<');
  const before = lead < 0 ? text : text.slice(0, lead).replace(/^\uFEFF/, '');
  const after = text.slice(text.lastIndexOf('>') + 1);
  if (lead < 0 || before.trim() !== '' || after.trim() !== '' || top.some((n) => CDATA in n)) {
    throw new XmlParseError('ETSR_XML_MALFORMED', 'text outside the root element');
  }
  const roots = top.filter((n) => isElementNode(n));
  if (roots.length !== 1) {
    throw new XmlParseError('ETSR_XML_MALFORMED', `XML must have exactly one root element (found ${roots.length})`);
  }
  const counter = { left: max.maxElements, saved };
  return convert(roots[0] as FxpNode, { xml: XML_NS }, counter, 1, max.maxDepth);
}

// No '>' or quotes inside the run: it then lies wholly inside one text node, attribute value,
// CDATA section or comment (base64 never contains them), and all four are restored below.
// The '>' is matched, not looked behind for: a lookbehind is tried at every offset (2.5x slower).
const LONG_TEXT = />([^<>"']{2048,})(?=<)/g;
const TOKEN = /\uE000(\d+)\uE001/g;

/**
 * fast-xml-parser walks text one character at a time; a 150 KB ReceiveResponse is nearly all one
 * base64 run. Runs of 2 KiB+ between tags are swapped for a short private-use token before parsing
 * and put back (then entity-decoded) while building the tree: 5 ms -> well under 1 ms per envelope.
 */
function setAsideLongText(text: string): { shrunk: string; saved: string[] } {
  const saved: string[] = [];
  if (text.length < 4096 || text.includes('\uE000')) return { shrunk: text, saved };
  const shrunk = text.replace(LONG_TEXT, (_m, run: string) => `>\uE000${saved.push(run) - 1}\uE001`);
  return { shrunk, saved };
}

function restore(s: string, saved: readonly string[]): string {
  return saved.length === 0 || !s.includes('\uE000') ? s : s.replace(TOKEN, (_t, i: string) => saved[Number(i)] ?? '');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * True when a DOCTYPE appears outside a CDATA section. Linear: once a match is found inside a
 * CDATA section the scan resumes after that section's end (rescanning from each match made a
 * 250 KB CDATA full of `<!DOCTYPE` take seconds).
 */
function hasDoctype(text: string): boolean {
  // A declaration starts with `<!`; most envelopes hold none (no comment, CDATA or DOCTYPE), and one
  // native search says so faster than the case-insensitive scan below.
  if (!text.includes('<!')) return false;
  const re = /<!DOCTYPE/gi;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const open = text.lastIndexOf('<![CDATA[', m.index);
    const close = open < 0 ? -1 : text.indexOf(']]>', open);
    if (close < m.index) return true;
    re.lastIndex = close + 3;
  }
  return false;
}

function isElementNode(n: unknown): boolean {
  if (typeof n !== 'object' || n === null) return false;
  return Object.keys(n).some((k) => k !== ATTRS && k !== TEXT && k !== CDATA);
}

function splitName(qname: string): [string, string] {
  const i = qname.indexOf(':');
  return i < 0 ? ['', qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

/** Splits a name from the document; `:a`, `a:` and `a:b:c` are not QNames (Namespaces in XML §3). */
function splitQName(qname: string, where: string): [string, string] {
  const [prefix, local] = splitName(qname);
  if (local === '' || local.includes(':') || (prefix === '' && qname.includes(':'))) {
    throw new XmlParseError('ETSR_XML_MALFORMED', `'${qname.slice(0, 40)}' is not a qualified name (${where})`);
  }
  return [prefix, local];
}

function convert(
  node: FxpNode,
  parentScope: Readonly<Record<string, string>>,
  counter: { left: number; saved: readonly string[] },
  depth: number,
  maxDepth: number,
): XmlElement {
  if (--counter.left < 0) throw new XmlParseError('ETSR_XML_LIMIT', 'XML has too many elements');
  if (depth > maxDepth) throw new XmlParseError('ETSR_XML_LIMIT', `XML nested deeper than ${maxDepth} elements`);
  const qname = Object.keys(node).find((k) => k !== ATTRS) ?? '';
  const rawAttrs = (node[ATTRS] ?? {}) as Record<string, string>;

  let scope = parentScope;
  const plain: [string, string][] = [];
  for (const [name, raw] of Object.entries(rawAttrs)) {
    const value = decodeEntities(restore(String(raw), counter.saved));
    if (name === 'xmlns:') throw new XmlParseError('ETSR_XML_MALFORMED', `empty namespace prefix declared on <${qname}>`);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = { ...parentScope };
      (scope as Record<string, string>)[name === 'xmlns' ? '' : name.slice(6)] = value;
    } else {
      plain.push([name, value]);
    }
  }

  const [prefix, local] = splitQName(qname, 'element');
  const ns = scope[prefix];
  if (ns === undefined && prefix !== '') {
    throw new XmlParseError('ETSR_XML_MALFORMED', `unbound namespace prefix '${prefix}' on <${qname}>`);
  }
  const attrs: XmlAttribute[] = plain.map(([name, value]) => {
    const [ap, al] = splitQName(name, 'attribute');
    if (ap === '') return { ns: '', local: al, value };
    const ans = scope[ap];
    if (ans === undefined) throw new XmlParseError('ETSR_XML_MALFORMED', `unbound namespace prefix '${ap}' on @${name}`);
    return { ns: ans, local: al, value };
  });

  const children: XmlElement[] = [];
  let text = '';
  const content = node[qname];
  for (const item of Array.isArray(content) ? (content as FxpNode[]) : []) {
    if (TEXT in item) text += decodeEntities(restore(String(item[TEXT]), counter.saved));
    else if (CDATA in item) text += restore(cdataText(item[CDATA]), counter.saved);
    else if (isElementNode(item)) children.push(convert(item, scope, counter, depth + 1, maxDepth));
  }
  return { ns: ns ?? '', local, attrs, children, text, prefix, scope };
}

function cdataText(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return v.map((p: FxpNode) => String(p[TEXT] ?? '')).join('');
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else is malformed. */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,32});|&/g, (whole: string, body: string | undefined) => {
    if (body === undefined) throw new XmlParseError('ETSR_XML_MALFORMED', "bare '&' in XML text");
    const named = NAMED[body];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
    const cp = m ? parseInt(m[1] ?? m[2] ?? '', m[1] !== undefined ? 16 : 10) : NaN;
    if (!Number.isFinite(cp) || cp > 0x10ffff) {
      throw new XmlParseError('ETSR_XML_MALFORMED', `undefined entity ${whole.slice(0, 40)}`);
    }
    return String.fromCodePoint(cp);
  });
}

/** The first child with this namespace and local name. */
export function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local && c.ns === ns);
}

/** Every child with this namespace and local name, in document order. */
export function childrenOf(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.local === local && c.ns === ns) : [];
}

/** The first descendant (depth-first, document order) with this name. */
export function descendant(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) {
    if (c.ns === ns && c.local === local) return c;
    const d = descendant(c, ns, local);
    if (d) return d;
  }
  return undefined;
}

/** An attribute's value; `ns` defaults to '' (unprefixed), as WS-Man attributes usually are. */
export function attr(el: XmlElement | undefined, local: string, ns = ''): string | undefined {
  return el?.attrs.find((a) => a.local === local && a.ns === ns)?.value;
}

/** The element's direct text, trimmed (OMI pads every value with whitespace); '' for undefined. */
export function textOf(el: XmlElement | undefined): string {
  return el ? el.text.trim() : '';
}

/** All text below the element, direct and nested, in document order (untrimmed). */
export function deepText(el: XmlElement): string {
  return el.text + el.children.map(deepText).join('');
}

/** Resolves a QName written as text (e.g. `w:TimedOut`) against the element's in-scope namespaces. */
export function resolveQName(el: XmlElement, qname: string): { ns: string | undefined; local: string } {
  const [prefix, local] = splitName(qname.trim());
  return { ns: el.scope?.[prefix], local };
}

/**
 * Escapes text content. `\r` and other control characters become character references so they
 * survive parsing (XML would otherwise fold CR LF to LF).
 */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, escapeChar);
}

/**
 * Element text made here in an alphabet with nothing to escape: the base64 of some bytes. It is
 * written as it is, where escapeText would scan all of a PSRP Create's or Command's payload (5-8 KB
 * per host in a fan-out, per pipeline in a session) to change nothing. Only `of` makes one, so the
 * text cannot be anything else.
 */
export class Base64Text {
  readonly text: string;

  private constructor(text: string) {
    this.text = text;
  }

  static of(bytes: Uint8Array): Base64Text {
    return new Base64Text(toBase64(bytes));
  }
}

/** Element text: a string escaped, a Base64Text as it is. */
export function elementText(s: string | Base64Text): string {
  return typeof s === 'string' ? escapeText(s) : s.text;
}

/** Escapes an attribute value for either quote style; tabs and newlines too (attribute normalisation). */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"'\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, escapeChar);
}

function escapeChar(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    case "'":
      return '&apos;';
    default:
      return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  }
}

/**
 * Writes one element as a string: `el('rsp:Command', {}, escapeText('dir'))`.
 * @param attrs values are escaped here; `undefined` values are left out.
 * @param inner already-escaped content; omitted or '' gives a self-closing tag.
 */
export function el(qname: string, attrs: Record<string, string | undefined> = {}, inner = ''): string {
  let a = '';
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a += ` ${k}="${escapeAttr(v)}"`;
  return inner === '' ? `<${qname}${a} />` : `<${qname}${a}>${inner}</${qname}>`;
}
