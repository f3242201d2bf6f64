/**
 * The Kerberos GSS-API mechanism's context tokens (RFC 4121 section 4.1, RFC 2743 section 3.1):
 *
 * ```
 *   0x60 len | 06 09 2a864886f712010202 (1.2.840.113554.1.2.2) | TOK_ID | message
 *   TOK_ID 01 00 = AP-REQ,  02 00 = AP-REP,  03 00 = KRB-ERROR
 * ```
 * and the authenticator checksum of type 0x8003 that carries the GSS flags:
 * ```
 *   u32le Lgth (16) | Bnd (16: MD5 of the channel bindings, or zeros) | u32le Flags
 *   [ u16le DlgOpt (1) | u16le Dlgth | Deleg (KRB-CRED) ]  [ extensions ]
 * ```
 */
import * as der from '../der.js';

export const KRB5_OID = '1.2.840.113554.1.2.2';
/** The OID Windows clients list first in SPNEGO: Kerberos, with a historical bit-slip. */
export const MS_KRB5_OID = '1.2.840.48018.1.2.2';
export const TOK_AP_REQ = 0x0100;
export const TOK_AP_REP = 0x0200;
export const GSS_CHECKSUM_TYPE = 0x8003;

/** GSS context flags (RFC 2744 / RFC 4121 4.1.1.1). */
export const GSS_FLAGS = { DELEG: 1, MUTUAL: 2, REPLAY: 4, SEQUENCE: 8, CONF: 16, INTEG: 32, DCE_STYLE: 0x1000 } as const;

/** Splits an InitialContextToken into its mechanism OID and inner token. @throws DerError */
export function decodeMechToken(token: Uint8Array): { mech: string; inner: Uint8Array } {
  const outer = der.expectTlv(token, 0x60, 'GSS InitialContextToken');
  const { tlv: oidTlv, next } = der.readTlv(outer.value);
  return { mech: der.readOid(oidTlv, 'GSS thisMech'), inner: outer.value.subarray(next) };
}

/** The Kerberos message inside a krb5 mechanism token, after checking its TOK_ID. @throws DerError */
export function decodeKrb5Token(token: Uint8Array, tokId: number): Uint8Array {
  const { mech, inner } = decodeMechToken(token);
  if (mech !== KRB5_OID && mech !== MS_KRB5_OID) throw new der.DerError(`mechanism ${mech} is not Kerberos`);
  if (inner.length < 2 || ((inner[0] as number) << 8 | (inner[1] as number)) !== tokId) {
    throw new der.DerError(`TOK_ID ${Buffer.from(inner.subarray(0, 2)).toString('hex')} is not ${tokId.toString(16).padStart(4, '0')}`);
  }
  return inner.subarray(2);
}

/** Frames an AP-REP (or another message) as a krb5 mechanism token. */
export function encodeKrb5Token(message: Uint8Array, tokId: number): Uint8Array {
  return der.tlv(0x60, der.oid(KRB5_OID), Uint8Array.of(tokId >> 8, tokId & 0xff), message);
}

export interface GssChecksum {
  flags: number;
  /** The 16-byte channel-binding hash; all zeros when the client sent none. */
  bindings: Uint8Array;
  /** True when a KRB-CRED with a forwarded TGT came along (DlgOpt 1). */
  delegated: boolean;
}

/** Reads a 0x8003 checksum. @throws DerError when it is too short or its Lgth is not 16. */
export function decodeGssChecksum(value: Uint8Array): GssChecksum {
  if (value.length < 24) throw new der.DerError(`GSS checksum of ${value.length} bytes`);
  const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (v.readUInt32LE(0) !== 16) throw new der.DerError(`GSS checksum Lgth ${v.readUInt32LE(0)} is not 16`);
  const flags = v.readUInt32LE(20);
  const delegated = (flags & GSS_FLAGS.DELEG) !== 0 && v.length >= 28 && v.readUInt16LE(24) === 1;
  return { flags, bindings: v.subarray(4, 20), delegated };
}
