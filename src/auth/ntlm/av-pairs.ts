/**
 * AV_PAIR lists (MS-NLMP 2.2.2.1): the server's TargetInfo in CHALLENGE, echoed — with the client's
 * additions — inside the NTLMv2 response blob.
 *
 * ```
 *   u16 AvId | u16 AvLen | AvLen bytes value      ... repeated, ended by MsvAvEOL (0, 0)
 * ```
 * Order is kept as received, because the NTLMv2 proof hashes the list byte for byte.
 */
import { AvId } from './constants.js';
import { Reader, fromUtf16le, malformed, utf16le } from './wire.js';

export interface AvPair {
  readonly id: number;
  readonly value: Uint8Array;
}

/** Parses an AV pair list; a missing MsvAvEOL or a pair past the end is malformed. */
export function decodeAvPairs(data: Uint8Array, what = 'TargetInfo'): AvPair[] {
  const r = new Reader(data, what);
  const pairs: AvPair[] = [];
  let at = 0;
  for (;;) {
    const id = r.u16(at, 'AvId');
    const length = r.u16(at + 2, 'AvLen');
    if (id === AvId.MsvAvEOL) return pairs;
    pairs.push({ id, value: r.bytes(at + 4, length, `AV pair ${id}`) });
    at += 4 + length;
    if (pairs.length > 64) throw malformed(`${what} has too many AV pairs`);
  }
}

/** Serialises pairs and the closing MsvAvEOL, into one buffer (it is built on every logon). */
export function encodeAvPairs(pairs: readonly AvPair[]): Uint8Array {
  let size = 4;
  for (const { value } of pairs) size += 4 + value.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const { id, value } of pairs) {
    out[at] = id & 0xff;
    out[at + 1] = id >>> 8;
    out[at + 2] = value.length & 0xff;
    out[at + 3] = value.length >>> 8;
    out.set(value, at + 4);
    at += 4 + value.length;
  }
  return out; // the last four bytes stay zero: MsvAvEOL
}

export function findAv(pairs: readonly AvPair[], id: number): Uint8Array | undefined {
  return pairs.find((p) => p.id === id)?.value;
}

/** A pair whose value is a UTF-16LE string. */
export function textAv(id: number, text: string): AvPair {
  return { id, value: utf16le(text) };
}

export function avText(pairs: readonly AvPair[], id: number): string | undefined {
  const value = findAv(pairs, id);
  return value === undefined ? undefined : fromUtf16le(value, `AV pair ${id}`);
}

/** Replaces the pair with this id in place, or appends it. */
export function withAv(pairs: readonly AvPair[], pair: AvPair): AvPair[] {
  const i = pairs.findIndex((p) => p.id === pair.id);
  if (i < 0) return [...pairs, pair];
  const out = [...pairs];
  out[i] = pair;
  return out;
}
