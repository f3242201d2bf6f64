/** createAuthContext: which context each --auth choice gets, and what it is told about the connection. */
import { describe, expect, it } from 'vitest';
import {
  AnonymousAuthContext, BasicAuthContext, CertificateAuthContext, Credential, WSMAN_MUTUAL_TLS, createAuthContext,
  type AuthError,
} from '../../src/auth/index.js';
import { NtlmClientContext } from '../../src/auth/ntlm/index.js';

const cred = new Credential('DOMAIN\\op', 'pw');

describe('createAuthContext', () => {
  it('maps each mechanism to its context and HTTP scheme', () => {
    const made = (['negotiate', 'ntlm', 'basic', 'certificate', 'none'] as const).map((m) => createAuthContext(m, cred));
    expect(made.map((c) => [c.constructor, c.scheme, c.encrypts, c.everyRequest])).toEqual([
      [NtlmClientContext, 'Negotiate', true, false],
      [NtlmClientContext, 'NTLM', true, false],
      [BasicAuthContext, 'Basic', false, true],
      [CertificateAuthContext, WSMAN_MUTUAL_TLS, false, true],
      [AnonymousAuthContext, 'Anonymous', false, false],
    ]);
  });

  it('needs a credential for NTLM, names the host, but not for certificates', () => {
    const errors = (['negotiate', 'ntlm'] as const).map((m) => {
      try {
        createAuthContext(m, undefined, 'web1');
      } catch (err) {
        return [(err as AuthError).code, (err as AuthError).host, (err as AuthError).message];
      }
      return 'no error';
    });
    expect(errors).toEqual([
      ['ETSR_CREDENTIALS', 'web1', 'Negotiate authentication needs a user name and password'],
      ['ETSR_CREDENTIALS', 'web1', 'NTLM authentication needs a user name and password'],
    ]);
    expect(createAuthContext('certificate', undefined).step()).toEqual(new Uint8Array(0));
  });

  it('reads the channel bindings when NTLM builds AUTHENTICATE, not before', () => {
    let reads = 0;
    const ctx = createAuthContext('negotiate', cred, 'web1', { channelBindings: () => (reads++, undefined) });
    void ctx.step();
    expect(reads).toBe(0);
  });
});
