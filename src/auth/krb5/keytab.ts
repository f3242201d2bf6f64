/**
 * MIT keytab files (format 0x0502, what `kadmin ktadd` and `ktutil` write), read from bytes.
 *
 * ```
 *   u16 0x0502
 *   repeated: i32 size (< 0: a hole of -size bytes, skipped)
 *     u16 components | u16+bytes realm | (u16+bytes component)* | u32 name_type
 *     u32 timestamp | u8 kvno | u16 enctype | u16+bytes key | [u32 kvno, when room is left: overrides the u8]
 * ```
 * All big-endian (0x0501, the old host-order format, is refused).
 */
import { enctypeName, type Key } from './crypto.js';

export interface KeytabEntry {
  /** `HTTP/host` (components joined by `/`). */
  principal: string;
  realm: string;
  kvno: number;
  key: Key;
}

export class KeytabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeytabError';
  }
}

/** Parses a keytab file's bytes. @throws KeytabError on another format or a truncated entry. */
export function parseKeytab(bytes: Uint8Array): KeytabEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 2 || buf.readUInt16BE(0) !== 0x0502) {
    throw new KeytabError(`not an MIT keytab (version 0x0502)${buf.length >= 2 ? `: starts with 0x${buf.readUInt16BE(0).toString(16)}` : ''}`);
  }
  const out: KeytabEntry[] = [];
  let at = 2;
  while (at + 4 <= buf.length) {
    const size = buf.readInt32BE(at);
    at += 4;
    if (size === 0) break;
    if (size < 0) {
      at += -size;
      continue;
    }
    if (at + size > buf.length) throw new KeytabError('truncated keytab entry');
    out.push(parseEntry(buf.subarray(at, at + size)));
    at += size;
  }
  return out;
}

function parseEntry(e: Buffer): KeytabEntry {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > e.length) throw new KeytabError('truncated keytab entry');
  };
  const u16 = (): number => {
    need(2);
    const v = e.readUInt16BE(at);
    at += 2;
    return v;
  };
  const counted = (): Buffer => {
    const n = u16();
    need(n);
    const v = e.subarray(at, at + n);
    at += n;
    return v;
  };
  const count = u16();
  const realm = counted().toString('utf8');
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(counted().toString('utf8'));
  need(4 + 4 + 1);
  at += 4; // name_type
  at += 4; // timestamp
  let kvno = e[at++] as number;
  const enctype = u16();
  const value = new Uint8Array(counted());
  if (at + 4 <= e.length) {
    const wide = e.readUInt32BE(at);
    if (wide !== 0) kvno = wide;
  }
  return { principal: components.join('/'), realm, kvno, key: { enctype, value } };
}

/** What a ticket asks for: its server principal, realm, the key's kvno and enctype. */
export interface KeyRequest {
  principal: string;
  realm: string;
  kvno: number | undefined;
  enctype: number;
}

/**
 * The key a ticket was encrypted with: the same principal and realm (compared exactly, as MIT's
 * keytab lookup does), enctype and kvno (the highest when the ticket names none). An old-style
 * entry keeps only the low 8 bits of its kvno, so those are compared for kvnos under 256.
 * @returns the entry, or why none fits (for the log: names, kvnos and enctypes, never key bytes).
 */
export function findKey(entries: readonly KeytabEntry[], want: KeyRequest): KeytabEntry | string {
  const named = entries.filter((k) => k.principal === want.principal && k.realm === want.realm);
  if (named.length === 0) return `the keytab has no key for ${want.principal}@${want.realm}`;
  const typed = named.filter((k) => k.key.enctype === want.enctype);
  if (typed.length === 0) {
    const have = [...new Set(named.map((k) => enctypeName(k.key.enctype)))].join(', ');
    return `the keytab has no ${enctypeName(want.enctype)} key for ${want.principal}@${want.realm} (it has ${have})`;
  }
  if (want.kvno === undefined) return typed.reduce((a, b) => (b.kvno > a.kvno ? b : a));
  const kvno = want.kvno;
  const exact = typed.find((k) => k.kvno === kvno || (k.kvno < 256 && k.kvno === (kvno & 0xff)));
  if (exact !== undefined) return exact;
  return `the keytab has no kvno ${want.kvno} key for ${want.principal}@${want.realm} (it has kvno ${[...new Set(typed.map((k) => k.kvno))].join(', ')}): re-export the keytab after the key changed`;
}
