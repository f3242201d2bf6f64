/**
 * RFC 4121 per-message tokens (the "CFX" Wrap token, TOK_ID 05 04) for an established context,
 * with the split WinRM puts on the wire (MS-WSMV 2.2.9.1.1.2: the token header and the rotated
 * trailer travel as the "header" of the sealed part, the encrypted payload as its data).
 *
 * ```
 *   header (16) = 05 04 | Flags | FF | EC (u16be) | RRC (u16be) | SND_SEQ (u64be)
 *     Flags: 0x01 SentByAcceptor, 0x02 Sealed, 0x04 AcceptorSubkey
 *   sealed:   header | rotate_right(E(K, usage, plaintext | EC filler | header with RRC=0), RRC)
 *   signed:   header | rotate_right(plaintext | HMAC(K, usage, plaintext | header with EC=RRC=0), RRC)
 *   usages: acceptor 22, initiator 24 (the SEAL usages, for sealed and signed wrap tokens alike;
 *   23/25 are for MIC tokens)
 * ```
 * What we send is laid out as Windows' SSPI and pyspnego's `wrap_winrm` do: EC 0 and RRC 28 (the
 * encrypted header copy + HMAC), so the WinRM header is 16 + 28 + the 16-byte confounder = 60 bytes
 * and the data part is exactly as long as the plaintext. What we receive may use any EC and RRC.
 */
import { CHECKSUM_LENGTH, KrbCryptoError, checksum, decrypt, encrypt, type Key } from './crypto.js';
import { timingSafeEqual } from 'node:crypto';

export const KG_USAGE_ACCEPTOR_SEAL = 22;
/** MIC tokens' usages (RFC 4121 2): listed for completeness, WinRM sends no MIC tokens. */
export const KG_USAGE_ACCEPTOR_SIGN = 23;
export const KG_USAGE_INITIATOR_SEAL = 24;
export const KG_USAGE_INITIATOR_SIGN = 25;

const FLAG_SENT_BY_ACCEPTOR = 0x01;
const FLAG_SEALED = 0x02;
const FLAG_ACCEPTOR_SUBKEY = 0x04;
const HEADER = 16;
const CONFOUNDER = 16;
/** RRC of what we send: the encrypted header copy and the HMAC move in front of the payload. */
export const WINRM_RRC = HEADER + CHECKSUM_LENGTH;
/** Length of the WinRM header part of what we send (token header + rotated trailer + confounder). */
export const WINRM_HEADER_LENGTH = HEADER + WINRM_RRC + CONFOUNDER;

export class CfxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CfxError';
  }
}

export interface CfxOptions {
  key: Key;
  /** True on the accepting side (serve): we send with usage 22 and SentByAcceptor, receive 24. */
  acceptor: boolean;
  /** True when `key` is the acceptor's subkey from the AP-REP (the AcceptorSubkey flag). */
  acceptorSubkey: boolean;
  sendSeq: number;
  recvSeq: number;
}

/** One direction pair of sequence numbers and the key: the session security of an accepted context. */
export class CfxSession {
  readonly #key: Key;
  readonly #acceptor: boolean;
  readonly #subkeyFlag: number;
  #sendSeq: bigint;
  #recvSeq: bigint;

  constructor(options: CfxOptions) {
    this.#key = options.key;
    this.#acceptor = options.acceptor;
    this.#subkeyFlag = options.acceptorSubkey ? FLAG_ACCEPTOR_SUBKEY : 0;
    this.#sendSeq = BigInt(options.sendSeq >>> 0);
    this.#recvSeq = BigInt(options.recvSeq >>> 0);
  }

  /** Seals `plain`; returns the WinRM header (60 bytes) and the encrypted data (plain's length). */
  wrap(plain: Uint8Array): { header: Uint8Array; data: Uint8Array } {
    const header = Buffer.alloc(HEADER);
    header[0] = 0x05;
    header[1] = 0x04;
    header[2] = FLAG_SEALED | this.#subkeyFlag | (this.#acceptor ? FLAG_SENT_BY_ACCEPTOR : 0);
    header[3] = 0xff;
    header.writeUInt16BE(0, 4); // EC: AES needs no padding
    header.writeUInt16BE(0, 6); // RRC is 0 in the encrypted copy
    header.writeBigUInt64BE(this.#sendSeq, 8);
    this.#sendSeq = (this.#sendSeq + 1n) & 0xffffffffffffffffn;
    const usage = this.#acceptor ? KG_USAGE_ACCEPTOR_SEAL : KG_USAGE_INITIATOR_SEAL;
    const sealed = encrypt(this.#key, usage, Buffer.concat([plain, header]));
    const token = Buffer.concat([header, rotateRight(sealed, WINRM_RRC)]);
    token.writeUInt16BE(WINRM_RRC, 6);
    return { header: token.subarray(0, WINRM_HEADER_LENGTH), data: token.subarray(WINRM_HEADER_LENGTH) };
  }

  /**
   * Opens a token the peer split into header and data (any split, EC and RRC).
   * @throws CfxError on a malformed token, a wrong direction or key flag, a bad checksum, or a
   *   sequence number other than the next one.
   */
  unwrap(winrmHeader: Uint8Array, data: Uint8Array): Uint8Array {
    const token = Buffer.concat([winrmHeader, data]);
    if (token.length < HEADER) throw new CfxError(`wrap token of ${token.length} bytes`);
    if (token[0] !== 0x05 || token[1] !== 0x04) throw new CfxError(`TOK_ID ${token.subarray(0, 2).toString('hex')} is not a wrap token (0504)`);
    if (token[3] !== 0xff) throw new CfxError('wrap token filler is not FF');
    const flags = token[2] as number;
    const fromAcceptor = (flags & FLAG_SENT_BY_ACCEPTOR) !== 0;
    if (fromAcceptor === this.#acceptor) throw new CfxError('wrap token sent in the wrong direction (a reflected token)');
    if ((flags & FLAG_ACCEPTOR_SUBKEY) !== this.#subkeyFlag) throw new CfxError('wrap token AcceptorSubkey flag does not match the context');
    const ec = token.readUInt16BE(4);
    const rrc = token.readUInt16BE(6);
    const seq = token.readBigUInt64BE(8);
    const body = rotateLeft(token.subarray(HEADER), rrc);
    let plain: Uint8Array;
    if ((flags & FLAG_SEALED) !== 0) {
      const usage = fromAcceptor ? KG_USAGE_ACCEPTOR_SEAL : KG_USAGE_INITIATOR_SEAL;
      let opened: Uint8Array;
      try {
        opened = decrypt(this.#key, usage, body);
      } catch (err) {
        throw new CfxError(err instanceof KrbCryptoError ? err.message : String(err));
      }
      if (opened.length < HEADER + ec) throw new CfxError('sealed wrap token too short');
      const copy = Buffer.from(opened.subarray(opened.length - HEADER));
      const expected = Buffer.from(token.subarray(0, HEADER));
      expected.writeUInt16BE(0, 6);
      copy.writeUInt16BE(0, 6);
      if (!timingSafeEqual(copy, expected)) throw new CfxError('the encrypted header copy does not match the token header');
      plain = opened.subarray(0, opened.length - HEADER - ec);
    } else {
      if (ec !== CHECKSUM_LENGTH || body.length < ec) throw new CfxError(`signed wrap token with EC ${ec}`);
      // Wrap tokens use the SEAL usages even without confidentiality; SIGN is for MIC tokens.
      const usage = fromAcceptor ? KG_USAGE_ACCEPTOR_SEAL : KG_USAGE_INITIATOR_SEAL;
      plain = body.subarray(0, body.length - ec);
      const signedHeader = Buffer.from(token.subarray(0, HEADER));
      signedHeader.writeUInt16BE(0, 4);
      signedHeader.writeUInt16BE(0, 6);
      const want = checksum(this.#key, usage, Buffer.concat([plain, signedHeader]));
      if (!timingSafeEqual(want, body.subarray(body.length - ec))) throw new CfxError('wrap token checksum does not match');
    }
    if (seq !== this.#recvSeq) throw new CfxError(`sequence number ${seq} where ${this.#recvSeq} was expected (replayed, reordered or lost message)`);
    this.#recvSeq = (this.#recvSeq + 1n) & 0xffffffffffffffffn;
    return plain;
  }
}

function rotateRight(buf: Uint8Array, n: number): Buffer {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length === 0) return Buffer.alloc(0);
  const r = n % b.length;
  return Buffer.concat([b.subarray(b.length - r), b.subarray(0, b.length - r)]);
}

function rotateLeft(buf: Uint8Array, n: number): Buffer {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length === 0) return Buffer.alloc(0);
  const r = n % b.length;
  return Buffer.concat([b.subarray(r), b.subarray(0, r)]);
}
