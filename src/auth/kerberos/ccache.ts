/**
 * MIT's FILE credential cache format (versions 3 and 4, `05 03` / `05 04`), read for one thing:
 * the session key of the service ticket GSSAPI just used. Sans-IO: bytes in.
 *
 * Why: the `kerberos` package's `wrap` (7.0.0) always takes its SASL path (the C code tests a
 * `user` string that is never NULL), so it wraps a 4-byte SASL answer instead of the message.
 * tsremote therefore seals WinRM bodies itself (RFC 4121, src/auth/krb5/cfx.ts), with the key
 * the context agreed on, which it learns from the ticket's session key (kept in the ccache by
 * gss_init_sec_context), the authenticator of its own AP-REQ and the server's AP-REP.
 *
 * ```
 * file      := u16 version (0x0504 | 0x0503) [v4: u16 header length, header tags] principal(default) credential*
 * principal := u32 name_type  u32 count  data realm  data component * count
 * data      := u32 length  bytes
 * credential:= principal(client) principal(server) keyblock times(4 x u32) u8 is_skey u32 ticket_flags
 *              u32 n_addresses (u16 type data)*  u32 n_authdata (u16 type data)*  data ticket  data second_ticket
 * keyblock  := u16 enctype [v3: u16 enctype again] data key
 * ```
 * All integers are big-endian in versions 3 and 4 (versions 1 and 2 used host order: refused).
 */

/** One credential of a ccache. */
export interface CachedCredential {
  client: string;
  /** `HTTP/host@REALM`. */
  server: string;
  key: { enctype: number; value: Uint8Array };
  /** Seconds since the epoch. */
  endtime: number;
  /** The Ticket's DER, as sent in an AP-REQ. */
  ticket: Uint8Array;
}

export interface CredentialCache {
  defaultPrincipal: string;
  credentials: CachedCredential[];
}

export class CcacheFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CcacheFormatError';
  }
}

/** A bounded big-endian reader. */
class Reader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  at = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.at >= this.#buf.length;
  }

  #need(n: number): void {
    if (this.at + n > this.#buf.length) throw new CcacheFormatError('truncated credential cache');
  }

  u8(): number {
    this.#need(1);
    return this.#view.getUint8(this.at++);
  }

  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.at);
    this.at += 4;
    return v;
  }

  data(): Uint8Array {
    const length = this.u32();
    this.#need(length);
    const out = this.#buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  text(): string {
    return Buffer.from(this.data()).toString('utf8');
  }
}

function principal(r: Reader): string {
  r.u32(); // name type
  const count = r.u32();
  if (count > 64) throw new CcacheFormatError(`principal with ${count} components`);
  const realm = r.text();
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(r.text());
  return `${parts.join('/')}@${realm}`;
}

/**
 * Parses a FILE ccache.
 * @throws CcacheFormatError when it is not a version 3 or 4 ccache, or is truncated.
 */
export function parseCcache(bytes: Uint8Array): CredentialCache {
  const r = new Reader(bytes);
  const version = r.u16();
  if (version !== 0x0504 && version !== 0x0503) throw new CcacheFormatError(`ccache version ${version.toString(16)} is not 0503 or 0504`);
  if (version === 0x0504) {
    const headerLength = r.u16();
    r.at += headerLength;
  }
  const defaultPrincipal = principal(r);
  const credentials: CachedCredential[] = [];
  while (!r.done) {
    const client = principal(r);
    const server = principal(r);
    const enctype = r.u16();
    if (version === 0x0503) r.u16();
    const value = r.data();
    r.u32(); // authtime
    r.u32(); // starttime
    const endtime = r.u32();
    r.u32(); // renew till
    r.u8(); // is_skey
    r.u32(); // ticket flags
    for (let n = r.u32(); n > 0; n--) {
      r.u16();
      r.data();
    }
    for (let n = r.u32(); n > 0; n--) {
      r.u16();
      r.data();
    }
    const ticket = r.data();
    r.data(); // second ticket
    credentials.push({ client, server, key: { enctype, value }, endtime, ticket });
  }
  return { defaultPrincipal, credentials };
}

/** The credential whose ticket carries `ticketCipher` (the enc-part of the ticket in our AP-REQ). */
export function findTicketCredential(caches: readonly CredentialCache[], ticketCipher: Uint8Array): CachedCredential | undefined {
  const needle = Buffer.from(ticketCipher.buffer, ticketCipher.byteOffset, ticketCipher.byteLength);
  for (const cache of caches) {
    for (const cred of cache.credentials) {
      if (cred.ticket.length >= needle.length && Buffer.from(cred.ticket.buffer, cred.ticket.byteOffset, cred.ticket.byteLength).includes(needle)) {
        return cred;
      }
    }
  }
  return undefined;
}
