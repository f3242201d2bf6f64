/**
 * The few DER shapes CredSSP's ASN.1 uses (X.690): SEQUENCE, explicit context tags [n], INTEGER
 * and OCTET STRING, plus reading a certificate's SubjectPublicKeyInfo. Bounded: a length that
 * runs past its container, a length of more than 4 bytes, or nesting deeper than MAX_DEPTH is a
 * malformed token, never an allocation or a crash.
 */
import { AuthError } from '../errors.js';

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

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Tag, length and contents. */
export function der(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concatBytes(contents);
  return concatBytes([Uint8Array.of(tag), encodeLength(body.length), body]);
}

/** A non-negative INTEGER in its minimal two's-complement form. */
export function derInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER INTEGER out of range: ${value}`);
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || (bytes[0] as number) & 0x80) bytes.unshift(0);
  return der(TAG_INTEGER, Uint8Array.from(bytes));
}

export const derOctetString = (bytes: Uint8Array): Uint8Array => der(TAG_OCTET_STRING, bytes);
export const derExplicit = (n: number, inner: Uint8Array): Uint8Array => der(contextTag(n), inner);

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads one element at `offset`; returns it and where the next one starts. */
export function readElement(bytes: Uint8Array, offset = 0): { element: DerElement; next: number } {
  if (offset + 2 > bytes.length) throw malformedDer('truncated element');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw malformedDer('multi-byte tags are not used by CredSSP');
  let length = bytes[offset + 1] as number;
  let at = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw malformedDer(`unsupported length of ${count} bytes`);
    if (at + count > bytes.length) throw malformedDer('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[at + i] as number);
    at += count;
  }
  if (at + length > bytes.length) throw malformedDer(`element of ${length} bytes runs past its container`);
  return { element: { tag, contents: bytes.subarray(at, at + length) }, next: at + length };
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
