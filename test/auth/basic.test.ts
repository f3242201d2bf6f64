import { describe, expect, it } from 'vitest';
import { AuthError, BasicAuthContext, Credential, createAuthContext } from '../../src/auth/index.js';

describe('BasicAuthContext', () => {
  it('steps once to the UTF-8 bytes of user:password (RFC 7617)', () => {
    const ctx = new BasicAuthContext(new Credential('DOMAIN\\jösé', 'pä:ss'));
    expect([ctx.scheme, ctx.complete, ctx.encrypts, ctx.revealsSecret, ctx.everyRequest]).toEqual([
      'Basic', false, false, true, true,
    ]);
    const token = ctx.step();
    expect(Buffer.from(token).toString('base64')).toBe(Buffer.from('DOMAIN\\jösé:pä:ss', 'utf8').toString('base64'));
    expect(Buffer.from(token).toString('base64')).toBe('RE9NQUlOXGrDtnPDqTpww6Q6c3M=');
    expect(ctx.complete).toBe(true);
  });

  it('is created by createAuthContext, which insists on a credential', () => {
    expect(createAuthContext('basic', new Credential('u', 'p')).scheme).toBe('Basic');
    let caught: unknown;
    try {
      createAuthContext('basic', undefined, 'web1');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AuthError);
    expect([(caught as AuthError).code, (caught as AuthError).host]).toEqual(['ETSR_CREDENTIALS', 'web1']);
  });
});
