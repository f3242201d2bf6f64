/**
 * The NTLM acceptor used by `tsremote serve`: CHALLENGE for a NEGOTIATE, a verdict for an
 * AUTHENTICATE, then sealing in the server direction.
 *
 * ```
 *   step(NEGOTIATE)     -> { challenge }   random ServerChallenge, our names and a timestamp
 *   step(AUTHENTICATE)  -> { accepted } | { rejected }
 *   wrap / unwrap                          server-to-client keys out, client-to-server keys in
 * ```
 * Verification, in order (MS-NLMP 3.2.5.1.2): refuse anonymous and NTLMv1 (a 24-byte
 * NtChallengeResponse), refuse a client that dropped REQUIRED_FLAGS, look the account up, recompute
 * NTProofStr from NTOWFv2 of the configured password and the UserName/DomainName exactly as sent,
 * check the blob's timestamp against a generous window (CLOCK_SKEW_MS: replay of an old response),
 * check channel bindings, recover the exported session key, and check the MIC when MsvAvFlags says
 * one was sent. MsvAvTargetName is not checked (serve has no fixed SPN).
 *
 * The account lookup receives the names the client typed: `DOMAIN\user` and `.\user` arrive as
 * DomainName + UserName, `user@domain` as UserName 'user@domain' with an empty DomainName and is
 * split for the lookup; the NTLMv2 proof still hashes the names exactly as sent.
 *
 * Rejection reasons are for a log and name the user and cause, never the password or any hash.
 */
import { pooledRandomBytes } from './random-pool.js';
import { InvalidArgumentError } from '../../errors.js';
import type { SealedMessage } from '../context.js';
import { channelBindingsHash } from '../channel-binding.js';
import { AuthError } from '../errors.js';
import { type AvPair, findAv, textAv } from './av-pairs.js';
import { AvId, MsvAvFlags, NegotiateFlags, OUR_VERSION, REQUIRED_FLAGS, flagNames } from './constants.js';
import {
  computeMic,
  fileTime,
  fromFileTime,
  hmacMd5,
  ntowfv2,
  ntowfv2FromNtHash,
  parseClientChallengeBlob,
} from './crypto.js';
import {
  type AuthenticateMessage,
  MIC_OFFSET,
  decodeAuthenticate,
  decodeNegotiate,
  encodeChallenge,
  isNtlmToken,
} from './messages.js';
import { rc4k } from './rc4.js';
import { SessionSecurity } from './seal.js';
import { equalBytes } from './wire.js';

export interface NtlmServerOptions {
  /**
   * The account the client named, or undefined when unknown. Names compare case-insensitively.
   * An account holds its password, or only its NT hash (MD4 of the UTF-16LE password), which is
   * all NTLMv2 needs and is as good as the password to an attacker.
   */
  lookup(user: string, domain: string): { username: string; password: string } | { username: string; ntHash: Uint8Array } | undefined;
  /** NetBIOS computer name; default 'TSREMOTE'. */
  netbiosComputer?: string;
  /** NetBIOS domain; default the computer name (a workgroup server, as Windows reports one). */
  netbiosDomain?: string;
  /** DNS computer name; default the NetBIOS computer name in lower case. */
  dnsComputer?: string;
  /** DNS domain; default the DNS computer name. */
  dnsDomain?: string;
  /** Application data of our own TLS certificate on HTTPS; undefined on plain HTTP. */
  channelBindings?: Uint8Array;
  /**
   * 'strict': a client without matching bindings is refused. Needs `channelBindings`.
   * Default: bindings checked only when the client sent non-zero ones.
   */
  requireChannelBindings?: boolean;
  /** Test hook: random bytes (the server challenge). */
  random?: (n: number) => Uint8Array;
  /** Test hook: the clock (timestamp sent and skew check). */
  now?: () => Date;
}

export type NtlmServerStep =
  | { kind: 'challenge'; token: Uint8Array }
  | { kind: 'accepted'; username: string; domain: string }
  | { kind: 'rejected'; reason: string };

/** How far the client's NTLMv2 timestamp may be from our clock. */
export const CLOCK_SKEW_MS = 36 * 60 * 60 * 1000;

/** The flags our CHALLENGE offers besides REQUIRED_FLAGS; the optional ones only if asked for. */
const BASE_FLAGS =
  REQUIRED_FLAGS |
  NegotiateFlags.REQUEST_TARGET |
  NegotiateFlags.NEGOTIATE_NTLM |
  NegotiateFlags.NEGOTIATE_ALWAYS_SIGN |
  NegotiateFlags.NEGOTIATE_TARGET_INFO;
const OPTIONAL_FLAGS = NegotiateFlags.NEGOTIATE_VERSION | NegotiateFlags.NEGOTIATE_KEY_EXCH | NegotiateFlags.NEGOTIATE_56;

type State =
  | { name: 'initial' }
  | { name: 'challenged'; negotiate: Uint8Array; challenge: Uint8Array; serverChallenge: Uint8Array }
  | { name: 'accepted'; security: SessionSecurity }
  | { name: 'rejected' };

class Rejection extends Error {}

/** An NTLM server context for one connection; see the file comment. */
export class NtlmServerContext {
  readonly #options: NtlmServerOptions;
  readonly #random: (n: number) => Uint8Array;
  readonly #now: () => Date;
  #state: State = { name: 'initial' };
  #sessionKey: Uint8Array | undefined;

  /** @throws InvalidArgumentError when requireChannelBindings is set without channelBindings. */
  constructor(options: NtlmServerOptions) {
    if (options.requireChannelBindings && options.channelBindings === undefined) {
      throw new InvalidArgumentError('NTLM: requireChannelBindings needs the channelBindings of our TLS certificate');
    }
    this.#options = options;
    this.#random = options.random ?? pooledRandomBytes;
    this.#now = options.now ?? (() => new Date());
  }

  /** True once an AUTHENTICATE was accepted. */
  get complete(): boolean {
    return this.#state.name === 'accepted';
  }

  /** The exported session key once accepted: for tests only, never print it. */
  get sessionKey(): Uint8Array | undefined {
    return this.#sessionKey;
  }

  /**
   * Consumes the client's next token. A token the peer got wrong yields `rejected`.
   * @throws InvalidArgumentError when called after the verdict (start a new context instead).
   */
  step(token: Uint8Array): NtlmServerStep {
    const state = this.#state;
    if (state.name === 'accepted' || state.name === 'rejected') {
      throw new InvalidArgumentError(`NTLM server step: the exchange already ended (${state.name})`);
    }
    try {
      if (state.name === 'initial') return this.#challenge(token);
      return this.#verify(token, state.negotiate, state.challenge, state.serverChallenge);
    } catch (err) {
      if (!(err instanceof Rejection || err instanceof AuthError)) throw err;
      this.#state = { name: 'rejected' };
      return { kind: 'rejected', reason: err.message };
    }
  }

  #challenge(token: Uint8Array): NtlmServerStep {
    if (!isNtlmToken(token)) throw new Rejection('not an NTLM token (Kerberos or SPNEGO is not supported)');
    const negotiate = decodeNegotiate(token);
    // ntlm-auth (pywinrm) asks for OEM only in NEGOTIATE yet answers in Unicode when offered, as
    // Windows offers it; so Unicode is required in AUTHENTICATE, not here.
    const missing = REQUIRED_FLAGS & ~NegotiateFlags.NEGOTIATE_UNICODE & ~negotiate.flags;
    if (missing !== 0) throw new Rejection(`client did not ask for ${flagNames(missing).join(', ')}`);

    const o = this.#options;
    const computer = o.netbiosComputer ?? 'TSREMOTE';
    const domain = o.netbiosDomain ?? computer;
    const dnsComputer = o.dnsComputer ?? computer.toLowerCase();
    const dnsDomain = o.dnsDomain ?? dnsComputer;
    const targetType = domain === computer ? NegotiateFlags.TARGET_TYPE_SERVER : NegotiateFlags.TARGET_TYPE_DOMAIN;
    const flags = (BASE_FLAGS | targetType | (negotiate.flags & OPTIONAL_FLAGS)) >>> 0;
    const targetInfo: AvPair[] = [
      textAv(AvId.MsvAvNbDomainName, domain),
      textAv(AvId.MsvAvNbComputerName, computer),
      textAv(AvId.MsvAvDnsDomainName, dnsDomain),
      textAv(AvId.MsvAvDnsComputerName, dnsComputer),
      { id: AvId.MsvAvTimestamp, value: fileTime(this.#now()) },
    ];
    const serverChallenge = this.#random(8);
    const challenge = encodeChallenge({
      flags,
      targetName: domain,
      serverChallenge,
      targetInfo,
      ...(flags & NegotiateFlags.NEGOTIATE_VERSION ? { version: OUR_VERSION } : {}),
    });
    this.#state = { name: 'challenged', negotiate: token, challenge, serverChallenge };
    return { kind: 'challenge', token: challenge };
  }

  #verify(token: Uint8Array, negotiate: Uint8Array, challenge: Uint8Array, serverChallenge: Uint8Array): NtlmServerStep {
    const msg = decodeAuthenticate(token);
    const nt = msg.ntChallengeResponse;
    const shown = msg.domain ? `${msg.domain}\\${msg.user}` : msg.user;
    if (msg.user === '' || nt.length === 0 || msg.flags & NegotiateFlags.NEGOTIATE_ANONYMOUS) {
      throw new Rejection('anonymous logon refused');
    }
    if (nt.length === 24) throw new Rejection(`NTLMv1 refused for ${shown}: only NTLMv2 is accepted`);
    if (nt.length < 16 + 28 + 4) throw new Rejection(`malformed NTLMv2 response from ${shown}`);
    const missing = REQUIRED_FLAGS & ~msg.flags;
    if (missing !== 0) throw new Rejection(`${shown} dropped ${flagNames(missing).join(', ')}`);

    const { user, domain } = lookupNames(msg);
    const account = this.#options.lookup(user, domain);
    if (!account) throw new Rejection(`unknown user ${shown}`);

    const responseKey = 'ntHash' in account ? ntowfv2FromNtHash(account.ntHash, msg.user, msg.domain) : ntowfv2(account.password, msg.user, msg.domain);
    const ntProofStr = nt.subarray(0, 16);
    const blob = nt.subarray(16);
    if (!equalBytes(hmacMd5(responseKey, serverChallenge, blob), ntProofStr)) {
      throw new Rejection(`wrong password for ${shown}`);
    }

    const parsed = parseClientChallengeBlob(blob);
    const skew = Math.abs(fromFileTime(parsed.time).getTime() - this.#now().getTime());
    if (!(skew <= CLOCK_SKEW_MS)) throw new Rejection(`NTLMv2 timestamp of ${shown} is too far from our clock`);
    this.#checkBindings(findAv(parsed.pairs, AvId.MsvAvChannelBindings), shown);

    const sessionBaseKey = hmacMd5(responseKey, ntProofStr);
    const keyExch = (msg.flags & NegotiateFlags.NEGOTIATE_KEY_EXCH) !== 0;
    let exportedSessionKey = sessionBaseKey;
    if (keyExch) {
      if (msg.encryptedRandomSessionKey.length !== 16) throw new Rejection(`${shown} sent no session key`);
      exportedSessionKey = rc4k(sessionBaseKey, msg.encryptedRandomSessionKey);
    }

    const avFlags = findAv(parsed.pairs, AvId.MsvAvFlags);
    const micSent = avFlags?.length === 4 && (avFlags[0] as number) & MsvAvFlags.MIC_PROVIDED;
    if (micSent) {
      if (!msg.mic) throw new Rejection(`${shown} announced a MIC but sent none`);
      const zeroed = new Uint8Array(token); // a copy: Buffer#slice would be a view and zero msg.mic too
      zeroed.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
      if (!equalBytes(computeMic(exportedSessionKey, negotiate, challenge, zeroed), msg.mic)) {
        throw new Rejection(`MIC mismatch for ${shown}: the handshake was altered`);
      }
    }

    this.#sessionKey = exportedSessionKey;
    this.#state = { name: 'accepted', security: new SessionSecurity(exportedSessionKey, 'server', keyExch) };
    return { kind: 'accepted', username: account.username, domain: msg.domain || domain };
  }

  #checkBindings(sent: Uint8Array | undefined, shown: string): void {
    const ours = this.#options.channelBindings;
    const absent = sent === undefined || sent.every((b) => b === 0);
    if (absent) {
      if (this.#options.requireChannelBindings) throw new Rejection(`${shown} sent no channel bindings (required)`);
      return;
    }
    if (ours === undefined) return; // plain HTTP: nothing to bind to
    if (!equalBytes(sent, channelBindingsHash(ours))) {
      throw new Rejection(`channel bindings of ${shown} do not match our TLS certificate`);
    }
  }

  /** Seals a response body with the server-to-client keys. */
  wrap(data: Uint8Array, inPlace = false): SealedMessage {
    return this.#session('wrap').wrap(data, inPlace);
  }

  /**
   * Checks and unseals a request body sealed with the client-to-server keys, in place (`data`
   * becomes the plaintext).
   * @throws AuthError (ETSR_AUTH_INTEGRITY) on a bad signature or sequence number.
   */
  unwrap(header: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#session('unwrap').unwrap(header, data);
  }

  #session(action: string): SessionSecurity {
    if (this.#state.name !== 'accepted') {
      throw new InvalidArgumentError(`NTLM server ${action}: no accepted handshake`);
    }
    return this.#state.security;
  }
}

/** The names the account lookup sees: a UPN with an empty DomainName is split at its last '@'. */
function lookupNames(msg: AuthenticateMessage): { user: string; domain: string } {
  const at = msg.user.lastIndexOf('@');
  if (msg.domain === '' && at > 0) return { user: msg.user.slice(0, at), domain: msg.user.slice(at + 1) };
  return { user: msg.user, domain: msg.domain };
}
