/**
 * NTLM on the server side, carried in `Authorization: Negotiate` (what Windows offers) and
 * `Authorization: NTLM` (what requests-ntlm, under pywinrm, prefers when offered). The tokens are
 * raw NTLM messages in both; SPNEGO and Kerberos tokens go to kerberos.ts when serve has a keytab
 * (the Authenticator routes `Negotiate` by the token) and are refused here otherwise.
 *
 * ```
 *   POST (no header)                        -> 401  WWW-Authenticate: Negotiate / NTLM
 *   POST  Authorization: <s> NEGOTIATE      -> 401  WWW-Authenticate: <s> CHALLENGE   (same <s>)
 *   POST  Authorization: <s> AUTHENTICATE   -> the request is served; the connection is logged on
 *   POST (no header, same socket)           -> served as that user, bodies sealed with its keys
 * ```
 * The handshake state lives per TCP connection (a WeakMap keyed by the socket, so a closed socket
 * takes its state with it). A NEGOTIATE always starts over, as HTTP.sys does. The verification
 * itself (NTLMv2 only, MIC, timestamp, channel bindings) is src/auth/ntlm's NtlmServerContext.
 *
 * Channel binding (`cbt`, like WinRM's CbtHardeningLevel): on HTTPS the application data of our
 * certificate is handed to every context; `relaxed` checks bindings a client sends, `strict` also
 * refuses a client that sends none, `none` ignores them. Plain HTTP has nothing to bind to.
 */
import { NtlmServerContext, isNtlmToken } from '../../auth/ntlm/index.js';
import { decodeAuthenticate } from '../../auth/ntlm/index.js';
import { LocalAccounts, ntlmCredentialOf } from './local-accounts.js';
import { securityProfile, splitAccount, type AcceptResult, type Acceptor, type AuthConnection, type ServeUser } from './types.js';

export type CbtLevel = 'strict' | 'relaxed' | 'none';

export interface NtlmAcceptorOptions {
  users: readonly ServeUser[];
  /** tls-server-end-point application data of the certificate we serve; undefined on plain HTTP. */
  channelBindings?: Uint8Array;
  cbt: CbtLevel;
  /** NetBIOS computer name announced in the CHALLENGE; default from the host name. */
  netbiosComputer?: string;
}

/** NTLM message types (MS-NLMP 2.2.1): byte 8 of a token. */
const NEGOTIATE = 1;
const AUTHENTICATE = 3;

export class NtlmAcceptor implements Acceptor {
  readonly schemes = ['Negotiate', 'NTLM'];
  readonly #channelBindings: Uint8Array | undefined;
  readonly #strict: boolean;
  readonly #accounts: LocalAccounts;
  /** Handshakes between their NEGOTIATE and AUTHENTICATE legs, per connection. */
  readonly #pending = new WeakMap<object, NtlmServerContext>();

  constructor(options: NtlmAcceptorOptions) {
    this.#channelBindings = options.cbt === 'none' ? undefined : options.channelBindings;
    this.#strict = options.cbt === 'strict' && this.#channelBindings !== undefined;
    this.#accounts = new LocalAccounts(options.users, options.netbiosComputer);
  }

  /** Offered everywhere: on plain HTTP the bodies are sealed, on HTTPS TLS protects them. */
  offered(): boolean {
    return true;
  }

  challenges(): string[] {
    return [...this.schemes];
  }

  /** The UserName of an AUTHENTICATE token (MS-NLMP 2.2.1.3); NEGOTIATE names nobody. */
  claimedUser(_scheme: string, credentials: string): string | undefined {
    const token = new Uint8Array(Buffer.from(credentials.trim(), 'base64'));
    if (!isNtlmToken(token) || token[8] !== AUTHENTICATE) return undefined;
    try {
      return splitAccount(decodeAuthenticate(token).user).user;
    } catch {
      // A malformed AUTHENTICATE is refused by accept(); it names no one to count against.
      return undefined;
    }
  }

  abandon(conn: AuthConnection): void {
    this.#pending.delete(conn.connection);
  }

  accept(scheme: string, credentials: string, conn: AuthConnection): AcceptResult {
    const token = new Uint8Array(Buffer.from(credentials.trim(), 'base64'));
    if (!isNtlmToken(token)) {
      this.#pending.delete(conn.connection);
      return { kind: 'rejected', reason: `${scheme} token is not raw NTLM (SPNEGO/Kerberos is not supported without --keytab)` };
    }
    const type = token[8];
    let context = this.#pending.get(conn.connection);
    if (type === NEGOTIATE) {
      context = this.#newContext(conn);
      this.#pending.set(conn.connection, context);
    } else if (type !== AUTHENTICATE || context === undefined) {
      this.#pending.delete(conn.connection);
      return { kind: 'rejected', reason: `unexpected NTLM message ${type ?? '?'} (no NEGOTIATE on this connection)` };
    }
    const step = context.step(token);
    switch (step.kind) {
      case 'challenge':
        return { kind: 'continue', challenge: `${scheme} ${Buffer.from(step.token).toString('base64')}` };
      case 'rejected':
        this.#pending.delete(conn.connection);
        return { kind: 'rejected', reason: `NTLM: ${step.reason}` };
      case 'accepted': {
        this.#pending.delete(conn.connection);
        const ctx = context;
        return {
          kind: 'accepted',
          username: step.username,
          profile: securityProfile(conn.secure, 'spnego-kerberos'),
          security: { scheme, wrap: (d, inPlace) => ctx.wrap(d, inPlace), unwrap: (h, d) => ctx.unwrap(h, d) },
        };
      }
    }
  }

  #newContext(conn: AuthConnection): NtlmServerContext {
    const bindings = conn.secure ? this.#channelBindings : undefined;
    return new NtlmServerContext({
      lookup: (user, domain) => ntlmCredentialOf(this.#accounts.find(user, domain)),
      netbiosComputer: this.#accounts.netbios,
      dnsComputer: this.#accounts.dns,
      ...(bindings === undefined ? {} : { channelBindings: bindings, requireChannelBindings: this.#strict }),
    });
  }


}

