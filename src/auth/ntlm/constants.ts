/**
 * Numbers taken from MS-NLMP: negotiate flags (2.2.2.5), AV pair ids (2.2.2.1), MsvAvFlags bits,
 * message types and the magic strings of SIGNKEY/SEALKEY (3.4.5.2, 3.4.5.3).
 */

/** NEGOTIATE flags, MS-NLMP 2.2.2.5 (names without the NTLMSSP_ prefix). */
export const NegotiateFlags = {
  NEGOTIATE_UNICODE: 0x0000_0001,
  NEGOTIATE_OEM: 0x0000_0002,
  REQUEST_TARGET: 0x0000_0004,
  NEGOTIATE_SIGN: 0x0000_0010,
  NEGOTIATE_SEAL: 0x0000_0020,
  NEGOTIATE_DATAGRAM: 0x0000_0040,
  NEGOTIATE_LM_KEY: 0x0000_0080,
  NEGOTIATE_NTLM: 0x0000_0200,
  NEGOTIATE_ANONYMOUS: 0x0000_0800,
  NEGOTIATE_OEM_DOMAIN_SUPPLIED: 0x0000_1000,
  NEGOTIATE_OEM_WORKSTATION_SUPPLIED: 0x0000_2000,
  NEGOTIATE_ALWAYS_SIGN: 0x0000_8000,
  TARGET_TYPE_DOMAIN: 0x0001_0000,
  TARGET_TYPE_SERVER: 0x0002_0000,
  NEGOTIATE_EXTENDED_SESSIONSECURITY: 0x0008_0000,
  NEGOTIATE_IDENTIFY: 0x0010_0000,
  REQUEST_NON_NT_SESSION_KEY: 0x0040_0000,
  NEGOTIATE_TARGET_INFO: 0x0080_0000,
  NEGOTIATE_VERSION: 0x0200_0000,
  NEGOTIATE_128: 0x2000_0000,
  NEGOTIATE_KEY_EXCH: 0x4000_0000,
  NEGOTIATE_56: 0x8000_0000,
} as const;

const F = NegotiateFlags;

/**
 * What session security over WinRM needs from both sides: NTLMv2 keys with extended session
 * security, 128-bit keys, signing and sealing, Unicode strings. A peer that drops any of these
 * is refused rather than silently downgraded.
 */
export const REQUIRED_FLAGS =
  F.NEGOTIATE_UNICODE | F.NEGOTIATE_SIGN | F.NEGOTIATE_SEAL | F.NEGOTIATE_EXTENDED_SESSIONSECURITY | F.NEGOTIATE_128;

/** The flags our client asks for (close to what Windows sends, without OEM and LM_KEY). */
export const CLIENT_FLAGS =
  REQUIRED_FLAGS |
  F.REQUEST_TARGET |
  F.NEGOTIATE_NTLM |
  F.NEGOTIATE_ALWAYS_SIGN |
  F.NEGOTIATE_VERSION |
  F.NEGOTIATE_KEY_EXCH |
  F.NEGOTIATE_56;

/** Names of the flags that REQUIRED_FLAGS holds, for error messages. */
export function flagNames(flags: number): string[] {
  return Object.entries(NegotiateFlags)
    .filter(([, bit]) => (flags & bit) >>> 0 === bit)
    .map(([name]) => name);
}

/** AV_PAIR ids, MS-NLMP 2.2.2.1. */
export const AvId = {
  MsvAvEOL: 0x0000,
  MsvAvNbComputerName: 0x0001,
  MsvAvNbDomainName: 0x0002,
  MsvAvDnsComputerName: 0x0003,
  MsvAvDnsDomainName: 0x0004,
  MsvAvDnsTreeName: 0x0005,
  MsvAvFlags: 0x0006,
  MsvAvTimestamp: 0x0007,
  MsvAvSingleHost: 0x0008,
  MsvAvTargetName: 0x0009,
  MsvAvChannelBindings: 0x000a,
} as const;

/** Bits of the MsvAvFlags value. */
export const MsvAvFlags = {
  ACCOUNT_AUTHENTICATION_CONSTRAINED: 0x1,
  /** The AUTHENTICATE message carries a MIC. */
  MIC_PROVIDED: 0x2,
  /** The TargetName came from an untrusted source. */
  TARGET_SPN_UNTRUSTED: 0x4,
} as const;

export const MessageType = {
  NEGOTIATE: 1,
  CHALLENGE: 2,
  AUTHENTICATE: 3,
} as const;

/** 'NTLMSSP\0', the first eight bytes of every NTLM message. */
export const SIGNATURE = Uint8Array.of(0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00);

/** The VERSION structure we send: Windows 10.0 build 17763, NTLMSSP_REVISION_W2K3 (2.2.2.10). */
export const OUR_VERSION = Uint8Array.of(10, 0, 0x63, 0x45, 0, 0, 0, 0x0f);

/**
 * Magic constants of SIGNKEY and SEALKEY (3.4.5.2, 3.4.5.3) as the ASCII bytes that are hashed,
 * NUL terminator included; every logon derives four keys from them.
 */
const magic = (text: string): Uint8Array => new TextEncoder().encode(`${text}\0`);
export const CLIENT_SIGNING = magic('session key to client-to-server signing key magic constant');
export const SERVER_SIGNING = magic('session key to server-to-client signing key magic constant');
export const CLIENT_SEALING = magic('session key to client-to-server sealing key magic constant');
export const SERVER_SEALING = magic('session key to server-to-client sealing key magic constant');
