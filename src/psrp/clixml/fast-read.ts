/**
 * The fast path of CLIXML → PSValue: one pass over the text, straight to values, no element tree.
 *
 * The reference reader (xml.ts builds an element tree, deserialize.ts's Reader walks it) spends
 * most of its time on what it throws away: every element becomes an object with a Map of
 * attributes and an array of children, every value a path string for error messages, every name a
 * regex match. This reader (its lexical half in scan.ts) reads the shape every real server
 * writes — unprefixed CLIXML elements, an optional XML declaration, whitespace between elements —
 * with charCodeAt and indexOf, finds element names without slicing them, reads integers in place,
 * shares repeated property and type names (intern.ts), and builds the same values under the same
 * limits. See docs/performance.md §4.
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
 * reads Key first) or whose N is written with `_xHHHH_` escapes (the reference compares it as
 * written, and refuses it), non-blank text between elements, elements inside `<Ref>`/`<TNRef>`.
 */
import { PSObject, type MemberList, type PSList, type PSValue } from './model.js';
import {
  INT_RANGE, parseBase64, parseBigInt, parseBoolean, parseDateTime, parseInteger, parseNumber, parseText, parseTimeSpan,
} from './primitives.js';
import { RefTable } from './ref-table.js';
import { sharedNames } from './shapes.js';
import { ClixmlScanner, giveUp, isGiveUp, type RefKey, type Tag } from './scan.js';

export { isGiveUp };

const [I32_MIN, I32_MAX] = INT_RANGE.I32;

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

const NO_NAMES: readonly string[] = [];
/** Members of an empty `<Props />` or `<MS />` (adoptMembers keeps no empty list, so sharing is safe). */
const NO_MEMBERS: MemberList = [NO_NAMES];

class FastReader {
  readonly #sc: ClixmlScanner;
  readonly #limits: FastReadLimits;
  // Per RefId scope (one root element), as the reference's Reader.
  #objects = new RefTable();
  #typeNames = new Map<RefKey, string[]>();
  #count = 0;
  #expanded = 0;
  // The members being read, innermost object's on top (see #members).
  readonly #nameStack: string[] = [];
  #nameTop = 0;
  readonly #valueStack: Array<PSValue | readonly string[]> = [];
  #valueTop = 0;

  constructor(s: string, limits: FastReadLimits, maxXmlDepth: number, maxElements: number) {
    this.#sc = new ClixmlScanner(s, limits.maxStringLength, maxXmlDepth, maxElements);
    this.#limits = limits;
  }

  /** Every top-level value, as deserializeRecords. */
  records(): FastRecord[] {
    const sc = this.#sc;
    const out: FastRecord[] = [];
    while (sc.nextRoot()) {
      this.#objects = new RefTable();
      this.#typeNames = new Map();
      this.#count = 0;
      this.#expanded = 0;
      if (sc.tag === 'Objs') {
        if (sc.empty) continue;
        while (sc.nextChild('Objs')) {
          const stream = sc.attrS;
          const value = this.#value(0);
          out.push(stream === undefined ? { value } : { stream, value });
        }
      } else {
        const stream = sc.attrS;
        const value = this.#value(0);
        out.push(stream === undefined ? { value } : { stream, value });
      }
    }
    return out;
  }

  /** `<I32>`, the commonest number, without the table lookup of the other kinds. */
  #int32(): number {
    const n = this.#sc.integer();
    if (n === undefined) return parseInteger('I32', this.#sc.text(), '');
    if (n < I32_MIN || n > I32_MAX) giveUp();
    return n;
  }

  /** The other integer kinds the model keeps as numbers. */
  #int32Like(kind: 'By' | 'SB' | 'I16' | 'U16' | 'U32' | 'C'): number {
    const n = this.#sc.integer();
    if (n === undefined) return parseNumber(kind, this.#sc.text(), '').value;
    const range = INT_RANGE[kind];
    if (n < range[0] || n > range[1]) giveUp();
    return n;
  }

  /** `<I64>` / `<U64>`: BigInt from the number when it is exact, from the text otherwise. */
  #bigInt(kind: 'I64' | 'U64'): bigint {
    const n = this.#sc.integer();
    if (n === undefined) return parseBigInt(kind, this.#sc.text(), '');
    if (kind === 'U64' && n < 0) giveUp();
    return BigInt(n);
  }

  #grow(by: number): void {
    this.#expanded += by;
    if (this.#expanded > this.#limits.maxRefExpansion) giveUp();
  }

  /** A value element whose start tag was just read. */
  #value(depth: number): PSValue {
    if (++this.#count > this.#limits.maxObjects) giveUp();
    const tag = this.#sc.tag;
    if (tag === 'Ref') return this.#ref();
    this.#grow(1);
    switch (tag) {
      case 'Obj': return this.#obj(depth);
      case 'S': return this.#sc.string();
      case 'I32': return this.#int32();
      case 'I64': case 'U64': return { kind: tag, value: this.#bigInt(tag) };
      case 'B': return parseBoolean(this.#sc.text(), '');
      case 'Nil': this.#sc.text(); return null;
      case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'C':
        return { kind: tag, value: this.#int32Like(tag) };
      case 'Sg': case 'Db':
        return parseNumber(tag, this.#sc.text(), '');
      case 'D': case 'G': case 'Version': case 'URI': case 'XD': case 'SBK': case 'SS':
        return parseText(tag, this.#sc.text(), '');
      case 'DT': return parseDateTime(this.#sc.text(), '');
      case 'TS': return parseTimeSpan(this.#sc.text(), '');
      case 'BA': return { kind: 'BA', value: parseBase64(this.#sc.text(), '') };
      default: return giveUp();
    }
  }

  #ref(): PSObject {
    const key = this.#sc.attrRefId ?? '';
    const target = this.#objects.object(key);
    if (target === undefined) giveUp();
    this.#grow(this.#objects.weight(key));
    this.#sc.noContent();
    return target;
  }

  #obj(depth: number): PSObject {
    if (depth >= this.#limits.maxDepth) giveUp();
    const before = this.#expanded - 1;
    const obj = new PSObject();
    const refId = this.#sc.attrRefId;
    const registered = refId === undefined ? undefined : this.#objects.add(refId, obj);
    if (!this.#sc.empty) this.#parts(obj, depth);
    if (registered !== undefined) this.#objects.finish(registered, this.#expanded - before);
    return obj;
  }

  /** The children of an `<Obj>`: each part at most once, in any order. */
  #parts(obj: PSObject, depth: number): void {
    let typeNames = false;
    let toString = false;
    let props = false;
    let ms = false;
    let value = false;
    while (this.#sc.nextChild('Obj')) {
      switch (this.#sc.tag) {
        case 'TN':
          if (typeNames) giveUp();
          typeNames = true;
          obj.shareTypeNames(this.#typeNameList());
          break;
        case 'TNRef': {
          if (typeNames) giveUp();
          typeNames = true;
          const names = this.#typeNames.get(this.#sc.attrRefId ?? '');
          if (names === undefined) giveUp();
          this.#sc.noContent();
          obj.shareTypeNames(names);
          break;
        }
        case 'ToString':
          if (toString) giveUp();
          toString = true;
          obj.toStringText = this.#sc.string();
          break;
        case 'Props':
          if (props) giveUp();
          props = true;
          obj.adoptMembers('adapted', this.#members(depth, 'Props'));
          break;
        case 'MS':
          if (ms) giveUp();
          ms = true;
          obj.adoptMembers('extended', this.#members(depth, 'MS'));
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
    const refId = this.#sc.attrRefId;
    const names: string[] = [];
    if (!this.#sc.empty) {
      while (this.#sc.nextChild('TN')) {
        if (this.#sc.tag !== 'T') giveUp();
        names.push(this.#sc.typeName());
      }
    }
    if (refId !== undefined) this.#typeNames.set(refId, names);
    return names;
  }

  /**
   * `<Props>` or `<MS>`, as the MemberList PSObject keeps until a Map is asked for: the names
   * shared with earlier objects of the same shape (shapes.ts), then the values. Names and values
   * are gathered on stacks shared by all nesting levels and copied out at their exact length: a
   * list grown by push keeps up to 16 spare slots, which for small nested objects was most of it.
   */
  #members(depth: number, container: Tag): MemberList {
    if (this.#sc.empty) return NO_MEMBERS;
    const names = this.#nameStack;
    const values = this.#valueStack;
    const nameStart = this.#nameTop;
    const valueStart = this.#valueTop;
    values[this.#valueTop++] = NO_NAMES; // the names' place, filled below
    while (this.#sc.nextChild(container)) {
      const name = this.#sc.attrN;
      if (name === undefined) giveUp();
      const value = this.#value(depth + 1); // a nested object uses the stacks above, and gives them back
      names[this.#nameTop++] = name;
      values[this.#valueTop++] = value;
    }
    values[valueStart] = sharedNames(names, nameStart, this.#nameTop);
    const list = values.slice(valueStart, this.#valueTop) as MemberList;
    this.#nameTop = nameStart;
    this.#valueTop = valueStart;
    return list;
  }

  #collection(depth: number): PSValue {
    if (depth >= this.#limits.maxDepth) giveUp();
    const tag = this.#sc.tag;
    const empty = this.#sc.empty;
    if (tag !== 'DCT') {
      const items: PSValue[] = [];
      if (!empty) while (this.#sc.nextChild(tag)) items.push(this.#value(depth));
      return { kind: tag as PSList['kind'], items };
    }
    const entries = new Map<PSValue, PSValue>();
    if (!empty) {
      while (this.#sc.nextChild('DCT')) {
        if (this.#sc.tag !== 'En' || this.#sc.empty) giveUp();
        if (!this.#sc.nextEntryPart('Key')) giveUp();
        const key = this.#value(depth);
        if (!this.#sc.nextEntryPart('Value')) giveUp();
        const value = this.#value(depth);
        if (this.#sc.nextChild('En')) giveUp();
        entries.set(key, value);
      }
    }
    return { kind: 'DCT', entries };
  }
}

/**
 * Reads `text` on the fast path, or throws: the give-up signal (see isGiveUp), a parse helper's
 * ClixmlError, or a RangeError. `maxXmlDepth` and `maxElements` are the reference XML reader's
 * limits for the same input.
 */
export function fastReadOrThrow(text: string, limits: FastReadLimits, maxXmlDepth: number, maxElements: number): FastRecord[] {
  return new FastReader(text, limits, maxXmlDepth, maxElements).records();
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
