/**
 * The typed model of deserialized PowerShell values (MS-PSRP §2.2.5).
 *
 * Mapping of CLIXML onto JavaScript, chosen so that every value round-trips with its .NET type:
 *
 * | CLIXML            | JS                                                           |
 * |-------------------|--------------------------------------------------------------|
 * | `<Nil/>`          | `null`                                                       |
 * | `<S>`             | `string`                                                     |
 * | `<B>`             | `boolean`                                                    |
 * | `<I32>`           | `number` (a plain number is always Int32 when deserialized)  |
 * | `<Db>`            | `{ kind: 'Db', value: number }` — tagged so 1.0 stays Double |
 * | `<Sg>` `<By>` `<SB>` `<I16>` `<U16>` `<U32>` | `{ kind, value: number }`         |
 * | `<C>`             | `{ kind: 'C', value: number }` (the UTF-16 code unit)        |
 * | `<I64>` `<U64>`   | `{ kind, value: bigint }`                                    |
 * | `<D>`             | `{ kind: 'D', value: string }` (decimal text, exact)         |
 * | `<G>` `<Version>` `<URI>` `<XD>` `<SBK>` `<SS>` | `{ kind, value: string }`      |
 * | `<DT>`            | `{ kind: 'DT', value: string, date: Date }` (text kept exactly) |
 * | `<TS>`            | `{ kind: 'TS', value: string, ms: number }` (xsd:duration)   |
 * | `<BA>`            | `{ kind: 'BA', value: Uint8Array }`                          |
 * | `<PR>`            | `{ kind: 'PR', activity, activityId, … }`                    |
 * | `<Obj>`           | `PSObject` (`value` holds a wrapped primitive or collection) |
 * | `<LST>` `<IE>` `<STK>` `<QUE>` | `{ kind, items: PSValue[] }` inside a PSObject  |
 * | `<DCT>`           | `{ kind: 'DCT', entries: Map<PSValue, PSValue> }` in a PSObject |
 *
 * When serializing, a plain `number` that is not an Int32 is written as `<Db>`.
 * `<SS>` holds the base64 ciphertext; decrypting it is the securestring module's job.
 */

import { distinctNames } from './shapes.js';

/** Numbers whose CLIXML kind a JS number cannot say by itself. */
export type PSNumberKind = 'By' | 'SB' | 'I16' | 'U16' | 'U32' | 'Sg' | 'Db' | 'C';
export interface PSNumber { kind: PSNumberKind; value: number }
export interface PSBigInt { kind: 'I64' | 'U64'; value: bigint }
/** Values carried as text: Decimal, Guid, Version, URI, XmlDocument, ScriptBlock, SecureString. */
export type PSTextKind = 'D' | 'G' | 'Version' | 'URI' | 'XD' | 'SBK' | 'SS';
export interface PSText { kind: PSTextKind; value: string }
/** A .NET DateTime: `value` is the wire text (100 ns precision, offset or kind kept), `date` its instant. */
export interface PSDateTime { kind: 'DT'; value: string; date: Date }
/** A .NET TimeSpan: `value` is the xsd:duration text (`PT1M30.5S`), `ms` its length in milliseconds. */
export interface PSTimeSpan { kind: 'TS'; value: string; ms: number }
export interface PSBytes { kind: 'BA'; value: Uint8Array }
/** A ProgressRecord (`<PR>`, MS-PSRP §2.2.5.1.x / §2.2.3.x; undocumented element names, as PowerShell writes them). */
export interface PSProgressRecord {
  kind: 'PR';
  activity: string;
  activityId: number;
  currentOperation: string | null;
  parentActivityId: number;
  percentComplete: number;
  /** ProgressRecordType name: `Processing` or `Completed`. */
  recordType: string;
  secondsRemaining: number;
  statusDescription: string;
}

export type PSPrimitive = PSNumber | PSBigInt | PSText | PSDateTime | PSTimeSpan | PSBytes | PSProgressRecord;

/** LST (IList), IE (IEnumerable), STK (Stack), QUE (Queue): MS-PSRP §2.2.5.2.6. */
export interface PSList { kind: 'LST' | 'IE' | 'STK' | 'QUE'; items: PSValue[] }
/** DCT (IDictionary), keys of any type, insertion order kept: MS-PSRP §2.2.5.2.6.4. */
export interface PSDict { kind: 'DCT'; entries: Map<PSValue, PSValue> }
export type PSCollection = PSList | PSDict;

export type PSValue = null | string | boolean | number | PSPrimitive | PSCollection | PSObject;

/**
 * Members as a reader found them: the names, then one value per name, in document order. The
 * names array may be shared with other objects of the same shape (shapes.ts) and is never changed.
 * A PSObject keeps this until something asks for its Map (see PSObject).
 */
export type MemberList = [names: readonly string[], ...values: PSValue[]];

/** A class named PSObject (by its key), so that inspect labels the view it shows with that name. */
const INSPECT_PROTOTYPE: object = { PSObject: class {} }.PSObject.prototype as object;
const INSPECT_VIEWS = new WeakMap<PSObject, Record<string, unknown>>();

/** What a member search returns for an absent name (a present one may hold null). */
const MISSING: unique symbol = Symbol('missing');

/** Above this many names, `get`/`has` build the Map rather than search the list. */
const LIST_SEARCH_MAX = 16;

type MemberSet = Map<string, PSValue> | MemberList | undefined;

/**
 * A complex object (`<Obj>`, MS-PSRP §2.2.5.2): type names, ToString, adapted properties
 * (`<Props>`), extended properties (`<MS>`), and optionally the primitive or collection it wraps
 * (an enum's `<I32>`, a Hashtable's `<DCT>`, a string with note properties, or — when PowerShell
 * wraps a PSObject in another — an inner `<Obj>`).
 *
 * Identity matters: a `<Ref>` deserializes to the same instance, and serializing one instance twice
 * writes a `<Ref>` the second time.
 *
 * `adapted` and `extended` are Maps, built when first asked for. Until then a deserialized object
 * holds its members as the reader found them (MemberList: names shared by the objects of one
 * shape, and its own values), and most extended sets are empty: a Map per member set cost more
 * than the rest of the object (two Maps per object were about a third of reading a large `<Objs>`
 * document, docs/performance.md §4). `get`, `has`, the sizes and counts and the forEach methods read either
 * form without building a Map, and are what the renderers, the JSON projection and the serializer
 * use. Node's `util.inspect` (console.log) shows the members too.
 */
export class PSObject {
  #typeNames: string[];
  /** True while #typeNames is shared with other objects read from one document (a `<TNRef>`). */
  #typeNamesShared = false;
  /** The `<ToString>` text. A field, not the method name, so `String(obj)` keeps working. */
  toStringText: string | undefined;
  value: PSValue | undefined;
  #adapted: MemberSet;
  #extended: MemberSet;

  constructor(init?: {
    typeNames?: string[];
    toStringText?: string;
    adapted?: Iterable<[string, PSValue]>;
    extended?: Iterable<[string, PSValue]>;
    value?: PSValue;
  }) {
    this.#typeNames = init?.typeNames ?? [];
    this.toStringText = init?.toStringText;
    this.value = init?.value;
    this.#adapted = init?.adapted === undefined ? undefined : new Map(init.adapted);
    this.#extended = init?.extended === undefined ? undefined : new Map(init.extended);
  }

  /**
   * The type names, most derived first. Objects read from one document share the list their
   * `<TNRef>` names (one list per type rather than one per object); it is copied here before it
   * is handed out, so changing one object's list never changes another's.
   */
  get typeNames(): string[] {
    if (this.#typeNamesShared) {
      this.#typeNames = this.#typeNames.slice();
      this.#typeNamesShared = false;
    }
    return this.#typeNames;
  }

  set typeNames(names: string[]) {
    this.#typeNames = names;
    this.#typeNamesShared = false;
  }

  /** The type names to read, without copying a shared list. */
  get typeNamesView(): readonly string[] {
    return this.#typeNames;
  }

  /** For readers: type names that other objects share; nothing may change this list. */
  shareTypeNames(names: string[]): void {
    this.#typeNames = names;
    this.#typeNamesShared = true;
  }

  /** Adapted properties (`<Props>`), in order. */
  get adapted(): Map<string, PSValue> {
    return (this.#adapted = asMap(this.#adapted));
  }

  /** Extended properties (`<MS>`, note properties and the like), in order. */
  get extended(): Map<string, PSValue> {
    return (this.#extended = asMap(this.#extended));
  }

  get adaptedSize(): number {
    return sizeOf(this.#adapted);
  }

  get extendedSize(): number {
    return sizeOf(this.#extended);
  }

  /** Adapted and extended members together (a name in both counts twice): 0 for none at all. */
  get memberCount(): number {
    return sizeOf(this.#adapted) + sizeOf(this.#extended);
  }

  /** Each adapted property in order, as Map.forEach, without building the Map. */
  forEachAdapted(fn: (value: PSValue, name: string) => void): void {
    forEachOf(this.#adapted, fn);
  }

  /** Each extended property in order, as Map.forEach, without building the Map. */
  forEachExtended(fn: (value: PSValue, name: string) => void): void {
    forEachOf(this.#extended, fn);
  }

  /**
   * Each adapted then each extended property, as a view collects them: a name in both comes
   * twice, the extended value last, so a caller that keeps the last value per name gets
   * PowerShell's shadowing.
   */
  forEachMember(fn: (value: PSValue, name: string) => void): void {
    forEachOf(this.#adapted, fn);
    forEachOf(this.#extended, fn);
  }

  /**
   * For readers: sets one member set from a MemberList, replacing what it held. The list is kept
   * as it is when its names are distinct (shapes.ts's distinctNames); otherwise, or when it is
   * long, the Map is built as successive `set`s would build it (a repeated name keeps its first
   * place, last value).
   */
  adoptMembers(which: 'adapted' | 'extended', list: MemberList): void {
    const names = list[0];
    if (names.length !== list.length - 1) throw new RangeError('a MemberList holds one value per name');
    const kept = names.length === 0 ? undefined : distinctNames(names) ? list : asMap(list);
    if (which === 'adapted') this.#adapted = kept;
    else this.#extended = kept;
  }

  /** A property by name: extended members shadow adapted ones, as in PowerShell. */
  get(name: string): PSValue | undefined {
    const e = this.#lookup('extended', name);
    if (e !== MISSING) return e;
    const a = this.#lookup('adapted', name);
    return a === MISSING ? undefined : a;
  }

  /** Whether the object has a property of that name. */
  has(name: string): boolean {
    return this.#lookup('extended', name) !== MISSING || this.#lookup('adapted', name) !== MISSING;
  }

  toString(): string {
    return this.toStringText ?? this.#typeNames[0] ?? 'PSObject';
  }

  /**
   * What `console.log` and `util.inspect` show: the members live in private fields they cannot
   * see. One view object per PSObject, refreshed on each call, so that inspect's own cycle check
   * sees a Ref cycle as `[Circular]`.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    let view = INSPECT_VIEWS.get(this);
    if (view === undefined) INSPECT_VIEWS.set(this, (view = Object.create(INSPECT_PROTOTYPE) as Record<string, unknown>));
    Object.assign(view, {
      typeNames: this.#typeNames, toStringText: this.toStringText, adapted: asMap(this.#adapted), extended: asMap(this.#extended), value: this.value,
    });
    return view;
  }

  #lookup(which: 'adapted' | 'extended', name: string): PSValue | typeof MISSING {
    let set = which === 'adapted' ? this.#adapted : this.#extended;
    if (set === undefined) return MISSING;
    if (!(set instanceof Map) && set[0].length > LIST_SEARCH_MAX) set = this[which];
    if (set instanceof Map) return set.has(name) ? (set.get(name) as PSValue) : MISSING;
    const i = set[0].indexOf(name);
    return i < 0 ? MISSING : (set[i + 1] as PSValue);
  }
}

/** The set as a Map: itself when it is one, else a new Map of its members. */
function asMap(list: MemberSet): Map<string, PSValue> {
  if (list instanceof Map) return list;
  const m = new Map<string, PSValue>();
  if (list === undefined) return m;
  const names = list[0];
  for (let i = 0; i < names.length; i++) m.set(names[i] as string, list[i + 1] as PSValue);
  return m;
}

function sizeOf(set: MemberSet): number {
  return set === undefined ? 0 : set instanceof Map ? set.size : set.length - 1;
}

function forEachOf(set: MemberSet, fn: (value: PSValue, name: string) => void): void {
  if (set === undefined) return;
  if (set instanceof Map) return set.forEach(fn);
  const names = set[0];
  for (let i = 0; i < names.length; i++) fn(set[i + 1] as PSValue, names[i] as string);
}

/** True for a `PSObject`. */
export function isPSObject(v: unknown): v is PSObject {
  return v instanceof PSObject;
}

/** True for a tagged primitive or collection (anything with a CLIXML `kind`). */
export function kindOf(v: PSValue | undefined): string | undefined {
  return v !== null && typeof v === 'object' && !(v instanceof PSObject) ? v.kind : undefined;
}

// Small constructors, so callers need not spell out the records.
export const ps = {
  i64: (value: bigint | number): PSBigInt => ({ kind: 'I64', value: BigInt(value) }),
  u64: (value: bigint | number): PSBigInt => ({ kind: 'U64', value: BigInt(value) }),
  num: (kind: PSNumberKind, value: number): PSNumber => ({ kind, value }),
  double: (value: number): PSNumber => ({ kind: 'Db', value }),
  text: (kind: PSTextKind, value: string): PSText => ({ kind, value }),
  guid: (value: string): PSText => ({ kind: 'G', value }),
  version: (value: string): PSText => ({ kind: 'Version', value }),
  bytes: (value: Uint8Array): PSBytes => ({ kind: 'BA', value }),
  /** A DateTime from a JS Date, written in UTC (`…Z`). */
  dateTime: (date: Date): PSDateTime => ({ kind: 'DT', value: date.toISOString(), date }),
  list: (items: PSValue[], kind: PSList['kind'] = 'LST'): PSList => ({ kind, items }),
  dict: (entries: Iterable<[PSValue, PSValue]>): PSDict => ({ kind: 'DCT', entries: new Map(entries) }),
};

/** Type names PowerShell gives the common wrappers, used when a bare collection is serialized. */
export const DEFAULT_TYPE_NAMES: Record<PSCollection['kind'], string[]> = {
  LST: ['System.Collections.ArrayList', 'System.Object'],
  IE: ['System.Collections.ArrayList', 'System.Object'],
  STK: ['System.Collections.Stack', 'System.Object'],
  QUE: ['System.Collections.Queue', 'System.Object'],
  DCT: ['System.Collections.Hashtable', 'System.Object'],
};
