/**
 * The CredSSP initiator after TLS (MS-CSSP 3.1.5 steps 2 to 5), sans-IO: plaintext TSRequests in
 * and out; the TLS channel that carries them is the caller's.
 * ```
 *   start()                  -> TSRequest { negoTokens: NEGOTIATE }
 *   next(CHALLENGE, key)     -> TSRequest { negoTokens: AUTHENTICATE, pubKeyAuth: seal(binding), clientNonce }
 *   next(server pubKeyAuth)  -> TSRequest { authInfo: seal(TSCredentials) }        complete = true
 * ```
 * The inner mechanism is NTLM as raw tokens, which Windows' Negotiate package accepts inside
 * CredSSP (as requests-credssp did before pyspnego); Kerberos is not offered here yet. NTLM's
 * sealing (MS-NLMP 3.4.3) gives GSS_WrapEx's output: the 16-byte signature, then the sealed bytes.
 * A server whose binding does not match the TLS key we saw is refused before the password is sent.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import type { Credential } from '../credential.js';
import { AuthError } from '../errors.js';
import { NtlmClientContext } from '../ntlm/index.js';
import { NONCE_LENGTH, FIRST_HASHED_VERSION, clientBinding, serverBinding } from './binding.js';
import { CREDSSP_VERSION, type TsRequest, decodeTsRequest, encodeTsCredentials, encodeTsRequest } from './messages.js';
import { describeNtStatus } from './ntstatus.js';
import { joinSealed, splitSealed } from './sealed-token.js';

export interface CredSspClientOptions {
  /** Service principal for NTLM's MsvAvTargetName, e.g. `HTTP/web1`. */
  targetName?: string;
  /** Test hook: random bytes (the client nonce, NTLM's challenge and key). */
  random?: (n: number) => Uint8Array;
  /** Test hook: the version we announce (default 6). */
  version?: number;
}

type State =
  | { name: 'initial' }
  | { name: 'negotiating' }
  | { name: 'bound'; version: number; publicKey: Uint8Array; nonce: Uint8Array | undefined }
  | { name: 'complete' }
  | { name: 'failed' };

export class CredSspClient {
  readonly #credential: Credential;
  readonly #ntlm: NtlmClientContext;
  readonly #random: (n: number) => Uint8Array;
  readonly #version: number;
  #state: State = { name: 'initial' };

  constructor(credential: Credential, options: CredSspClientOptions = {}) {
    this.#credential = credential;
    this.#random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.#version = options.version ?? CREDSSP_VERSION;
    this.#ntlm = new NtlmClientContext(credential, {
      random: this.#random,
      ...(options.targetName === undefined ? {} : { targetName: options.targetName }),
    });
  }

  /** True once the credentials went out. */
  get complete(): boolean {
    return this.#state.name === 'complete';
  }

  /** The first TSRequest: NTLM's NEGOTIATE. */
  start(): Uint8Array {
    if (this.#state.name !== 'initial') throw new InvalidArgumentError(`CredSSP start: already ${this.#state.name}`);
    this.#state = { name: 'negotiating' };
    return encodeTsRequest({ version: this.#version, negoTokens: [this.#ntlm.step()] });
  }

  /**
   * Consumes the server's TSRequest and returns ours.
   * @param publicKey the SubjectPublicKey of the certificate the inner TLS server presented
   * @throws AuthError: ETSR_AUTH_REJECTED when the server reports an error, breaks the protocol or
   *   its public-key binding does not match (a man in the middle); the object is unusable afterwards.
   */
  next(serverRequest: Uint8Array, publicKey: Uint8Array): Uint8Array {
    const state = this.#state;
    if (state.name !== 'negotiating' && state.name !== 'bound') {
      throw new InvalidArgumentError(`CredSSP next: not expecting a server message (${state.name})`);
    }
    try {
      const req = decodeTsRequest(serverRequest);
      if (req.errorCode !== undefined && req.errorCode !== 0) {
        throw new AuthError('ETSR_AUTH_REJECTED', `the server refused the CredSSP logon (${describeNtStatus(req.errorCode)})`, {
          hint: 'check -u DOMAIN\\user and the password',
        });
      }
      return state.name === 'negotiating' ? this.#bind(req, publicKey) : this.#delegate(req, state);
    } catch (err) {
      this.#state = { name: 'failed' };
      throw err;
    }
  }

  /** CHALLENGE in: AUTHENTICATE out, with our sealed binding to the TLS key. */
  #bind(req: TsRequest, publicKey: Uint8Array): Uint8Array {
    const challenge = req.negoTokens?.[0];
    if (challenge === undefined) throw protocolError('the server sent no NTLM CHALLENGE');
    const authenticate = this.#ntlm.step(challenge);
    const version = Math.min(req.version, this.#version);
    if (version < 2) throw protocolError(`the server speaks CredSSP version ${req.version}`);
    const nonce = version >= FIRST_HASHED_VERSION ? this.#random(NONCE_LENGTH) : undefined;
    const pubKeyAuth = joinSealed(this.#ntlm.wrap(clientBinding(version, publicKey, nonce)));
    this.#state = { name: 'bound', version, publicKey, nonce };
    return encodeTsRequest({
      version: this.#version,
      negoTokens: [authenticate],
      pubKeyAuth,
      ...(nonce === undefined ? {} : { clientNonce: nonce }),
    });
  }

  /** The server's binding in: checked, then the sealed credentials out. */
  #delegate(req: TsRequest, state: { version: number; publicKey: Uint8Array; nonce: Uint8Array | undefined }): Uint8Array {
    if (req.pubKeyAuth === undefined) throw protocolError('the server sent no pubKeyAuth');
    const { header, data } = splitSealed(req.pubKeyAuth);
    let opened: Uint8Array;
    try {
      opened = this.#ntlm.unwrap(header, data);
    } catch (err) {
      throw mitm('its pubKeyAuth does not open with our NTLM keys', err);
    }
    const expected = serverBinding(state.version, state.publicKey, state.nonce);
    if (!Buffer.from(opened).equals(Buffer.from(expected))) throw mitm('its public-key binding does not match the TLS key it presented');
    const c = this.#credential;
    const domainName = c.username.includes('\\') ? c.domain : '';
    const userName = c.username.includes('\\') ? c.user : c.username;
    const credentials = encodeTsCredentials({ domainName, userName, password: c.revealPassword() });
    const authInfo = joinSealed(this.#ntlm.wrap(credentials));
    credentials.fill(0);
    this.#state = { name: 'complete' };
    return encodeTsRequest({ version: this.#version, authInfo });
  }
}

function protocolError(why: string): AuthError {
  return new AuthError('ETSR_AUTH_REJECTED', `CredSSP: ${why}`);
}

function mitm(why: string, cause?: unknown): AuthError {
  return new AuthError('ETSR_AUTH_REJECTED', `CredSSP server not trusted: ${why}; credentials not sent`, {
    hint: 'something between you and the server may be intercepting TLS (a man in the middle); do not retry blindly',
    ...(cause === undefined ? {} : { cause }),
  });
}
