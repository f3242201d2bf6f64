import { describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/credential.js';
import { NtlmClientContext } from '../../src/auth/ntlm/index.js';
import { Authenticator, BasicAcceptor, NtlmAcceptor, type Acceptor, type AuthConnection, type AuthOutcome } from '../../src/server/auth/index.js';
import { decide } from '../helpers/auth-outcome.js';
import { parseAuthList, parseCbt, parseListen, resolveOptions } from '../../src/server/options.js';
import { TsrError } from '../../src/errors.js';

const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const tls = { secure: true, connection: {} };
const plain = { secure: false, connection: {} };
const HTTPS_BASIC = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic';
const HTTP_BASIC = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic';

function authenticate(acceptors: Acceptor[], header: string | undefined, conn: AuthConnection): AuthOutcome {
  return decide(new Authenticator(acceptors), header, conn);
}

describe('BasicAcceptor', () => {
  const acceptors = [new BasicAcceptor([{ username: 'Vagrant', password: 'p:ss wörd' }], false)];

  it('accepts the right password and reports the configured spelling of the user', () => {
    expect(authenticate(acceptors, basic('vagrant', 'p:ss wörd'), tls)).toEqual({ ok: true, username: 'Vagrant', profile: HTTPS_BASIC });
    expect(authenticate(acceptors, basic('.\\VAGRANT', 'p:ss wörd'), tls)).toEqual({ ok: true, username: 'Vagrant', profile: HTTPS_BASIC });
  });

  it('rejects a wrong password, an unknown user and a missing header, offering Basic', () => {
    const outcomes = [basic('vagrant', 'nope'), basic('other', 'p:ss wörd'), undefined, 'Basic !!!'].map((h) => authenticate(acceptors, h, tls));
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, false, false]);
    for (const o of outcomes) if (!o.ok) expect(o.challenges).toEqual(['Basic realm="WSMAN"']);
  });

  it('never puts the password in the rejection reason', () => {
    const o = authenticate(acceptors, basic('vagrant', 'secret-guess-123'), tls);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.reason).not.toContain('secret-guess-123');
  });

  it('refuses Basic over plain HTTP without allowUnencrypted and does not offer it', () => {
    const o = authenticate(acceptors, basic('vagrant', 'p:ss wörd'), plain);
    expect(o).toMatchObject({ ok: false, challenges: [] });
  });

  it('accepts Basic over plain HTTP with allowUnencrypted', () => {
    const open = [new BasicAcceptor([{ username: 'u', password: 'p' }], true)];
    expect(authenticate(open, basic('u', 'p'), plain)).toEqual({ ok: true, username: 'u', profile: HTTP_BASIC });
  });

  it('rejects an unsupported scheme while still offering Basic', () => {
    expect(authenticate(acceptors, 'Negotiate TlRMTVNTUAAB', tls)).toMatchObject({ ok: false, challenges: ['Basic realm="WSMAN"'] });
  });

  it('does not log a connection on: the next request without a header gets 401', () => {
    const gate = new Authenticator(acceptors);
    const conn = { secure: true, connection: {} };
    expect(decide(gate, basic('vagrant', 'p:ss wörd'), conn).ok).toBe(true);
    expect(decide(gate, undefined, conn)).toEqual({ ok: false, challenges: ['Basic realm="WSMAN"'], reason: 'no credentials' });
  });
});

describe('serve options', () => {
  it('parses host:port, port ranges and bracketed IPv6', () => {
    expect(parseListen('127.0.0.1:5985')).toEqual([{ host: '127.0.0.1', port: 5985 }]);
    expect(parseListen('[::1]:0')).toEqual([{ host: '::1', port: 0 }]);
    expect(parseListen('localhost:7000-7002').map((a) => a.port)).toEqual([7000, 7001, 7002]);
  });

  it('rejects malformed addresses and reversed ranges', () => {
    for (const bad of ['5985', '::1:5985', 'h:9-3', 'h:70000', 'h:0-5']) expect(() => parseListen(bad)).toThrow(TsrError);
  });

  it('refuses to start without users, naming TSREMOTE_SERVE_PASSWORD', () => {
    expect.assertions(2);
    try {
      resolveOptions({ users: [] });
    } catch (err) {
      expect((err as TsrError).code).toBe('ETSR_SERVER');
      expect((err as TsrError).hint).toContain('TSREMOTE_SERVE_PASSWORD');
    }
  });

  it('fills in the WinRM service defaults', () => {
    const o = resolveOptions({ users: [{ username: 'u', password: 'p' }] });
    expect([o.listen, o.maxShellsPerUser, o.maxEnvelopeSize, o.defaultOperationTimeoutMs, o.idleTimeoutMs, o.posixShell]).toEqual([
      [{ host: '127.0.0.1', port: 5985 }], 30, 512000, 60000, 7200000, '/bin/sh',
    ]);
    expect([[...o.auth], o.cbt, o.clientCa]).toEqual([['basic', 'ntlm'], 'relaxed', undefined]);
  });

  it('parses --auth (negotiate is ntlm) and --cbt, refusing unknown names', () => {
    expect(parseAuthList(' Basic,negotiate ,certificate')).toEqual(['basic', 'negotiate', 'certificate']);
    expect([...resolveOptions({ users: [{ username: 'u', password: 'p' }], auth: ['negotiate', 'ntlm'] }).auth]).toEqual(['ntlm']);
    expect(parseCbt('STRICT')).toBe('strict');
    expect(() => parseAuthList('basic,digest')).toThrow(/unknown auth mechanism 'digest'/);
    // With a keytab, negotiate is NTLM + Kerberos; kerberos without one is refused.
    expect([...resolveOptions({ users: [{ username: 'u', password: 'p' }], auth: ['negotiate'], keytab: 'kt' }).auth]).toEqual(['ntlm', 'kerberos']);
    expect(() => resolveOptions({ users: [{ username: 'u', password: 'p' }], auth: ['kerberos'] })).toThrow(/kerberos authentication needs a keytab/);
    expect(() => parseAuthList(',')).toThrow(/at least one/);
    expect(() => parseCbt('loose')).toThrow(/unknown --cbt level 'loose'/);
  });

  it('adds certificate auth with a client CA, and refuses it without HTTPS or a CA', () => {
    const users = [{ username: 'u', password: 'p' }];
    expect([...resolveOptions({ users, https: true, clientCa: 'ca.pem' }).auth]).toEqual(['basic', 'ntlm', 'certificate']);
    expect(() => resolveOptions({ users, https: true, auth: ['certificate'] })).toThrow(/needs HTTPS and a client CA/);
    expect(() => resolveOptions({ users, clientCa: 'ca.pem' })).toThrow(/needs HTTPS and a client CA/);
    expect(() => resolveOptions({ users, auth: ['basic'], clientCa: 'ca.pem' })).toThrow(/--client-ca needs --https/);
  });
});

describe('NtlmAcceptor through the Authenticator', () => {
  const users = [{ username: 'vagrant', password: 'pw' }];
  const b64 = (t: Uint8Array): string => Buffer.from(t).toString('base64');

  function handshake(gate: Authenticator, conn: AuthConnection, client: NtlmClientContext): ReturnType<Authenticator['authenticate']> {
    const first = decide(gate, `${client.scheme} ${b64(client.step())}`, conn);
    if (first.ok || first.continued !== true) throw new Error(`expected a challenge, got ${JSON.stringify(first)}`);
    const token = Buffer.from((first.challenges[0] ?? '').split(' ')[1] ?? '', 'base64');
    return decide(gate, `${client.scheme} ${b64(client.step(token))}`, conn);
  }

  it('logs the connection on; a new NEGOTIATE on it logs it off until it completes', () => {
    const gate = new Authenticator([new NtlmAcceptor({ users, cbt: 'relaxed' }), new BasicAcceptor(users, false)]);
    const conn = { secure: false, connection: {} };
    expect(handshake(gate, conn, new NtlmClientContext(new Credential('.\\VAGRANT', 'pw')))).toMatchObject({ ok: true, username: 'vagrant' });
    expect(decide(gate, undefined, conn)).toMatchObject({ ok: true, username: 'vagrant', profile: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos' });
    expect(decide(gate, undefined, { secure: false, connection: {} })).toEqual({ ok: false, challenges: ['Negotiate', 'NTLM'], reason: 'no credentials' });
    decide(gate, `NTLM ${b64(new NtlmClientContext(new Credential('vagrant', 'pw')).step())}`, conn);
    expect(decide(gate, undefined, conn).ok).toBe(false);
  });

  it('refuses an AUTHENTICATE without NEGOTIATE, SPNEGO tokens, other domains and NTLM from a stranger', () => {
    const gate = new Authenticator([new NtlmAcceptor({ users, cbt: 'relaxed' })]);
    const conn = { secure: false, connection: {} };
    const fake = Buffer.from('TlRMTVNTUAADAAAA', 'base64');
    expect(decide(gate, `Negotiate ${fake.toString('base64')}`, conn)).toMatchObject({ ok: false, reason: 'unexpected NTLM message 3 (no NEGOTIATE on this connection)' });
    expect(decide(gate, 'Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag', conn)).toMatchObject({ ok: false, reason: 'Negotiate token is not raw NTLM (SPNEGO/Kerberos is not supported without --keytab)' });
    expect(handshake(gate, conn, new NtlmClientContext(new Credential('CORP\\vagrant', 'pw')))).toMatchObject({ ok: false, reason: 'NTLM: unknown user CORP\\vagrant' });
  });
});
