/**
 * A Kerberos GSS-API acceptor (RFC 4120 3.2.3, RFC 4121 4.1) with keys from a keytab: one AP-REQ in,
 * a verdict and (for mutual authentication) an AP-REP out. Sans-IO: the caller passes the time.
 *
 * Checks, in order: the ticket is for a principal we hold a key for (the `spn`, or any `HTTP/` or
 * `WSMAN/` key matching its sname) with its kvno and enctype; it decrypts (usage 2) and is within
 * its start/end times; the authenticator decrypts with the session key (usage 11), names the same
 * client as the ticket, is within ±skew of now and was not seen before; it carries the GSS checksum
 * 0x8003, whose channel bindings match ours when we have any (HTTPS) and the client sent some.
 *
 * Session keys for the per-message tokens (RFC 4121 4.2.2): with mutual authentication we pick a
 * fresh acceptor subkey and sequence number and send them in the AP-REP; the context then uses
 * that subkey with the AcceptorSubkey flag. Without it, the initiator's subkey (or the session key).
 */
import { timingSafeEqual, randomInt } from 'node:crypto';
import { CfxSession } from './cfx.js';
import { KrbCryptoError, enctypeName, isSupportedEnctype, randomKey } from './crypto.js';
import { DerError } from '../der.js';
import { GSS_CHECKSUM_TYPE, GSS_FLAGS, TOK_AP_REP, TOK_AP_REQ, decodeGssChecksum, decodeKrb5Token, encodeKrb5Token } from './gss.js';
import { findKey, type KeytabEntry } from './keytab.js';
import { decodeApReq, decryptAuthenticator, decryptTicket, encodeApRep, principalText, type EncTicketPart } from './messages.js';
import type { ReplayCache } from './replay-cache.js';
import { channelBindingsHash } from '../channel-binding.js';

/** RFC 4120's customary clock skew. */
export const DEFAULT_SKEW_MS = 5 * 60 * 1000;

export interface Krb5AcceptorOptions {
  keytab: readonly KeytabEntry[];
  /** Accept tickets only for this principal (`HTTP/host` or `HTTP/host@REALM`). */
  spn?: string;
  replayCache: ReplayCache;
  skewMs?: number;
  /** tls-server-end-point application data on HTTPS; client bindings are checked against it. */
  channelBindings?: Uint8Array;
}

export type Krb5Verdict =
  | {
      kind: 'accepted';
      /** `user` of `user@REALM` (all components joined by `/`). */
      clientName: string;
      clientRealm: string;
      /** The krb5 mechanism token to send back (AP-REP), when the client asked for mutual authentication. */
      responseToken: Uint8Array | undefined;
      session: CfxSession;
      /** GSS flags the client asked for (0x8003 checksum). */
      flags: number;
      delegated: boolean;
      /** The service principal the ticket was for, `HTTP/host@REALM`. */
      service: string;
    }
  | { kind: 'rejected'; reason: string };

const ALLOWED_SERVICES = /^(HTTP|WSMAN)\//i;

/** Accepts one krb5 mechanism token (`60 … 01 00 AP-REQ`). Never throws: malformed input is a rejection. */
export function acceptKrb5(token: Uint8Array, options: Krb5AcceptorOptions, now: number): Krb5Verdict {
  try {
    return accept(token, options, now);
  } catch (err) {
    if (err instanceof DerError || err instanceof KrbCryptoError) return { kind: 'rejected', reason: err.message };
    throw err;
  }
}

function accept(token: Uint8Array, options: Krb5AcceptorOptions, now: number): Krb5Verdict {
  const reject = (reason: string): Krb5Verdict => ({ kind: 'rejected', reason });
  const skew = options.skewMs ?? DEFAULT_SKEW_MS;
  const apReq = decodeApReq(decodeKrb5Token(token, TOK_AP_REQ));
  const { ticket } = apReq;
  const sname = principalText(ticket.sname);
  const service = `${sname}@${ticket.realm}`;
  if (options.spn !== undefined) {
    const [spnName = '', spnRealm] = options.spn.split('@');
    if (spnName.toLowerCase() !== sname.toLowerCase() || (spnRealm !== undefined && spnRealm !== ticket.realm)) {
      return reject(`ticket is for ${service}, not for ${options.spn} (--spn)`);
    }
  } else if (!ALLOWED_SERVICES.test(sname)) {
    return reject(`ticket is for ${service}: serve accepts HTTP/ and WSMAN/ principals (choose another with --spn)`);
  }
  if (!isSupportedEnctype(ticket.encPart.etype)) {
    return reject(`ticket is encrypted with ${enctypeName(ticket.encPart.etype)}; serve supports aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96`);
  }
  const entry = findKey(options.keytab, { principal: sname, realm: ticket.realm, kvno: ticket.encPart.kvno, enctype: ticket.encPart.etype });
  if (typeof entry === 'string') return reject(entry);
  let enc: EncTicketPart;
  try {
    enc = decryptTicket(ticket.encPart, entry.key);
  } catch (err) {
    if (err instanceof KrbCryptoError) return reject(`cannot decrypt the ticket for ${service} with keytab kvno ${entry.kvno}: the keytab key is not the KDC's (re-export it)`);
    throw err;
  }
  const client = `${principalText(enc.cname)}@${enc.crealm}`;
  if (now + skew < (enc.starttime ?? enc.authtime)) return reject(`ticket of ${client} is not valid yet`);
  if (now - skew > enc.endtime) return reject(`ticket of ${client} expired at ${new Date(enc.endtime).toISOString()}`);
  if (!isSupportedEnctype(apReq.authenticator.etype) || !isSupportedEnctype(enc.key.enctype)) {
    return reject(`authenticator or session key uses ${enctypeName(enc.key.enctype)}, which serve does not support`);
  }
  const auth = decryptAuthenticator(apReq.authenticator, enc.key);
  if (principalText(auth.cname) !== principalText(enc.cname) || auth.crealm !== enc.crealm) {
    return reject(`authenticator names ${principalText(auth.cname)}@${auth.crealm} but the ticket is for ${client}`);
  }
  if (Math.abs(now - auth.ctime) > skew) {
    return reject(`authenticator of ${client} is ${Math.round((now - auth.ctime) / 1000)} s off our clock (more than ${skew / 1000} s of skew)`);
  }
  if (auth.checksum === undefined || auth.checksum.type !== GSS_CHECKSUM_TYPE) {
    return reject(`authenticator of ${client} has no GSS checksum (0x8003): not a GSS-API initiator`);
  }
  const gss = decodeGssChecksum(auth.checksum.value);
  if ((gss.flags & GSS_FLAGS.DCE_STYLE) !== 0) return reject('DCE-style Kerberos is not supported');
  const sentBindings = gss.bindings.some((b) => b !== 0);
  if (sentBindings && options.channelBindings !== undefined) {
    if (!timingSafeEqual(Buffer.from(gss.bindings), Buffer.from(channelBindingsHash(options.channelBindings)))) {
      return reject(`channel bindings of ${client} do not match this TLS channel (a relayed ticket?)`);
    }
  }
  // Replays are checked last, so a forged authenticator cannot fill the cache.
  const replayKey = `${client}|${auth.ctime}|${auth.cusec}|${Buffer.from(apReq.authenticator.cipher.subarray(-12)).toString('hex')}`;
  if (!options.replayCache.check(replayKey, now)) return reject(`replayed authenticator of ${client} (ctime ${new Date(auth.ctime).toISOString()})`);

  const initiatorSeq = auth.seqNumber ?? 0;
  const mutual = apReq.mutualRequired || (gss.flags & GSS_FLAGS.MUTUAL) !== 0;
  let session: CfxSession;
  let responseToken: Uint8Array | undefined;
  if (mutual) {
    const subkey = randomKey((auth.subkey ?? enc.key).enctype);
    const acceptorSeq = randomInt(0, 0x3fffffff);
    responseToken = encodeKrb5Token(encodeApRep(enc.key, { ctime: auth.ctime, cusec: auth.cusec, subkey, seqNumber: acceptorSeq }), TOK_AP_REP);
    session = new CfxSession({ key: subkey, acceptor: true, acceptorSubkey: true, sendSeq: acceptorSeq, recvSeq: initiatorSeq });
  } else {
    session = new CfxSession({ key: auth.subkey ?? enc.key, acceptor: true, acceptorSubkey: false, sendSeq: initiatorSeq, recvSeq: initiatorSeq });
  }
  return {
    kind: 'accepted',
    clientName: principalText(enc.cname),
    clientRealm: enc.crealm,
    responseToken,
    session,
    flags: gss.flags,
    delegated: gss.delegated,
    service,
  };
}
