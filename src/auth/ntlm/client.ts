/**
 * The NTLM initiator: NEGOTIATE, then AUTHENTICATE from the server's CHALLENGE, then sealing.
 *
 * ```
 *   step()           -> NEGOTIATE      flags we want (CLIENT_FLAGS), no names
 *   step(CHALLENGE)  -> AUTHENTICATE   NTLMv2 response, KEY_EXCH session key, MIC; complete = true
 *   wrap / unwrap                      client-to-server keys out, server-to-client keys in
 * ```
 * What we send follows a current Windows client (MS-NLMP 3.1.5.1.2):
 * - the NTLMv2 blob echoes the server's AV pairs, adds MsvAvFlags = MIC_PROVIDED when the server
 *   sent a timestamp, MsvAvChannelBindings (16 zero bytes without TLS) and MsvAvTargetName when
 *   a service principal is known;
 * - with a server timestamp the blob reuses it and LmChallengeResponse is 24 zero bytes, since the
 *   LMv2 response adds nothing then and Windows stops sending it;
 * - `DOMAIN\user` sends both names; `user@domain` goes whole in UserName with an empty domain,
 *   as SSPI sends a UPN and a domain controller expects it.
 * A server that does not agree to NTLMv2 session security (REQUIRED_FLAGS) is refused before any
 * response is computed, so no password-derived bytes reach a downgrading server.
 */
import { pooledRandomBytes } from './random-pool.js';
import { InvalidArgumentError } from '../../errors.js';
import type { AuthContext, SealedMessage } from '../context.js';
import type { Credential } from '../credential.js';
import { channelBindingsHash } from '../channel-binding.js';
import { AuthError } from '../errors.js';
import { type AvPair, findAv, textAv, withAv } from './av-pairs.js';
import { AvId, CLIENT_FLAGS, MsvAvFlags, NegotiateFlags, REQUIRED_FLAGS, flagNames } from './constants.js';
import {
  clientChallengeBlob,
  computeMic,
  fileTime,
  lmv2Response,
  ntlmv2Response,
  ntowfv2,
} from './crypto.js';
import { MIC_OFFSET, decodeChallenge, encodeAuthenticate, encodeNegotiate, isNtlmToken } from './messages.js';
import { rc4k } from './rc4.js';
import { SessionSecurity } from './seal.js';
import { malformed, u32le } from './wire.js';

export interface NtlmClientOptions {
  /** HTTP scheme the raw NTLM tokens travel in; default 'Negotiate'. */
  scheme?: 'Negotiate' | 'NTLM';
  /** Workstation name sent in AUTHENTICATE; default none (empty), as pywinrm sends. */
  workstation?: string;
  /**
   * Called while building AUTHENTICATE: the channel-binding application data (e.g.
   * 'tls-server-end-point:' + certificate hash, see channel-binding.ts), or undefined on plain HTTP.
   */
  channelBindings?: () => Uint8Array | undefined;
  /** Service principal for MsvAvTargetName, e.g. 'HTTP/web1.corp.example'. Optional. */
  targetName?: string;
  /** Test hook: random bytes (client challenge, session key). */
  random?: (n: number) => Uint8Array;
  /** Test hook: the clock, used when the server sends no timestamp. */
  now?: () => Date;
}

/** Flags we echo from CHALLENGE into AUTHENTICATE: ours plus the informational target bits. */
const ECHOED_FLAGS =
  CLIENT_FLAGS | NegotiateFlags.NEGOTIATE_TARGET_INFO | NegotiateFlags.TARGET_TYPE_DOMAIN | NegotiateFlags.TARGET_TYPE_SERVER;

/**
 * NTOWFv2 per credential: MD4 of the password and the HMAC that binds it to the user and domain
 * are the same for every logon with one credential, and a fan-out logs on once per host with the
 * same Credential object. Kept as long as that object lives (it holds the password anyway).
 */
const responseKeys = new WeakMap<Credential, Map<string, Uint8Array>>();

function responseKeyOf(credential: Credential, user: string, domain: string): Uint8Array {
  let byName = responseKeys.get(credential);
  if (!byName) responseKeys.set(credential, (byName = new Map()));
  const name = `${user}\u0000${domain}`;
  let key = byName.get(name);
  if (!key) byName.set(name, (key = ntowfv2(credential.revealPassword(), user, domain)));
  return key;
}

/** Splits the typed user name into the UserName and DomainName NTLM sends. */
function wireNames(credential: Credential): { user: string; domain: string } {
  if (credential.username.includes('\\')) return { user: credential.user, domain: credential.domain };
  return { user: credential.username, domain: '' };
}

/** An NTLM client context; see the file comment for the exchange. */
export class NtlmClientContext implements AuthContext {
  readonly scheme: 'Negotiate' | 'NTLM';
  readonly encrypts = true;
  readonly revealsSecret = false;
  readonly everyRequest = false;
  readonly #credential: Credential;
  readonly #options: NtlmClientOptions;
  readonly #random: (n: number) => Uint8Array;
  #negotiate: Uint8Array | undefined;
  #security: SessionSecurity | undefined;
  #sessionKey: Uint8Array | undefined;

  constructor(credential: Credential, options: NtlmClientOptions = {}) {
    this.#credential = credential;
    this.#options = options;
    this.scheme = options.scheme ?? 'Negotiate';
    this.#random = options.random ?? pooledRandomBytes;
  }

  get complete(): boolean {
    return this.#security !== undefined;
  }

  /** The exported session key once complete: for tests only, never print it. */
  get sessionKey(): Uint8Array | undefined {
    return this.#sessionKey;
  }

  /**
   * First call (no token): returns NEGOTIATE. Second call: consumes CHALLENGE, returns AUTHENTICATE.
   * @throws AuthError (ETSR_AUTH_REJECTED) for a malformed CHALLENGE; (ETSR_AUTH_UNSUPPORTED) when
   *   the server refuses NTLMv2 session security; InvalidArgumentError when called out of order.
   */
  step(inToken?: Uint8Array): Uint8Array {
    if (this.#negotiate === undefined) {
      if (inToken !== undefined) throw new InvalidArgumentError('NTLM step: the first call takes no token');
      this.#negotiate = encodeNegotiate(CLIENT_FLAGS);
      return this.#negotiate;
    }
    if (this.#security !== undefined) throw new InvalidArgumentError('NTLM step: the handshake is already complete');
    if (inToken === undefined) throw new InvalidArgumentError('NTLM step: expected the server CHALLENGE');
    return this.#authenticate(this.#negotiate, inToken);
  }

  #authenticate(negotiate: Uint8Array, challengeToken: Uint8Array): Uint8Array {
    if (!isNtlmToken(challengeToken)) {
      throw new AuthError('ETSR_AUTH_REJECTED', 'the server answered with a token that is not NTLM', {
        hint: 'the server may require Kerberos; try --auth ntlm or check that NTLM is enabled on the server',
      });
    }
    const challenge = decodeChallenge(challengeToken);
    const missing = REQUIRED_FLAGS & ~challenge.flags;
    if (missing !== 0) {
      throw new AuthError(
        'ETSR_AUTH_UNSUPPORTED',
        `the server refused NTLMv2 session security (missing ${flagNames(missing).join(', ')})`,
        { hint: 'the server must allow NTLMv2 with 128-bit signing and sealing (LmCompatibilityLevel 3 or more)' },
      );
    }
    const flags = (challenge.flags & ECHOED_FLAGS) >>> 0;
    const keyExch = (flags & NegotiateFlags.NEGOTIATE_KEY_EXCH) !== 0;

    const serverTime = findAv(challenge.targetInfo, AvId.MsvAvTimestamp);
    if (serverTime !== undefined && serverTime.length !== 8) throw malformed('CHALLENGE MsvAvTimestamp is not 8 bytes');
    const sendMic = serverTime !== undefined;

    let pairs: AvPair[] = [...challenge.targetInfo];
    if (sendMic) {
      const prior = findAv(pairs, AvId.MsvAvFlags);
      const bits = prior?.length === 4 ? new DataView(prior.buffer, prior.byteOffset, 4).getUint32(0, true) : 0;
      pairs = withAv(pairs, { id: AvId.MsvAvFlags, value: u32le(bits | MsvAvFlags.MIC_PROVIDED) });
    }
    const bindings = this.#options.channelBindings?.();
    const bindingsValue = bindings === undefined ? new Uint8Array(16) : channelBindingsHash(bindings);
    pairs = withAv(pairs, { id: AvId.MsvAvChannelBindings, value: bindingsValue });
    if (this.#options.targetName) pairs = withAv(pairs, textAv(AvId.MsvAvTargetName, this.#options.targetName));

    const { user, domain } = wireNames(this.#credential);
    const responseKey = responseKeyOf(this.#credential, user, domain);
    const clientChallenge = this.#take(8);
    const time = serverTime ?? fileTime((this.#options.now ?? (() => new Date()))());
    const blob = clientChallengeBlob(time, clientChallenge, pairs);
    const { ntChallengeResponse, sessionBaseKey } = ntlmv2Response(responseKey, challenge.serverChallenge, blob);
    const lmChallengeResponse = sendMic
      ? new Uint8Array(24)
      : lmv2Response(responseKey, challenge.serverChallenge, clientChallenge);

    // KXKEY is the session base key in NTLMv2 (3.4.5.1).
    const exportedSessionKey = keyExch ? this.#take(16) : sessionBaseKey;
    const encryptedRandomSessionKey = keyExch ? rc4k(sessionBaseKey, exportedSessionKey) : new Uint8Array(0);

    const authenticate = encodeAuthenticate({
      flags,
      lmChallengeResponse,
      ntChallengeResponse,
      domain,
      user,
      workstation: this.#options.workstation ?? '',
      encryptedRandomSessionKey,
    });
    if (sendMic) authenticate.set(computeMic(exportedSessionKey, negotiate, challengeToken, authenticate), MIC_OFFSET);

    this.#sessionKey = exportedSessionKey;
    this.#security = new SessionSecurity(exportedSessionKey, 'client', keyExch);
    return authenticate;
  }

  #take(n: number): Uint8Array {
    const bytes = this.#random(n);
    if (bytes.length !== n) throw new InvalidArgumentError(`random(${n}) returned ${bytes.length} bytes`);
    return bytes;
  }

  /** Seals a request body: 16-byte signature header and the RC4-sealed bytes. */
  wrap(data: Uint8Array): SealedMessage {
    return this.#session('wrap').wrap(data);
  }

  /**
   * Checks and unseals a response body, in place (`data` becomes the plaintext).
   * @throws AuthError (ETSR_AUTH_INTEGRITY) on a bad signature or sequence number.
   */
  unwrap(header: Uint8Array, data: Uint8Array): Uint8Array {
    return this.#session('unwrap').unwrap(header, data);
  }

  #session(action: string): SessionSecurity {
    if (!this.#security) throw new InvalidArgumentError(`NTLM ${action}: the handshake is not complete`);
    return this.#security;
  }
}
