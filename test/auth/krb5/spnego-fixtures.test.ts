/**
 * SPNEGO and Kerberos framing against recorded tokens (pyspnego's test data in
 * ../shared/fixtures/pyspnego, from a DOMAIN.LOCAL test domain): the NegTokenInit with a real AP-REQ (decoded, not
 * decrypted: we do not have the domain's keys), a NegTokenInit2 with negHints, and a NegTokenResp
 * carrying an AP-REP. Our own NegTokenResp is read back by the same decoder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeKrb5Token, KRB5_OID, TOK_AP_REP, TOK_AP_REQ } from '../../../src/auth/krb5/gss.js';
import { decodeApReq, principalText } from '../../../src/auth/krb5/messages.js';
import { decodeNegTokenInit, decodeNegTokenResp, encodeNegTokenResp, isSpnegoInit, NEG_STATE, NTLM_OID } from '../../../src/auth/krb5/spnego.js';
import { KerberosAcceptor } from '../../../src/server/auth/kerberos.js';
import * as der from '../../../src/auth/der.js';
import { describeFixtures } from '../../helpers/fixtures.js';

describeFixtures('SPNEGO tokens recorded from Windows (pyspnego fixtures)', (dir) => {
  const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, 'pyspnego/tests/data', name)));

  it('reads the NegTokenInit and the AP-REQ inside it', () => {
    const token = read('initial_context_token_neg_token_init');
    expect(isSpnegoInit(token)).toBe(true);
    const init = decodeNegTokenInit(token);
    expect(init.mechTypes).toEqual([KRB5_OID, NTLM_OID]);
    expect(init.mechToken).toBeDefined();
    const apReq = decodeApReq(decodeKrb5Token(init.mechToken as Uint8Array, TOK_AP_REQ));
    expect(apReq.ticket.realm).toBe('DOMAIN.LOCAL');
    expect(principalText(apReq.ticket.sname)).toBe('host/dc01');
    expect(apReq.ticket.encPart.etype).toBe(18);
    expect(apReq.authenticator.etype).toBe(18);
    expect(apReq.mutualRequired).toBe(true);
  });

  it('refuses that AP-REQ cleanly: no key for host/dc01', () => {
    const acc = new KerberosAcceptor({ keytab: [], users: [{ username: 'x', password: 'y' }] });
    const r = acc.accept('Negotiate', Buffer.from(read('initial_context_token_neg_token_init')).toString('base64'), { secure: false, connection: {} });
    expect(r).toEqual({ kind: 'rejected', reason: 'Kerberos: ticket is for host/dc01@DOMAIN.LOCAL: serve accepts HTTP/ and WSMAN/ principals (choose another with --spn)' });
    const spn = new KerberosAcceptor({ keytab: [], spn: 'host/dc01', users: [{ username: 'x', password: 'y' }] });
    const r2 = spn.accept('Negotiate', Buffer.from(read('initial_context_token_neg_token_init')).toString('base64'), { secure: false, connection: {} });
    expect(r2).toEqual({ kind: 'rejected', reason: 'Kerberos: the keytab has no key for host/dc01@DOMAIN.LOCAL' });
  });

  it('reads a NegTokenInit2 (negHints, no mechToken)', () => {
    const init = decodeNegTokenInit(read('initial_context_token_neg_token_init2'));
    expect(init.mechTypes[0]).toBe('1.3.6.1.4.1.311.2.2.30');
    expect(init.mechTypes).toContain(KRB5_OID);
    expect(init.mechToken).toBeUndefined();
    expect(init.mechListMic).toBeUndefined();
  });

  it('reads a NegTokenResp with an AP-REP, and writes one the same decoder reads', () => {
    const resp = decodeNegTokenResp(read('neg_token_resp'));
    expect(resp.negState).toBe(NEG_STATE.ACCEPT_COMPLETED);
    // Accept-completed with Kerberos and no mechListMIC: what serve answers too.
    expect(resp.supportedMech).toBe(KRB5_OID);
    expect(resp.mechListMic).toBeUndefined();
    const apRep = decodeKrb5Token(resp.responseToken as Uint8Array, TOK_AP_REP);
    expect(apRep[0]).toBe(0x6f); // [APPLICATION 15]
    const ours = decodeNegTokenResp(encodeNegTokenResp({ negState: NEG_STATE.ACCEPT_COMPLETED, supportedMech: KRB5_OID, responseToken: resp.responseToken as Uint8Array }));
    expect({ ...ours, responseToken: Buffer.from(ours.responseToken as Uint8Array).toString('hex') }).toEqual({
      negState: 0,
      supportedMech: KRB5_OID,
      responseToken: Buffer.from(resp.responseToken as Uint8Array).toString('hex'),
      mechListMic: undefined,
    });
  });
});

describe('SPNEGO proposals serve refuses', () => {
  it('refuses SPNEGO that proposes NTLM (first, or alone) with a reason, and raw NTLM without an NTLM acceptor', () => {
    const ntlmToken = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), Buffer.from([1, 0, 0, 0])]);
    const init = (mechs: string[]): string =>
      Buffer.from(
        der.tlv(0x60, der.oid('1.3.6.1.5.5.2'), der.field(0, der.sequence(der.field(0, der.sequence(...mechs.map((m) => der.oid(m)))), der.field(2, der.octets(ntlmToken))))),
      ).toString('base64');
    const acc = new KerberosAcceptor({ keytab: [], users: [{ username: 'x', password: 'y' }] });
    const conn = { secure: false, connection: {} };
    expect(acc.accepts('Negotiate', init([NTLM_OID]))).toBe(true);
    expect(acc.accept('Negotiate', init([NTLM_OID]), conn)).toEqual({
      kind: 'rejected',
      reason: 'SPNEGO proposes NTLM first: serve takes Kerberos as the first SPNEGO mechanism, and NTLM as raw NTLMSSP tokens',
    });
    expect(acc.accept('Negotiate', init([NTLM_OID, KRB5_OID]), conn)).toMatchObject({ reason: expect.stringContaining('NTLM first (Kerberos later)') });
    expect(acc.accept('Negotiate', ntlmToken.toString('base64'), conn)).toEqual({ kind: 'rejected', reason: 'Negotiate token is raw NTLM, and NTLM is not enabled (--auth)' });
  });
});
