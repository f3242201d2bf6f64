/**
 * Negotiate with a choice: Kerberos first, NTLM when Kerberos cannot start (RFC 4559's idea, the
 * way pypsrp's `negotiate` and Windows' own client behave).
 *
 * Whether Kerberos is tried at all is decided before any connection, by I/O the CLI does (is the
 * `kerberos` package installed, is there a TGT or a password to kinit with: see
 * src/cli/kerberos-tickets.ts); that decision is `chooseNegotiate` here, a pure function. When it
 * says Kerberos, each connection's context is a NegotiateClientContext: its first `step` asks
 * GSSAPI for the AP-REQ, and if the KDC has no such service principal, no usable TGT exists, or no
 * KDC answers, it switches to NTLM before anything was sent, reporting why through `onFallback`.
 * Later connections of the same endpoint remember that (a shared `memo`) and start with NTLM.
 *
 * Both mechanisms go under `Authorization: Negotiate` and seal under
 * `application/HTTP-SPNEGO-session-encrypted` (MS-WSMV 2.2.9.1), so the switch is invisible to the
 * transport. Once a token went out there is no switching: a 401 then is the server's verdict.
 */
import type { AuthContext, SealedMessage } from './context.js';
import { AuthError } from './errors.js';
import { KerberosClientContext, type KerberosClientOptions, SPNEGO_ENCRYPTED_PROTOCOL } from './kerberos/client.js';
import { KerberosError, type KerberosFailureKind } from './kerberos/failure.js';

export { type NegotiateChoice, type NegotiateFacts, chooseNegotiate, principalOf, realmOf } from './negotiate-choice.js';

/** Failures after which NTLM may still work: Kerberos never got as far as a token. */
const FALLBACK_KINDS: ReadonlySet<KerberosFailureKind> = new Set(['unknown-server', 'no-credentials', 'unknown-client', 'kdc-unreachable']);

export interface NegotiateClientOptions {
  kerberos: Omit<KerberosClientOptions, 'scheme'>;
  /** The NTLM context to fall back to; absent when there is no password (no fallback then). */
  ntlm?: (() => AuthContext) | undefined;
  /** Told why NTLM replaced Kerberos (for --debug). */
  onFallback?: ((why: string) => void) | undefined;
  /** Shared by the connections of one endpoint: set once Kerberos failed in a way NTLM may fix. */
  memo?: { kerberosFailed?: string } | undefined;
}

export class NegotiateClientContext implements AuthContext {
  readonly scheme = 'Negotiate';
  readonly revealsSecret = false;
  readonly everyRequest = false;
  readonly encrypts = true;
  readonly encryptionProtocol = SPNEGO_ENCRYPTED_PROTOCOL;
  readonly #options: NegotiateClientOptions;
  #active: AuthContext | undefined;

  constructor(options: NegotiateClientOptions) {
    this.#options = options;
  }

  /** The mechanism in use: undefined before the first step. */
  get mechanism(): 'kerberos' | 'ntlm' | undefined {
    if (this.#active === undefined) return undefined;
    return this.#active instanceof KerberosClientContext ? 'kerberos' : 'ntlm';
  }

  get complete(): boolean {
    return this.#active?.complete ?? false;
  }

  async step(inToken?: Uint8Array): Promise<Uint8Array | null> {
    if (this.#active) return this.#active.step(inToken);
    const { memo, ntlm } = this.#options;
    if (memo?.kerberosFailed !== undefined && ntlm) return this.#switch(memo.kerberosFailed, ntlm);
    const kerberos = new KerberosClientContext({ ...this.#options.kerberos, scheme: 'Negotiate' });
    this.#active = kerberos;
    try {
      return await kerberos.step(inToken);
    } catch (err) {
      const why = fallbackReason(err);
      if (why === undefined || !ntlm) throw err;
      if (memo) memo.kerberosFailed = why;
      return this.#switch(why, ntlm);
    }
  }

  wrap(data: Uint8Array): SealedMessage | Promise<SealedMessage> {
    const active = this.#active;
    if (!active?.wrap) throw new AuthError('ETSR_AUTH_INTEGRITY', 'Negotiate cannot seal before the logon completes');
    return active.wrap(data);
  }

  unwrap(header: Uint8Array, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const active = this.#active;
    if (!active?.unwrap) throw new AuthError('ETSR_AUTH_INTEGRITY', 'Negotiate cannot open messages before the logon completes');
    return active.unwrap(header, data);
  }

  async #switch(why: string, ntlm: () => AuthContext): Promise<Uint8Array | null> {
    this.#options.onFallback?.(why);
    const context = ntlm();
    this.#active = context;
    return context.step();
  }
}

/** Why NTLM may replace Kerberos after `err`, or undefined when it may not. */
function fallbackReason(err: unknown): string | undefined {
  if (err instanceof KerberosError && FALLBACK_KINDS.has(err.kind)) return err.message;
  // The binding went missing or does not load: NTLM still works.
  if (err instanceof AuthError && err.code === 'ETSR_AUTH_UNSUPPORTED') return err.message;
  return undefined;
}

/** What Kerberos (and Negotiate's Kerberos leg) needs beyond the credential: from flags and config. */
export interface KerberosSettings {
  /** The SPN's service class (`--spn-service`); default `HTTP`. */
  spnService?: string | undefined;
  /** The SPN's host (`--spn-hostname`); default the endpoint's host as the user typed it. */
  spnHostname?: string | undefined;
  /** The client principal whose TGT to use; default the ticket cache's default principal. */
  principal?: string | undefined;
  /** `--delegate`: a forwardable TGT goes to the server (the double hop). */
  delegate?: boolean | undefined;
  /** The scheme of `--auth kerberos`; default `Negotiate`. */
  scheme?: 'Negotiate' | 'Kerberos' | undefined;
  /** `--auth negotiate`: try Kerberos first (chooseNegotiate said so). Absent or false: NTLM only. */
  negotiateKerberos?: boolean | undefined;
  /** Told why Negotiate fell back to NTLM (for --debug). */
  onFallback?: ((why: string) => void) | undefined;
  /** Shared by the connections of one endpoint (see NegotiateClientOptions.memo). */
  memo?: { kerberosFailed?: string } | undefined;
  /** Loads the GSSAPI binding; default the `kerberos` package. */
  loadBinding?: KerberosClientOptions['loadBinding'];
  /** Reads the ccache files, for sealing (the transport supplies it). */
  readTicketCaches?: KerberosClientOptions['readTicketCaches'];
}

/** The Kerberos client options for one endpoint: `hostname` is the SPN's default host part. */
export function kerberosClientOptions(settings: KerberosSettings, hostname: string, host?: string): KerberosClientOptions {
  return {
    spn: { service: settings.spnService ?? 'HTTP', hostname: settings.spnHostname ?? hostname },
    principal: settings.principal,
    delegate: settings.delegate,
    scheme: settings.scheme,
    host,
    loadBinding: settings.loadBinding,
    readTicketCaches: settings.readTicketCaches,
  };
}

