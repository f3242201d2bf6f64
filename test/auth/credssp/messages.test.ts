/**
 * CredSSP's DER messages (MS-CSSP 2.2.1) against published encodings and hostile input.
 *
 * The two TSRequest byte strings are the documented examples of rdp-rs's `create_ts_request` and
 * `create_ts_authenticate` (docs.rs/rdp-rs, nla::cssp), an implementation none of us wrote that
 * talks to Windows' RDP NLA: version 2, negoToken 00 01 02, and pubKeyAuth 00 01 02.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/auth/errors.js';
import {
  CREDSSP_VERSION, decodeTsCredentials, decodeTsRequest, encodeTsCredentials, encodeTsRequest,
} from '../../../src/auth/credssp/index.js';
import { der, derExplicit, derInteger, derOctetString } from '../../../src/auth/credssp/der.js';

const RDP_RS_TS_REQUEST = [48, 18, 160, 3, 2, 1, 2, 161, 11, 48, 9, 48, 7, 160, 5, 4, 3, 0, 1, 2];
const RDP_RS_TS_AUTHENTICATE = [48, 25, 160, 3, 2, 1, 2, 161, 11, 48, 9, 48, 7, 160, 5, 4, 3, 0, 1, 2, 163, 5, 4, 3, 0, 1, 2];
const token = Uint8Array.of(0, 1, 2);

describe('TSRequest', () => {
  it('encodes the published negoTokens example byte for byte, and decodes it', () => {
    expect([...encodeTsRequest({ version: 2, negoTokens: [token] })]).toEqual(RDP_RS_TS_REQUEST);
    expect(decodeTsRequest(Uint8Array.from(RDP_RS_TS_REQUEST))).toEqual({ version: 2, negoTokens: [token] });
  });

  it('encodes the published negoTokens + pubKeyAuth example byte for byte, and decodes it', () => {
    expect([...encodeTsRequest({ version: 2, negoTokens: [token], pubKeyAuth: token })]).toEqual(RDP_RS_TS_AUTHENTICATE);
    expect(decodeTsRequest(Uint8Array.from(RDP_RS_TS_AUTHENTICATE))).toEqual({ version: 2, negoTokens: [token], pubKeyAuth: token });
  });

  it('round-trips every field, with long-form lengths', () => {
    const big = new Uint8Array(randomBytes(7_000));
    const req = { version: CREDSSP_VERSION, negoTokens: [big], authInfo: token, pubKeyAuth: big.subarray(0, 300), errorCode: 0xc000006d, clientNonce: new Uint8Array(32).fill(7) };
    const bytes = encodeTsRequest(req);
    expect(bytes[1]).toBe(0x82); // two length bytes: 7 kB does not fit one
    expect(decodeTsRequest(bytes)).toEqual(req);
  });

  it('reads an NTSTATUS written as a negative 4-byte INTEGER, as some encoders do', () => {
    const negative = der(0x30, derExplicit(0, derInteger(6)), derExplicit(4, der(0x02, Uint8Array.of(0xc0, 0x00, 0x00, 0x6d))));
    expect(decodeTsRequest(negative).errorCode).toBe(0xc000006d);
  });

  it.each([
    ['empty', []],
    ['not a SEQUENCE', [0x31, 0x03, 0xa0, 0x01, 0x02]],
    ['no version', [0x30, 0x00]],
    ['length past the end', [0x30, 0x05, 0xa0, 0x03, 0x02, 0x01]],
    ['five length bytes', [0x30, 0x85, 0, 0, 0, 0, 1, 0]],
    ['repeated field', [0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa0, 0x03, 0x02, 0x01, 0x06]],
    ['trailing bytes', [...RDP_RS_TS_REQUEST, 0]],
    ['INTEGER above 32 bits', [0x30, 0x09, 0xa0, 0x07, 0x02, 0x05, 0x01, 0, 0, 0, 0]],
  ])('refuses %s with AuthError ETSR_AUTH_REJECTED', (_name, bytes) => {
    expect(() => decodeTsRequest(Uint8Array.from(bytes))).toThrow(expect.objectContaining({ code: 'ETSR_AUTH_REJECTED' }));
  });

  it('refuses an oversized TSRequest without parsing it', () => {
    expect(() => decodeTsRequest(new Uint8Array(65 * 1024))).toThrow(/TSRequest of 66560 bytes/);
  });

  it('throws nothing but AuthError for mutated messages (bounded fuzz)', () => {
    const seed = encodeTsRequest({ version: 6, negoTokens: [token], pubKeyAuth: token, clientNonce: new Uint8Array(32) });
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = new Uint8Array(seed);
      const flips = 1 + (i % 4);
      for (let f = 0; f < flips; f++) bytes[(i * 7 + f * 13) % bytes.length] = (i * 31 + f * 17) & 0xff;
      try {
        decodeTsRequest(bytes.subarray(0, bytes.length - (i % 3)));
      } catch (err) {
        expect(err).toBeInstanceOf(AuthError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('TSCredentials / TSPasswordCreds', () => {
  it('carries domain, user and password as UTF-16LE and reads them back', () => {
    const creds = { domainName: 'CORP', userName: 'jürgen', password: 'pässwörd-€' };
    const bytes = encodeTsCredentials(creds);
    // credType [0] INTEGER 1, then credentials [1] OCTET STRING holding TSPasswordCreds.
    expect([...bytes.subarray(2, 7)]).toEqual([0xa0, 0x03, 0x02, 0x01, 0x01]);
    expect(Buffer.from(bytes).includes(Buffer.from('pässwörd-€', 'utf16le'))).toBe(true);
    expect(decodeTsCredentials(bytes)).toEqual(creds);
  });

  it('accepts empty domain and password fields', () => {
    const creds = { domainName: '', userName: 'u', password: '' };
    expect(decodeTsCredentials(encodeTsCredentials(creds))).toEqual(creds);
  });

  it('refuses smart-card (2) and Remote Credential Guard (6) credentials', () => {
    for (const type of [2, 6]) {
      const bytes = der(0x30, derExplicit(0, derInteger(type)), derExplicit(1, derOctetString(token)));
      expect(() => decodeTsCredentials(bytes)).toThrow(/only passwords/);
    }
  });

  it('refuses text that is not UTF-16 (odd length)', () => {
    const inner = der(0x30, derExplicit(0, derOctetString(new Uint8Array(0))), derExplicit(1, derOctetString(Uint8Array.of(0x61))), derExplicit(2, derOctetString(new Uint8Array(0))));
    const bytes = der(0x30, derExplicit(0, derInteger(1)), derExplicit(1, derOctetString(inner)));
    expect(() => decodeTsCredentials(bytes)).toThrow(/not UTF-16/);
  });
});
