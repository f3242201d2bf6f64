/**
 * CLIXML → PSValue (MS-PSRP §2.2.5).
 *
 * One `Reader` holds the reference tables of one document: `<Obj RefId>` registers an object
 * *before* its members are read, so a `<Ref>` to an ancestor (a cycle) resolves to the very same
 * instance; `<TN RefId>` registers a type-name list that later `<TNRef>`s reuse. RefIds are scoped
 * to one document (one PSRP message, or one `<Objs>` stream).
 *
 * References are bounded twice over. Anything that walks a value (projection, rendering) visits a
 * shared object once per `<Ref>` to it, so N objects each holding two Refs to the one before stand
 * for 2^N values: the Reader keeps the expanded size of every finished object and refuses input
 * whose Refs would expand past `maxRefExpansion`. And an `<Obj>` may not wrap (as its value) an
 * object still being read — itself or an ancestor — because walkers follow wrapped values without
 * going a level deeper, so such a cycle would never end.
 *
 * Every input problem becomes a ClixmlError: malformed XML, an element §2.2.5 does not define, a
 * value that does not parse as its type, a dangling reference, or input past a limit.
 */
import { ClixmlError } from './errors.js';
import { decodeString } from './escape.js';
import { PSObject, type PSDict, type PSList, type PSProgressRecord, type PSValue } from './model.js';
import {
  parseBase64, parseBigInt, parseBoolean, parseDateTime, parseInteger, parseNumber, parseText, parseTimeSpan,
} from './primitives.js';
import { fastReadRecords } from './fast-read.js';
import { elementChildren, readXmlForest, textContent, type XElement } from './xml.js';

/** Bounds on what one input may make us build. */
export interface DeserializeOptions {
  /** Deepest nesting of objects and collections (default 100). */
  maxDepth?: number;
  /** Most values (objects, primitives, collection items) in one input (default 1,000,000). */
  maxObjects?: number;
  /** Longest string, in UTF-16 code units, of any one text value (default 16 Mi). */
  maxStringLength?: number;
  /** Most values the input stands for once every `<Ref>` is expanded in place (default 1,000,000). */
  maxRefExpansion?: number;
}

/** One top-level value and the stream it was tagged with (`S="Error"` in powershell.exe output). */
export interface ClixmlRecord {
  stream?: string;
  value: PSValue;
}

const DEFAULTS: Readonly<Required<DeserializeOptions>> = Object.freeze({
  maxDepth: 100, maxObjects: 1_000_000, maxStringLength: 16 * 1024 * 1024, maxRefExpansion: 1_000_000,
});

const COLLECTIONS = new Set(['LST', 'IE', 'STK', 'QUE', 'DCT']);
/** Which part of an <Obj> each child fills; each part may appear once. */
const SLOT: Record<string, string> = { TN: 'TN', TNRef: 'TN', ToString: 'ToString', Props: 'Props', MS: 'MS' };

class Reader {
  readonly #objects = new Map<string, PSObject>();
  readonly #typeNames = new Map<string, string[]>();
  readonly #limits: Required<DeserializeOptions>;
  /** Expanded size (values, Refs counted as their target) of every finished object. */
  readonly #weights = new Map<PSObject, number>();
  /** Objects whose element is still being read: the ancestors of the current position. */
  readonly #open = new Set<PSObject>();
  #count = 0;
  #expanded = 0;

  constructor(limits: Required<DeserializeOptions>) {
    this.#limits = limits;
  }

  /** A value element: a primitive, `<Obj>` or `<Ref>`. */
  value(el: XElement, depth: number, path: string): PSValue {
    this.#count += 1;
    if (this.#count > this.#limits.maxObjects) {
      throw new ClixmlError('ETSR_XML_LIMIT', `more than ${this.#limits.maxObjects} values`, { path });
    }
    if (el.name === 'Ref') {
      const target = this.#target(el, path);
      this.#grow(this.#weights.get(target) ?? 1, path);
      return target;
    }
    this.#grow(1, path);
    if (el.name === 'Obj') {
      const before = this.#expanded - 1;
      const obj = this.#obj(el, depth, path);
      this.#weights.set(obj, this.#expanded - before);
      return obj;
    }
    if (el.name === 'PR') return this.#progress(el, path);
    if (elementChildren(el).length > 0) {
      throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<${el.name}> must not contain elements`, { path });
    }
    const text = this.#text(el, path);
    switch (el.name) {
      case 'Nil': return null;
      case 'S': return decodeString(text);
      case 'B': return parseBoolean(text, path);
      case 'I32': return parseInteger('I32', text, path);
      case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'C': case 'Sg': case 'Db':
        return parseNumber(el.name, text, path);
      case 'I64': case 'U64': return { kind: el.name, value: parseBigInt(el.name, text, path) };
      case 'D': case 'G': case 'Version': case 'URI': case 'XD': case 'SBK': case 'SS':
        return parseText(el.name, text, path);
      case 'DT': return parseDateTime(text, path);
      case 'TS': return parseTimeSpan(text, path);
      case 'BA': return { kind: 'BA', value: parseBase64(text, path) };
      default:
        throw new ClixmlError('ETSR_PSRP_PROTOCOL', `unknown CLIXML element <${el.name}>`, { path });
    }
  }

  #target(ref: XElement, path: string): PSObject {
    const id = ref.attrs.get('RefId') ?? '';
    const target = this.#objects.get(id);
    if (!target) throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<Ref RefId="${id}"> names no earlier object`, { path });
    return target;
  }

  #grow(by: number, path: string): void {
    this.#expanded += by;
    if (this.#expanded > this.#limits.maxRefExpansion) {
      throw new ClixmlError('ETSR_XML_LIMIT', `references expand to more than ${this.#limits.maxRefExpansion} values`, {
        path,
        hint: 'the peer sent a graph of shared references too large to walk',
      });
    }
  }

  #text(el: XElement, path: string): string {
    const text = textContent(el);
    if (text.length > this.#limits.maxStringLength) {
      throw new ClixmlError('ETSR_XML_LIMIT', `a text value is longer than ${this.#limits.maxStringLength}`, { path });
    }
    return text;
  }

  #obj(el: XElement, depth: number, path: string): PSObject {
    if (depth >= this.#limits.maxDepth) {
      throw new ClixmlError('ETSR_XML_LIMIT', `objects nested deeper than ${this.#limits.maxDepth}`, { path });
    }
    const obj = new PSObject();
    const refId = el.attrs.get('RefId');
    if (refId !== undefined) {
      if (this.#objects.has(refId)) throw new ClixmlError('ETSR_PSRP_PROTOCOL', `RefId ${refId} used twice`, { path });
      this.#objects.set(refId, obj);
    }
    this.#open.add(obj);
    try {
      this.#parts(el, obj, depth, path);
    } finally {
      this.#open.delete(obj);
    }
    return obj;
  }

  /** Fills an object from the children of its `<Obj>`. */
  #parts(el: XElement, obj: PSObject, depth: number, path: string): void {
    const seen = new Set<string>();
    for (const child of el.children) {
      if (typeof child === 'string') {
        if (child.trim() !== '') throw new ClixmlError('ETSR_PSRP_PROTOCOL', 'text directly inside <Obj>', { path });
        continue;
      }
      const slot = SLOT[child.name] ?? 'value';
      if (seen.has(slot)) throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<Obj> has a second <${child.name}>`, { path });
      seen.add(slot);
      const at = `${path}/${child.name}`;
      switch (child.name) {
        case 'TN': obj.typeNames = this.#typeNameList(child, at); break;
        case 'TNRef': {
          const names = this.#typeNames.get(child.attrs.get('RefId') ?? '');
          if (!names) throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<TNRef RefId="${child.attrs.get('RefId') ?? ''}"> names no earlier <TN>`, { path: at });
          obj.typeNames = [...names];
          break;
        }
        case 'ToString': obj.toStringText = decodeString(this.#text(child, at)); break;
        case 'Props': this.#members(child, obj.adapted, depth, at); break;
        case 'MS': this.#members(child, obj.extended, depth, at); break;
        case 'Ref':
          if (this.#open.has(this.#target(child, at))) {
            const id = child.attrs.get('RefId') ?? '';
            throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<Obj> wraps itself or an enclosing object (<Ref RefId="${id}">)`, { path: at });
          }
          obj.value = this.value(child, depth + 1, at);
          break;
        default:
          obj.value = COLLECTIONS.has(child.name) ? this.#collection(child, depth + 1, at) : this.value(child, depth + 1, at);
      }
    }
  }

  #typeNameList(tn: XElement, path: string): string[] {
    const names: string[] = [];
    for (const t of this.#onlyElements(tn, path)) {
      if (t.name !== 'T') throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<TN> may hold only <T>, not <${t.name}>`, { path });
      names.push(decodeString(this.#text(t, path)));
    }
    const id = tn.attrs.get('RefId');
    if (id !== undefined) this.#typeNames.set(id, names);
    return [...names];
  }

  #members(el: XElement, into: Map<string, PSValue>, depth: number, path: string): void {
    for (const child of this.#onlyElements(el, path)) {
      const name = child.attrs.get('N');
      if (name === undefined) throw new ClixmlError('ETSR_PSRP_PROTOCOL', `<${child.name}> in <${el.name}> has no N`, { path });
      const decoded = decodeString(name);
      into.set(decoded, this.value(child, depth + 1, `${path}/${child.name}[N=${decoded}]`));
    }
  }

  #collection(el: XElement, depth: number, path: string): PSList | PSDict {
    if (depth >= this.#limits.maxDepth) {
      throw new ClixmlError('ETSR_XML_LIMIT', `objects nested deeper than ${this.#limits.maxDepth}`, { path });
    }
    const children = this.#onlyElements(el, path);
    if (el.name !== 'DCT') {
      const kind = el.name as PSList['kind'];
      return { kind, items: children.map((c, i) => this.value(c, depth, `${path}[${i}]`)) };
    }
    const entries = new Map<PSValue, PSValue>();
    for (const [i, en] of children.entries()) {
      const at = `${path}/En[${i}]`;
      const parts = en.name === 'En' ? this.#onlyElements(en, at) : [];
      const key = parts.find((p) => p.attrs.get('N') === 'Key');
      const value = parts.find((p) => p.attrs.get('N') === 'Value');
      if (!key || !value || parts.length !== 2) {
        throw new ClixmlError('ETSR_PSRP_PROTOCOL', '<DCT> entries must be <En> with a Key and a Value', { path: at });
      }
      entries.set(this.value(key, depth, `${at}/Key`), this.value(value, depth, `${at}/Value`));
    }
    return { kind: 'DCT', entries };
  }

  #progress(el: XElement, path: string): PSProgressRecord {
    const field = (name: string): string | undefined => {
      const f = elementChildren(el).find((c) => c.name === name);
      return f ? this.#text(f, `${path}/${name}`) : undefined;
    };
    const int = (name: string, fallback: number): number => {
      const t = field(name);
      return t === undefined ? fallback : parseInteger('I32', t, `${path}/${name}`);
    };
    const current = field('S');
    return {
      kind: 'PR',
      activity: decodeString(field('AV') ?? ''),
      activityId: int('AI', 0),
      currentOperation: current === undefined ? null : decodeString(current),
      parentActivityId: int('PI', -1),
      percentComplete: int('PC', -1),
      recordType: decodeString(field('T') ?? 'Processing').trim(),
      secondsRemaining: int('SR', -1),
      statusDescription: decodeString(field('SD') ?? ''),
    };
  }

  /** The element children of a container; non-blank text in it is an error. */
  #onlyElements(el: XElement, path: string): XElement[] {
    for (const c of el.children) {
      if (typeof c === 'string' && c.trim() !== '') {
        throw new ClixmlError('ETSR_PSRP_PROTOCOL', `unexpected text inside <${el.name}>`, { path });
      }
    }
    return elementChildren(el);
  }
}

/** `opts` with every limit set (defaults for the rest). */
export function limitsOf(opts: DeserializeOptions): Required<DeserializeOptions> {
  // Called once per PSRP message: no allocation when nothing is overridden.
  const { maxDepth, maxObjects, maxStringLength, maxRefExpansion } = opts;
  if (maxDepth === undefined && maxObjects === undefined && maxStringLength === undefined && maxRefExpansion === undefined) return DEFAULTS;
  return {
    maxDepth: maxDepth ?? DEFAULTS.maxDepth,
    maxObjects: maxObjects ?? DEFAULTS.maxObjects,
    maxStringLength: maxStringLength ?? DEFAULTS.maxStringLength,
    maxRefExpansion: maxRefExpansion ?? DEFAULTS.maxRefExpansion,
  };
}

// Obj > MS > Obj costs about three XML levels per object level; TN, T and the like need a few more.
export const xmlDepthLimit = (limits: Required<DeserializeOptions>): number => limits.maxDepth * 3 + 8;
export const xmlElementLimit = (limits: Required<DeserializeOptions>): number => limits.maxObjects * 8;

function roots(input: string | XElement, limits: Required<DeserializeOptions>): XElement[] {
  if (typeof input !== 'string') return [input];
  return readXmlForest(input, { maxDepth: xmlDepthLimit(limits), maxElements: xmlElementLimit(limits) });
}

/**
 * Reads every top-level value of a CLIXML document: the children of an `<Objs>` root (as
 * Export-Clixml and powershell.exe write), or the root element itself (as in a PSRP message).
 * Several `<Objs>` roots in one input are read in order, each with its own RefIds.
 *
 * @throws ClixmlError for malformed XML or CLIXML, or input past `opts` limits.
 */
export function deserializeRecords(input: string | XElement, opts: DeserializeOptions = {}): ClixmlRecord[] {
  const limits = limitsOf(opts);
  if (typeof input === 'string') {
    // The one-pass reader takes what real servers send; anything else, valid or not, is read
    // again below, so results and errors are the reference reader's (see fast-read.ts).
    const fast = fastReadRecords(input, limits, xmlDepthLimit(limits), xmlElementLimit(limits));
    if (fast !== undefined) return fast;
  }
  return referenceRecords(input, limits);
}

/** The reference reader: an element tree (xml.ts), then the Reader above. */
export function referenceRecords(input: string | XElement, limits: Required<DeserializeOptions>): ClixmlRecord[] {
  try {
    const out: ClixmlRecord[] = [];
    for (const root of roots(input, limits)) {
      const reader = new Reader(limits);
      const items = root.name === 'Objs' ? elementChildren(root) : [root];
      for (const [i, el] of items.entries()) {
        const stream = el.attrs.get('S');
        const value = reader.value(el, 0, `${root.name === 'Objs' ? `Objs[${i}]/` : ''}${el.name}`);
        out.push(stream === undefined ? { value } : { stream, value });
      }
    }
    return out;
  } catch (err) {
    // Stack exhaustion on a pathological input is still the peer's fault; anything else is our bug.
    if (err instanceof RangeError) throw new ClixmlError('ETSR_XML_LIMIT', `unreadable CLIXML: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Every top-level value of a CLIXML document (see deserializeRecords). */
export function deserializeAll(input: string | XElement, opts: DeserializeOptions = {}): PSValue[] {
  return deserializeRecords(input, opts).map((r) => r.value);
}

/**
 * Reads a CLIXML document holding one value: a single element (`<Obj>`, `<S>` …), or an `<Objs>`
 * with exactly one child.
 *
 * @throws ClixmlError as deserializeAll, and `ETSR_PSRP_PROTOCOL` when there is not exactly one value.
 */
export function deserialize(input: string | XElement, opts: DeserializeOptions = {}): PSValue {
  const values = deserializeAll(input, opts);
  if (values.length !== 1) {
    throw new ClixmlError('ETSR_PSRP_PROTOCOL', `expected one CLIXML value, found ${values.length}`, {
      hint: values.length > 1 ? 'use deserializeAll for <Objs> streams' : undefined,
    });
  }
  return values[0] ?? null;
}
