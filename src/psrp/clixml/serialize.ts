/**
 * PSValue → CLIXML (MS-PSRP §2.2.5), in the shape Windows PowerShell writes it.
 *
 * Inside `<Obj>` the children come in PowerShell's order — `TN`/`TNRef`, `ToString`, the wrapped
 * primitive or collection, `Props`, `MS` — which every recorded server message follows. RefIds
 * count from 0 in document order, separately for objects and for type-name lists; a PSObject (or a
 * bare collection) met a second time is written as `<Ref>`, and a type-name list met again as
 * `<TNRef>`.
 */
import { InvalidArgumentError } from '../../errors.js';
import { encodeString } from './escape.js';
import { DEFAULT_TYPE_NAMES, PSObject, type PSCollection, type PSProgressRecord, type PSValue } from './model.js';
import { toBase64 } from '../../util/bytes.js';
import { formatFloat, formatNumber, formatText } from './primitives.js';
import { escapeXmlAttr, escapeXmlText } from './xml.js';
import { remembered } from '../../util/remembered.js';

/** The default namespace of CLIXML documents. */
export const CLIXML_NAMESPACE = 'http://schemas.microsoft.com/powershell/2004/04';

const MAX_DEPTH = 1000;
const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff && !Object.is(n, -0);

/**
 * Text that every message repeats, written once per process: a member name's ` N="…"` and a
 * type-name list's `<T>` elements. (Issue 8: escaping and joining these again for every object
 * was half the time of writing a CREATE_PIPELINE.) Both are bounded, since names come from the
 * caller's objects too: in how many they keep (when full they start over) and in how long a name
 * may be to be kept at all.
 */
const MAX_CACHED = 1024;
const MAX_CACHED_NAME = 256;
const MAX_CACHED_LIST = 32;
const nameAttr = remembered((name) => ` N="${escapeXmlAttr(encodeString(name))}"`, MAX_CACHED, MAX_CACHED_NAME);

function typeNameElements(names: readonly string[]): string {
  let xml = '';
  for (const t of names) xml += `<T>${escapeXmlText(encodeString(t))}</T>`;
  return xml;
}

/**
 * One type-name list, as a path in a trie of names: a list is found by looking up each of its
 * names (short strings, mostly literals whose hash V8 keeps), never by a key made of all of them.
 */
interface TypeListNode {
  /** The `<T>` elements of the list that ends here, once one has. */
  xml: string | undefined;
  next: Map<string, TypeListNode> | undefined;
}

let typeLists: TypeListNode = { xml: undefined, next: undefined };
let typeListNodes = 0;

/** The node of `names` (made on first use), with its `<T>` elements; undefined for a list too big to keep. */
function typeListNode(names: readonly string[]): TypeListNode | undefined {
  if (names.length > MAX_CACHED_LIST) return undefined;
  let node = typeLists;
  for (const name of names) {
    if (name.length > MAX_CACHED_NAME) return undefined;
    node.next ??= new Map();
    let child = node.next.get(name);
    if (child === undefined) {
      child = { xml: undefined, next: undefined };
      node.next.set(name, child);
      typeListNodes++;
    }
    node = child;
  }
  node.xml ??= typeNameElements(names);
  return node;
}

class Writer {
  readonly #objectIds = new Map<object, number>();
  /**
   * RefIds of the type-name lists written so far, by their trie node (one per distinct list), or
   * for a list too big for the trie by the list as JSON (a join could make two lists one).
   */
  readonly #typeNameIds = new Map<TypeListNode | string, number>();
  // One string grown by `+=`: V8 keeps the pieces as a rope and flattens them once, cheaper than
  // collecting them in an array and joining it.
  #out = '';

  constructor() {
    // Trimmed between documents only: within one, a list must keep its node for <TNRef> to find it.
    if (typeListNodes > MAX_CACHED) {
      typeLists = { xml: undefined, next: undefined };
      typeListNodes = 0;
    }
  }

  get text(): string {
    return this.#out;
  }

  value(v: PSValue, name: string | undefined, depth: number, extraAttrs = ''): void {
    if (depth > MAX_DEPTH) throw new InvalidArgumentError(`value nested deeper than ${MAX_DEPTH} levels (a cycle through bare arrays?)`);
    const n = name === undefined ? extraAttrs : nameAttr(name) + extraAttrs;
    if (v === null) return this.#leaf('Nil', n, '');
    if (typeof v === 'string') return this.#leaf('S', n, encodeString(v));
    if (typeof v === 'boolean') return this.#leaf('B', n, v ? 'true' : 'false');
    if (typeof v === 'number') return isInt32(v) ? this.#leaf('I32', n, String(v)) : this.#leaf('Db', n, formatFloat('Db', v));
    if (v instanceof PSObject) return this.#object(v, n, depth);
    switch (v.kind) {
      case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'C': case 'Sg': case 'Db':
        return this.#leaf(v.kind, n, formatNumber(v));
      case 'I64': case 'U64': return this.#leaf(v.kind, n, v.value.toString());
      case 'D': case 'G': case 'Version': case 'URI': case 'XD': case 'SBK': case 'SS':
        return this.#leaf(v.kind, n, formatText(v));
      case 'DT': case 'TS': return this.#leaf(v.kind, n, v.value);
      case 'BA': return this.#leaf('BA', n, toBase64(v.value));
      case 'PR': return this.#progress(v, n);
      case 'LST': case 'IE': case 'STK': case 'QUE': case 'DCT': return this.#bareCollection(v, n, depth);
      default: throw new InvalidArgumentError(`cannot serialize a value of kind ${String((v as { kind: unknown }).kind)}`);
    }
  }

  #leaf(tag: string, attrs: string, text: string): void {
    this.#out += text === '' ? `<${tag}${attrs} />` : `<${tag}${attrs}>${escapeXmlText(text)}</${tag}>`;
  }

  /** Returns the RefId to write, or writes a `<Ref>` and returns undefined when already written. */
  #refId(key: object, attrs: string): number | undefined {
    const seen = this.#objectIds.get(key);
    if (seen !== undefined) {
      this.#out += `<Ref${attrs} RefId="${seen}" />`;
      return undefined;
    }
    const id = this.#objectIds.size;
    this.#objectIds.set(key, id);
    return id;
  }

  #typeNames(names: readonly string[]): void {
    if (names.length === 0) return;
    const node = typeListNode(names);
    const key = node ?? JSON.stringify(names);
    const seen = this.#typeNameIds.get(key);
    if (seen !== undefined) {
      this.#out += `<TNRef RefId="${seen}" />`;
      return;
    }
    const id = this.#typeNameIds.size;
    this.#typeNameIds.set(key, id);
    this.#out += `<TN RefId="${id}">${node?.xml ?? typeNameElements(names)}</TN>`;
  }

  #object(obj: PSObject, attrs: string, depth: number): void {
    const id = this.#refId(obj, attrs);
    if (id === undefined) return;
    this.#out += `<Obj${attrs} RefId="${id}">`;
    this.#typeNames(obj.typeNamesView);
    if (obj.toStringText !== undefined) this.#out += `<ToString>${escapeXmlText(encodeString(obj.toStringText))}</ToString>`;
    const inner = obj.value;
    if (inner !== undefined) {
      // The base object may itself be a PSObject: PowerShell then nests an <Obj> (or a <Ref>).
      const kind = inner === null || typeof inner !== 'object' || inner instanceof PSObject ? undefined : inner.kind;
      if (kind === 'LST' || kind === 'IE' || kind === 'STK' || kind === 'QUE' || kind === 'DCT') {
        this.#collection(inner as PSCollection, depth);
      } else {
        this.value(inner, undefined, depth + 1);
      }
    }
    if (obj.adaptedSize > 0) {
      this.#out += '<Props>';
      obj.forEachAdapted(this.#member(depth));
      this.#out += '</Props>';
    }
    if (obj.extendedSize > 0) {
      this.#out += '<MS>';
      obj.forEachExtended(this.#member(depth));
      this.#out += '</MS>';
    }
    this.#out += '</Obj>';
  }

  /** Writes one member of an object at `depth`. */
  #member(depth: number): (v: PSValue, name: string) => void {
    return (v, name) => this.value(v, name, depth + 1);
  }

  #collection(c: PSCollection, depth: number): void {
    if (c.kind === 'DCT') {
      if (c.entries.size === 0) return void (this.#out += '<DCT />');
      this.#out += '<DCT>';
      for (const [k, v] of c.entries) {
        this.#out += '<En>';
        this.value(k, 'Key', depth + 1);
        this.value(v, 'Value', depth + 1);
        this.#out += '</En>';
      }
      this.#out += '</DCT>';
      return;
    }
    if (c.items.length === 0) return void (this.#out += `<${c.kind} />`);
    this.#out += `<${c.kind}>`;
    for (const item of c.items) this.value(item, undefined, depth + 1);
    this.#out += `</${c.kind}>`;
  }

  /** A collection outside a PSObject gets the usual .NET wrapper type (ArrayList, Hashtable …). */
  #bareCollection(c: PSCollection, attrs: string, depth: number): void {
    const id = this.#refId(c, attrs);
    if (id === undefined) return;
    this.#out += `<Obj${attrs} RefId="${id}">`;
    this.#typeNames(DEFAULT_TYPE_NAMES[c.kind]);
    this.#collection(c, depth);
    this.#out += '</Obj>';
  }

  #progress(p: PSProgressRecord, attrs: string): void {
    const s = (tag: string, text: string): string => (text === '' ? `<${tag} />` : `<${tag}>${escapeXmlText(encodeString(text))}</${tag}>`);
    this.#out +=
      `<PR${attrs}>${s('AV', p.activity)}<AI>${p.activityId}</AI>` +
      (p.currentOperation === null ? '<Nil />' : s('S', p.currentOperation)) +
      `<PI>${p.parentActivityId}</PI><PC>${p.percentComplete}</PC>${s('T', p.recordType)}` +
      `<SR>${p.secondsRemaining}</SR>${s('SD', p.statusDescription)}</PR>`;
  }
}

/**
 * Writes one value as a CLIXML element (the data of a PSRP message is one such element).
 *
 * @throws InvalidArgumentError for a value the model cannot express (an unknown kind, or nesting past 1000 levels).
 */
export function serialize(value: PSValue): string {
  const w = new Writer();
  w.value(value, undefined, 0);
  return w.text;
}

/**
 * Writes values as an `<Objs>` document, as Export-Clixml does, sharing RefIds across them.
 * `streams[i]`, when given, tags value i with `S="…"` the way powershell.exe tags its stderr.
 */
export function serializeAll(values: PSValue[], opts: { streams?: (string | undefined)[] } = {}): string {
  const w = new Writer();
  values.forEach((v, i) => {
    const stream = opts.streams?.[i];
    w.value(v, undefined, 0, stream === undefined ? '' : ` S="${escapeXmlAttr(stream)}"`);
  });
  return `<Objs Version="1.1.0.1" xmlns="${CLIXML_NAMESPACE}">${w.text}</Objs>`;
}
