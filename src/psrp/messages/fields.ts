/**
 * Reading and writing the properties of PSRP message bodies (§2.2.2) on top of the CLIXML model.
 *
 * Readers are lenient where real servers are (property names compared case-insensitively, as
 * PowerShell does — pypsrp sends `CI` where the spec says `ci`; numbers accepted as I32 or I64
 * where Windows and the spec disagree) and strict about everything else: a missing or mistyped
 * property is a PsrpProtocolError naming the message and the property.
 */
import { deserialize, isPSObject, kindOf, PSObject, serialize, type PSValue } from '../clixml/index.js';
import { messageTypeName, type MessageType } from '../constants.js';
import { PsrpProtocolError } from '../errors.js';
import { remembered } from '../../util/remembered.js';

/** Parses a message's CLIXML into its one value; CLIXML errors become PsrpProtocolError. */
export function parseData(type: MessageType, data: string): PSValue {
  try {
    return deserialize(data);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new PsrpProtocolError(`${messageTypeName(type)}: unreadable CLIXML: ${reason}`, { cause: err });
  }
}

/** The body as a complex object, or a PsrpProtocolError. */
export function parseObject(type: MessageType, data: string): Props {
  const value = parseData(type, data);
  if (!isPSObject(value)) throw new PsrpProtocolError(`${messageTypeName(type)}: expected <Obj>, got ${describe(value)}`);
  return new Props(type, value);
}

function describe(v: PSValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (isPSObject(v)) return `object ${v.typeNamesView[0] ?? '(no type)'}`;
  return kindOf(v) ?? typeof v;
}

/** Property names in lower case: messages repeat the same few dozen, so each is lowered once. */
const lower = remembered((name) => name.toLowerCase(), 1024, 64);

/** Typed, case-insensitive access to an object's properties, with errors that name the message. */
export class Props {
  readonly type: MessageType;
  readonly obj: PSObject;
  readonly #byLower = new Map<string, PSValue>();

  constructor(type: MessageType, obj: PSObject) {
    this.type = type;
    this.obj = obj;
    obj.forEachMember((v, k) => {
      this.#byLower.set(lower(k), v);
    });
  }

  /** Props of a nested object. */
  child(obj: PSObject): Props {
    return new Props(this.type, obj);
  }

  has(name: string): boolean {
    return this.#byLower.has(lower(name));
  }

  /** The raw value, undefined when absent. */
  raw(name: string): PSValue | undefined {
    return this.#byLower.get(lower(name));
  }

  fail(name: string, want: string): PsrpProtocolError {
    const got = this.raw(name);
    return new PsrpProtocolError(
      `${messageTypeName(this.type)}: property ${name} must be ${want}, got ${got === undefined ? 'nothing' : describe(got)}`,
    );
  }

  string(name: string): string {
    const v = this.raw(name);
    if (typeof v !== 'string') throw this.fail(name, 'a string');
    return v;
  }

  stringOrNull(name: string): string | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    return this.string(name);
  }

  bool(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== 'boolean') throw this.fail(name, 'a boolean');
    return v;
  }

  optionalBool(name: string): boolean | undefined {
    return this.has(name) ? this.bool(name) : undefined;
  }

  /** An Int32, an Int64 that fits, or an enum object wrapping one. */
  int(name: string): number {
    const v = intOf(this.raw(name));
    if (v === undefined) throw this.fail(name, 'an integer');
    return v;
  }

  optionalInt(name: string): number | undefined {
    return this.has(name) ? this.int(name) : undefined;
  }

  /** A call id (§2.2.2.6 `ci`): Signed long, as bigint. */
  long(name: string): bigint {
    const v = this.raw(name);
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (kindOf(v) === 'I64' || kindOf(v) === 'U64') return (v as { value: bigint }).value;
    throw this.fail(name, 'a signed long');
  }

  /** A Version (§2.2.5.1.21) as text. */
  version(name: string): string {
    const v = this.raw(name);
    if (kindOf(v) === 'Version') return (v as { value: string }).value;
    throw this.fail(name, 'a Version');
  }

  object(name: string): PSObject {
    const v = this.raw(name);
    if (!isPSObject(v)) throw this.fail(name, 'an object');
    return v;
  }

  objectOrNull(name: string): PSObject | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    return this.object(name);
  }

  /** The items of a list-like property (an object wrapping LST/IE/STK/QUE), or null for Nil. */
  listOrNull(name: string): PSValue[] | null {
    const v = this.raw(name);
    if (v === undefined || v === null) return null;
    const items = listItems(v);
    if (items === undefined) throw this.fail(name, 'a list');
    return items;
  }
}

/** The integer in an Int32/Int64/enum value, if it is one. */
export function intOf(v: PSValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const kind = kindOf(v);
  if (kind === 'I64' || kind === 'U64') {
    const big = (v as { value: bigint }).value;
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
  }
  if (kind === 'I16' || kind === 'U16' || kind === 'U32' || kind === 'By' || kind === 'SB') return (v as { value: number }).value;
  if (isPSObject(v)) return intOf(v.value);
  return undefined;
}

/** The items of a list value (bare or wrapped in an object). */
export function listItems(v: PSValue | undefined): PSValue[] | undefined {
  const inner = isPSObject(v) ? v.value : v;
  const kind = kindOf(inner);
  if (kind === 'LST' || kind === 'IE' || kind === 'STK' || kind === 'QUE') return (inner as { items: PSValue[] }).items;
  return undefined;
}

/** An enum value the way .NET serializes it: type names, ToString = member name, the I32. */
export function enumObject(typeName: string, name: string, value: number): PSObject {
  return new PSObject({
    typeNames: [typeName, 'System.Enum', 'System.ValueType', 'System.Object'],
    toStringText: name,
    value,
  });
}

/** A complex object with only extended properties, no type names (most §2.2.2 bodies). */
export function msObject(props: Iterable<[string, PSValue]>): PSObject {
  return new PSObject({ extended: props });
}

/** Serializes a body object. */
export function write(value: PSValue): string {
  return serialize(value);
}

/** A typed list wrapper, e.g. System.String[] or List`1[PSObject]. */
export function listObject(typeNames: string[], items: PSValue[]): PSObject {
  return new PSObject({ typeNames, value: { kind: 'LST', items } });
}
