/**
 * Kerberos on the server side, with keys from a keytab (`serve --keytab`), in `Authorization:
 * Kerberos` (a raw krb5 GSS token) and `Authorization: Negotiate` (SPNEGO around it, or the raw
 * krb5 token that pykerberos sends there). One leg: the AP-REQ logs the connection on, and the
 * response to that request carries the AP-REP for mutual authentication.
 *
 * ```
 *   POST  Authorization: Negotiate <SPNEGO NegTokenInit { krb5, AP-REQ }>
 *   200   WWW-Authenticate: Negotiate <NegTokenResp { accept-completed, krb5, AP-REP }>
 *   POST (no header, same socket): served as user@REALM, bodies sealed with RFC 4121 wrap tokens
 * ```
 * Who may log on: a client principal `user@REALM` is mapped to a configured serve account by its
 * user part (case-insensitive); an account written `DOMAIN\user` also needs DOMAIN to be the realm
 * or its first label. The logon's user name is the principal, `user@REALM`. Principals with more
 * than one component (`host/x`) and users serve does not know are refused.
 *
 * Sealed bodies use `application/HTTP-SPNEGO-session-encrypted` under Negotiate and
 * `application/HTTP-Kerberos-session-encrypted` under Kerberos (MS-WSMV 2.2.9.1).
 */
import { isNtlmToken } from '../../auth/ntlm/index.js';
import { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL } from '../../auth/context.js';
import { AuthError } from '../../auth/errors.js';
import {
  CfxError,
  KRB5_OID,
  MS_KRB5_OID,
  NEG_STATE,
  NTLM_OID,
  ReplayCache,
  DEFAULT_SKEW_MS,
  DerError,
  acceptKrb5,
  decodeMechToken,
  decodeNegTokenInit,
  encodeNegTokenResp,
  isSpnegoInit,
  type CfxSession,
  type KeytabEntry,
} from '../../auth/krb5/index.js';
import { securityProfile, splitAccount, type AcceptResult, type Acceptor, type AuthConnection, type ServeUser, type SessionSecurity } from './types.js';

export interface KerberosAcceptorOptions {
  keytab: readonly KeytabEntry[];
  /** Only tickets for this principal (`HTTP/host[@REALM]`); default any HTTP/ or WSMAN/ key. */
  spn?: string;
  users: readonly ServeUser[];
  /** tls-server-end-point application data of our certificate (HTTPS). */
  channelBindings?: Uint8Array;
  skewMs?: number;
  /** The clock (tests move it); default Date.now. */
  now?: () => number;
}

export class KerberosAcceptor implements Acceptor {
  readonly schemes = ['Negotiate', 'Kerberos'];
  readonly #options: KerberosAcceptorOptions;
  readonly #replays: ReplayCache;
  readonly #now: () => number;

  constructor(options: KerberosAcceptorOptions) {
    this.#options = options;
    const skew = options.skewMs ?? DEFAULT_SKEW_MS;
    this.#replays = new ReplayCache(2 * skew);
    this.#now = options.now ?? Date.now;
  }

  /** Offered everywhere: on plain HTTP the bodies are sealed, on HTTPS TLS protects them. */
  offered(): boolean {
    return true;
  }

  challenges(): string[] {
    return [...this.schemes];
  }

  /** Under Negotiate: a GSS initial token (SPNEGO or krb5) or a NegTokenResp, not raw NTLM. */
  accepts(scheme: string, credentials: string): boolean {
    if (scheme.toLowerCase() === 'kerberos') return true;
    const token = Buffer.from(credentials.trim(), 'base64');
    return !isNtlmToken(token) && (token[0] === 0x60 || token[0] === 0xa1);
  }

  accept(scheme: string, credentials: string, conn: AuthConnection): AcceptResult {
    const token = new Uint8Array(Buffer.from(credentials.trim(), 'base64'));
    const negotiate = scheme.toLowerCase() === 'negotiate';
    let krb5Token: Uint8Array;
    let spnegoMech: string | undefined;
    try {
      if (isNtlmToken(token)) return { kind: 'rejected', reason: `${scheme} token is raw NTLM, and NTLM is not enabled (--auth)` };
      if (negotiate && token[0] === 0xa1) {
        return { kind: 'rejected', reason: 'SPNEGO NegTokenResp without a negotiation in progress (serve completes Kerberos in one leg)' };
      }
      if (negotiate && isSpnegoInit(token)) {
        const init = decodeNegTokenInit(token);
        const first = init.mechTypes[0];
        if (first !== KRB5_OID && first !== MS_KRB5_OID) {
          const offers = init.mechTypes.includes(KRB5_OID) || init.mechTypes.includes(MS_KRB5_OID);
          const what = first === NTLM_OID ? 'NTLM' : (first ?? 'nothing');
          return {
            kind: 'rejected',
            reason: `SPNEGO proposes ${what} first${offers ? ' (Kerberos later)' : ''}: serve takes Kerberos as the first SPNEGO mechanism, and NTLM as raw NTLMSSP tokens`,
          };
        }
        if (init.mechToken === undefined) return { kind: 'rejected', reason: 'SPNEGO NegTokenInit without an optimistic Kerberos token' };
        krb5Token = init.mechToken;
        spnegoMech = first;
      } else {
        const mech = decodeMechToken(token).mech;
        if (mech !== KRB5_OID && mech !== MS_KRB5_OID) return { kind: 'rejected', reason: `${scheme} token for mechanism ${mech}, not Kerberos` };
        krb5Token = token;
      }
    } catch (err) {
      if (err instanceof DerError) return { kind: 'rejected', reason: `${scheme}: ${err.message}` };
      throw err;
    }

    const bindings = conn.secure ? this.#options.channelBindings : undefined;
    const verdict = acceptKrb5(
      krb5Token,
      {
        keytab: this.#options.keytab,
        replayCache: this.#replays,
        ...(this.#options.spn === undefined ? {} : { spn: this.#options.spn }),
        ...(this.#options.skewMs === undefined ? {} : { skewMs: this.#options.skewMs }),
        ...(bindings === undefined ? {} : { channelBindings: bindings }),
      },
      this.#now(),
    );
    if (verdict.kind === 'rejected') return { kind: 'rejected', reason: `Kerberos: ${verdict.reason}` };
    const principal = `${verdict.clientName}@${verdict.clientRealm}`;
    if (this.#lookup(verdict.clientName, verdict.clientRealm) === undefined) {
      return { kind: 'rejected', reason: `Kerberos: ${principal} authenticated, but is not a serve user (--user / --users)` };
    }
    let reply: Uint8Array | undefined = verdict.responseToken;
    if (spnegoMech !== undefined) {
      reply = encodeNegTokenResp({ negState: NEG_STATE.ACCEPT_COMPLETED, supportedMech: spnegoMech, ...(reply === undefined ? {} : { responseToken: reply }) });
    }
    return {
      kind: 'accepted',
      username: principal,
      profile: securityProfile(conn.secure, 'spnego-kerberos'),
      security: sessionSecurity(scheme, verdict.session),
      ...(reply === undefined ? {} : { challenge: `${scheme} ${Buffer.from(reply).toString('base64')}` }),
    };
  }

  /** The serve account a principal maps to (see the file comment). */
  #lookup(name: string, realm: string): ServeUser | undefined {
    if (name.includes('/')) return undefined;
    const r = realm.toLowerCase();
    const short = r.split('.')[0];
    return this.#options.users.find((u) => {
      const account = splitAccount(u.username);
      return account.user === name.toLowerCase() && (account.domain === undefined || account.domain === r || account.domain === short);
    });
  }
}

function sessionSecurity(scheme: string, session: CfxSession): SessionSecurity {
  return {
    scheme,
    encryptionProtocol: scheme.toLowerCase() === 'kerberos' ? KERBEROS_ENCRYPTED_PROTOCOL : SPNEGO_ENCRYPTED_PROTOCOL,
    wrap: (data) => session.wrap(data),
    unwrap: (header, data) => {
      try {
        return session.unwrap(header, data);
      } catch (err) {
        if (err instanceof CfxError) throw new AuthError('ETSR_AUTH_INTEGRITY', `Kerberos wrap token refused: ${err.message}`);
        throw err;
      }
    },
  };
}
