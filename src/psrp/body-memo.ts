/**
 * Message bodies that every host of a fan-out is sent alike, encoded once per distinct content.
 *
 * A fan-out's client opens one runspace pool per host with the same INIT_RUNSPACEPOOL (its HostInfo
 * and ApplicationArguments are dozens of objects) and runs the same CREATE_PIPELINE on each; serve
 * answers every pool with the same SESSION_CAPABILITY, APPLICATION_PRIVATE_DATA and state messages.
 * Writing that CLIXML again for every host cost the PSRP fan-out (scenario 2 of issue 8) about a
 * twelfth of its client CPU, most of it V8 interpreting and then compiling the writer for hosts
 * whose bytes it had already made.
 *
 * The memo is keyed by content, not by identity: {@link contentKey} walks a body the way the CLIXML
 * writer would and spells out everything the writer's output depends on, so an object changed after
 * one encoding gets a new key rather than the old bytes. That includes which objects appear more
 * than once (the writer writes a `<Ref>` the second time), so two equal objects and one object used
 * twice get different keys. A value the walk does not know (a class instance other than PSObject,
 * Date, Map or a byte array) makes the body unkeyed, and it is encoded as usual; so does a
 * SecureString, which is not to be kept in memory past its message.
 */
import { PSObject } from './clixml/model.js';

/** Distinct bodies kept; a fan-out needs a handful, a long session with varied commands many more. */
const MAX_ENTRIES = 64;
/** A body whose key is longer than this (a long script) is encoded every time rather than kept. */
const MAX_KEY_CHARS = 16 * 1024;

/** Encodes through `encode`, returning the earlier result for a body of the same content. */
export function memoizedEncoder<T extends object>(encode: (body: T) => string): (body: T) => string {
  const done = new Map<string, string>();
  return (body) => {
    const key = contentKey(body);
    if (key === undefined) return encode(body);
    let text = done.get(key);
    if (text === undefined) {
      text = encode(body);
      // Oldest first out: a Map iterates in insertion order.
      if (done.size >= MAX_ENTRIES) done.delete(done.keys().next().value as string);
      done.set(key, text);
    }
    return text;
  };
}

/**
 * A string that two values share only if the CLIXML writer (and the message encoders before it)
 * would write them alike; undefined for a value this walk cannot vouch for, or one too big to keep.
 * Every part is tagged and every string length-prefixed, so no two different values spell the same.
 */
export function contentKey(value: unknown): string | undefined {
  const walk = new KeyWalk();
  return walk.value(value) && walk.key.length <= MAX_KEY_CHARS ? walk.key : undefined;
}

class KeyWalk {
  key = '';
  /** Objects met so far, numbered in the order met: a second meeting is spelled as a reference. */
  readonly #seen = new Map<object, number>();

  value(v: unknown): boolean {
    if (this.key.length > MAX_KEY_CHARS) return false;
    switch (typeof v) {
      case 'string':
        this.key += `s${v.length}:${v}`;
        return true;
      case 'number':
        this.key += Object.is(v, -0) ? 'n-0;' : `n${v};`;
        return true;
      case 'boolean':
        this.key += v ? 't' : 'f';
        return true;
      case 'bigint':
        this.key += `g${v};`;
        return true;
      case 'undefined':
        this.key += 'u';
        return true;
      case 'object':
        return v === null ? ((this.key += 'z'), true) : this.#object(v);
      default:
        return false; // functions and symbols: not something a body carries
    }
  }

  #object(o: object): boolean {
    const seen = this.#seen.get(o);
    if (seen !== undefined) {
      this.key += `r${seen};`;
      return true;
    }
    this.#seen.set(o, this.#seen.size);
    if (Array.isArray(o)) return this.#items('[', o);
    if (o instanceof PSObject) return this.#psObject(o);
    if (o instanceof Map) return this.#map(o);
    if (o instanceof Uint8Array) {
      this.key += `x${o.length}:${Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('hex')}`;
      return true;
    }
    if (o instanceof Date) {
      this.key += `d${o.getTime()};`;
      return true;
    }
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) return false;
    // A SecureString (a PSCredential's password) is not kept past its message, in key or text.
    if ((o as { kind?: unknown }).kind === 'SS') return false;
    this.key += '{';
    for (const name of Object.keys(o)) {
      this.key += `${name.length}:${name}`;
      if (!this.value((o as Record<string, unknown>)[name])) return false;
    }
    this.key += '}';
    return true;
  }

  #items(open: string, items: readonly unknown[]): boolean {
    this.key += `${open}${items.length};`;
    for (const item of items) if (!this.value(item)) return false;
    return true;
  }

  #map(m: Map<unknown, unknown>): boolean {
    this.key += `m${m.size};`;
    for (const [k, v] of m) if (!this.value(k) || !this.value(v)) return false;
    return true;
  }

  /** Everything the writer reads of a PSObject: type names, ToString, the wrapped value, both member sets. */
  #psObject(o: PSObject): boolean {
    if (!this.#items('O', o.typeNamesView)) return false;
    if (!this.value(o.toStringText) || !this.value(o.value)) return false;
    return this.#members('A', o.adaptedSize, (fn) => o.forEachAdapted(fn)) && this.#members('E', o.extendedSize, (fn) => o.forEachExtended(fn));
  }

  #members(tag: string, size: number, forEach: (fn: (value: unknown, name: string) => void) => void): boolean {
    this.key += `${tag}${size};`;
    let ok = true;
    forEach((value, name) => {
      if (!ok) return;
      this.key += `${name.length}:${name}`;
      ok = this.value(value);
    });
    return ok;
  }
}
