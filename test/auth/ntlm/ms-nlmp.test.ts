/**
 * MS-NLMP section 4.2.4, the NTLMv2 worked example: User / Password / Domain, ServerChallenge
 * 0123456789abcdef, ClientChallenge aa*8, Time 0, RandomSessionKey 55*16, AV pairs
 * NbDomainName "Domain" and NbComputerName "Server".
 * https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/125f7a94-933e-4023-a146-a449e49bf774
 */
import { describe, expect, it } from 'vitest';
import { decodeAvPairs } from '../../../src/auth/ntlm/av-pairs.js';
import {
  clientChallengeBlob,
  lmv2Response,
  ntlmv2Response,
  ntowfv1,
  ntowfv2,
  sealKey,
  signKey,
} from '../../../src/auth/ntlm/crypto.js';
import { rc4k, Rc4 } from '../../../src/auth/ntlm/rc4.js';
import { SessionSecurity, seal } from '../../../src/auth/ntlm/seal.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const utf16 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));

const SERVER_CHALLENGE = bytes('0123456789abcdef');
const CLIENT_CHALLENGE = bytes('aaaaaaaaaaaaaaaa');
const TIME = new Uint8Array(8);
const RANDOM_SESSION_KEY = new Uint8Array(16).fill(0x55);
// 4.2.4.1.3: the TargetInfo of the example CHALLENGE.
const TARGET_INFO = bytes('02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000');

describe('MS-NLMP 4.2.4 NTLMv2 worked example', () => {
  const responseKey = ntowfv2('Password', 'User', 'Domain');
  const blob = clientChallengeBlob(TIME, CLIENT_CHALLENGE, decodeAvPairs(TARGET_INFO));
  const response = ntlmv2Response(responseKey, SERVER_CHALLENGE, blob);

  it('NTOWFv1 of Password (4.2.2.1.2)', () => {
    expect(hex(ntowfv1('Password'))).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });

  it('NTOWFv2 (4.2.4.1.1)', () => {
    expect(hex(responseKey)).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  it('builds the NTLMv2_CLIENT_CHALLENGE "temp" (4.2.4.2.2)', () => {
    expect(hex(blob)).toBe(
      '01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000' +
        '02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000',
    );
  });

  it('NTProofStr and the NTLMv2 response (4.2.4.2.2)', () => {
    expect(hex(response.ntProofStr)).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(hex(response.ntChallengeResponse)).toBe('68cd0ab851e51c96aabc927bebef6a1c' + hex(blob));
  });

  it('LMv2 response (4.2.4.2.1)', () => {
    expect(hex(lmv2Response(responseKey, SERVER_CHALLENGE, CLIENT_CHALLENGE))).toBe(
      '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa',
    );
  });

  it('session base key = key exchange key (4.2.4.1.2)', () => {
    expect(hex(response.sessionBaseKey)).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });

  it('encrypted random session key (4.2.4.2.3)', () => {
    expect(hex(rc4k(response.sessionBaseKey, RANDOM_SESSION_KEY))).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
  });

  it('SEALKEY and SIGNKEY, client to server (4.2.4.4)', () => {
    expect(hex(sealKey(RANDOM_SESSION_KEY, 'client-to-server'))).toBe('59f600973cc4960a25480a7c196e4c58');
    expect(hex(signKey(RANDOM_SESSION_KEY, 'client-to-server'))).toBe('4788dc861b4782f35d43fd98fe1a2d39');
  });

  it('SEALKEY and SIGNKEY, server to client (the same derivation with the other constants)', () => {
    expect(hex(sealKey(RANDOM_SESSION_KEY, 'server-to-client'))).toBe('9355f3a957c1583d25c4c2f11e40390e');
    expect(hex(signKey(RANDOM_SESSION_KEY, 'server-to-client'))).toBe('d04d6f10741041d1d246d64188d7a8ad');
  });

  it('seals "Plaintext" with SeqNum 0 and KEY_EXCH (4.2.4.4)', () => {
    const handle = new Rc4(sealKey(RANDOM_SESSION_KEY, 'client-to-server'));
    const out = seal(handle, signKey(RANDOM_SESSION_KEY, 'client-to-server'), 0, utf16('Plaintext'), true);
    expect(hex(out.sealed)).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(hex(out.signature)).toBe('010000007fb38ec5c55d497600000000');
  });

  it('the client session wraps the same bytes and the server session opens them', () => {
    const client = new SessionSecurity(RANDOM_SESSION_KEY, 'client', true);
    const server = new SessionSecurity(RANDOM_SESSION_KEY, 'server', true);
    const wrapped = client.wrap(utf16('Plaintext'));
    expect(hex(wrapped.data)).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(hex(wrapped.header)).toBe('010000007fb38ec5c55d497600000000');
    expect(Buffer.from(server.unwrap(wrapped.header, wrapped.data)).toString('utf16le')).toBe('Plaintext');
  });

  it('seals in place to the same ciphertext and signature as the spec example', () => {
    const client = new SessionSecurity(RANDOM_SESSION_KEY, 'client', true);
    const message = utf16('Plaintext');
    const wrapped = client.wrap(message, true);
    expect(wrapped.data).toBe(message);
    expect(hex(message)).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(hex(wrapped.header)).toBe('010000007fb38ec5c55d497600000000');
    // The stream goes on in step: the next message, sealed either way, opens on the other side.
    const server = new SessionSecurity(RANDOM_SESSION_KEY, 'server', true);
    expect(Buffer.from(server.unwrap(wrapped.header, wrapped.data)).toString('utf16le')).toBe('Plaintext');
    const long = utf16('x'.repeat(500));
    const next = client.wrap(long, true);
    expect(Buffer.from(server.unwrap(next.header, next.data)).toString('utf16le')).toBe('x'.repeat(500));
  });

  it('unseals in place: the sealed bytes become the plaintext, and no second buffer is made', () => {
    const client = new SessionSecurity(RANDOM_SESSION_KEY, 'client', true);
    const server = new SessionSecurity(RANDOM_SESSION_KEY, 'server', true);
    // Long enough for the WebAssembly keystream, then short: both paths of Rc4.update.
    for (const text of ['Plaintext '.repeat(40), 'Plaintext']) {
      const wrapped = client.wrap(utf16(text));
      const sealed = wrapped.data;
      const opened = server.unwrap(wrapped.header, sealed);
      expect(opened).toBe(sealed);
      expect(Buffer.from(sealed).toString('utf16le')).toBe(text);
    }
  });

  it('without KEY_EXCH the checksum is left unencrypted', () => {
    const handle = new Rc4(sealKey(RANDOM_SESSION_KEY, 'client-to-server'));
    const out = seal(handle, signKey(RANDOM_SESSION_KEY, 'client-to-server'), 0, utf16('Plaintext'), false);
    expect(hex(out.signature)).toBe('0100000070352851f256430900000000');
  });
});
