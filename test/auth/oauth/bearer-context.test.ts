/**
 * The client side of OAuth without any network: the bearer AuthContext (both wire forms, the
 * invalid_token renewal), the in-memory token source in front of msal, and the transport's auth
 * legs driving a renewal with a scripted server.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, BearerAuthContext, saysInvalidToken, type AccessToken, type TokenSource } from '../../../src/auth/index.js';
import { CachingTokenSource, RENEW_BEFORE_MS, type AcquiredToken } from '../../../src/oauth/index.js';
import { perRequestLegs, type Outgoing, type Sent } from '../../../src/transport/auth-legs.js';

/** A token source handing out tok1, tok2 … and recording what was invalidated. */
class CountingSource implements TokenSource {
  n = 0;
  invalidated: string[] = [];
  fromCache = false;
  async token(): Promise<AccessToken> {
    return { token: `tok${++this.n}`, fromCache: this.fromCache };
  }
  invalidate(token: string): void {
    this.invalidated.push(token);
  }
}
const text = (b: Uint8Array | null): string => Buffer.from(b ?? new Uint8Array()).toString('utf8');

describe('BearerAuthContext', () => {
  it('sends the token itself after Bearer, with every request, as a secret', async () => {
    const ctx = new BearerAuthContext(new CountingSource());
    expect([ctx.scheme, ctx.tokenEncoding, ctx.everyRequest, ctx.revealsSecret, ctx.encrypts, ctx.complete]).toEqual(['Bearer', 'text', true, true, false, false]);
    expect(text(await ctx.step())).toBe('tok1');
    expect(ctx.complete).toBe(true);
    expect(text(await ctx.step())).toBe('tok2');
  });

  it('--oauth-basic: Basic with user:Bearer <token>, base64-encoded by the transport', async () => {
    const ctx = new BearerAuthContext(new CountingSource(), { basicUser: 'admin@contoso.example' });
    expect([ctx.scheme, ctx.tokenEncoding]).toEqual(['Basic', 'base64']);
    expect(text(await ctx.step())).toBe('admin@contoso.example:Bearer tok1');
  });

  it('renews only after a Bearer challenge with error="invalid_token", dropping the token it sent', async () => {
    const source = new CountingSource();
    const ctx = new BearerAuthContext(source);
    expect(await ctx.renew('Bearer realm="WSMAN", error="invalid_token"')).toBe(false); // nothing sent yet
    await ctx.step();
    expect(await ctx.renew('Bearer realm="WSMAN"')).toBe(false);
    expect(await ctx.renew(['Negotiate', 'Bearer realm="WSMAN", error="invalid_token"'])).toBe(true);
    expect(source.invalidated).toEqual(['tok1']);
  });

  it('in the Basic form renews once for a cached token, never for a fresh one', async () => {
    const source = new CountingSource();
    const ctx = new BearerAuthContext(source, { basicUser: 'u' });
    await ctx.step();
    expect(await ctx.renew('Basic realm="x"')).toBe(false);
    source.fromCache = true;
    await ctx.step();
    expect(await ctx.renew('Basic realm="x"')).toBe(true);
    expect(source.invalidated).toEqual(['tok2']);
  });

  it('reads invalid_token in the forms servers write it', () => {
    expect(saysInvalidToken('Bearer error="invalid_token", error_description="expired"')).toBe(true);
    expect(saysInvalidToken('bearer realm="a",error=invalid_token')).toBe(true);
    expect(saysInvalidToken('Bearer error="insufficient_scope"')).toBe(false);
    expect(saysInvalidToken('Basic realm="invalid_token"')).toBe(false);
    expect(saysInvalidToken(undefined)).toBe(false);
  });
});

describe('CachingTokenSource', () => {
  const acquired = (token: string, inMs: number, now: number, fromCache = false): AcquiredToken => ({ token, expiresOn: new Date(now + inMs), fromCache });

  it('keeps a token until shortly before it expires, and shares one acquisition between callers', async () => {
    let now = 1_000_000;
    const calls: boolean[] = [];
    const source = new CachingTokenSource(async (skip) => {
      calls.push(skip);
      return acquired(`t${calls.length}`, 3_600_000, now, true);
    }, () => now);
    const [a, b] = await Promise.all([source.token(), source.token()]);
    expect([a, b]).toEqual([{ token: 't1', fromCache: true }, { token: 't1', fromCache: true }]);
    now += 3_600_000 - RENEW_BEFORE_MS - 1;
    expect((await source.token()).token).toBe('t1');
    now += 2;
    expect((await source.token()).token).toBe('t2');
    expect(calls).toEqual([false, false]);
  });

  it('after invalidate, asks past msal\'s cache once; a stale invalidate changes nothing', async () => {
    const calls: boolean[] = [];
    const source = new CachingTokenSource(async (skip) => {
      calls.push(skip);
      return acquired(`t${calls.length}`, 3_600_000, Date.now());
    });
    await source.token();
    source.invalidate('t1');
    expect((await source.token()).token).toBe('t2');
    source.invalidate('t1'); // another connection's late report about the old token
    expect((await source.token()).token).toBe('t2');
    expect(calls).toEqual([false, true]);
  });
});

describe('perRequestLegs with a bearer context', () => {
  const response = (status: number, wwwAuthenticate?: string): Sent => ({
    res: { status, headers: wwwAuthenticate === undefined ? {} : { 'www-authenticate': wwwAuthenticate }, body: Buffer.alloc(0) },
    sealed: false,
    started: 0,
  });

  it('sends once more with a fresh token after invalid_token, and gives up after a second 401', async () => {
    const source = new CountingSource();
    const sent: string[] = [];
    const script = [response(401, 'Bearer realm="WSMAN", error="invalid_token"'), response(200)];
    const send = async (out: Outgoing): Promise<Sent> => {
      sent.push(text(out.token));
      return script.shift() ?? response(500);
    };
    const ok = await perRequestLegs(new BearerAuthContext(source), Buffer.from('<x/>'), send, 'h', true);
    expect([ok.res.status, sent, source.invalidated]).toEqual([200, ['tok1', 'tok2'], ['tok1']]);

    const always401 = async (out: Outgoing): Promise<Sent> => {
      sent.push(text(out.token));
      return response(401, 'Bearer realm="WSMAN", error="invalid_token"');
    };
    sent.length = 0;
    const err = await perRequestLegs(new BearerAuthContext(source), Buffer.from('<x/>'), always401, 'h', true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('ETSR_AUTH_REJECTED');
    expect(sent).toEqual(['tok3', 'tok4']);
  });
});
