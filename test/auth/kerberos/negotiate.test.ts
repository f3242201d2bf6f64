/**
 * Negotiate's choice between Kerberos and NTLM (sans-IO), the fallback of a NegotiateClientContext
 * driven by a GSSAPI binding that fails the way MIT does, the missing-package error, and the small
 * parsers of the client (SPNEGO NegTokenResp, FILE ccache, KRB5CCNAME).
 */
import { describe, expect, it } from 'vitest';
import { AuthError, Credential, createAuthContext } from '../../../src/auth/index.js';
import {
  type GssBinding, type GssClient, KerberosClientContext, KerberosError, classifyKerberosFailure, importBinding, parseCcache,
} from '../../../src/auth/kerberos/index.js';
import { NegotiateClientContext, chooseNegotiate, principalOf, realmOf } from '../../../src/auth/negotiate.js';
import { NtlmClientContext } from '../../../src/auth/ntlm/index.js';
import { ticketCacheFiles } from '../../../src/transport/kerberos-ccache.js';

/** A binding whose client fails at the first step with MIT's text for `message`. */
function failingBinding(message: string): GssBinding & { inits: string[] } {
  const inits: string[] = [];
  const client: GssClient = {
    contextComplete: false,
    step: () => Promise.reject(new Error(`Unspecified GSS failure.  Minor code may provide more information: ${message}`)),
  };
  return {
    inits,
    initializeClient: async (service) => {
      inits.push(service);
      return client;
    },
    GSS_C_DELEG_FLAG: 1, GSS_C_MUTUAL_FLAG: 2, GSS_C_REPLAY_FLAG: 4, GSS_C_SEQUENCE_FLAG: 8, GSS_C_CONF_FLAG: 16, GSS_C_INTEG_FLAG: 32, GSS_MECH_OID_KRB5: 9,
  };
}

const credential = new Credential('alice@CORP.EXAMPLE', 'pw');
const ntlm = (): NtlmClientContext => new NtlmClientContext(credential, { scheme: 'Negotiate' });
const NTLMSSP = Buffer.from('NTLMSSP\0');

describe('chooseNegotiate', () => {
  const base = { bindingInstalled: true, ticket: false, password: true };
  it('stays NTLM without the package, for DOMAIN\\user and bare names, and without ticket or password', () => {
    expect(chooseNegotiate({ ...base, bindingInstalled: false, ticket: true, username: 'a@R' })).toMatchObject({ mechanism: 'ntlm', why: expect.stringContaining('not installed') });
    expect(chooseNegotiate({ ...base, ticket: true, username: 'CORP\\alice' })).toMatchObject({ mechanism: 'ntlm' });
    expect(chooseNegotiate({ ...base, ticket: true, username: 'alice' })).toMatchObject({ mechanism: 'ntlm', why: expect.stringContaining('no Kerberos realm') });
    expect(chooseNegotiate({ ...base, password: false, username: undefined })).toMatchObject({ mechanism: 'ntlm' });
  });
  it('takes Kerberos with a cached TGT, or with a password and a realm (kinit)', () => {
    expect(chooseNegotiate({ ...base, ticket: true, password: false, username: undefined })).toEqual(expect.objectContaining({ mechanism: 'kerberos', kinit: false }));
    expect(chooseNegotiate({ ...base, username: 'alice@corp.example' })).toEqual(expect.objectContaining({ mechanism: 'kerberos', kinit: true }));
  });
  it('spells principals with the realm in capitals and refuses DOMAIN\\user', () => {
    expect(principalOf('alice@corp.example')).toBe('alice@CORP.EXAMPLE');
    expect(principalOf('alice')).toBe('alice');
    expect(principalOf('CORP\\alice')).toBeUndefined();
    expect(realmOf('alice@')).toBeUndefined();
  });
});

describe('NegotiateClientContext', () => {
  it('falls back to NTLM before sending anything when the KDC knows no such SPN, and remembers it for the endpoint', async () => {
    const binding = failingBinding('Server not found in Kerberos database');
    const why: string[] = [];
    const memo: { kerberosFailed?: string } = {};
    const make = (): NegotiateClientContext =>
      new NegotiateClientContext({
        kerberos: { spn: { service: 'HTTP', hostname: 'web1.corp.example' }, loadBinding: async () => binding },
        ntlm,
        onFallback: (w) => why.push(w),
        memo,
      });
    const first = make();
    const token = await first.step();
    expect(Buffer.from(token ?? []).subarray(0, 8)).toEqual(NTLMSSP);
    expect(first.mechanism).toBe('ntlm');
    expect(first.scheme).toBe('Negotiate');
    expect(why).toEqual([expect.stringContaining('HTTP/web1.corp.example')]);
    // The next connection of the endpoint goes straight to NTLM: GSSAPI is not asked again.
    const second = make();
    expect(Buffer.from((await second.step()) ?? []).subarray(0, 8)).toEqual(NTLMSSP);
    expect(binding.inits).toEqual(['HTTP@web1.corp.example']);
  });

  it('does not fall back on other failures, or without a password', async () => {
    const skew = new NegotiateClientContext({ kerberos: { spn: { service: 'HTTP', hostname: 'h' }, loadBinding: async () => failingBinding('Clock skew too great') }, ntlm });
    await expect(skew.step()).rejects.toMatchObject({ kind: 'clock-skew' });
    const noPassword = new NegotiateClientContext({ kerberos: { spn: { service: 'HTTP', hostname: 'h' }, loadBinding: async () => failingBinding('Server not found in Kerberos database') } });
    await expect(noPassword.step()).rejects.toBeInstanceOf(KerberosError);
  });

  it('falls back when the kerberos package cannot be loaded', async () => {
    const ctx = new NegotiateClientContext({ kerberos: { spn: { service: 'HTTP', hostname: 'h' }, loadBinding: () => importBinding('tsremote-no-such-gss-binding') }, ntlm });
    expect(Buffer.from((await ctx.step()) ?? []).subarray(0, 8)).toEqual(NTLMSSP);
  });

  it('is what createAuthContext gives for negotiate only when Kerberos was chosen; NTLM otherwise', () => {
    expect(createAuthContext('negotiate', credential, 'web1', { targetName: 'HTTP/web1' })).toBeInstanceOf(NtlmClientContext);
    expect(createAuthContext('negotiate', credential, 'web1', { targetName: 'HTTP/web1', kerberos: { negotiateKerberos: true } })).toBeInstanceOf(NegotiateClientContext);
    const k = createAuthContext('kerberos', undefined, 'web1', { targetName: 'HTTP/web1', kerberos: { spnService: 'WSMAN', scheme: 'Kerberos' } });
    expect(k).toMatchObject({ scheme: 'Kerberos', encryptionProtocol: 'application/HTTP-Kerberos-session-encrypted', spn: { service: 'WSMAN', hostname: 'web1' } });
    expect(createAuthContext('kerberos', undefined, 'web1', { targetName: 'HTTP/web1' })).toMatchObject({ scheme: 'Negotiate', encryptionProtocol: 'application/HTTP-SPNEGO-session-encrypted' });
  });
});

describe('the kerberos package, absent', () => {
  it('is a typed error saying how to install it', async () => {
    const err = await importBinding('tsremote-no-such-gss-binding').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'ETSR_AUTH_UNSUPPORTED', message: expect.stringContaining('not installed') });
    expect((err as AuthError).hint).toMatch(/npm install kerberos/);
  });
});

describe('classifyKerberosFailure', () => {
  it('reads MIT messages', () => {
    expect(classifyKerberosFailure('Server HTTP/x@R not found in Kerberos database')).toBe('unknown-server');
    expect(classifyKerberosFailure("No Kerberos credentials available (default cache: FILE:/tmp/krb5cc_0)")).toBe('no-credentials');
    expect(classifyKerberosFailure("Client 'bob@R' not found in Kerberos database")).toBe('unknown-client');
    expect(classifyKerberosFailure('Cannot find KDC for realm "R"')).toBe('kdc-unreachable');
    expect(classifyKerberosFailure('Clock skew too great')).toBe('clock-skew');
    expect(classifyKerberosFailure('Decrypt integrity check failed')).toBe('other');
  });
});

describe('KerberosClientContext reading the server\'s answer', () => {
  /** A context whose AP-REQ step succeeded and whose AP-REP step would accept anything (or fail with `fail`). */
  async function started(seen: string[], fail?: string): Promise<KerberosClientContext> {
    let complete = false;
    const client: GssClient = {
      get contextComplete() {
        return complete;
      },
      step: async (challenge) => {
        if (challenge !== '' && fail !== undefined) throw new Error(`Unspecified GSS failure.  Minor code may provide more information: ${fail}`);
        if (challenge !== '') {
          seen.push(Buffer.from(challenge, 'base64').toString('hex'));
          complete = true;
        }
        return challenge === '' ? Buffer.from('6082').toString('base64') : null;
      },
    };
    const binding = { ...failingBinding('unused'), initializeClient: async () => client };
    const ctx = new KerberosClientContext({ spn: { service: 'HTTP', hostname: 'h' }, loadBinding: async () => binding });
    await ctx.step();
    return ctx;
  }

  it('hands GSSAPI the AP-REP from inside a SPNEGO accept-completed answer, and a raw one as it is', async () => {
    const seen: string[] = [];
    const apRep = Buffer.from('6f0a0102030405060708090a', 'hex');
    // a1 LL 30 LL  a0 03 0a 01 00  a2 LL 04 LL <token>
    const inner = Buffer.concat([Buffer.from('a0030a0100', 'hex'), Buffer.from([0xa2, apRep.length + 2, 0x04, apRep.length]), apRep]);
    const seq = Buffer.concat([Buffer.from([0x30, inner.length]), inner]);
    const wrapped = await started(seen);
    expect(await wrapped.step(Buffer.concat([Buffer.from([0xa1, seq.length]), seq]))).toBeNull();
    expect(wrapped.complete).toBe(true);
    const raw = await started(seen);
    await raw.step(apRep);
    expect(seen).toEqual([apRep.toString('hex'), apRep.toString('hex')]);
  });

  it('says the server refused the ticket when it answers with a KRB-ERROR, and that it did not prove itself otherwise', async () => {
    const krbError = Buffer.from('600f06092a864886f71201020203007e00', 'hex');
    const refused = await started([], 'Message stream modified');
    await expect(refused.step(krbError)).rejects.toThrow(/^the server refused the Kerberos ticket for HTTP\/h \(Message stream modified\)$/);
    const forged = await started([], 'Message stream modified');
    await expect(forged.step(Buffer.from('6f0a0102030405060708090a', 'hex'))).rejects.toThrow(/did not prove it is HTTP\/h/);
  });

  it('refuses a SPNEGO reject, an answer without an AP-REP, and malformed DER, without completing', async () => {
    const seen: string[] = [];
    for (const [hex, message] of [
      ['a1073005a0030a0102', /rejected the Kerberos token/],
      ['a1073005a0030a0100', /carries no AP-REP/],
      ['a1083005a0030a01', /malformed SPNEGO answer/],
    ] as const) {
      const ctx = await started(seen);
      await expect(ctx.step(Buffer.from(hex, 'hex'))).rejects.toThrow(message);
      expect(ctx.complete).toBe(false);
    }
    expect(seen).toEqual([]);
  });
});

describe('parseCcache', () => {
  const data = (b: Buffer | string): Buffer => {
    const v = typeof b === 'string' ? Buffer.from(b) : b;
    const n = Buffer.alloc(4);
    n.writeUInt32BE(v.length);
    return Buffer.concat([n, v]);
  };
  const u32 = (x: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(x); return b; };
  const u16 = (x: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(x); return b; };
  const principal = (realm: string, ...names: string[]): Buffer => Buffer.concat([u32(1), u32(names.length), data(realm), ...names.map((n) => data(n))]);

  it('reads a version 4 cache: default principal, and each credential with its key and ticket', () => {
    const key = Buffer.alloc(32, 7);
    const ticket = Buffer.from('61820100deadbeef', 'hex');
    const cred = Buffer.concat([
      principal('R', 'alice'), principal('R', 'HTTP', 'web1'), u16(18), data(key),
      u32(1), u32(1), u32(2_000_000_000), u32(0), Buffer.from([0]), u32(0), u32(0), u32(0), data(ticket), data(Buffer.alloc(0)),
    ]);
    const file = Buffer.concat([u16(0x0504), u16(12), Buffer.alloc(12), principal('R', 'alice'), cred]);
    expect(parseCcache(file)).toEqual({
      defaultPrincipal: 'alice@R',
      credentials: [{ client: 'alice@R', server: 'HTTP/web1@R', key: { enctype: 18, value: key }, endtime: 2_000_000_000, ticket }],
    });
    expect(() => parseCcache(file.subarray(0, file.length - 3))).toThrow(/truncated/);
    expect(() => parseCcache(Buffer.from('0502', 'hex'))).toThrow(/version/);
  });
});

describe('ticketCacheFiles', () => {
  it('follows KRB5CCNAME as MIT does', async () => {
    expect(await ticketCacheFiles(undefined, 1000)).toEqual(['/tmp/krb5cc_1000']);
    expect(await ticketCacheFiles('FILE:/x/cc')).toEqual(['/x/cc']);
    expect(await ticketCacheFiles('/x/cc')).toEqual(['/x/cc']);
    expect(await ticketCacheFiles('DIR::/x/dir/tkt1')).toEqual(['/x/dir/tkt1']);
    expect(await ticketCacheFiles('KCM:1000')).toEqual([]);
    expect(await ticketCacheFiles('KEYRING:persistent:1000')).toEqual([]);
  });
});
