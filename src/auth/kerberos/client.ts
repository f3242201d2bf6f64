/**
 * KerberosClientContext: a Kerberos logon to one WinRM connection through GSSAPI (the optional
 * `kerberos` package), with mutual authentication and WinRM message sealing.
 *
 * ```
 *   client                                           server
 *   step()          -> AP-REQ   POST (empty)  Authorization: Negotiate <AP-REQ>
 *                               <- 200        WWW-Authenticate: Negotiate <AP-REP>
 *   step(AP-REP)    -> null     (complete: the server proved it holds the service key)
 *   wrap(body)                  POST sealed   (no Authorization: the connection is logged on)
 * ```
 * The server answers the AP-REQ with a 200, not a 401: its last token rides on the success. A 200
 * without a valid AP-REP fails (`step` throws, or the context stays incomplete): a server that
 * cannot prove it holds the key of the SPN may be anyone.
 *
 * The handshake runs in GSSAPI (the binding, on libuv's thread pool), so `step` answers with a
 * promise; the binding is loaded on the first `step`, so constructing a context costs nothing and
 * needs no native code. Sealing does not go through the binding, whose `wrap` is unusable for
 * WinRM (ccache.ts says why): on the first `wrap`/`unwrap` the context reads the ticket's session
 * key from the credential cache (`readTicketCaches`, I/O supplied by the transport), derives the
 * message key from its own AP-REQ and the server's AP-REP (session.ts), and seals with RFC 4121
 * tokens in WinRM's header/data split (src/auth/krb5/cfx.ts). Over HTTPS nothing is sealed and the
 * ccache is never read.
 */
import { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL, type AuthContext, type SealedMessage } from '../context.js';
import { AuthError } from '../errors.js';
import { CfxError, type CfxSession } from '../krb5/cfx.js';
import { type GssBinding, type GssBindingLoader, type GssClient, loadGssBinding } from './binding.js';
import { CcacheFormatError, type CredentialCache, parseCcache } from './ccache.js';
import { gssReason, ticketFailure } from './failure.js';
import { KRB5_OID, MS_KRB5_OID, decodeMechToken } from '../krb5/gss.js';
import { initiatorSession } from './session.js';
import { DerError } from '../der.js';
import { NEG_STATE, decodeNegTokenResp } from '../krb5/spnego.js';

// The sealed-body protocols (MS-WSMV 2.2.9.1): Kerberos's under `Authorization: Kerberos`, SPNEGO's
// under `Negotiate` (Kerberos or NTLM inside).
export { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL };

/** The service principal a client asks a ticket for. */
export interface ServicePrincipal {
  /** The service class: `HTTP` for WinRM (`--spn-service`). */
  service: string;
  /** The host part, as typed, not resolved (`--spn-hostname`; default the URL's host). */
  hostname: string;
}

export interface KerberosClientOptions {
  spn: ServicePrincipal;
  /** The client principal (`user@REALM`) whose TGT to use; default the ccache's default principal. */
  principal?: string | undefined;
  /** Ask for a forwardable TGT to be delegated to the server (GSS_C_DELEG_FLAG): the double hop. */
  delegate?: boolean | undefined;
  /**
   * `Negotiate` (default; what pywinrm and pypsrp send, and what Windows offers first) or
   * `Kerberos` (what PowerShell's `-Authentication Kerberos` sends). The scheme decides the
   * sealed-body protocol (MS-WSMV 2.2.9.1).
   */
  scheme?: 'Negotiate' | 'Kerberos' | undefined;
  /** The host name for errors. */
  host?: string | undefined;
  /** Loads the GSSAPI binding; default the `kerberos` package. */
  loadBinding?: GssBindingLoader | undefined;
  /**
   * Reads the credential cache file(s) GSSAPI uses (FILE: or DIR:), for the session key sealing
   * needs; absent, a context can log on but not seal (HTTPS only).
   */
  readTicketCaches?: (() => Promise<Uint8Array[]>) | undefined;
}

/** `HTTP/host`, the way SPNs are written in AD and in messages. */
export function spnText(spn: ServicePrincipal): string {
  return `${spn.service}/${spn.hostname}`;
}

/** True for a krb5 mechanism token carrying a KRB-ERROR (RFC 4121 4.1: TOK_ID 03 00). */
function isKrbError(token: Uint8Array): boolean {
  try {
    const { mech, inner } = decodeMechToken(token);
    return (mech === KRB5_OID || mech === MS_KRB5_OID) && inner[0] === 0x03 && inner[1] === 0x00;
  } catch {
    return false;
  }
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const unb64 = (text: string | null): Uint8Array => Buffer.from(text ?? '', 'base64');

export class KerberosClientContext implements AuthContext {
  readonly scheme: 'Negotiate' | 'Kerberos';
  readonly encrypts = true;
  readonly revealsSecret = false;
  readonly everyRequest = false;
  readonly encryptionProtocol: string;
  readonly spn: ServicePrincipal;
  readonly #options: KerberosClientOptions;
  #client: GssClient | undefined;
  #complete = false;
  /** The AP-REQ went out; the next token must be the AP-REP. */
  #sent = false;
  #apReq: Uint8Array | undefined;
  #apRep: Uint8Array | undefined;
  #session: Promise<CfxSession> | undefined;

  constructor(options: KerberosClientOptions) {
    this.#options = options;
    this.spn = options.spn;
    this.scheme = options.scheme ?? 'Negotiate';
    this.encryptionProtocol = this.scheme === 'Kerberos' ? KERBEROS_ENCRYPTED_PROTOCOL : SPNEGO_ENCRYPTED_PROTOCOL;
    if (options.spn.service === '' || options.spn.hostname === '' || /[@/\s]/.test(options.spn.service + options.spn.hostname)) {
      throw new AuthError('ETSR_CREDENTIALS', `invalid service principal ${spnText(options.spn)}`, {
        host: options.host,
        hint: '--spn-service is a service class (HTTP), --spn-hostname a host name, neither with / or @',
      });
    }
  }

  get complete(): boolean {
    return this.#complete;
  }

  /**
   * First call: the AP-REQ (asking the KDC for a service ticket on the way). Second call, with the
   * server's AP-REP (raw, or inside a SPNEGO NegTokenResp): verifies it and returns null.
   * @throws KerberosError when no ticket can be had (naming the SPN), AuthError when the server's
   *   answer does not authenticate it.
   */
  async step(inToken?: Uint8Array): Promise<Uint8Array | null> {
    if (this.#complete) throw new AuthError('ETSR_AUTH_REJECTED', 'the Kerberos logon is already complete', { host: this.#options.host });
    if (!this.#sent) {
      this.#sent = true;
      const binding = await (this.#options.loadBinding ?? loadGssBinding)();
      const client = await this.#initialize(binding);
      let out: string | null;
      try {
        out = await client.step('');
      } catch (err) {
        throw ticketFailure(spnText(this.spn), err, this.#options.host);
      }
      this.#client = client;
      this.#apReq = unb64(out);
      if (client.contextComplete) this.#complete = true; // no mutual authentication was granted: nothing more to verify
      return this.#apReq;
    }
    if (inToken === undefined || inToken.length === 0) throw this.#notProven('no AP-REP came back');
    let apRep = inToken;
    // We send a raw krb5 token, and Windows answers in kind; an acceptor that wraps its AP-REP in a
    // SPNEGO NegTokenResp (`a1 …`, RFC 4178; serve does) has it unwrapped here. Its mechListMIC
    // would protect a mechanism list, and a raw Kerberos initiator sent none.
    if (inToken[0] === 0xa1) {
      let resp: ReturnType<typeof decodeNegTokenResp>;
      try {
        resp = decodeNegTokenResp(inToken);
      } catch (err) {
        if (!(err instanceof DerError)) throw err;
        throw this.#notProven(`malformed SPNEGO answer: ${err.message}`, err);
      }
      if (resp.negState === NEG_STATE.REJECT) throw this.#rejected('the server rejected the Kerberos token (SPNEGO reject)');
      if (!resp.responseToken) throw this.#notProven('the SPNEGO answer carries no AP-REP');
      apRep = resp.responseToken;
    }
    const client = this.#client as GssClient;
    try {
      await client.step(b64(apRep));
    } catch (err) {
      // A KRB-ERROR (TOK_ID 03 00) instead of an AP-REP: the server refused the ticket, typically
      // because the SPN is registered to another account than the one whose key decrypts it.
      if (isKrbError(apRep)) throw this.#rejected(`the server refused the Kerberos ticket for ${spnText(this.spn)} (${gssReason((err as Error).message)})`, err);
      throw this.#notProven((err as Error).message, err);
    }
    if (!client.contextComplete) throw this.#notProven('GSSAPI wants more legs after the AP-REP');
    this.#apRep = apRep;
    this.#complete = true;
    return null;
  }

  /**
   * Seals a body (RFC 4121 wrap token with confidentiality) in WinRM's header/data split.
   * @throws AuthError before the logon completes, or when the message keys cannot be found.
   */
  async wrap(data: Uint8Array): Promise<SealedMessage> {
    return (await this.#messageKeys()).wrap(data);
  }

  /**
   * Verifies and opens a sealed body.
   * @throws AuthError (ETSR_AUTH_INTEGRITY) when it fails its checksum, is replayed or out of order.
   */
  async unwrap(header: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const session = await this.#messageKeys();
    try {
      return session.unwrap(header, data);
    } catch (err) {
      if (!(err instanceof CfxError)) throw err;
      throw new AuthError('ETSR_AUTH_INTEGRITY', `a Kerberos-sealed message failed its checks: ${err.message}`, { host: this.#options.host, cause: err });
    }
  }

  /** The message keys, found once (reads the ccache). */
  #messageKeys(): Promise<CfxSession> {
    if (!this.#complete || !this.#apReq) {
      return Promise.reject(
        new AuthError('ETSR_AUTH_INTEGRITY', 'Kerberos cannot seal or open messages before the logon completes', { host: this.#options.host }),
      );
    }
    const apReq = this.#apReq;
    this.#session ??= (async () => {
      const read = this.#options.readTicketCaches;
      if (!read) {
        throw new AuthError('ETSR_AUTH_UNSUPPORTED', 'this Kerberos context cannot seal messages (no credential cache reader)', {
          host: this.#options.host,
          hint: 'use --https',
        });
      }
      const caches: CredentialCache[] = [];
      for (const bytes of await read()) {
        try {
          caches.push(parseCcache(bytes));
        } catch (err) {
          if (!(err instanceof CcacheFormatError)) throw err;
        }
      }
      try {
        return initiatorSession(apReq, this.#apRep, caches);
      } catch (err) {
        if (err instanceof AuthError && this.#options.host !== undefined) err.withHost(this.#options.host);
        throw err;
      }
    })();
    return this.#session;
  }

  async #initialize(binding: GssBinding): Promise<GssClient> {
    const { GSS_C_MUTUAL_FLAG, GSS_C_SEQUENCE_FLAG, GSS_C_REPLAY_FLAG, GSS_C_CONF_FLAG, GSS_C_INTEG_FLAG, GSS_C_DELEG_FLAG } = binding;
    // Confidentiality and integrity for sealing; replay and sequence detection so a replayed or
    // reordered sealed response fails gss_unwrap; mutual so the AP-REP proves the server.
    let flags = GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
    if (this.#options.delegate) flags |= GSS_C_DELEG_FLAG;
    try {
      return await binding.initializeClient(`${this.spn.service}@${this.spn.hostname}`, {
        flags,
        mechOID: binding.GSS_MECH_OID_KRB5,
        ...(this.#options.principal ? { principal: this.#options.principal } : {}),
      });
    } catch (err) {
      throw ticketFailure(spnText(this.spn), err, this.#options.host);
    }
  }

  #notProven(why: string, cause?: unknown): AuthError {
    return new AuthError('ETSR_AUTH_REJECTED', `the server did not prove it is ${spnText(this.spn)} (mutual authentication failed: ${why})`, {
      host: this.#options.host,
      ...(cause === undefined ? {} : { cause }),
      hint: 'something other than the host may be answering; check the URL, and the SPN (--spn-hostname) if the host uses another name',
    });
  }

  #rejected(message: string, cause?: unknown): AuthError {
    return new AuthError('ETSR_AUTH_REJECTED', message, {
      host: this.#options.host,
      ...(cause === undefined ? {} : { cause }),
      hint: 'the SPN may belong to another account than the host\'s (setspn -Q); check --spn-hostname and that the account may use WinRM',
    });
  }
}

