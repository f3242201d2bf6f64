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
import { Reader, concat, fromUtf16le, malformed, utf16le } from './wire.js';

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

/** Serialises pairs and the closing MsvAvEOL. */
export function encodeAvPairs(pairs: readonly AvPair[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { id, value } of pairs) {
    const head = new Uint8Array(4);
    const view = new DataView(head.buffer);
    view.setUint16(0, id, true);
    view.setUint16(2, value.length, true);
    parts.push(head, value);
  }
  parts.push(new Uint8Array(4));
  return concat(...parts);
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
