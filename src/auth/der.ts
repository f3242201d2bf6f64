/**
 * The slice of ASN.1 DER that Kerberos (RFC 4120), GSS-API (RFC 2743), SPNEGO (RFC 4178) and
 * CredSSP (MS-CSSP; see credssp/der.ts for its error mapping) use:
 * definite lengths, context tags `[n]` wrapping explicit values, APPLICATION tags, INTEGER,
 * OCTET STRING, GeneralString, GeneralizedTime, BIT STRING, ENUMERATED, OBJECT IDENTIFIER, SEQUENCE.
 *
 * ```
 *   tag (1 byte: class | constructed | number < 31) | length (short, or 0x8N + N bytes) | value
 * ```
 * Reading is bounded by the input: a length that runs past its parent is an error, never a read
 * out of bounds. Every failure is a {@link DerError}.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(`malformed DER: ${message}`);
    this.name = 'DerError';
  }
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  ENUMERATED: 0x0a,
  GENERAL_STRING: 0x1b,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
} as const;

/** `[n]` context-specific constructed tag (EXPLICIT). */
export const ctx = (n: number): number => 0xa0 | n;
/** `[APPLICATION n]` constructed tag. */
export const app = (n: number): number => 0x60 | n;

/** One TLV read from a buffer. */
export interface Tlv {
  tag: number;
  /** The value bytes (a view into the input). */
  value: Uint8Array;
  /** The whole encoding, tag and length included. */
  raw: Uint8Array;
}

/** Reads the TLV at `offset`; returns it and where the next one starts. */
export function readTlv(buf: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated tag or length');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used by Kerberos, SPNEGO or CredSSP');
  let at = offset + 1;
  const first = buf[at++] as number;
  let length: number;
  if (first < 0x80) length = first;
  else {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`unsupported length form 0x${first.toString(16)}`);
    if (at + n > buf.length) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[at++] as number);
  }
  if (at + length > buf.length) throw new DerError(`length ${length} runs past the end`);
  return { tlv: { tag, value: buf.subarray(at, at + length), raw: buf.subarray(offset, at + length) }, next: at + length };
}

/** Reads exactly one TLV with this tag, filling the whole buffer (trailing bytes are an error). */
export function expectTlv(buf: Uint8Array, tag: number, what: string): Tlv {
  const { tlv, next } = readTlv(buf);
  if (tlv.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  if (next !== buf.length) throw new DerError(`${what}: ${buf.length - next} trailing bytes`);
  return tlv;
}

/** The TLVs inside a constructed value, in order. */
export function children(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < value.length) {
    const { tlv, next } = readTlv(value, at);
    out.push(tlv);
    at = next;
  }
  return out;
}

/**
 * The fields of a SEQUENCE of `[n] EXPLICIT` members, by n: each is the inner TLV. Fields must be
 * in ascending order, as DER requires.
 */
export function fields(seq: Tlv, what: string): Map<number, Tlv> {
  if (seq.tag !== TAG.SEQUENCE) throw new DerError(`${what}: expected a SEQUENCE, got 0x${seq.tag.toString(16)}`);
  const out = new Map<number, Tlv>();
  let last = -1;
  for (const member of children(seq.value)) {
    if ((member.tag & 0xe0) !== 0xa0) throw new DerError(`${what}: member with tag 0x${member.tag.toString(16)} is not [n]`);
    const n = member.tag & 0x1f;
    if (n <= last) throw new DerError(`${what}: field [${n}] out of order`);
    last = n;
    out.set(n, expectTlv(member.value, readTlv(member.value).tlv.tag, `${what}[${n}]`));
  }
  return out;
}

/** Field `n`, or a DerError naming it. */
export function required(map: Map<number, Tlv>, n: number, what: string): Tlv {
  const f = map.get(n);
  if (f === undefined) throw new DerError(`${what}: required field [${n}] is missing`);
  return f;
}

export function readInteger(tlv: Tlv, what: string): number {
  if (tlv.tag !== TAG.INTEGER && tlv.tag !== TAG.ENUMERATED) throw new DerError(`${what}: not an INTEGER`);
  const v = tlv.value;
  if (v.length === 0 || v.length > 6) throw new DerError(`${what}: INTEGER of ${v.length} bytes`);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  // Two's complement: a set sign bit makes it negative (nonces and seq numbers may be).
  if (((v[0] as number) & 0x80) !== 0) n -= 2 ** (8 * v.length);
  return n;
}

export function readOctets(tlv: Tlv, what: string): Uint8Array {
  if (tlv.tag !== TAG.OCTET_STRING) throw new DerError(`${what}: not an OCTET STRING`);
  return tlv.value;
}

export function readString(tlv: Tlv, what: string): string {
  if (tlv.tag !== TAG.GENERAL_STRING && tlv.tag !== 0x0c && tlv.tag !== 0x16) throw new DerError(`${what}: not a string`);
  return Buffer.from(tlv.value).toString('utf8');
}

/** KerberosTime: GeneralizedTime `YYYYMMDDHHMMSSZ`, as milliseconds since the epoch. */
export function readTime(tlv: Tlv, what: string): number {
  if (tlv.tag !== TAG.GENERALIZED_TIME) throw new DerError(`${what}: not a GeneralizedTime`);
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(Buffer.from(tlv.value).toString('latin1'));
  if (m === null) throw new DerError(`${what}: time is not YYYYMMDDHHMMSSZ`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The bits of a BIT STRING (the leading unused-bits byte dropped). */
export function readBitString(tlv: Tlv, what: string): Uint8Array {
  if (tlv.tag !== TAG.BIT_STRING || tlv.value.length < 1) throw new DerError(`${what}: not a BIT STRING`);
  return tlv.value.subarray(1);
}

export function readOid(tlv: Tlv, what: string): string {
  if (tlv.tag !== TAG.OID || tlv.value.length === 0) throw new DerError(`${what}: not an OBJECT IDENTIFIER`);
  const v = tlv.value;
  const parts: number[] = [];
  let n = 0;
  for (const b of v) {
    n = n * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

// ---- writing ----

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...values: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(values);
  return Buffer.concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export const sequence = (...members: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, ...members);
/** `[n] EXPLICIT value`. */
export const field = (n: number, value: Uint8Array): Uint8Array => tlv(ctx(n), value);
export const octets = (v: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, v);
export const generalString = (s: string): Uint8Array => tlv(TAG.GENERAL_STRING, Buffer.from(s, 'utf8'));

export function integer(n: number, tag: number = TAG.INTEGER): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new DerError(`integer ${n} out of range`);
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(((v % 256) + 256) % 256);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  // A sign bit that disagrees with the value needs one more byte.
  if (n >= 0 && ((bytes[0] as number) & 0x80) !== 0) bytes.unshift(0);
  if (n < 0 && ((bytes[0] as number) & 0x80) === 0) bytes.unshift(0xff);
  return tlv(tag, Uint8Array.from(bytes));
}

export const enumerated = (n: number): Uint8Array => integer(n, TAG.ENUMERATED);

export function generalizedTime(ms: number): Uint8Array {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // 2026-11-24T23:52:05.000Z
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${iso.slice(0, 19).replace(/[-T:]/g, '')}Z`, 'latin1'));
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map(Number);
  const [a = 0, b = 0, ...rest] = parts;
  const bytes: number[] = [];
  for (const p of [a * 40 + b, ...rest]) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(bytes));
}
