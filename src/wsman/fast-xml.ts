/**
 * The fast path of parseXml: one pass from text to the namespace-resolved tree, for the plain
 * envelopes WS-Man servers and clients write (elements, attributes, text, the five entities and
 * character references, an XML declaration). It is strict and conservative: anything it is not
 * sure of — a comment, CDATA, a processing instruction, a BOM, a CR, a control character, an odd
 * name, whitespace inside a closing tag, a duplicate attribute, an unbound prefix, a bad entity, a
 * limit reached — makes it return undefined, and parseXml reads the document again the slow way
 * (fast-xml-parser plus its validator), which gives the same tree or the error a caller has always
 * seen. So the fast path never reports an error itself and never accepts what the slow path refuses:
 * test/wsman/fast-xml.test.ts compares both on every recorded envelope and on mutations of them.
 *
 * Why: the slow way builds a parser, parses, validates in a second pass and converts the result;
 * every request and response of both ends goes through here (issue 8).
 */
import type { XmlAttribute, XmlElement } from './xml.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Characters the fast path leaves to the slow one wherever they appear in text or a value. */
const UNSURE_TEXT = /[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]/;
const UNSURE_VALUE = /[\u0000-\u001F<\uFFFE\uFFFF]/;
const XML_DECL = /^<\?xml(?:\s+[A-Za-z][\w.-]*\s*=\s*(?:"[^"<&]*"|'[^'<&]*'))*\s*\?>/;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&([^;&\s]{0,32});|&/g;
const CHAR_REF = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/;

/** Thrown inside the fast path only: "let the slow path decide". */
class Unsure {}
const UNSURE = new Unsure();

interface Limits {
  maxDepth: number;
  maxElements: number;
}

/** The tree, or undefined when the slow path must read this document. */
export function parseXmlFast(text: string, limits: Limits): XmlElement | undefined {
  try {
    return new Reader(text, limits).document();
  } catch (err) {
    if (err === UNSURE) return undefined;
    throw err;
  }
}

/**
 * First character and length of each name Object.prototype had when this module loaded
 * (`__proto__`, `constructor`, `toString` …), as `charCode * 256 + length`.
 */
const PROTO_NAME_SHAPES = new Set(Object.getOwnPropertyNames(Object.prototype).map((n) => n.charCodeAt(0) * 256 + Math.min(n.length, 255)));

/**
 * True when `name` may be an Object.prototype property (`__proto__`, `constructor`, `toString` …).
 * A name whose first character and length match none of them is not one, which rules out nearly
 * every WS-Man name (`mustUnderstand`, PascalCase locals, short prefixes) without a property
 * lookup: `in` with a string just sliced from the text made V8 hash it against its string table,
 * half a microsecond a name, for every `mustUnderstand` serve read (issue 8, scenario 3).
 */
function mayBeProtoName(name: string): boolean {
  return PROTO_NAME_SHAPES.has(name.charCodeAt(0) * 256 + Math.min(name.length, 255)) && name in Object.prototype;
}

/** A `prefix:local` name either of whose parts may be an Object.prototype property. */
function prefixedNameUnsure(name: string): boolean {
  const colon = name.indexOf(':');
  return mayBeProtoName(name.slice(0, colon)) || mayBeProtoName(name.slice(colon + 1));
}

/** The values of an element without attributes (never written: the first attribute replaces it). */
const NO_VALUES: string[] = [];

/** XML's blanks as WS-Man writes them between markup (a CR sends the document to the slow path). */
function skipSpace(s: string, at: number): number {
  // Bounded by the length: charCodeAt past the end would cost a deoptimisation at every document's end.
  while (at < s.length) {
    const c = s.charCodeAt(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09) return at;
    at++;
  }
  return at;
}

/** The name at `at`: [A-Za-z_][A-Za-z0-9_.-]*, optionally one `prefix:` part. It ends at `at` + its length. */
function nameAt(s: string, at: number): string {
  let i = at;
  let colons = 0;
  for (;; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    if (letter) continue;
    const atStart = i === at || s.charCodeAt(i - 1) === 0x3a;
    if (!atStart && ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e)) continue;
    if (c === 0x3a && !atStart && colons === 0) {
      colons++;
      continue;
    }
    break;
  }
  if (i === at || s.charCodeAt(i - 1) === 0x3a) throw UNSURE;
  const name = s.slice(at, i);
  // `__proto__`, `constructor` and friends: the slow path has its own rules for them.
  if (colons === 0 ? mayBeProtoName(name) : prefixedNameUnsure(name)) throw UNSURE;
  return name;
}

/** A namespace declaration's attribute name: `xmlns` or `xmlns:prefix`. */
function isNamespaceDeclaration(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:');
}

/**
 * The reader keeps its position in a local variable within each element and in #pos only between
 * elements, and attribute names and values in two plain arrays: in V8's interpreter, which runs this
 * code for a fan-out's first hosts, every `this.#pos` is a property lookup and every destructuring
 * `for … of` an iterator, and the optimised code for fewer of them is smaller to compile.
 */
class Reader {
  readonly #s: string;
  // The limits as numbers of our own: callers' limit objects differ in shape, and reading through
  // them cost #element a deoptimisation (a wrong map) in every process.
  readonly #maxDepth: number;
  readonly #maxElements: number;
  /** Between elements: where the next one starts, then where the last one ended. */
  #pos = 0;
  #elements = 0;

  constructor(s: string, limits: Limits) {
    this.#s = s;
    this.#maxDepth = limits.maxDepth;
    this.#maxElements = limits.maxElements;
  }

  document(): XmlElement {
    const s = this.#s;
    let pos = 0;
    if (s.startsWith('<?xml')) {
      const m = XML_DECL.exec(s);
      if (m === null) throw UNSURE;
      pos = m[0].length;
    }
    pos = skipSpace(s, pos);
    if (s.charCodeAt(pos) !== 0x3c /* < */) throw UNSURE;
    this.#pos = pos;
    const root = this.#element({ xml: XML_NS }, 1);
    if (skipSpace(s, this.#pos) !== s.length) throw UNSURE;
    return root;
  }

  /** The element whose `<` is at #pos; leaves #pos after its closing tag. */
  #element(parentScope: Readonly<Record<string, string>>, depth: number): XmlElement {
    if (depth > this.#maxDepth || ++this.#elements > this.#maxElements) throw UNSURE;
    const s = this.#s;
    const qname = nameAt(s, this.#pos + 1);
    let pos = this.#pos + 1 + qname.length;
    let names: string[] | undefined;
    let values = NO_VALUES;
    let selfClosing = false;
    for (;;) {
      const before = pos;
      pos = skipSpace(s, pos);
      const c = s.charCodeAt(pos);
      if (c === 0x3e /* > */ || c === 0x2f /* / */) {
        // One path for `>` and `/>`: the first `/>` a fan-out meets often comes after V8 has
        // optimised this method, and a branch never taken before then would cost a deoptimisation.
        selfClosing = c === 0x2f;
        const unclosed = s.charCodeAt(pos + 1) !== 0x3e; // compared either way, for the same reason
        if (selfClosing && unclosed) throw UNSURE;
        pos += selfClosing ? 2 : 1;
        break;
      }
      if (pos === before) throw UNSURE; // attributes need whitespace before them
      const name = nameAt(s, pos);
      pos = skipSpace(s, pos + name.length);
      if (s.charCodeAt(pos) !== 0x3d /* = */) throw UNSURE;
      pos = skipSpace(s, pos + 1);
      const quote = s.charCodeAt(pos);
      if (quote !== 0x22 && quote !== 0x27) throw UNSURE;
      const end = s.indexOf(quote === 0x22 ? '"' : "'", pos + 1);
      if (end < 0) throw UNSURE;
      const value = s.slice(pos + 1, end);
      pos = end + 1;
      if (UNSURE_VALUE.test(value)) throw UNSURE;
      if (names === undefined) {
        names = [name];
        values = [decode(value)];
      } else {
        if (names.includes(name)) throw UNSURE;
        names.push(name);
        values.push(decode(value));
      }
    }

    // Declarations first: an attribute may use a prefix declared after it.
    let scope = parentScope;
    if (names !== undefined) {
      for (let k = 0; k < names.length; k++) {
        const name = names[k] as string;
        if (!isNamespaceDeclaration(name)) continue;
        if (scope === parentScope) scope = { ...parentScope };
        (scope as Record<string, string>)[name === 'xmlns' ? '' : name.slice(6)] = values[k] as string;
      }
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    // Own properties only: a prefix such as `constructor` must not find Object.prototype's.
    if (prefix !== '' && !Object.hasOwn(scope, prefix)) throw UNSURE;
    const ns = scope[prefix];
    const attrs: XmlAttribute[] = [];
    if (names !== undefined) {
      for (let k = 0; k < names.length; k++) {
        const name = names[k] as string;
        if (isNamespaceDeclaration(name)) continue;
        const value = values[k] as string;
        const i = name.indexOf(':');
        if (i < 0) {
          attrs.push({ ns: '', local: name, value });
          continue;
        }
        const ap = name.slice(0, i);
        const ans = Object.hasOwn(scope, ap) ? scope[ap] : undefined;
        if (ans === undefined) throw UNSURE;
        attrs.push({ ns: ans, local: name.slice(i + 1), value });
      }
    }

    const children: XmlElement[] = [];
    let text = '';
    if (!selfClosing) {
      for (;;) {
        const lt = s.indexOf('<', pos);
        if (lt < 0) throw UNSURE;
        if (lt > pos) {
          const run = s.slice(pos, lt);
          if (UNSURE_TEXT.test(run) || run.includes(']]>')) throw UNSURE;
          text += decode(run);
        }
        const next = s.charCodeAt(lt + 1);
        if (next === 0x2f /* / */) {
          if (!s.startsWith(qname, lt + 2) || s.charCodeAt(lt + 2 + qname.length) !== 0x3e) throw UNSURE;
          pos = lt + 3 + qname.length;
          break;
        }
        if (next === 0x21 /* ! */ || next === 0x3f /* ? */) throw UNSURE;
        this.#pos = lt;
        children.push(this.#element(scope, depth + 1));
        pos = this.#pos;
      }
    }
    this.#pos = pos;
    return { ns: ns ?? '', local, attrs, children, text, prefix, scope };
  }
}

/** The five entities and character references; anything else is left to the slow path. */
function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_whole: string, body: string | undefined) => {
    if (body === undefined) throw UNSURE;
    const named = NAMED[body];
    if (named !== undefined) return named;
    const m = CHAR_REF.exec(body);
    const cp = m ? parseInt(m[1] ?? m[2] ?? '', m[1] !== undefined ? 16 : 10) : NaN;
    if (!Number.isFinite(cp) || cp > 0x10ffff) throw UNSURE;
    return String.fromCodePoint(cp);
  });
}
