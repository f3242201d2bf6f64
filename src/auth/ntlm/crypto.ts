/**
 * The key and response computations of NTLMv2 (MS-NLMP 3.3.2, 3.4.5), as pure functions.
 *
 * ```
 * ResponseKeyNT   = NTOWFv2 = HMAC_MD5(MD4(UTF-16LE(Passwd)), UTF-16LE(Uppercase(User) + UserDom))
 * temp            = 01 01 | Z(6) | Time | ClientChallenge | Z(4) | AV pairs (with EOL) | Z(4)
 * NTProofStr      = HMAC_MD5(ResponseKeyNT, ServerChallenge + temp)
 * NtChallengeResponse = NTProofStr + temp
 * LmChallengeResponse = HMAC_MD5(ResponseKeyLM, ServerChallenge + ClientChallenge) + ClientChallenge
 * SessionBaseKey  = HMAC_MD5(ResponseKeyNT, NTProofStr) = KeyExchangeKey (KXKEY for NTLMv2)
 * ExportedSessionKey = random, sent as RC4K(KeyExchangeKey, it) when KEY_EXCH; else KeyExchangeKey
 * SIGNKEY / SEALKEY  = MD5(ExportedSessionKey + magic constant)   (ESS and 128-bit keys only)
 * MIC             = HMAC_MD5(ExportedSessionKey, NEGOTIATE + CHALLENGE + AUTHENTICATE(MIC zeroed))
 * ```
 * ResponseKeyLM equals ResponseKeyNT in NTLMv2. "Uppercase" is JavaScript's locale-free
 * toUpperCase, which matches Windows for every name we have seen (Windows does not fold 'ß').
 */
import { createHash, createHmac } from 'node:crypto';
import { type AvPair, decodeAvPairs, encodeAvPairs } from './av-pairs.js';
import { CLIENT_SEALING, CLIENT_SIGNING, SERVER_SEALING, SERVER_SIGNING } from './constants.js';
import { md4 } from './md4.js';
import { wasmHmacMd5 } from './md5-wasm.js';
import { Reader, concat, malformed, utf16le } from './wire.js';

export function hmacMd5(key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  // Short messages (every fan-out message, every logon step) in WebAssembly, long ones by OpenSSL.
  const short = wasmHmacMd5(key, data);
  if (short !== undefined) return short;
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

export function md5(...data: Uint8Array[]): Uint8Array {
  const h = createHash('md5');
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

/** NTOWFv1: the NT hash, MD4 of the UTF-16LE password. */
export function ntowfv1(password: string): Uint8Array {
  return md4(utf16le(password));
}

/** NTOWFv2 (3.3.2): the NTLMv2 response key, bound to the user and domain as sent on the wire. */
export function ntowfv2(password: string, user: string, domain: string): Uint8Array {
  return ntowfv2FromNtHash(ntowfv1(password), user, domain);
}

/** NTOWFv2 from a stored NT hash (serve's users file keeps that, not the password). */
export function ntowfv2FromNtHash(ntHash: Uint8Array, user: string, domain: string): Uint8Array {
  return hmacMd5(ntHash, utf16le(user.toUpperCase() + domain));
}

/** 100 ns ticks since 1601-01-01 UTC as a little-endian u64 (a Windows FILETIME). */
export function fileTime(date: Date): Uint8Array {
  const ticks = (BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n;
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, ticks, true);
  return out;
}

/** The Date a FILETIME names (millisecond precision). */
export function fromFileTime(bytes: Uint8Array): Date {
  const ticks = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return new Date(Number(ticks / 10_000n - 11_644_473_600_000n));
}

/** NTLMv2_CLIENT_CHALLENGE ("temp" in 3.3.2), including the trailing Z(4) Windows sends. */
export function clientChallengeBlob(time: Uint8Array, clientChallenge: Uint8Array, pairs: readonly AvPair[]): Uint8Array {
  const head = new Uint8Array(28);
  head[0] = 1; // RespType
  head[1] = 1; // HiRespType
  head.set(time, 8);
  head.set(clientChallenge, 16);
  return concat(head, encodeAvPairs(pairs), new Uint8Array(4));
}

export interface ParsedBlob {
  readonly time: Uint8Array;
  readonly clientChallenge: Uint8Array;
  readonly pairs: AvPair[];
}

/** Reads the blob after NTProofStr in an NTLMv2 response (2.2.2.7). */
export function parseClientChallengeBlob(blob: Uint8Array): ParsedBlob {
  const r = new Reader(blob, 'NTLMv2_CLIENT_CHALLENGE');
  if (r.u16(0, 'RespType') !== 0x0101) throw malformed('NTLMv2_CLIENT_CHALLENGE has an unknown RespType');
  return {
    time: r.bytes(8, 8, 'TimeStamp'),
    clientChallenge: r.bytes(16, 8, 'ChallengeFromClient'),
    pairs: decodeAvPairs(blob.subarray(28), 'NTLMv2_CLIENT_CHALLENGE AvPairs'),
  };
}

export interface Ntlmv2Response {
  readonly ntProofStr: Uint8Array;
  /** NTProofStr followed by the blob: the NtChallengeResponse field. */
  readonly ntChallengeResponse: Uint8Array;
  readonly sessionBaseKey: Uint8Array;
}

/** The NTLMv2 response and session base key for one blob (3.3.2). */
export function ntlmv2Response(responseKeyNt: Uint8Array, serverChallenge: Uint8Array, blob: Uint8Array): Ntlmv2Response {
  const ntProofStr = hmacMd5(responseKeyNt, serverChallenge, blob);
  return {
    ntProofStr,
    ntChallengeResponse: concat(ntProofStr, blob),
    sessionBaseKey: hmacMd5(responseKeyNt, ntProofStr),
  };
}

/** LMv2_RESPONSE (2.2.2.4): HMAC over both challenges, then the client challenge. */
export function lmv2Response(responseKeyLm: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Uint8Array {
  return concat(hmacMd5(responseKeyLm, serverChallenge, clientChallenge), clientChallenge);
}

export type Direction = 'client-to-server' | 'server-to-client';

/** SIGNKEY (3.4.5.2) with extended session security. */
export function signKey(exportedSessionKey: Uint8Array, direction: Direction): Uint8Array {
  return md5(exportedSessionKey, direction === 'client-to-server' ? CLIENT_SIGNING : SERVER_SIGNING);
}

/** SEALKEY (3.4.5.3) with extended session security and NTLMSSP_NEGOTIATE_128: the whole key. */
export function sealKey(exportedSessionKey: Uint8Array, direction: Direction): Uint8Array {
  return md5(exportedSessionKey, direction === 'client-to-server' ? CLIENT_SEALING : SERVER_SEALING);
}

/** MIC (3.1.5.1.2): `authenticate` must have its MIC field zeroed. */
export function computeMic(
  exportedSessionKey: Uint8Array,
  negotiate: Uint8Array,
  challenge: Uint8Array,
  authenticate: Uint8Array,
): Uint8Array {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticate);
}
