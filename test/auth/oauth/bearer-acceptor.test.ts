/**
 * serve's bearer acceptor against tokens from the loopback authority (real RS256/ES256 signatures,
 * keys fetched over HTTPS through the issuer's OpenID metadata): what it accepts, every way a token
 * is refused, and how often it goes back for keys.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasicAcceptor, BasicBearerAcceptor, BearerAcceptor } from '../../../src/server/auth/index.js';
import type { AcceptResult, AuthConnection } from '../../../src/server/auth/types.js';
import { startFakeAuthority, type FakeAuthority } from '../../helpers/fake-authority.js';

const AUDIENCE = 'api://tsremote-unit';
const USER = 'Alice@Example.Test';
let authority: FakeAuthority;
let clock = Date.now();
const secure = (): AuthConnection => ({ secure: true, connection: {} });

beforeAll(async () => {
  authority = await startFakeAuthority({ audience: AUDIENCE, clients: [] });
});
afterAll(async () => {
  await authority?.close();
});

function acceptor(extra: Partial<ConstructorParameters<typeof BearerAcceptor>[0]> = {}): BearerAcceptor {
  return new BearerAcceptor({
    issuer: authority.issuer,
    audience: AUDIENCE,
    ca: authority.certPem,
    users: [{ username: USER, password: 'unused-password' }],
    allowUnencrypted: false,
    now: () => clock,
    ...extra,
  });
}

const nowSec = (): number => Math.floor(clock / 1000);
const token = (extra: Record<string, unknown> = {}, opts?: Parameters<FakeAuthority['sign']>[1]): string =>
  authority.sign(authority.claims({ upn: 'alice@example.test', iat: nowSec(), nbf: nowSec(), exp: nowSec() + 600, ...extra }), opts);
const reason = (r: AcceptResult): string => (r.kind === 'rejected' ? r.reason : `(${r.kind})`);

describe('BearerAcceptor accepts', () => {
  it('an RS256 token from the issuer for the audience, as the serve user its upn names', async () => {
    const r = await acceptor().accept('Bearer', token(), secure());
    expect(r).toMatchObject({ kind: 'accepted', username: USER });
  });

  it('an ES256 token (P-256, raw r||s signature)', async () => {
    const r = await acceptor().accept('Bearer', token({}, { alg: 'ES256' }), secure());
    expect(r).toMatchObject({ kind: 'accepted', username: USER });
  });

  it('a token expired 30 s ago (inside the 60 s clock-skew leeway), and aud given as an array', async () => {
    const r = await acceptor().accept('Bearer', token({ exp: nowSec() - 30, aud: ['other', AUDIENCE] }), secure());
    expect(r.kind).toBe('accepted');
  });

  it('an application token by its appid when it has no upn, or by the configured claim', async () => {
    const app = new BearerAcceptor({ issuer: authority.issuer, audience: AUDIENCE, ca: authority.certPem, users: [{ username: 'ci-app', password: 'x-unused' }], allowUnencrypted: false });
    const appToken = authority.sign(authority.claims({ appid: 'ci-app', sub: 'object-id-1' }));
    expect(await app.accept('Bearer', appToken, secure())).toMatchObject({ kind: 'accepted', username: 'ci-app' });
    const bySub = acceptor({ userClaim: 'sub', users: [{ username: 'object-id-1', password: 'x-unused' }] });
    expect(await bySub.accept('Bearer', appToken, secure())).toMatchObject({ kind: 'accepted', username: 'object-id-1' });
  });
});

describe('BearerAcceptor refuses', () => {
  const cases: [string, () => string, RegExp][] = [
    ['an expired token', () => token({ exp: nowSec() - 120 }), /token expired 120 s ago/],
    ['a token not valid yet (nbf)', () => token({ nbf: nowSec() + 300 }), /not valid yet/],
    ['a token without exp', () => token({ exp: undefined }), /no exp/],
    ['a token for another audience', () => token({ aud: 'api://somebody-else' }), /wrong audience "api:\/\/somebody-else"/],
    ['a token from another issuer', () => token({ iss: 'https://evil.example/tenant' }), /wrong issuer/],
    ['a token signed by another key under the issuer\'s kid', () => token({}, { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, kid: 'k1' }), /bad signature/],
    ['a token whose payload was changed after signing', () => tamper(token(), { upn: 'alice@example.test', aud: AUDIENCE, admin: true }), /bad signature/],
    ['alg none', () => token({}, { alg: 'none' }), /algorithm "none" not accepted/],
    ['HS256 keyed with the issuer\'s public key (key confusion)', () => hs256WithPublicKey(), /algorithm "HS256" not accepted/],
    ['something that is not a JWT', () => 'not-a-jwt', /not a JWT/],
    ['a token for a user serve does not have', () => token({ upn: 'mallory@example.test' }), /for 'mallory@example\.test', who is not a serve user/],
    ['a token with no user claim', () => authority.sign(authority.claims({ exp: nowSec() + 600 })), /no upn\/preferred_username\/appid\/azp\/sub claim/],
  ];
  for (const [name, make, why] of cases) {
    it(name, async () => {
      const r = await acceptor().accept('Bearer', make(), secure());
      expect(reason(r)).toMatch(why);
    });
  }

  it('every token on plain HTTP unless allowUnencrypted, and is not offered there', async () => {
    const plain: AuthConnection = { secure: false, connection: {} };
    expect(acceptor().offered(plain)).toBe(false);
    expect(reason(await acceptor().accept('Bearer', token(), plain))).toMatch(/plain HTTP/);
    expect(acceptor({ allowUnencrypted: true }).offered(plain)).toBe(true);
  });

  it('with error="invalid_token" in the next challenge of that connection only', async () => {
    const a = acceptor();
    const conn = secure();
    expect(a.challenges(conn)).toEqual(['Bearer realm="WSMAN"']);
    await a.accept('Bearer', token({ exp: nowSec() - 3600 }), conn);
    expect(a.challenges(conn)).toEqual(['Bearer realm="WSMAN", error="invalid_token"']);
    expect(a.challenges(conn)).toEqual(['Bearer realm="WSMAN"']);
  });
});

describe('BearerAcceptor keys', () => {
  it('loads them once, refetches for an unknown kid at most once a minute', async () => {
    const a = acceptor();
    const start = authority.jwksRequests;
    expect((await a.accept('Bearer', token(), secure())).kind).toBe('accepted');
    expect((await a.accept('Bearer', token(), secure())).kind).toBe('accepted');
    expect(authority.jwksRequests).toBe(start + 1);

    clock += 1_000;
    const unknown = (): string => token({}, { kid: 'rotated-away' });
    expect(reason(await a.accept('Bearer', unknown(), secure()))).toMatch(/unknown key id 'rotated-away'/);
    expect(authority.jwksRequests).toBe(start + 1); // loaded 1 s ago: too soon
    clock += 60_000;
    expect(reason(await a.accept('Bearer', unknown(), secure()))).toMatch(/unknown key id/);
    expect(authority.jwksRequests).toBe(start + 2);
    expect(reason(await a.accept('Bearer', unknown(), secure()))).toMatch(/unknown key id/);
    expect(authority.jwksRequests).toBe(start + 2);
  });

  it('from a JWK set URL given directly, and reports an issuer it cannot reach', async () => {
    const direct = acceptor({ jwks: `${authority.issuer}/discovery/v2.0/keys` });
    expect((await direct.accept('Bearer', token(), secure())).kind).toBe('accepted');
    const unreachable = acceptor({ issuer: 'https://127.0.0.1:1/nobody' });
    expect(reason(await unreachable.accept('Bearer', token({ iss: 'https://127.0.0.1:1/nobody' }), secure()))).toMatch(/cannot load the issuer's keys/);
  });
});

describe('BasicBearerAcceptor (Basic user:Bearer <token>, the Exchange Online form)', () => {
  const basicOf = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const users = [{ username: USER, password: 'the-basic-password' }];

  it('accepts a token for the Basic user, refuses one for somebody else, and passes plain Basic on', async () => {
    const combined = new BasicBearerAcceptor(acceptor(), new BasicAcceptor(users, false));
    expect(await combined.accept('Basic', basicOf(`alice@example.test:Bearer ${token()}`), secure())).toMatchObject({ kind: 'accepted', username: USER });
    expect(reason(await combined.accept('Basic', basicOf(`bob@example.test:Bearer ${token()}`), secure()))).toMatch(/is not the token's user/);
    expect(reason(await combined.accept('Basic', basicOf(`alice@example.test:Bearer ${token({ aud: 'x' })}`), secure()))).toMatch(/wrong audience/);
    expect(await combined.accept('Basic', basicOf(`${USER}:the-basic-password`), secure())).toMatchObject({ kind: 'accepted', username: USER });
  });

  it('refuses plain Basic when serve does not offer Basic', async () => {
    const oauthOnly = new BasicBearerAcceptor(acceptor(), undefined);
    expect(reason(await oauthOnly.accept('Basic', basicOf(`${USER}:the-basic-password`), secure()))).toMatch(/Basic is not enabled/);
    expect(oauthOnly.challenges(secure())).toEqual([]);
  });
});

/** Replaces a signed token's payload, keeping its header and signature. */
function tamper(jwt: string, claims: Record<string, unknown>): string {
  const [h, , s] = jwt.split('.');
  const now = nowSec();
  const payload = Buffer.from(JSON.stringify({ iss: authority.issuer, iat: now, nbf: now, exp: now + 600, ...claims })).toString('base64url');
  return `${h}.${payload}.${s}`;
}

/** An HS256 token whose HMAC key is the issuer's RSA public key, as a confused verifier would use it. */
function hs256WithPublicKey(): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'k1' })).toString('base64url');
  const now = nowSec();
  const payload = Buffer.from(JSON.stringify({ iss: authority.issuer, aud: AUDIENCE, upn: 'alice@example.test', exp: now + 600 })).toString('base64url');
  const sig = createHmac('sha256', authority.certPem).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}
