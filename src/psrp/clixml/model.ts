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
 * A complex object (`<Obj>`, MS-PSRP §2.2.5.2): type names, ToString, adapted properties
 * (`<Props>`), extended properties (`<MS>`), and optionally the primitive or collection it wraps
 * (an enum's `<I32>`, a Hashtable's `<DCT>`, a string with note properties, or — when PowerShell
 * wraps a PSObject in another — an inner `<Obj>`).
 *
 * Identity matters: a `<Ref>` deserializes to the same instance, and serializing one instance twice
 * writes a `<Ref>` the second time.
 */
export class PSObject {
  typeNames: string[];
  /** The `<ToString>` text. A field, not the method name, so `String(obj)` keeps working. */
  toStringText: string | undefined;
  readonly adapted: Map<string, PSValue>;
  readonly extended: Map<string, PSValue>;
  value: PSValue | undefined;

  constructor(init: {
    typeNames?: string[];
    toStringText?: string;
    adapted?: Iterable<[string, PSValue]>;
    extended?: Iterable<[string, PSValue]>;
    value?: PSValue;
  } = {}) {
    this.typeNames = init.typeNames ?? [];
    this.toStringText = init.toStringText;
    this.adapted = new Map(init.adapted ?? []);
    this.extended = new Map(init.extended ?? []);
    this.value = init.value;
  }

  /** A property by name: extended members shadow adapted ones, as in PowerShell. */
  get(name: string): PSValue | undefined {
    return this.extended.has(name) ? this.extended.get(name) : this.adapted.get(name);
  }

  /** Whether the object has a property of that name. */
  has(name: string): boolean {
    return this.extended.has(name) || this.adapted.has(name);
  }

  toString(): string {
    return this.toStringText ?? this.typeNames[0] ?? 'PSObject';
  }
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
