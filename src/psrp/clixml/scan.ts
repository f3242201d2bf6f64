/**
 * The lexical half of the one-pass CLIXML reader (fast-read.ts, CLIXML → PSValue): start and end
 * tags, attributes, element text and in-place integers, read with charCodeAt and indexOf over one
 * string.
 *
 * It accepts the shape every real server writes — unprefixed CLIXML elements, an optional XML
 * declaration, whitespace between elements — and throws the shared give-up signal (see isGiveUp)
 * on anything else, so that the reference reader (xml.ts + deserialize.ts) decides instead.
 * Element names are found through a trie without slicing them; attribute names other than N,
 * RefId and S are only checked for duplicates. The common cases avoid looking at each character in
 * JavaScript, which costs more than a native search: a property name written as it is is compared
 * with the one that followed the previous name last time, a text is found with indexOf and left as
 * it is unless a `&`, CR or `_` lies inside it (their positions found natively, once per input).
 */
import { decodeString } from './escape.js';
import { INTERN_MAX_LENGTH, hashStep, intern, internRange, plainNames, plainTypeNames, sameAt, type PlainEntry } from './intern.js';
import { decodeRefs, normaliseLines } from './xml.js';

/** Thrown (one shared instance, no stack to capture) to hand the input to the reference reader. */
const GIVE_UP = new Error('CLIXML outside the fast path');

export function giveUp(): never {
  throw GIVE_UP;
}

/** True for the fast readers' own give-up signal. */
export function isGiveUp(err: unknown): boolean {
  return err === GIVE_UP;
}

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

/** Every element name the fast readers know. */
const TAGS = [
  'Obj', 'TN', 'T', 'TNRef', 'ToString', 'Props', 'MS', 'Ref', 'S', 'I32', 'I64', 'U64', 'B', 'Nil', 'By', 'SB', 'I16',
  'U16', 'U32', 'C', 'Sg', 'Db', 'D', 'G', 'Version', 'URI', 'XD', 'SBK', 'SS', 'DT', 'TS', 'BA', 'LST', 'IE', 'STK', 'QUE',
  'DCT', 'En', 'Objs',
] as const;
export type Tag = typeof TAGS[number];

/**
 * The names as a trie, so that a start tag's name is recognised in one table step per character,
 * with no hashing and no second comparison: `TRIE[node * TRIE_WIDTH + LETTER[unit]]` is the next
 * node (0: none), `TRIE_TAG[node]` the name that ends there. LETTER numbers the characters the
 * names use (0: none), which keeps the table small enough to stay in the nearest cache.
 */
const LETTER = new Uint8Array(128);
let letters = 0;
for (const tag of TAGS) {
  for (let k = 0; k < tag.length; k++) if (LETTER[tag.charCodeAt(k)] === 0) LETTER[tag.charCodeAt(k)] = ++letters;
}
const TRIE_WIDTH = letters + 1;
const TRIE_TAG: (Tag | undefined)[] = [undefined];
const TRIE = new Uint8Array(TRIE_WIDTH * (1 + TAGS.reduce((sum, tag) => sum + tag.length, 0)));
for (const tag of TAGS) {
  let node = 0;
  for (let k = 0; k < tag.length; k++) {
    const edge = node * TRIE_WIDTH + (LETTER[tag.charCodeAt(k)] ?? 0);
    if (TRIE[edge] === 0) {
      TRIE[edge] = TRIE_TAG.length;
      TRIE_TAG.push(undefined);
    }
    node = TRIE[edge] ?? 0;
  }
  TRIE_TAG[node] = tag;
}
if (TRIE_TAG.length > 256) throw new Error('clixml scan: the tag trie outgrew its byte table');

function indexOrEnd(s: string, unit: string, from: number): number {
  const at = s.indexOf(unit, from);
  return at < 0 ? s.length : at;
}

/**
 * A RefId as a map key: canonical decimal ids ("0" … "999999999") as numbers, anything else as
 * its text, so that "07" and "7" stay two ids, as in the reference.
 */
export type RefKey = number | string;

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
 * A cursor over one CLIXML text. After startTag()/nextChild()/nextRoot() the fields `tag`,
 * `empty`, `attrN`, `attrRefId` and `attrS` describe the start tag just read.
 */
export class ClixmlScanner {
  readonly #s: string;
  readonly #n: number;
  readonly #maxStringLength: number;
  readonly #maxElements: number;
  readonly #maxXmlDepth: number;
  #i: number;
  #elements = 0;
  /** The entry of the last name #plainN read. */
  #lastName: PlainEntry | undefined;
  #xmlDepth = 0;
  readonly #otherAttrs: string[] = [];
  // Where the next `&`, CR and `_` are (see #plain); -1 until searched.
  #nextAmp = -1;
  #nextCr = -1;
  #nextUnderscore = -1;
  tag: Tag = 'Obj';
  /** The start tag was `<… />`. */
  empty = false;
  /** The N attribute, decoded and interned. */
  attrN: string | undefined;
  /** The N attribute held `_xHHHH_` escapes (the reference compares `<En>`'s Key and Value undecoded). */
  attrNEscaped = false;
  attrRefId: RefKey | undefined;
  /** The S (stream) attribute. */
  attrS: string | undefined;

  constructor(s: string, maxStringLength: number, maxXmlDepth: number, maxElements: number) {
    this.#s = s;
    this.#n = s.length;
    this.#maxStringLength = maxStringLength;
    this.#maxXmlDepth = maxXmlDepth;
    this.#maxElements = maxElements;
    this.#i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /**
   * Between roots: skips blanks and processing instructions (the XML declaration), then reads the
   * next root's start tag (true), or finds the end of the input (false).
   */
  nextRoot(): boolean {
    const s = this.#s;
    for (;;) {
      this.#skipSpace();
      if (this.#i >= this.#n) return false;
      if (s.charCodeAt(this.#i) !== LT) giveUp();
      if (s.charCodeAt(this.#i + 1) !== QUESTION) break;
      const close = s.indexOf('?>', this.#i + 2);
      if (close < 0) giveUp();
      this.#i = close + 2;
    }
    this.#startTag();
    return true;
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
  nextChild(container: Tag): boolean {
    const s = this.#s;
    let i = this.#i;
    if (s.charCodeAt(i) !== LT) {
      while (isSpace(s.charCodeAt(i))) i++;
      this.#i = i;
      if (s.charCodeAt(i) !== LT) giveUp();
    }
    if (s.charCodeAt(i + 1) === SLASH) {
      this.endTag(container);
      return false;
    }
    this.#startTag();
    return true;
  }

  /** Reads `<Name attr="v" …>` or `<Name … />` at the current `<`. */
  #startTag(): void {
    const s = this.#s;
    let i = this.#i + 1;
    let node = 0;
    let c = s.charCodeAt(i);
    for (;;) {
      const letter = c < 128 ? LETTER[c] ?? 0 : 0;
      const next = letter === 0 ? 0 : TRIE[node * TRIE_WIDTH + letter] ?? 0;
      if (next === 0) break;
      node = next;
      c = s.charCodeAt(++i);
    }
    // A longer or other name stops the walk at a character the attribute loop below refuses.
    const tag = TRIE_TAG[node];
    if (tag === undefined) giveUp();
    this.tag = tag;
    if (++this.#elements > this.#maxElements) giveUp();
    this.attrN = undefined;
    this.attrNEscaped = false;
    this.attrRefId = undefined;
    this.attrS = undefined;
    if (this.#otherAttrs.length > 0) this.#otherAttrs.length = 0;
    for (;;) {
      const spaceStart = i;
      while (isSpace(c)) c = s.charCodeAt(++i);
      if (c === GT) {
        this.empty = false;
        this.#i = i + 1;
        if (++this.#xmlDepth > this.#maxXmlDepth) giveUp();
        return;
      }
      if (c === SLASH && s.charCodeAt(i + 1) === GT) {
        this.empty = true;
        this.#i = i + 2;
        return;
      }
      if (i === spaceStart) giveUp(); // an attribute must follow whitespace
      let after = -1;
      if (c === 0x4e /* N */) after = this.#plainN(i);
      else if (c === 0x52 /* R */) after = this.#plainRefId(i);
      i = after >= 0 ? after : this.#attribute(i);
      c = s.charCodeAt(i);
    }
  }

  /**
   * `N="value"` written as it is (no references, escapes or line ends), the form of nearly every
   * property name. The name that followed the previous one last time is tried first (one
   * comparison); otherwise one native search for the quote, and a name seen before costs one
   * comparison. Returns the index after it, or -1 for #attribute to read.
   */
  #plainN(at: number): number {
    const s = this.#s;
    // Only `"`: a name kept from a `"`-quoted value holds no `"`, so a guess followed by `"` is the whole value.
    if (s.charCodeAt(at + 1) !== EQ || s.charCodeAt(at + 2) !== QUOT || this.attrN !== undefined) return -1;
    const start = at + 3;
    const last = this.#lastName;
    const guess = last?.next;
    if (guess !== undefined && guess.live && s.charCodeAt(start + guess.text.length) === QUOT && guess.matches(s, start)) {
      this.attrN = guess.text;
      this.#lastName = guess;
      return start + guess.text.length + 1;
    }
    const end = s.indexOf('"', start);
    if (end < 0) return -1;
    let entry = plainNames.find(s, start, end);
    if (entry === undefined) {
      for (let i = start; i < end; i++) if (isSpecial(s.charCodeAt(i))) return -1;
      entry = plainNames.keep(s, start, end);
    }
    if (last?.live === true) last.next = entry;
    this.#lastName = entry;
    this.attrN = entry === undefined ? s.slice(start, end) : entry.text;
    return end + 1;
  }

  /** `RefId="digits"` in canonical form (see RefKey), read in place; -1 for #attribute to read. */
  #plainRefId(at: number): number {
    const s = this.#s;
    const quote = s.charCodeAt(at + 6);
    if (!sameAt(s, at, 'RefId=') || (quote !== QUOT && quote !== APOS) || this.attrRefId !== undefined) return -1;
    const start = at + 7;
    let i = start;
    let n = 0;
    let c = s.charCodeAt(i);
    while (c >= DIGIT_0 && c <= DIGIT_0 + 9) {
      n = n * 10 + (c - DIGIT_0);
      c = s.charCodeAt(++i);
    }
    const length = i - start;
    if (c !== quote || length === 0 || length > 9 || (length > 1 && s.charCodeAt(start) === DIGIT_0)) return -1;
    this.attrRefId = n;
    return i + 1;
  }

  /** Reads one `name="value"` at `at` into the attribute fields; returns the index after it. */
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
      if (this.attrN !== undefined) giveUp();
      if (special) {
        const text = this.#attrText(start, end);
        const decoded = decodeString(text);
        this.attrNEscaped = decoded !== text;
        this.attrN = intern(decoded);
      } else {
        this.attrN = internRange(s, start, end, hash);
      }
    } else if (nameLength === 5 && sameAt(s, at, 'RefId')) {
      if (this.attrRefId !== undefined) giveUp();
      if (special) {
        const text = this.#attrText(start, end);
        this.attrRefId = refKey(text, 0, text.length);
      } else {
        this.attrRefId = refKey(s, start, end);
      }
    } else if (nameLength === 1 && first === 0x53 /* S */) {
      if (this.attrS !== undefined) giveUp();
      this.attrS = special ? this.#attrText(start, end) : s.slice(start, end);
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
  endTag(name: Tag): void {
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

  /** The text of the element just opened, which holds only text, read up to and including its end tag. */
  text(): string {
    const start = this.#i;
    const end = this.#skipText();
    return this.#xmlText(start, end, this.#plain(start, end));
  }

  /** The decoded string of a text element (`<S>`, `<T>`, `<ToString>`). */
  string(): string {
    const start = this.#i;
    const end = this.#skipText();
    const plain = this.#plain(start, end);
    const text = this.#xmlText(start, end, plain);
    return plain ? text : decodeString(text);
  }

  /** The decoded string of a type name element (`<T>`), shared with equal names read before (intern.ts). */
  typeName(): string {
    const start = this.#i;
    const end = this.#skipText();
    const plain = this.#plain(start, end);
    if (end - start > INTERN_MAX_LENGTH || !plain) return intern(decodeString(this.#xmlText(start, end, plain)));
    if (end - start > this.#maxStringLength) giveUp();
    const s = this.#s;
    return (plainTypeNames.find(s, start, end) ?? plainTypeNames.keep(s, start, end))?.text ?? s.slice(start, end);
  }

  /** Steps over the text of the element just opened and its end tag; returns where the text ends (it starts at #i). */
  #skipText(): number {
    if (this.empty) return this.#i;
    const lt = this.#s.indexOf('<', this.#i);
    if (lt < 0) giveUp();
    this.#i = lt;
    this.endTag(this.tag);
    return lt;
  }

  /** Element text between `start` and `end` with line ends and references decoded (unless `plain`: see #plain), as the reference reader. */
  #xmlText(start: number, end: number, plain: boolean): string {
    let text = this.#s.slice(start, end);
    if (!plain) {
      if (text.includes('\r')) text = normaliseLines(text);
      if (text.includes('&')) text = decodeRefs(text, start);
    }
    if (text.length > this.#maxStringLength) giveUp();
    return text;
  }

  /**
   * Whether the text between `start` and `end` holds no `&`, CR or `_`, so that it is its own
   * decoded string. Where the next of each is gets found with a native search and kept until the
   * reader passes it (the reader only moves forward), so most texts need no search of their own.
   */
  #plain(start: number, end: number): boolean {
    if (end === start) return true;
    const s = this.#s;
    if (this.#nextAmp < start) this.#nextAmp = indexOrEnd(s, '&', start);
    if (this.#nextCr < start) this.#nextCr = indexOrEnd(s, '\r', start);
    if (this.#nextUnderscore < start) this.#nextUnderscore = indexOrEnd(s, '_', start);
    return end <= this.#nextAmp && end <= this.#nextCr && end <= this.#nextUnderscore;
  }

  /**
   * A decimal integer element (`[+-]?digits`, as the reference's pattern) of up to 15 digits read
   * in place, so exact as a double (and never -0); anything else (blanks, more digits) is left
   * unread for text(): undefined.
   */
  integer(): number | undefined {
    if (this.empty) return undefined;
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
    this.endTag(this.tag);
    return negative && n !== 0 ? -n : n;
  }

  /** Inside an `<En>`: reads the next child, which must be named (N) `part`, written as it is. */
  nextEntryPart(part: 'Key' | 'Value'): boolean {
    return this.nextChild('En') && this.attrN === part && !this.attrNEscaped;
  }

  /** An element with nothing inside (`<Ref … />`, `<TNRef … />`), written empty or as a pair. */
  noContent(): void {
    if (this.empty) return;
    this.endTag(this.tag);
  }
}
