/**
 * The CredSSP acceptor after TLS (MS-CSSP 3.1.5), sans-IO: plaintext TSRequests in, a reply or a
 * verdict out. `serve` runs it behind its TLS engine; the tests drive it directly.
 * ```
 *   next({ NEGOTIATE })                         -> reply { CHALLENGE }
 *   next({ AUTHENTICATE, pubKeyAuth, nonce })   -> reply { pubKeyAuth: seal(server binding) }
 *   next({ authInfo })                          -> accepted { username, credentials }
 * ```
 * Checks, in order: NTLM's own (NTLMv2, MIC, timestamp); the client's sealed binding must be for
 * our TLS key (a client that saw another key was talked to by a man in the middle); the delegated
 * TSPasswordCreds must name the account NTLM logged on, and `checkPassword` must accept its password
 * (CredSSP's point: the server receives the real password and uses it).
 * Failures after NTLM answer with a TSRequest carrying errorCode on versions 3, 4 and 6+ (2 and 5 have
 * no such field, MS-CSSP 2.2.1), so a client can show why; reasons are for the log, never a secret.
 */
import { InvalidArgumentError } from '../../errors.js';
import { AuthError } from '../errors.js';
import { NtlmServerContext, type NtlmServerOptions } from '../ntlm/index.js';
import { FIRST_HASHED_VERSION, NONCE_LENGTH, clientBinding, serverBinding } from './binding.js';
import { CREDSSP_VERSION, type TsPasswordCreds, decodeTsCredentials, decodeTsRequest, encodeTsRequest } from './messages.js';
import { STATUS_LOGON_FAILURE } from './ntstatus.js';
import { joinSealed, splitSealed } from './sealed-token.js';

export interface CredSspServerOptions {
  /** NTLM acceptor settings (account lookup, names); channel bindings do not apply inside TLS. */
  ntlm: Omit<NtlmServerOptions, 'channelBindings' | 'requireChannelBindings'>;
  /** SubjectPublicKey of the certificate our inner TLS server presents. */
  publicKey: Uint8Array;
  /**
   * Whether the delegated password is right for the account NTLM logged on (`username` as the
   * lookup returned it).
   */
  checkPassword(username: string, credentials: TsPasswordCreds): boolean;
}

export type CredSspServerStep =
  | { kind: 'reply'; token: Uint8Array }
  | { kind: 'accepted'; username: string; credentials: TsPasswordCreds }
  /** `token`, when present, is a TSRequest with errorCode to send back. */
  | { kind: 'rejected'; reason: string; token?: Uint8Array };

type State =
  | { name: 'initial' }
  | { name: 'challenged'; version: number }
  | { name: 'bound'; version: number; username: string }
  | { name: 'done' };

class Rejection extends Error {}

export class CredSspServer {
  readonly #options: CredSspServerOptions;
  readonly #ntlm: NtlmServerContext;
  #state: State = { name: 'initial' };

  constructor(options: CredSspServerOptions) {
    this.#options = options;
    this.#ntlm = new NtlmServerContext(options.ntlm);
  }

  /**
   * Consumes the client's next TSRequest; a malformed or refused one ends the exchange.
   * @throws InvalidArgumentError when called after the verdict.
   */
  next(clientRequest: Uint8Array): CredSspServerStep {
    const state = this.#state;
    if (state.name === 'done') throw new InvalidArgumentError('CredSSP server next: the exchange already ended');
    try {
      const req = decodeTsRequest(clientRequest);
      switch (state.name) {
        case 'initial':
          return this.#challenge(req.negoTokens?.[0], Math.min(req.version, CREDSSP_VERSION));
        case 'challenged':
          return this.#bind(req.negoTokens?.[0], req.pubKeyAuth, req.clientNonce, state.version);
        case 'bound':
          return this.#accept(req.authInfo, state.username);
      }
    } catch (err) {
      if (!(err instanceof Rejection || err instanceof AuthError)) throw err;
      const version = state.name === 'initial' ? undefined : state.version;
      this.#state = { name: 'done' };
      const reportable = version !== undefined && (version === 3 || version === 4 || version >= 6);
      return {
        kind: 'rejected',
        reason: err.message,
        ...(reportable ? { token: encodeTsRequest({ version, errorCode: STATUS_LOGON_FAILURE }) } : {}),
      };
    }
  }

  #challenge(negotiate: Uint8Array | undefined, version: number): CredSspServerStep {
    if (version < 2) throw new Rejection(`client speaks CredSSP version ${version}`);
    if (negotiate === undefined) throw new Rejection('the first TSRequest carries no negoToken');
    const step = this.#ntlm.step(negotiate);
    if (step.kind !== 'challenge') throw new Rejection(step.kind === 'rejected' ? `NTLM: ${step.reason}` : 'NTLM accepted too early');
    this.#state = { name: 'challenged', version };
    return { kind: 'reply', token: encodeTsRequest({ version, negoTokens: [step.token] }) };
  }

  #bind(authenticate: Uint8Array | undefined, pubKeyAuth: Uint8Array | undefined, nonce: Uint8Array | undefined, version: number): CredSspServerStep {
    if (authenticate === undefined) throw new Rejection('the second TSRequest carries no NTLM AUTHENTICATE');
    const step = this.#ntlm.step(authenticate);
    if (step.kind === 'rejected') throw new Rejection(`NTLM: ${step.reason}`);
    if (step.kind !== 'accepted') throw new Rejection('NTLM did not finish');
    if (pubKeyAuth === undefined) throw new Rejection(`${step.username} sent no pubKeyAuth`);
    if (version >= FIRST_HASHED_VERSION && nonce?.length !== NONCE_LENGTH) throw new Rejection(`${step.username} sent no ${NONCE_LENGTH}-byte clientNonce`);
    const { header, data } = splitSealed(pubKeyAuth);
    const opened = this.#ntlm.unwrap(header, data);
    const expected = clientBinding(version, this.#options.publicKey, nonce);
    if (!Buffer.from(opened).equals(Buffer.from(expected))) {
      throw new Rejection(`public-key binding of ${step.username} does not match our TLS key (a man in the middle?)`);
    }
    this.#state = { name: 'bound', version, username: step.username };
    const reply = joinSealed(this.#ntlm.wrap(serverBinding(version, this.#options.publicKey, nonce)));
    return { kind: 'reply', token: encodeTsRequest({ version, pubKeyAuth: reply }) };
  }

  #accept(authInfo: Uint8Array | undefined, username: string): CredSspServerStep {
    if (authInfo === undefined) throw new Rejection(`${username} sent no authInfo (delegated credentials)`);
    const { header, data } = splitSealed(authInfo);
    const credentials = decodeTsCredentials(this.#ntlm.unwrap(header, data));
    if (!sameAccount(credentials, username)) {
      throw new Rejection(`${username} delegated credentials of another account`);
    }
    if (!this.#options.checkPassword(username, credentials)) throw new Rejection(`the password ${username} delegated is wrong`);
    this.#state = { name: 'done' };
    return { kind: 'accepted', username, credentials };
  }
}

/** The delegated user name names the account NTLM logged on (the domain part is not compared). */
function sameAccount(credentials: TsPasswordCreds, username: string): boolean {
  const bare = (name: string): string => {
    const lower = name.toLowerCase();
    const slash = lower.lastIndexOf('\\');
    const at = lower.lastIndexOf('@');
    return slash >= 0 ? lower.slice(slash + 1) : at > 0 ? lower.slice(0, at) : lower;
  };
  return bare(credentials.userName) === bare(username);
}
