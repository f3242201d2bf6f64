/**
 * SPNEGO (RFC 4178) as an acceptor sees it: the client's first token and our answer.
 *
 * ```
 *   initial:  0x60 len | OID 1.3.6.1.5.5.2 | [0] NegTokenInit
 *   NegTokenInit ::= SEQUENCE { mechTypes[0] SEQUENCE OF OID, reqFlags[1]?, mechToken[2] OCTET STRING?, mechListMIC[3]? }
 *   answer:   [1] NegTokenResp
 *   NegTokenResp ::= SEQUENCE { negState[0] ENUMERATED?, supportedMech[1] OID?, responseToken[2]?, mechListMIC[3]? }
 * ```
 * Kerberos is accepted only as the client's first (optimistic) mechanism, with its token in
 * mechToken: then RFC 4178 section 5 requires no mechListMIC exchange, and MIT's and Windows'
 * initiators complete on `accept-completed` with the AP-REP (MIT checks a MIC only when the acceptor
 * sends one or picked a mechanism other than the first).
 */
import * as der from '../der.js';

export const SPNEGO_OID = '1.3.6.1.5.5.2';
export const NTLM_OID = '1.3.6.1.4.1.311.2.2.10';

export const NEG_STATE = { ACCEPT_COMPLETED: 0, ACCEPT_INCOMPLETE: 1, REJECT: 2, REQUEST_MIC: 3 } as const;

export interface NegTokenInit {
  mechTypes: string[];
  /** The DER of the mechTypes SEQUENCE (what a mechListMIC is computed over). */
  mechTypesDer: Uint8Array;
  mechToken: Uint8Array | undefined;
  mechListMic: Uint8Array | undefined;
}

export interface NegTokenResp {
  negState: number | undefined;
  supportedMech: string | undefined;
  responseToken: Uint8Array | undefined;
  mechListMic: Uint8Array | undefined;
}

/** True for a GSS InitialContextToken whose mechanism is SPNEGO. */
export function isSpnegoInit(token: Uint8Array): boolean {
  try {
    const outer = der.expectTlv(token, 0x60, 'token');
    return der.readOid(der.readTlv(outer.value).tlv, 'mech') === SPNEGO_OID;
  } catch {
    return false;
  }
}

/** Decodes the client's initial SPNEGO token. @throws DerError */
export function decodeNegTokenInit(token: Uint8Array): NegTokenInit {
  const outer = der.expectTlv(token, 0x60, 'SPNEGO InitialContextToken');
  const { tlv: oidTlv, next } = der.readTlv(outer.value);
  const mech = der.readOid(oidTlv, 'SPNEGO thisMech');
  if (mech !== SPNEGO_OID) throw new der.DerError(`mechanism ${mech} is not SPNEGO`);
  const choice = der.expectTlv(outer.value.subarray(next), der.ctx(0), 'NegotiationToken');
  const f = der.fields(der.expectTlv(choice.value, der.TAG.SEQUENCE, 'NegTokenInit'), 'NegTokenInit');
  const types = der.required(f, 0, 'NegTokenInit');
  if (types.tag !== der.TAG.SEQUENCE) throw new der.DerError('mechTypes is not a SEQUENCE');
  const token2 = f.get(2);
  const mic = f.get(3);
  return {
    mechTypes: der.children(types.value).map((t) => der.readOid(t, 'mechType')),
    mechTypesDer: types.raw,
    mechToken: token2 === undefined ? undefined : der.readOctets(token2, 'mechToken'),
    // Windows' NegTokenInit2 puts negHints at [3]; only an OCTET STRING is a MIC.
    mechListMic: mic !== undefined && mic.tag === der.TAG.OCTET_STRING ? mic.value : undefined,
  };
}

/** Decodes a NegTokenResp (`0xa1 …`, a client's later leg). @throws DerError */
export function decodeNegTokenResp(token: Uint8Array): NegTokenResp {
  const choice = der.expectTlv(token, der.ctx(1), 'NegotiationToken');
  const f = der.fields(der.expectTlv(choice.value, der.TAG.SEQUENCE, 'NegTokenResp'), 'NegTokenResp');
  const state = f.get(0);
  const mech = f.get(1);
  const resp = f.get(2);
  const mic = f.get(3);
  return {
    negState: state === undefined ? undefined : der.readInteger(state, 'negState'),
    supportedMech: mech === undefined ? undefined : der.readOid(mech, 'supportedMech'),
    responseToken: resp === undefined ? undefined : der.readOctets(resp, 'responseToken'),
    mechListMic: mic === undefined ? undefined : der.readOctets(mic, 'mechListMIC'),
  };
}

/** Builds our NegTokenResp. */
export function encodeNegTokenResp(resp: { negState: number; supportedMech?: string; responseToken?: Uint8Array; mechListMic?: Uint8Array }): Uint8Array {
  const members: Uint8Array[] = [der.field(0, der.enumerated(resp.negState))];
  if (resp.supportedMech !== undefined) members.push(der.field(1, der.oid(resp.supportedMech)));
  if (resp.responseToken !== undefined) members.push(der.field(2, der.octets(resp.responseToken)));
  if (resp.mechListMic !== undefined) members.push(der.field(3, der.octets(resp.mechListMic)));
  return der.tlv(der.ctx(1), der.sequence(...members));
}
