/**
 * Bounded reading of NTLM messages.
 *
 * Every variable field of an NTLM message is a "security buffer" — `u16 Len, u16 MaxLen, u32 Offset`
 * pointing into the payload after the fixed header (MS-NLMP 2.2.1). The peer controls all three
 * numbers, so each read is checked against the message length; a bad one throws `malformed()`,
 * an AuthError, and never reads out of range.
 */
import { concatBytes } from '../../util/bytes.js';
import { AuthError } from '../errors.js';

/** The error for a token that does not parse. `what` names the message and field. */
export function malformed(what: string): AuthError {
  return new AuthError('ETSR_AUTH_REJECTED', `malformed NTLM message: ${what}`, {
    hint: 'the peer sent a token that is not valid NTLM; check that the server speaks NTLM on this endpoint',
  });
}

export class Reader {
  readonly #data: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;

  constructor(data: Uint8Array, what: string) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#what = what;
  }

  get length(): number {
    return this.#data.length;
  }

  #check(offset: number, length: number, field: string): void {
    if (offset < 0 || length < 0 || offset + length > this.#data.length) {
      throw malformed(`${this.#what} ${field} runs past the end (${offset}+${length} > ${this.#data.length})`);
    }
  }

  u16(offset: number, field: string): number {
    this.#check(offset, 2, field);
    return this.#view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.#check(offset, 4, field);
    return this.#view.getUint32(offset, true);
  }

  bytes(offset: number, length: number, field: string): Uint8Array {
    this.#check(offset, length, field);
    return this.#data.slice(offset, offset + length);
  }

  /** The bytes a security buffer at `at` points to. */
  field(at: number, field: string): { bytes: Uint8Array; offset: number } {
    const length = this.u16(at, field);
    const offset = this.u32(at + 4, field);
    if (length === 0) return { bytes: new Uint8Array(0), offset };
    return { bytes: this.bytes(offset, length, field), offset };
  }
}

/** Lays out a fixed header followed by a payload of fields, filling in their security buffers. */
export class Builder {
  readonly #header: Uint8Array;
  readonly #view: DataView;
  readonly #payload: Uint8Array[] = [];
  #offset: number;

  constructor(headerLength: number) {
    this.#header = new Uint8Array(headerLength);
    this.#view = new DataView(this.#header.buffer);
    this.#offset = headerLength;
  }

  set(offset: number, bytes: Uint8Array): this {
    this.#header.set(bytes, offset);
    return this;
  }

  u32(offset: number, value: number): this {
    this.#view.setUint32(offset, value >>> 0, true);
    return this;
  }

  /** Appends `bytes` to the payload and writes its security buffer at header offset `at`. */
  field(at: number, bytes: Uint8Array): this {
    if (bytes.length > 0xffff) throw new RangeError('NTLM field longer than 65535 bytes');
    this.#view.setUint16(at, bytes.length, true);
    this.#view.setUint16(at + 2, bytes.length, true);
    this.#view.setUint32(at + 4, this.#offset, true);
    this.#payload.push(bytes);
    this.#offset += bytes.length;
    return this;
  }

  build(): Uint8Array {
    return concat(this.#header, ...this.#payload);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

export function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return out;
}

/** One decoder for every call: decoding without `stream` keeps no state, and making one costs more than a short name. */
let utf16Decoder: InstanceType<typeof TextDecoder> | undefined;

/** Decodes UTF-16LE; an odd trailing byte is a malformed field. */
export function fromUtf16le(bytes: Uint8Array, field: string): string {
  if (bytes.length % 2 !== 0) throw malformed(`${field} has an odd length for UTF-16`);
  utf16Decoder ??= new TextDecoder('utf-16le');
  return utf16Decoder.decode(bytes);
}

export function u32le(value: number): Uint8Array {
  // Byte by byte rather than through a DataView: two sequence numbers per sealed message, and a
  // DataView is one more object each time.
  const out = new Uint8Array(4);
  out[0] = value;
  out[1] = value >>> 8;
  out[2] = value >>> 16;
  out[3] = value >>> 24;
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
