/**
 * Verification of signed JWT access tokens (RFC 7519, JWS compact form RFC 7515) against a JWK set
 * (RFC 7517), with node:crypto alone.
 *
 * Why not the `jose` library: serve needs one narrow path (verify a compact JWS with a public JWK
 * and check four claims), node:crypto imports JWKs directly (`createPublicKey({ format: 'jwk' })`)
 * and verifies RSA, RSA-PSS and ECDSA, and writing the path here makes the algorithm allowlist
 * explicit: the token's `alg` picks among RS256/384/512, PS256/384/512 and ES256/384 only, and the
 * key's type must fit it. `none` and the HMAC algorithms (HS*) are refused outright, so a public
 * key can never be abused as an HMAC secret (the classic JWT key-confusion attack).
 *
 * Token layout: `base64url(header) . base64url(payload) . base64url(signature)`; the signature
 * covers the ASCII of the first two parts with their dot. ECDSA signatures are the raw `r || s`
 * (RFC 7518 section 3.4), which node calls `ieee-p1363`.
 *
 * Pure: no clock (the caller passes `now`), no network (the caller passes the keys).
 */
import { type JsonWebKey, type KeyObject, constants, createPublicKey, verify } from 'node:crypto';

/** The algorithms accepted, with their hash and key type. */
const ALGORITHMS = {
  RS256: { hash: 'sha256', kty: 'RSA', pss: false },
  RS384: { hash: 'sha384', kty: 'RSA', pss: false },
  RS512: { hash: 'sha512', kty: 'RSA', pss: false },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true },
  PS384: { hash: 'sha384', kty: 'RSA', pss: true },
  PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256' },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384' },
} as const;
export type JwsAlgorithm = keyof typeof ALGORITHMS;
export const JWS_ALGORITHMS = Object.keys(ALGORITHMS) as JwsAlgorithm[];

/** Largest token read: Entra ID tokens run 1-3 KB; a 16 KB one is not a token. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** One verification key from a JWK set. */
export interface VerificationKey {
  kid: string | undefined;
  /** The JWK's own `alg`, when it pins one. */
  alg: string | undefined;
  kty: string;
  crv: string | undefined;
  key: KeyObject;
}

export interface JwtExpectations {
  /** The `iss` the token must carry, exactly. */
  issuer: string;
  /** An `aud` the token must carry (a string, or one of an array). */
  audience: string;
  /** Now, in seconds since the epoch. */
  nowSec: number;
  /** Leeway for `exp` and `nbf` against clock drift; default 60 s. */
  clockSkewSec?: number;
}

export type JwtVerdict =
  | { ok: true; claims: Record<string, unknown> }
  /** `unknownKey`: the `kid` is not in the set (the issuer may have rotated keys: refetch, once). */
  | { ok: false; reason: string; unknownKey?: boolean };

interface Decoded {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Splits and parses a compact JWS; a string reason when it is not one. */
export function decodeJwt(token: string): Decoded | string {
  if (token.length > MAX_TOKEN_LENGTH) return 'token too long';
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return 'not a JWT (expected three base64url parts)';
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return 'not a JWT (header or payload is not JSON)';
  }
  if (!isObject(header) || !isObject(claims)) return 'not a JWT (header or payload is not an object)';
  return { header, claims, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature: Buffer.from(s, 'base64url') };
}

/**
 * Reads a JWK set (`{ "keys": [...] }`) into verification keys, skipping keys that are not for
 * signatures or that node cannot import (an unknown kty, a symmetric `oct` key).
 */
export function importJwks(jwks: unknown): VerificationKey[] {
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) throw new Error('not a JWK set (no "keys" array)');
  const out: VerificationKey[] = [];
  for (const jwk of jwks.keys) {
    if (!isObject(jwk) || typeof jwk.kty !== 'string') continue;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      continue;
    }
    out.push({
      kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
      alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
      kty: jwk.kty,
      crv: typeof jwk.crv === 'string' ? jwk.crv : undefined,
      key,
    });
  }
  return out;
}

/**
 * Checks a token's signature with `keys` and its `exp`, `nbf`, `iss` and `aud` against `expect`.
 * Reasons are for serve's log: they name what failed, never the token.
 */
export function verifyJwt(token: string, keys: readonly VerificationKey[], expect: JwtExpectations): JwtVerdict {
  const decoded = decodeJwt(token);
  if (typeof decoded === 'string') return { ok: false, reason: decoded };
  const { header, claims } = decoded;
  const alg = header.alg;
  if (typeof alg !== 'string' || !(alg in ALGORITHMS)) {
    return { ok: false, reason: `algorithm ${JSON.stringify(alg)?.slice(0, 20) ?? 'missing'} not accepted (${JWS_ALGORITHMS.join(', ')})` };
  }
  if (header.crit !== undefined) return { ok: false, reason: 'token has critical header parameters we do not understand' };
  const spec = ALGORITHMS[alg as JwsAlgorithm];
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const fits = (k: VerificationKey): boolean =>
    k.kty === spec.kty && (!('crv' in spec) || k.crv === spec.crv) && (k.alg === undefined || k.alg === alg);
  const candidates = kid === undefined ? keys.filter(fits) : keys.filter((k) => k.kid === kid);
  if (candidates.length === 0) {
    return kid === undefined
      ? { ok: false, reason: `no ${spec.kty} key for ${alg} in the JWK set` }
      : { ok: false, reason: `unknown key id '${kid.slice(0, 80)}'`, unknownKey: true };
  }
  const usable = candidates.filter(fits);
  if (usable.length === 0) return { ok: false, reason: `key '${kid ?? ''}' does not fit algorithm ${alg}` };
  const good = usable.some((k) => checkSignature(alg as JwsAlgorithm, k.key, decoded.signingInput, decoded.signature));
  if (!good) return { ok: false, reason: 'bad signature' };

  const skew = expect.clockSkewSec ?? 60;
  const now = expect.nowSec;
  if (typeof claims.exp !== 'number') return { ok: false, reason: 'token has no exp' };
  if (now - skew >= claims.exp) return { ok: false, reason: `token expired ${Math.round(now - claims.exp)} s ago` };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now + skew < claims.nbf)) {
    return { ok: false, reason: 'token not valid yet (nbf)' };
  }
  if (claims.iss !== expect.issuer) return { ok: false, reason: `wrong issuer ${JSON.stringify(claims.iss)?.slice(0, 120)}` };
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(expect.audience)) return { ok: false, reason: `wrong audience ${JSON.stringify(aud)?.slice(0, 120)}` };
  return { ok: true, claims };
}

function checkSignature(alg: JwsAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const spec = ALGORITHMS[alg];
  try {
    if (spec.kty === 'EC') return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (spec.pss) {
      return verify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
    }
    return verify(spec.hash, data, key, signature);
  } catch {
    return false;
  }
}
