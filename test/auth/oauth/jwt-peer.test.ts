/**
 * serve's JWT verifier (src/server/auth/jwt.ts) against an implementation we did not write:
 * `jsonwebtoken` (auth0), the signer msal-node itself uses for client assertions, so it is
 * installed with tsremote. Tokens it signs with RS256, PS256 and ES256 must verify; the same tokens
 * with one byte of the payload changed, or for HS256, must not.
 */
import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importJwks, verifyJwt } from '../../../src/server/auth/jwt.js';

interface JsonWebToken {
  sign(payload: object, key: unknown, options: { algorithm: string; keyid?: string }): string;
}
const jwt = createRequire(import.meta.url)('jsonwebtoken') as JsonWebToken;

const ISSUER = 'https://sts.peer.example/tenant';
const AUDIENCE = 'api://peer';
const now = Math.floor(Date.now() / 1000);
const claims = { iss: ISSUER, aud: AUDIENCE, upn: 'peer@example.test', iat: now, exp: now + 600 };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys = importJwks({
  keys: [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e' },
  ],
});
const expect_ = { issuer: ISSUER, audience: AUDIENCE, nowSec: now };

describe('verifyJwt against jsonwebtoken-signed tokens', () => {
  for (const [alg, key, kid] of [['RS256', rsa.privateKey, 'r'], ['PS256', rsa.privateKey, 'r'], ['ES256', ec.privateKey, 'e']] as const) {
    it(`accepts ${alg}, refuses it with the payload changed`, () => {
      const token = jwt.sign(claims, key, { algorithm: alg, keyid: kid });
      expect(verifyJwt(token, keys, expect_)).toEqual({ ok: true, claims: expect.objectContaining({ upn: 'peer@example.test' }) });
      const [h, p, s] = token.split('.') as [string, string, string];
      const changed = Buffer.from(JSON.stringify({ ...claims, upn: 'admin@example.test' })).toString('base64url');
      expect(verifyJwt(`${h}.${changed}.${s}`, keys, expect_)).toEqual({ ok: false, reason: 'bad signature' });
      expect(p).not.toBe(changed);
    });
  }

  it('refuses HS256 even when jsonwebtoken signed it with a real secret', () => {
    const token = jwt.sign(claims, 'a shared secret', { algorithm: 'HS256', keyid: 'r' });
    expect(verifyJwt(token, keys, expect_)).toMatchObject({ ok: false, reason: expect.stringMatching(/algorithm "HS256" not accepted/) });
  });
});
