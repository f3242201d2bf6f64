/**
 * The fast path of CLIXML → PSValue: one pass over the text, straight to values, no element tree.
 *
 * The reference reader (xml.ts builds an element tree, deserialize.ts's Reader walks it) spends
 * most of its time on what it throws away: every element becomes an object with a Map of
 * attributes and an array of children, every value a path string for error messages, every name a
 * regex match. This scanner reads the shape every real server writes — unprefixed CLIXML elements,
 * an optional XML declaration, whitespace between elements — with charCodeAt and indexOf, finds
 * element names by hash without slicing them, reads integers in place, shares repeated property
 * names (intern.ts), and builds the same values under the same limits. See docs/performance.md §4.
 *
 * It never reports an error itself. On anything outside that shape, or anything wrong (malformed
 * XML, an unknown element, a bad number, a dangling Ref, a limit reached …), it gives up and
 * `deserializeRecords` reads the input again with the reference reader, which then throws the
 * error it always threw, with its message and path. So a valid input gives the reference's value,
 * an invalid one the reference's error, and hostile input costs at most one extra bounded pass.
 * (test/psrp/clixml/fast-read.test.ts compares both on every fixture and on mutated inputs.)
 *
 * What makes it give up rather than decide: comments, CDATA, processing instructions inside an
 * element, DOCTYPE, namespace prefixes, `<PR>`, an `<Obj>` whose value is a `<Ref>` (the reference
 * checks it against the open ancestors), a `<DCT>` entry not written Key then Value (the reference
 * reads Key first), non-blank text between elements, elements inside `<Ref>`/`<TNRef>`.
 */
import { decodeString } from './escape.js';
import { hashStep, intern, internRange, sameAt } from './intern.js';
import { PSObject, type PSList, type PSValue } from './model.js';
import {
  INT_RANGE, parseBase64, parseBigInt, parseBoolean, parseDateTime, parseInteger, parseNumber, parseText, parseTimeSpan,
} from './primitives.js';
import { decodeRefs, normaliseLines } from './xml.js';

/** What the fast path needs of the limits (the reference's DeserializeOptions, all set). */
export interface FastReadLimits {
  maxDepth: number;
  maxObjects: number;
  maxStringLength: number;
  maxRefExpansion: number;
}

/** One top-level value and its stream attribute, as deserializeRecords returns them. */
export interface FastRecord {
  stream?: string;
  value: PSValue;
}

/** Thrown (one shared instance, no stack to capture) to hand the input to the reference reader. */
const GIVE_UP = new Error('CLIXML outside the fast path');

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const AMP = 0x26;
const UNDERSCORE = 0x5f;
const QUESTION = 0x3f;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DIGIT_0 = 0x30;

function giveUp(): never {
  throw GIVE_UP;
}

/** XML's four whitespace characters, the only ones the reference skips in markup. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Letters and digits: every CLIXML element and attribute name is made of them. */
function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

/** Characters after which a text or attribute cannot be taken as it is: `&`, CR/LF/TAB, `_` (maybe `_xHHHH_`), `<`. */
function isSpecial(c: number): boolean {
  return c === AMP || c === UNDERSCORE || c === LT || c === 0x0d || c === 0x0a || c === 0x09;
}

/** Every element name the fast path reads, found by the hash of its name without slicing it. */
const TAGS = [
  'Obj', 'TN', 'T', 'TNRef', 'ToString', 'Props', 'MS', 'Ref', 'S', 'I32', 'I64', 'U64', 'B', 'Nil', 'By', 'SB', 'I16',
  'U16', 'U32', 'C', 'Sg', 'Db', 'D', 'G', 'Version', 'URI', 'XD', 'SBK', 'SS', 'DT', 'TS', 'BA', 'LST', 'IE', 'STK', 'QUE',
  'DCT', 'En', 'Objs',
] as const;
type Tag = typeof TAGS[number];
const TAG_SLOTS = 1023;
const TAG_TABLE: (Tag | undefined)[] = new Array<Tag | undefined>(TAG_SLOTS + 1).fill(undefined);
for (const tag of TAGS) {
  let hash = 0;
  for (let k = 0; k < tag.length; k++) hash = hashStep(hash, tag.charCodeAt(k));
  if (TAG_TABLE[hash & TAG_SLOTS] !== undefined) throw new Error(`fast-read: tag table collision on ${tag}`);
  TAG_TABLE[hash & TAG_SLOTS] = tag;
}

/**
 * A RefId as a map key: canonical decimal ids ("0" … "999999999") as numbers, anything else as
 * its text, so that "07" and "7" stay two ids, as in the reference.
 */
type RefKey = number | string;

/** An object with a RefId, and its expanded size once its element is finished. */
interface Registered {
  obj: PSObject;
  weight: number | undefined;
}

class FastReader {
  readonly #s: string;
  readonly #n: number;
  readonly #limits: FastReadLimits;
  readonly #maxElements: number;
  readonly #maxXmlDepth: number;
  #i = 0;
  #elements = 0;
  #xmlDepth = 0;
  // Per RefId scope (one root element), as the reference's Reader.
  #objects = new Map<RefKey, Registered>();
  #typeNames = new Map<RefKey, string[]>();
  #count = 0;
  #expanded = 0;
  // The start tag just read.
  #tag: Tag = 'Obj';
  #empty = false;
  #attrN: string | undefined;
  #attrRefId: RefKey | undefined;
  #attrS: string | undefined;
  readonly #otherAttrs: string[] = [];

  constructor(s: string, limits: FastReadLimits, maxXmlDepth: number, maxElements: number) {
    this.#s = s;
    this.#n = s.length;
    this.#limits = limits;
    this.#maxXmlDepth = maxXmlDepth;
    this.#maxElements = maxElements;
  }

  /** Every top-level value, as deserializeRecords. */
  records(): FastRecord[] {
    const s = this.#s;
    const out: FastRecord[] = [];
    this.#i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (;;) {
      this.#skipSpace();
      if (this.#i >= this.#n) return out;
      if (s.charCodeAt(this.#i) !== LT) giveUp();
      if (s.charCodeAt(this.#i + 1) === QUESTION) {
        // The XML declaration (or another processing instruction) before a root.
        const close = s.indexOf('?>', this.#i + 2);
        if (close < 0) giveUp();
        this.#i = close + 2;
        continue;
      }
      this.#startTag();
      this.#objects = new Map();
      this.#typeNames = new Map();
      this.#count = 0;
      this.#expanded = 0;
      if (this.#tag === 'Objs') {
        if (this.#empty) continue;
        while (this.#nextChild('Objs')) {
          const stream = this.#attrS;
          const value = this.#value(0);
          out.push(stream === undefined ? { value } : { stream, value });
        }
      } else {
        const stream = this.#attrS;
        const value = this.#value(0);
        out.push(stream === undefined ? { value } : { stream, value });
      }
    }
  }

  #skipSpace(): void {
    const s = this.#s;
    let i = this.#i;
    while (isSpace(s.charCodeAt(i))) i++;
    this.#i = i;
  }

  /**
   * Inside a container: skips blank text, then reads the next child's start tag (true) or the
   * container's end tag (false).
   */
  #nextChild(container: Tag): boolean {
    const s = this.#s;
    let i = this.#i;
    while (isSpace(s.charCodeAt(i))) i++;
    this.#i = i;
    if (s.charCodeAt(i) !== LT) giveUp();
    if (s.charCodeAt(i + 1) === SLASH) {
      this.#endTag(container);
      return false;
    }
    this.#startTag();
    return true;
  }

  /** Reads `<Name attr="v" …>` or `<Name … />` at the current `<` into #tag, #empty and the attributes. */
  #startTag(): void {
    const s = this.#s;
    let i = this.#i + 1;
    const nameStart = i;
    let hash = 0;
    let c = s.charCodeAt(i);
    while (isNameChar(c)) {
      hash = hashStep(hash, c);
      c = s.charCodeAt(++i);
    }
    const tag = TAG_TABLE[hash & TAG_SLOTS];
    if (tag === undefined || tag.length !== i - nameStart || !sameAt(s, nameStart, tag)) giveUp();
    this.#tag = tag;
    if (++this.#elements > this.#maxElements) giveUp();
    this.#attrN = undefined;
    this.#attrRefId = undefined;
    this.#attrS = undefined;
    if (this.#otherAttrs.length > 0) this.#otherAttrs.length = 0;
    for (;;) {
      const spaceStart = i;
      while (isSpace(c)) c = s.charCodeAt(++i);
      if (c === GT) {
        this.#empty = false;
        this.#i = i + 1;
        if (++this.#xmlDepth > this.#maxXmlDepth) giveUp();
        return;
      }
      if (c === SLASH && s.charCodeAt(i + 1) === GT) {
        this.#empty = true;
        this.#i = i + 2;
        return;
      }
      if (i === spaceStart) giveUp(); // an attribute must follow whitespace
      i = this.#attribute(i);
      c = s.charCodeAt(i);
    }
  }

  /** Reads one `name="value"` at `i` into the attribute fields; returns the index after it. */
  #attribute(at: number): number {
    const s = this.#s;
    let i = at;
    let c = s.charCodeAt(i);
    while (isNameChar(c)) c = s.charCodeAt(++i);
    const nameLength = i - at;
    if (nameLength === 0) giveUp();
    while (isSpace(c)) c = s.charCodeAt(++i);
    if (c !== EQ) giveUp();
    c = s.charCodeAt(++i);
    while (isSpace(c)) c = s.charCodeAt(++i);
    if (c !== QUOT && c !== APOS) giveUp();
    const quote = c;
    const start = i + 1;
    let hash = 0;
    let special = false;
    i = start;
    for (c = s.charCodeAt(i); c !== quote; c = s.charCodeAt(++i)) {
      if (c !== c) giveUp(); // NaN: the input ended inside the value
      if (isSpecial(c)) special = true;
      hash = hashStep(hash, c);
    }
    const end = i;
    const first = s.charCodeAt(at);
    if (nameLength === 1 && first === 0x4e /* N */) {
      if (this.#attrN !== undefined) giveUp();
      this.#attrN = special ? intern(decodeString(this.#attrText(start, end))) : internRange(s, start, end, hash);
    } else if (nameLength === 5 && sameAt(s, at, 'RefId')) {
      if (this.#attrRefId !== undefined) giveUp();
      if (special) {
        const text = this.#attrText(start, end);
        this.#attrRefId = refKey(text, 0, text.length);
      } else {
        this.#attrRefId = refKey(s, start, end);
      }
    } else if (nameLength === 1 && first === 0x53 /* S */) {
      if (this.#attrS !== undefined) giveUp();
      this.#attrS = special ? this.#attrText(start, end) : s.slice(start, end);
    } else {
      if (special) this.#attrText(start, end); // references must still be valid
      if (!(nameLength === 5 && sameAt(s, at, 'xmlns'))) {
        const name = s.slice(at, at + nameLength);
        if (this.#otherAttrs.includes(name)) giveUp();
        this.#otherAttrs.push(name);
      }
    }
    return end + 1;
  }

  /** An attribute value with references and whitespace normalised, exactly as the reference reader. */
  #attrText(start: number, end: number): string {
    const raw = this.#s.slice(start, end);
    if (raw.includes('<')) giveUp();
    return decodeRefs(raw.replace(/\r\n|[\t\n\r]/g, ' '), start);
  }

  /** Reads `</name>` (blanks allowed before `>`). */
  #endTag(name: Tag): void {
    const s = this.#s;
    let i = this.#i;
    if (s.charCodeAt(i) !== LT || s.charCodeAt(i + 1) !== SLASH || !sameAt(s, i + 2, name)) giveUp();
    i += 2 + name.length;
    let c = s.charCodeAt(i);
    while (isSpace(c)) c = s.charCodeAt(++i);
    if (c !== GT) giveUp();
    this.#i = i + 1;
    this.#xmlDepth--;
  }

  /** The raw text of an element that holds only text, up to and including its end tag. */
  #text(): string {
    if (this.#empty) return '';
    const s = this.#s;
    const start = this.#i;
    const lt = s.indexOf('<', start);
    if (lt < 0) giveUp();
    let text = s.slice(start, lt);
    this.#i = lt;
    this.#endTag(this.#tag);
    if (text.includes('\r')) text = normaliseLines(text);
    if (text.includes('&')) text = decodeRefs(text, start);
    if (text.length > this.#limits.maxStringLength) giveUp();
    return text;
  }

  /** The decoded string of a text element (`<S>`, `<T>`, `<ToString>`). */
  #string(): string {
    return decodeString(this.#text());
  }

  /**
   * A decimal integer element (`[+-]?digits`, as the reference's pattern) of up to 15 digits read
   * in place, so exact as a double; anything else (blanks, more digits) goes through the text.
   */
  #integer(): number | undefined {
    if (this.#empty) return undefined;
    const s = this.#s;
    let i = this.#i;
    let c = s.charCodeAt(i);
    const negative = c === MINUS;
    if (negative || c === PLUS) c = s.charCodeAt(++i);
    const digitsStart = i;
    let n = 0;
    while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
      n = n * 10 + (c - DIGIT_0);
      c = s.charCodeAt(++i);
    }
    const digits = i - digitsStart;
    if (c !== LT || digits === 0 || digits > 15) return undefined;
    this.#i = i;
    this.#endTag(this.#tag);
    return negative ? -n : n;
  }

  /** `<I32>` and the other integer kinds the model keeps as numbers. */
  #int32Like(kind: 'I32' | 'By' | 'SB' | 'I16' | 'U16' | 'U32' | 'C'): number {
    const n = this.#integer();
    if (n === undefined) return kind === 'I32' ? parseInteger('I32', this.#text(), '') : parseNumber(kind, this.#text(), '').value;
    const [lo, hi] = INT_RANGE[kind];
    if (n < lo || n > hi) giveUp();
    return n === 0 ? 0 : n; // no -0 from "-0"
  }

  /** `<I64>` / `<U64>`: BigInt from the number when it is exact, from the text otherwise. */
  #bigInt(kind: 'I64' | 'U64'): bigint {
    const n = this.#integer();
    if (n === undefined) return parseBigInt(kind, this.#text(), '');
    if (kind === 'U64' && n < 0) giveUp();
    return BigInt(n);
  }

  /** An element with nothing inside (`<Ref … />`, `<TNRef … />`), written empty or as a pair. */
  #noContent(): void {
    if (this.#empty) return;
    this.#endTag(this.#tag);
  }

  #grow(by: number): void {
    this.#expanded += by;
    if (this.#expanded > this.#limits.maxRefExpansion) giveUp();
  }

  /** A value element whose start tag was just read. */
  #value(depth: number): PSValue {
    if (++this.#count > this.#limits.maxObjects) giveUp();
    const tag = this.#tag;
    if (tag === 'Ref') {
      const target = this.#objects.get(this.#attrRefId ?? '');
      if (target === undefined) giveUp();
      this.#grow(target.weight ?? 1);
      this.#noContent();
      return target.obj;
    }
    this.#grow(1);
    switch (tag) {
      case 'Obj': return this.#obj(depth);
      case 'S': return this.#string();
      case 'I32': return this.#int32Like('I32');
      case 'I64': case 'U64': return { kind: tag, value: this.#bigInt(tag) };
      case 'B': return parseBoolean(this.#text(), '');
      case 'Nil': this.#text(); return null;
      case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'C':
        return { kind: tag, value: this.#int32Like(tag) };
      case 'Sg': case 'Db':
        return parseNumber(tag, this.#text(), '');
      case 'D': case 'G': case 'Version': case 'URI': case 'XD': case 'SBK': case 'SS':
        return parseText(tag, this.#text(), '');
      case 'DT': return parseDateTime(this.#text(), '');
      case 'TS': return parseTimeSpan(this.#text(), '');
      case 'BA': return { kind: 'BA', value: parseBase64(this.#text(), '') };
      default: return giveUp();
    }
  }

  #obj(depth: number): PSObject {
    if (depth >= this.#limits.maxDepth) giveUp();
    const before = this.#expanded - 1;
    const obj = new PSObject();
    const refId = this.#attrRefId;
    let registered: Registered | undefined;
    if (refId !== undefined) {
      if (this.#objects.has(refId)) giveUp();
      registered = { obj, weight: undefined };
      this.#objects.set(refId, registered);
    }
    if (!this.#empty) this.#parts(obj, depth);
    if (registered !== undefined) registered.weight = this.#expanded - before;
    return obj;
  }

  /** The children of an `<Obj>`: each part at most once, in any order. */
  #parts(obj: PSObject, depth: number): void {
    let typeNames = false;
    let toString = false;
    let props = false;
    let ms = false;
    let value = false;
    while (this.#nextChild('Obj')) {
      switch (this.#tag) {
        case 'TN':
          if (typeNames) giveUp();
          typeNames = true;
          obj.typeNames = this.#typeNameList();
          break;
        case 'TNRef': {
          if (typeNames) giveUp();
          typeNames = true;
          const names = this.#typeNames.get(this.#attrRefId ?? '');
          if (names === undefined) giveUp();
          this.#noContent();
          obj.typeNames = names.slice();
          break;
        }
        case 'ToString':
          if (toString) giveUp();
          toString = true;
          obj.toStringText = this.#string();
          break;
        case 'Props':
          if (props) giveUp();
          props = true;
          this.#members(obj.adapted, depth, 'Props');
          break;
        case 'MS':
          if (ms) giveUp();
          ms = true;
          this.#members(obj.extended, depth, 'MS');
          break;
        case 'Ref':
          return giveUp(); // wrapping a Ref needs the reference's check against open ancestors
        case 'LST': case 'IE': case 'STK': case 'QUE': case 'DCT':
          if (value) giveUp();
          value = true;
          obj.value = this.#collection(depth + 1);
          break;
        default:
          if (value) giveUp();
          value = true;
          obj.value = this.#value(depth + 1);
      }
    }
  }

  #typeNameList(): string[] {
    const refId = this.#attrRefId;
    const names: string[] = [];
    if (!this.#empty) {
      while (this.#nextChild('TN')) {
        if (this.#tag !== 'T') giveUp();
        names.push(intern(this.#string()));
      }
    }
    if (refId !== undefined) this.#typeNames.set(refId, names);
    return names.slice();
  }

  #members(into: Map<string, PSValue>, depth: number, container: Tag): void {
    if (this.#empty) return;
    while (this.#nextChild(container)) {
      const name = this.#attrN;
      if (name === undefined) giveUp();
      into.set(name, this.#value(depth + 1));
    }
  }

  /** The next child of an `<En>`, which must be named (N) `part`. */
  #nextEntryPart(part: 'Key' | 'Value'): boolean {
    return this.#nextChild('En') && this.#attrN === part;
  }

  #collection(depth: number): PSValue {
    if (depth >= this.#limits.maxDepth) giveUp();
    const tag = this.#tag;
    const empty = this.#empty;
    if (tag !== 'DCT') {
      const items: PSValue[] = [];
      if (!empty) while (this.#nextChild(tag)) items.push(this.#value(depth));
      return { kind: tag as PSList['kind'], items };
    }
    const entries = new Map<PSValue, PSValue>();
    if (!empty) {
      while (this.#nextChild('DCT')) {
        if (this.#tag !== 'En' || this.#empty) giveUp();
        if (!this.#nextEntryPart('Key')) giveUp();
        const key = this.#value(depth);
        if (!this.#nextEntryPart('Value')) giveUp();
        const value = this.#value(depth);
        if (this.#nextChild('En')) giveUp();
        entries.set(key, value);
      }
    }
    return { kind: 'DCT', entries };
  }
}

/** The map key of a plain RefId value (see RefKey). */
function refKey(s: string, start: number, end: number): RefKey {
  const length = end - start;
  if (length === 0 || length > 9 || (length > 1 && s.charCodeAt(start) === DIGIT_0)) return s.slice(start, end);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_0 + 9) return s.slice(start, end);
    n = n * 10 + (c - DIGIT_0);
  }
  return n;
}

/**
 * Reads `text` on the fast path, or throws: the give-up signal (see isGiveUp), a parse helper's
 * ClixmlError, or a RangeError. `maxXmlDepth` and `maxElements` are the reference XML reader's
 * limits for the same input.
 */
export function fastReadOrThrow(text: string, limits: FastReadLimits, maxXmlDepth: number, maxElements: number): FastRecord[] {
  return new FastReader(text, limits, maxXmlDepth, maxElements).records();
}

/** True for the fast reader's own give-up signal. */
export function isGiveUp(err: unknown): boolean {
  return err === GIVE_UP;
}

/** Reads `text` on the fast path, or returns undefined when the reference reader must decide. */
export function fastReadRecords(text: string, limits: FastReadLimits, maxXmlDepth: number, maxElements: number): FastRecord[] | undefined {
  try {
    return fastReadOrThrow(text, limits, maxXmlDepth, maxElements);
  } catch {
    // GIVE_UP, a parse helper's ClixmlError, or a RangeError from the stack: the reference decides.
    return undefined;
  }
}
