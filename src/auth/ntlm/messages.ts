/**
 * The three NTLM messages (MS-NLMP 2.2.1), encoded and decoded with bounds checks.
 *
 * Fixed headers, all integers little-endian; `field` is a security buffer (u16 Len, u16 MaxLen,
 * u32 Offset) pointing into the payload that follows the header:
 * ```
 * NEGOTIATE     0 'NTLMSSP\0' | 8 u32 1 | 12 u32 NegotiateFlags | 16 field DomainName
 *               24 field Workstation | 32 Version(8) | 40 payload
 * CHALLENGE     0 'NTLMSSP\0' | 8 u32 2 | 12 field TargetName | 20 u32 NegotiateFlags
 *               24 ServerChallenge(8) | 32 Reserved(8) | 40 field TargetInfo | 48 Version(8) | 56 payload
 * AUTHENTICATE  0 'NTLMSSP\0' | 8 u32 3 | 12 field LmChallengeResponse | 20 field NtChallengeResponse
 *               28 field DomainName | 36 field UserName | 44 field Workstation
 *               52 field EncryptedRandomSessionKey | 60 u32 NegotiateFlags | 64 Version(8)
 *               72 MIC(16) | 88 payload
 * ```
 * Version and MIC are optional on the wire: older peers start the payload right after the flags
 * (or after Version). A decoder therefore treats a header slot as present only when no field's
 * payload starts inside it.
 */
import { type AvPair, decodeAvPairs, encodeAvPairs } from './av-pairs.js';
import { MessageType, NegotiateFlags, OUR_VERSION, SIGNATURE } from './constants.js';
import { Builder, Reader, equalBytes, fromUtf16le, malformed, utf16le } from './wire.js';

export interface NegotiateMessage {
  readonly flags: number;
  readonly domain: string;
  readonly workstation: string;
}

export interface ChallengeMessage {
  readonly flags: number;
  readonly targetName: string;
  readonly serverChallenge: Uint8Array;
  readonly targetInfo: readonly AvPair[];
  readonly version?: Uint8Array;
}

export interface AuthenticateMessage extends AuthenticateFields {
  readonly version?: Uint8Array;
  /** Present when the header had room for it; whether it counts depends on MsvAvFlags. */
  readonly mic?: Uint8Array;
}

/** Offset of the MIC inside AUTHENTICATE, needed to zero it when computing or checking the MIC. */
export const MIC_OFFSET = 72;
const AUTHENTICATE_HEADER = 88;

/** True when `token` starts with 'NTLMSSP\0'. */
export function isNtlmToken(token: Uint8Array): boolean {
  return token.length >= 8 && equalBytes(token.subarray(0, 8), SIGNATURE);
}

/** Reads the signature and message type; returns the reader for the rest. */
function open(token: Uint8Array, type: number, name: string): Reader {
  if (!isNtlmToken(token)) throw malformed(`${name} does not start with NTLMSSP`);
  const r = new Reader(token, name);
  const actual = r.u32(8, 'MessageType');
  if (actual !== type) throw malformed(`expected ${name} (type ${type}), got message type ${actual}`);
  return r;
}

function text(bytes: Uint8Array, flags: number, field: string): string {
  if (flags & NegotiateFlags.NEGOTIATE_UNICODE) return fromUtf16le(bytes, field);
  return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
}

function encodeText(value: string, flags: number): Uint8Array {
  if (flags & NegotiateFlags.NEGOTIATE_UNICODE) return utf16le(value);
  return Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff);
}

/** The lowest offset of any non-empty field: where the payload begins. */
function payloadStart(r: Reader, fieldsAt: readonly number[]): number {
  let start = r.length;
  for (const at of fieldsAt) {
    const { bytes, offset } = r.field(at, `field at ${at}`);
    if (bytes.length > 0) start = Math.min(start, offset);
  }
  return start;
}

/** NEGOTIATE messages by their flags, the only thing in them that varies: one per process, not one per logon. */
const negotiateMessages = new Map<number, Uint8Array>();

/** Builds NEGOTIATE with empty domain and workstation (OEM fields, as Windows sends them). */
export function encodeNegotiate(flags: number): Uint8Array {
  let message = negotiateMessages.get(flags);
  if (message === undefined) {
    const b = new Builder(40).set(0, SIGNATURE).u32(8, MessageType.NEGOTIATE).u32(12, flags);
    b.field(16, new Uint8Array(0)).field(24, new Uint8Array(0));
    if (flags & NegotiateFlags.NEGOTIATE_VERSION) b.set(32, OUR_VERSION);
    message = b.build();
    if (negotiateMessages.size < 8) negotiateMessages.set(flags, message);
  }
  return message.slice(); // the caller's own copy: it keeps it for the MIC
}

export function decodeNegotiate(token: Uint8Array): NegotiateMessage {
  const r = open(token, MessageType.NEGOTIATE, 'NEGOTIATE');
  const flags = r.u32(12, 'NegotiateFlags');
  // Domain and workstation are OEM strings here whatever the Unicode flag says (2.2.1.1).
  const oem = flags & ~NegotiateFlags.NEGOTIATE_UNICODE;
  // Some clients send only the first 16 bytes; the two fields are then absent.
  const domain = r.length >= 24 ? text(r.field(16, 'DomainName').bytes, oem, 'DomainName') : '';
  const workstation = r.length >= 32 ? text(r.field(24, 'Workstation').bytes, oem, 'Workstation') : '';
  return { flags, domain, workstation };
}

export function encodeChallenge(msg: ChallengeMessage): Uint8Array {
  if (msg.serverChallenge.length !== 8) throw new RangeError('ServerChallenge must be 8 bytes');
  const b = new Builder(56).set(0, SIGNATURE).u32(8, MessageType.CHALLENGE);
  b.field(12, encodeText(msg.targetName, msg.flags)).u32(20, msg.flags).set(24, msg.serverChallenge);
  b.field(40, encodeAvPairs(msg.targetInfo));
  if (msg.version) b.set(48, msg.version);
  return b.build();
}

export function decodeChallenge(token: Uint8Array): ChallengeMessage {
  const r = open(token, MessageType.CHALLENGE, 'CHALLENGE');
  const flags = r.u32(20, 'NegotiateFlags');
  const serverChallenge = r.bytes(24, 8, 'ServerChallenge');
  const targetName = text(r.field(12, 'TargetName').bytes, flags, 'TargetName');
  const info = r.length >= 48 ? r.field(40, 'TargetInfo').bytes : new Uint8Array(0);
  const targetInfo = info.length > 0 ? decodeAvPairs(info) : [];
  const start = payloadStart(r, r.length >= 48 ? [12, 40] : [12]);
  const version = start >= 56 ? r.bytes(48, 8, 'Version') : undefined;
  return { flags, targetName, serverChallenge, targetInfo, ...(version ? { version } : {}) };
}

/** The fields of AUTHENTICATE a sender chooses (Version and MIC are added by the encoder). */
export interface AuthenticateFields {
  readonly flags: number;
  readonly lmChallengeResponse: Uint8Array;
  readonly ntChallengeResponse: Uint8Array;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly encryptedRandomSessionKey: Uint8Array;
}

/** Builds AUTHENTICATE with Version and a zeroed MIC slot; the caller patches the MIC in. */
export function encodeAuthenticate(msg: AuthenticateFields): Uint8Array {
  const b = new Builder(AUTHENTICATE_HEADER).set(0, SIGNATURE).u32(8, MessageType.AUTHENTICATE);
  // Payload order as Windows lays it out: names first, then responses, then the key.
  b.field(28, encodeText(msg.domain, msg.flags))
    .field(36, encodeText(msg.user, msg.flags))
    .field(44, encodeText(msg.workstation, msg.flags))
    .field(12, msg.lmChallengeResponse)
    .field(20, msg.ntChallengeResponse)
    .field(52, msg.encryptedRandomSessionKey)
    .u32(60, msg.flags)
    .set(64, OUR_VERSION);
  return b.build();
}

export function decodeAuthenticate(token: Uint8Array): AuthenticateMessage {
  const r = open(token, MessageType.AUTHENTICATE, 'AUTHENTICATE');
  const flags = r.u32(60, 'NegotiateFlags');
  const start = payloadStart(r, [12, 20, 28, 36, 44, 52]);
  const version = start >= 72 ? r.bytes(64, 8, 'Version') : undefined;
  const mic = start >= AUTHENTICATE_HEADER ? r.bytes(MIC_OFFSET, 16, 'MIC') : undefined;
  return {
    flags,
    lmChallengeResponse: r.field(12, 'LmChallengeResponse').bytes,
    ntChallengeResponse: r.field(20, 'NtChallengeResponse').bytes,
    domain: text(r.field(28, 'DomainName').bytes, flags, 'DomainName'),
    user: text(r.field(36, 'UserName').bytes, flags, 'UserName'),
    workstation: text(r.field(44, 'Workstation').bytes, flags, 'Workstation'),
    encryptedRandomSessionKey: r.field(52, 'EncryptedRandomSessionKey').bytes,
    ...(version ? { version } : {}),
    ...(mic ? { mic } : {}),
  };
}
