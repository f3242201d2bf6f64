/**
 * CredSSP's view of the shared DER code (../der.ts): the shapes its ASN.1 uses (SEQUENCE, explicit
 * context tags [n], INTEGER, OCTET STRING), element counts bounded, and every malformed input an
 * AuthError (a refused logon) rather than the shared reader's DerError.
 */
import { concatBytes } from '../../util/bytes.js';
import { DerError, integer, readTlv, tlv } from '../der.js';
import { AuthError } from '../errors.js';

export { concatBytes };
export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_SEQUENCE = 0x30;
/** Context-specific, constructed: `[n]` explicit tags are 0xa0 + n. */
export const contextTag = (n: number): number => 0xa0 + n;

/** One decoded element: its tag and the bytes of its contents. */
export interface DerElement {
  tag: number;
  contents: Uint8Array;
}

export function malformedDer(why: string): AuthError {
  return new AuthError('ETSR_AUTH_REJECTED', `malformed CredSSP message: ${why}`);
}

/** Tag, length and contents, as a plain Uint8Array (the shared writer's is a Buffer). */
export function der(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const bytes = tlv(tag, ...contents);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A non-negative INTEGER in its minimal two's-complement form. */
export function derInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER INTEGER out of range: ${value}`);
  const bytes = integer(value);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const derOctetString = (bytes: Uint8Array): Uint8Array => der(TAG_OCTET_STRING, bytes);
export const derExplicit = (n: number, inner: Uint8Array): Uint8Array => der(contextTag(n), inner);

/** Reads one element at `offset`; returns it and where the next one starts. */
export function readElement(bytes: Uint8Array, offset = 0): { element: DerElement; next: number } {
  try {
    const { tlv: t, next } = readTlv(bytes, offset);
    return { element: { tag: t.tag, contents: t.value }, next };
  } catch (err) {
    // The shared reader's DerError, as CredSSP's refusal.
    throw err instanceof DerError ? malformedDer(err.message.replace(/^malformed DER: /, '')) : err;
  }
}

/** Exactly one element spanning all of `bytes`, with the expected tag. */
export function readOnly(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const { element, next } = readElement(bytes);
  if (element.tag !== tag) throw malformedDer(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  if (next !== bytes.length) throw malformedDer(`${what}: trailing bytes`);
  return element.contents;
}

/** The elements inside a constructed value's contents. */
export function readChildren(contents: Uint8Array, max = 64): DerElement[] {
  const out: DerElement[] = [];
  for (let at = 0; at < contents.length; ) {
    if (out.length >= max) throw malformedDer(`more than ${max} elements`);
    const { element, next } = readElement(contents, at);
    out.push(element);
    at = next;
  }
  return out;
}

/** The fields of a SEQUENCE of explicit `[n]` tags, by n; a repeated tag is malformed. */
export function readTaggedFields(sequence: Uint8Array, what: string): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>();
  for (const child of readChildren(readOnly(sequence, TAG_SEQUENCE, what))) {
    const n = child.tag - 0xa0;
    if (n < 0 || n > 30) throw malformedDer(`${what}: unexpected tag 0x${child.tag.toString(16)}`);
    if (fields.has(n)) throw malformedDer(`${what}: field [${n}] repeated`);
    fields.set(n, child.contents);
  }
  return fields;
}

/** A non-negative INTEGER of at most 32 bits (CredSSP versions and NTSTATUS codes). */
export function readInteger(bytes: Uint8Array, what: string): number {
  const contents = readOnly(bytes, TAG_INTEGER, what);
  if (contents.length === 0 || contents.length > 5) throw malformedDer(`${what}: INTEGER of ${contents.length} bytes`);
  // NTSTATUS codes are unsigned 32-bit values some encoders write as negative 4-byte INTEGERs.
  if ((contents[0] as number) & 0x80 && contents.length !== 4) throw malformedDer(`${what}: negative INTEGER`);
  if (contents.length === 5 && contents[0] !== 0) throw malformedDer(`${what}: INTEGER above 32 bits`);
  let value = 0;
  for (const b of contents) value = value * 256 + b;
  return value;
}

export function readOctetString(bytes: Uint8Array, what: string): Uint8Array {
  return readOnly(bytes, TAG_OCTET_STRING, what);
}
