/**
 * The per-message keys of a Kerberos context GSSAPI established for us (RFC 4121 4.2.2), found from
 * the tokens we exchanged and the ticket's session key. Sans-IO.
 *
 * ```
 *   session key   the service ticket's key, from the ccache entry whose ticket is the one in our AP-REQ
 *   AP-REQ        Authenticator = D(session key, usage 11): subkey (initiator), seq-number (our first SND_SEQ)
 *   AP-REP        EncAPRepPart  = D(session key, usage 12): subkey (acceptor), seq-number (its first SND_SEQ)
 *   message key   acceptor subkey if present (AcceptorSubkey flag set), else the initiator subkey,
 *                 else the session key
 * ```
 * GSSAPI has already verified the AP-REP (mutual authentication) before this runs; decrypting it
 * again only reads the acceptor's subkey and sequence number.
 */
import { AuthError } from '../errors.js';
import { CfxSession } from '../krb5/cfx.js';
import { KrbCryptoError, decrypt, enctypeName, isSupportedEnctype, type Key } from '../krb5/crypto.js';
import * as der from '../der.js';
import { TOK_AP_REP, TOK_AP_REQ, decodeKrb5Token } from '../krb5/gss.js';
import { decodeApReq, decryptAuthenticator, KEY_USAGE_AP_REP } from '../krb5/messages.js';
import { type CredentialCache, findTicketCredential } from './ccache.js';

/** What the AP-REP's encrypted part says (RFC 4120 5.5.2 EncAPRepPart). */
interface ApRepPart {
  subkey: Key | undefined;
  seqNumber: number | undefined;
}

function readKey(t: der.Tlv): Key {
  const f = der.fields(t, 'EncryptionKey');
  return {
    enctype: der.readInteger(der.required(f, 0, 'EncryptionKey'), 'keytype'),
    value: new Uint8Array(der.readOctets(der.required(f, 1, 'EncryptionKey'), 'keyvalue')),
  };
}

/** Decrypts an AP-REP (`6f …`, without GSS framing) with the session key. */
function readApRep(bytes: Uint8Array, sessionKey: Key): ApRepPart {
  const outer = der.expectTlv(bytes, der.app(15), 'AP-REP');
  const f = der.fields(der.expectTlv(outer.value, der.TAG.SEQUENCE, 'AP-REP'), 'AP-REP');
  const enc = der.fields(der.required(f, 2, 'AP-REP'), 'AP-REP.enc-part');
  const plain = decrypt(sessionKey, KEY_USAGE_AP_REP, der.readOctets(der.required(enc, 2, 'AP-REP.enc-part'), 'cipher'));
  const part = der.expectTlv(plain, der.app(27), 'EncAPRepPart');
  const p = der.fields(der.expectTlv(part.value, der.TAG.SEQUENCE, 'EncAPRepPart'), 'EncAPRepPart');
  const subkey = p.get(2);
  const seq = p.get(3);
  return {
    subkey: subkey === undefined ? undefined : readKey(subkey),
    seqNumber: seq === undefined ? undefined : der.readInteger(seq, 'seq-number') >>> 0,
  };
}

/**
 * The message-protection state of an established initiator context.
 * @param apReq our first token (krb5 mechanism token with the AP-REQ)
 * @param apRep the server's krb5 mechanism token with the AP-REP (absent without mutual auth)
 * @param caches the parsed ccache(s) GSSAPI used
 * @throws AuthError (ETSR_AUTH_UNSUPPORTED) when the ticket is not in the caches or uses an enctype
 *   tsremote cannot seal with; (ETSR_AUTH_INTEGRITY) when the tokens do not decrypt.
 */
export function initiatorSession(apReq: Uint8Array, apRep: Uint8Array | undefined, caches: readonly CredentialCache[]): CfxSession {
  let req: ReturnType<typeof decodeApReq>;
  try {
    req = decodeApReq(decodeKrb5Token(apReq, TOK_AP_REQ));
  } catch (err) {
    throw new AuthError('ETSR_AUTH_INTEGRITY', `cannot read our own AP-REQ: ${(err as Error).message}`, { cause: err });
  }
  const cred = findTicketCredential(caches, req.ticket.encPart.cipher);
  if (!cred) {
    throw new AuthError('ETSR_AUTH_UNSUPPORTED', 'sealing needs the service ticket\'s session key, and the ticket is not in a FILE or DIR credential cache', {
      hint: 'use --https (no sealing needed), or a file ccache: KRB5CCNAME=FILE:/tmp/krb5cc_$(id -u) kinit user@REALM',
    });
  }
  const sessionKey: Key = { enctype: cred.key.enctype, value: cred.key.value };
  if (!isSupportedEnctype(sessionKey.enctype)) {
    throw new AuthError('ETSR_AUTH_UNSUPPORTED', `tsremote seals Kerberos messages with AES (SHA-1) only, and the ticket for ${cred.server} uses ${enctypeName(sessionKey.enctype)}`, {
      hint: 'enable aes256-cts-hmac-sha1-96 for the account and the service (msDS-SupportedEncryptionTypes), or use --https',
    });
  }
  try {
    const authenticator = decryptAuthenticator(req.authenticator, sessionKey);
    const reply = apRep === undefined ? undefined : readApRep(decodeKrb5Token(apRep, TOK_AP_REP), sessionKey);
    const sendSeq = authenticator.seqNumber ?? 0;
    const acceptorKey = reply?.subkey;
    const key = acceptorKey ?? authenticator.subkey ?? sessionKey;
    if (!isSupportedEnctype(key.enctype)) {
      throw new AuthError('ETSR_AUTH_UNSUPPORTED', `the context's subkey uses ${enctypeName(key.enctype)}; tsremote seals with AES (SHA-1) only`);
    }
    return new CfxSession({ key, acceptor: false, acceptorSubkey: acceptorKey !== undefined, sendSeq, recvSeq: reply?.seqNumber ?? sendSeq });
  } catch (err) {
    if (err instanceof AuthError) throw err;
    const why = err instanceof KrbCryptoError || err instanceof der.DerError ? err.message : String(err);
    throw new AuthError('ETSR_AUTH_INTEGRITY', `cannot derive the Kerberos message keys: ${why}`, { cause: err });
  }
}
