/**
 * The server's RunspacePool (MS-PSRP §3.2), sans-IO, on the same Engine as the client's.
 *
 * | client sends           | the pool does                                      | event                 |
 * |------------------------|----------------------------------------------------|-----------------------|
 * | SESSION_CAPABILITY     | queues its own SESSION_CAPABILITY                  | SessionCapability     |
 * | INIT_RUNSPACEPOOL      | state Opening; the app calls open()                | InitRunspacePool      |
 * |  (app: open())         | queues APPLICATION_PRIVATE_DATA + RUNSPACEPOOL_STATE Opened |             |
 * | CONNECT_RUNSPACEPOOL   | queues RUNSPACEPOOL_INIT_DATA, then STATE Opened   | ConnectRunspacePool   |
 * | PUBLIC_KEY             | queues ENCRYPTED_SESSION_KEY (fresh AES-256 key)   | PublicKey             |
 * | SET_MAX/MIN_RUNSPACES  | checks min <= max, answers RUNSPACE_AVAILABILITY   | SetMax/MinRunspaces   |
 * | GET_AVAILABLE_RUNSPACES| answers max - running pipelines                    | GetAvailableRunspaces |
 * | RESET_RUNSPACE_STATE   | the app resets, then answerResetRunspaceState()    | ResetRunspaceState    |
 * | CREATE_PIPELINE        | makes a Running ServerPipeline                     | CreatePipeline        |
 * | GET_COMMAND_METADATA   | makes a Running ServerPipeline for the answer      | GetCommandMetadata    |
 * | PIPELINE_INPUT / END_… | routed to the pipeline                             | PipelineInput / EndOfPipelineInput |
 * | *_HOST_RESPONSE        | matched to the pending host call                   | (Pipeline|RunspacePool)HostResponse |
 *
 * The WS-Man binding calls disconnect()/reconnect()/close() for Disconnect/Reconnect/Delete and a
 * pipeline's beginStop() for Signal. Payloads from dataToSend() go out as rsp:Stream Name="stdout",
 * with CommandId = payload.pipelineId.
 */
import type { PSObject, PSValue } from '../clixml/index.js';
import { ps } from '../clixml/index.js';
import {
  Destination, HostMethodIdentifier, MessageType, PROTOCOL_VERSION, PS_VERSION, PSInvocationState, RunspacePoolState, SERIALIZATION_VERSION,
} from '../constants.js';
import { InvalidArgumentError } from '../../errors.js';
import { PsrpProtocolError } from '../errors.js';
import { Engine, type EngineLimits, type PsrpPayload } from '../core/engine.js';
import type { ServerEvent } from '../events.js';
import type { PsrpMessage } from '../message.js';
import type { BodyOf, MessageBodies, PsrpMessageBody } from '../message-body.js';
import type { HostInfo } from '../messages/host-info.js';
import type { UserEvent } from '../messages/pool.js';
import { encryptSessionKey, type SessionKey } from '../securestring/index.js';
import { hostMethodReturns, VOID_CALL_ID } from '../host/methods.js';
import { SERVER_POOL_TRANSITIONS, transition } from '../state.js';
import { defaultApplicationPrivateData } from './defaults.js';
import { deliverToServerPipeline, ServerPipeline, type ServerPipelineLink } from './pipeline.js';

export interface ServerRunspacePoolOptions {
  /** The ShellId of the WS-Man Create (default: the RPID of the first message). */
  runspacePoolId?: string;
  /** APPLICATION_PRIVATE_DATA (default: { PSVersionTable } of a Windows PowerShell 5.1 host). */
  applicationPrivateData?: PSValue;
  /** The protocolversion we announce (default 2.3). */
  protocolVersion?: string;
  limits?: EngineLimits;
}

/** null: the message was dropped (see #pipelineMessage). */
type Handler = (message: PsrpMessage, body: PsrpMessageBody) => ServerEvent | null;

/** How many finished pipeline ids we remember, to drop late messages for them. */
const FINISHED_MEMORY = 256;

/** A server RunspacePool; see the file comment. */
export class ServerRunspacePool {
  #engine: Engine | undefined;
  readonly #opts: ServerRunspacePoolOptions;
  #state = RunspacePoolState.BeforeOpen;
  #minRunspaces = 1;
  #maxRunspaces = 1;
  #clientProtocolVersion: string | undefined;
  #hostInfo: HostInfo | undefined;
  #applicationArguments: PSValue = null;
  #sessionKey: SessionKey | undefined;
  #nextCallId = 1n;
  readonly #pendingHostCalls = new Set<bigint>();
  readonly #pendingResets = new Set<bigint>();
  readonly #pipelines = new Map<string, ServerPipeline>();
  readonly #finished = new Set<string>();
  readonly #handlers: Record<MessageType, Handler>;
  #preBroken: string | null = null;

  constructor(opts: ServerRunspacePoolOptions = {}) {
    this.#opts = opts;
    if (opts.runspacePoolId !== undefined) this.#engine = this.#makeEngine(opts.runspacePoolId);
    this.#handlers = this.#makeHandlers();
  }

  #makeEngine(id: string): Engine {
    return new Engine(id.toUpperCase(), Destination.Client, this.#opts.limits);
  }

  #eng(): Engine {
    // Until the first message names the pool, an engine with a placeholder id does the framing.
    this.#engine ??= this.#makeEngine('00000000-0000-0000-0000-000000000000');
    return this.#engine;
  }

  get runspacePoolId(): string {
    return this.#eng().runspacePoolId;
  }

  get state(): RunspacePoolState {
    return this.#state;
  }

  get minRunspaces(): number {
    return this.#minRunspaces;
  }

  get maxRunspaces(): number {
    return this.#maxRunspaces;
  }

  /** The client's protocolversion from its SESSION_CAPABILITY. */
  get clientProtocolVersion(): string | undefined {
    return this.#clientProtocolVersion;
  }

  /** The client's HostInfo from INIT_RUNSPACEPOOL (what its host can do). */
  get hostInfo(): HostInfo | undefined {
    return this.#hostInfo;
  }

  /** $PSSenderInfo.ApplicationArguments from INIT_RUNSPACEPOOL. */
  get applicationArguments(): PSValue {
    return this.#applicationArguments;
  }

  get hasSessionKey(): boolean {
    return this.#sessionKey !== undefined;
  }

  get brokenReason(): string | null {
    return this.#preBroken ?? this.#engine?.brokenReason ?? null;
  }

  /** Pipelines still running, by id. */
  get pipelines(): ReadonlyMap<string, ServerPipeline> {
    return this.#pipelines;
  }

  #to(action: string): RunspacePoolState {
    this.#eng().checkUsable('runspace pool');
    return transition(SERVER_POOL_TRANSITIONS, RunspacePoolState, action, this.#state);
  }

  /**
   * Finishes opening (§3.2.5.4.2): queues APPLICATION_PRIVATE_DATA and RUNSPACEPOOL_STATE Opened.
   * @throws InvalidStateError unless INIT_RUNSPACEPOOL arrived (state Opening).
   */
  open(applicationPrivateData?: PSValue): void {
    const next = this.#to('open');
    const data = applicationPrivateData ?? this.#opts.applicationPrivateData ?? defaultApplicationPrivateData();
    this.#eng().send(MessageType.APPLICATION_PRIVATE_DATA, { applicationPrivateData: data });
    this.#eng().send(MessageType.RUNSPACEPOOL_STATE, { state: RunspacePoolState.Opened });
    this.#state = next;
  }

  /** The pool broke (§3.2.1.2.2): stops nothing itself; queues RUNSPACEPOOL_STATE Broken with `error`. */
  fail(error: PSObject): void {
    const next = this.#to('fail');
    this.#eng().send(MessageType.RUNSPACEPOOL_STATE, { state: RunspacePoolState.Broken, error });
    this.#state = next;
  }

  /** WS-Man Delete: state Closed; pipelines are dropped (the binding stopped them). */
  close(): void {
    if (this.#state === RunspacePoolState.Closed) return;
    this.#state = this.#to('close');
    for (const id of this.#pipelines.keys()) this.#eng().forget(id);
    this.#pipelines.clear();
  }

  /** WS-Man Disconnect (§3.2.5.3.19): pool and running pipelines Disconnected. */
  disconnect(): void {
    this.#state = this.#to('disconnect');
    for (const p of this.#pipelines.values()) if (p.state === PSInvocationState.Running || p.state === PSInvocationState.Stopping) p.disconnect();
  }

  /** WS-Man Reconnect by the same client (§3.2.5.3.21). */
  reconnect(): void {
    this.#state = this.#to('reconnect');
    for (const p of this.#pipelines.values()) if (p.state === PSInvocationState.Disconnected) p.reconnect();
  }

  /** Queues PUBLIC_KEY_REQUEST (§3.2.5.4.5): asks the client to start the key exchange. */
  requestKey(): void {
    this.#to('requestKey');
    this.#eng().send(MessageType.PUBLIC_KEY_REQUEST, {});
  }

  /** Answers a ResetRunspaceState event (RUNSPACE_AVAILABILITY true/false). */
  answerResetRunspaceState(callId: bigint, ok: boolean): void {
    this.#to('answer');
    if (!this.#pendingResets.delete(callId)) throw new InvalidArgumentError(`no RESET_RUNSPACE_STATE call ${callId} is waiting`);
    this.#eng().send(MessageType.RUNSPACE_AVAILABILITY, { ci: callId, response: ok });
  }

  /** Queues USER_EVENT (§3.2.5.4.12). */
  userEvent(event: UserEvent): void {
    this.#to('userEvent');
    this.#eng().send(MessageType.USER_EVENT, event);
  }

  /** Queues RUNSPACEPOOL_HOST_CALL; returns its call id, or null for a void method. */
  hostCall(method: HostMethodIdentifier, parameters: PSValue[] = []): bigint | null {
    this.#to('hostCall');
    const returns = hostMethodReturns(method);
    const ci = returns ? this.#callId() : VOID_CALL_ID;
    this.#eng().send(MessageType.RUNSPACEPOOL_HOST_CALL, { ci, methodId: method, methodName: HostMethodIdentifier[method] ?? String(method), parameters });
    if (!returns) return null;
    this.#pendingHostCalls.add(ci);
    return ci;
  }

  #callId(): bigint {
    const ci = this.#nextCallId;
    this.#nextCallId += 1n;
    return ci;
  }

  /** Encrypts `text` as an <SS> value (after the client's PUBLIC_KEY). */
  encryptSecureString(text: string): PSValue {
    if (this.#sessionKey === undefined) throw new InvalidArgumentError('no session key: the client has not sent PUBLIC_KEY (see requestKey())');
    return ps.text('SS', this.#sessionKey.encrypt(text));
  }

  /** Decrypts an <SS> value from the client. */
  decryptSecureString(value: PSValue | string): string {
    if (this.#sessionKey === undefined) throw new InvalidArgumentError('no session key: the client has not sent PUBLIC_KEY');
    if (typeof value === 'string') return this.#sessionKey.decrypt(value);
    if (value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'SS') return this.#sessionKey.decrypt(value.value);
    throw new InvalidArgumentError('not a SecureString value');
  }

  /** The next payload for the client (stdout); `pipelineId` filters (null = the pool's only). */
  dataToSend(maxBytes?: number, pipelineId?: string | null): PsrpPayload | null {
    return this.#eng().dataToSend(maxBytes, pipelineId);
  }

  /** True when dataToSend() has something (the binding answers a pending Receive). */
  get hasDataToSend(): boolean {
    return this.#eng().hasDataToSend;
  }

  /**
   * Takes the bytes of one client payload (creationXml, connectXml, Command Arguments, a Send's
   * stdin or pr Stream).
   * @throws PsrpProtocolError on malformed input; the pool is then broken for good.
   */
  receiveData(data: Uint8Array): void {
    this.#eng().receiveData(data);
  }

  /** The next event, or null; see the file comment. @throws PsrpProtocolError (broken for good). */
  nextEvent(): ServerEvent | null {
    const engine = this.#eng();
    for (let message = engine.nextMessage(); message !== null; message = engine.nextMessage()) {
      try {
        if (this.#opts.runspacePoolId === undefined && this.#state === RunspacePoolState.BeforeOpen && !engine.hasDataToSend) {
          engine.adoptRunspacePoolId(message.rpid);
        }
        const event = this.#handlers[message.type](message, engine.decode(message));
        if (event !== null) return event;
      } catch (err) {
        if (!(err instanceof PsrpProtocolError)) throw err;
        this.#state = RunspacePoolState.Broken;
        throw engine.fail(err);
      }
    }
    return null;
  }

  #pipelineLink(): ServerPipelineLink {
    return {
      engine: this.#eng(),
      nextCallId: () => this.#callId(),
      finished: (id) => {
        this.#pipelines.delete(id);
        this.#finished.add(id);
        if (this.#finished.size > FINISHED_MEMORY) this.#finished.delete(this.#finished.values().next().value ?? '');
      },
    };
  }

  #newPipeline(pid: string, request: MessageBodies[MessageType.CREATE_PIPELINE] | null): ServerPipeline {
    if (this.#pipelines.has(pid)) throw new PsrpProtocolError(`pipeline ${pid} exists already`);
    this.#finished.delete(pid); // a client may invoke the same PowerShell again with its PID
    const p = new ServerPipeline(this.#pipelineLink(), pid, request);
    this.#pipelines.set(pid, p);
    return p;
  }

  #peer(type: MessageType): RunspacePoolState {
    const next = this.#to(MessageType[type]);
    this.#state = next;
    return next;
  }

  #available(): number {
    let running = 0;
    for (const p of this.#pipelines.values()) if (p.state === PSInvocationState.Running || p.state === PSInvocationState.Stopping) running += 1;
    return Math.max(0, this.#maxRunspaces - running);
  }

  // Input or a host response may cross the pipeline's end on the wire (the client sent it before
  // our PIPELINE_STATE arrived): such late messages for a pipeline we finished are dropped.
  #pipelineMessage = (message: PsrpMessage, body: PsrpMessageBody): ServerEvent | null => {
    const p = this.#pipelines.get(message.pid);
    if (p === undefined && this.#finished.has(message.pid)) return null;
    if (p === undefined) throw new PsrpProtocolError(`${MessageType[message.type]} for unknown pipeline ${message.pid}`);
    return deliverToServerPipeline(p, body);
  };

  #notFromClient = (message: PsrpMessage): ServerEvent => {
    throw new PsrpProtocolError(`${MessageType[message.type]} is a server-to-client message; a client does not send it`);
  };

  #makeHandlers(): Record<MessageType, Handler> {
    const as = <K extends MessageType>(body: PsrpMessageBody, _k: K): BodyOf<K> => body as BodyOf<K>;
    const T = MessageType;
    const setCount = (which: 'Max' | 'Min') => (_m: PsrpMessage, b: PsrpMessageBody): ServerEvent => {
      const body = as(b, which === 'Max' ? T.SET_MAX_RUNSPACES : T.SET_MIN_RUNSPACES);
      this.#peer(which === 'Max' ? T.SET_MAX_RUNSPACES : T.SET_MIN_RUNSPACES);
      const min = which === 'Min' ? body.count : this.#minRunspaces;
      const max = which === 'Max' ? body.count : this.#maxRunspaces;
      const accepted = Number.isInteger(body.count) && min >= 1 && min <= max;
      if (accepted) {
        this.#minRunspaces = min;
        this.#maxRunspaces = max;
      }
      this.#eng().send(T.RUNSPACE_AVAILABILITY, { ci: body.ci, response: accepted });
      return { type: which === 'Max' ? 'SetMaxRunspaces' : 'SetMinRunspaces', callId: body.ci, count: body.count, accepted };
    };
    return {
      [T.SESSION_CAPABILITY]: (_m, b) => {
        const body = as(b, T.SESSION_CAPABILITY);
        this.#peer(T.SESSION_CAPABILITY);
        this.#clientProtocolVersion = body.protocolVersion;
        this.#eng().send(T.SESSION_CAPABILITY, { protocolVersion: this.#opts.protocolVersion ?? PROTOCOL_VERSION, psVersion: PS_VERSION, serializationVersion: SERIALIZATION_VERSION });
        return { type: 'SessionCapability', protocolVersion: body.protocolVersion, psVersion: body.psVersion, serializationVersion: body.serializationVersion };
      },
      [T.INIT_RUNSPACEPOOL]: (_m, b) => {
        const body = as(b, T.INIT_RUNSPACEPOOL);
        if (body.minRunspaces < 1 || body.maxRunspaces < body.minRunspaces) {
          throw new PsrpProtocolError(`INIT_RUNSPACEPOOL with min ${body.minRunspaces}, max ${body.maxRunspaces}`);
        }
        this.#peer(T.INIT_RUNSPACEPOOL);
        this.#minRunspaces = body.minRunspaces;
        this.#maxRunspaces = body.maxRunspaces;
        this.#hostInfo = body.hostInfo;
        this.#applicationArguments = body.applicationArguments;
        const { type: _t, ...fields } = body;
        return { type: 'InitRunspacePool', ...fields };
      },
      [T.CONNECT_RUNSPACEPOOL]: (_m, b) => {
        const body = as(b, T.CONNECT_RUNSPACEPOOL);
        this.#peer(T.CONNECT_RUNSPACEPOOL);
        // The connectResponseXml: SESSION_CAPABILITY (queued already) + RUNSPACEPOOL_INIT_DATA.
        this.#eng().send(T.RUNSPACEPOOL_INIT_DATA, { minRunspaces: this.#minRunspaces, maxRunspaces: this.#maxRunspaces }, { endsPayload: true });
        this.#eng().send(T.RUNSPACEPOOL_STATE, { state: RunspacePoolState.Opened });
        for (const p of this.#pipelines.values()) if (p.state === PSInvocationState.Disconnected) p.reconnect();
        const event: ServerEvent = { type: 'ConnectRunspacePool' };
        if (body.minRunspaces !== undefined) event.minRunspaces = body.minRunspaces;
        if (body.maxRunspaces !== undefined) event.maxRunspaces = body.maxRunspaces;
        return event;
      },
      [T.PUBLIC_KEY]: (_m, b) => {
        this.#peer(T.PUBLIC_KEY);
        const { sessionKey, encryptedSessionKey } = encryptSessionKey(as(b, T.PUBLIC_KEY).publicKey, this.#sessionKey);
        this.#sessionKey = sessionKey;
        this.#eng().send(T.ENCRYPTED_SESSION_KEY, { encryptedSessionKey });
        return { type: 'PublicKey' };
      },
      [T.SET_MAX_RUNSPACES]: setCount('Max'),
      [T.SET_MIN_RUNSPACES]: setCount('Min'),
      [T.GET_AVAILABLE_RUNSPACES]: (_m, b) => {
        const body = as(b, T.GET_AVAILABLE_RUNSPACES);
        this.#peer(T.GET_AVAILABLE_RUNSPACES);
        const available = this.#available();
        this.#eng().send(T.RUNSPACE_AVAILABILITY, { ci: body.ci, response: BigInt(available) });
        return { type: 'GetAvailableRunspaces', callId: body.ci, available };
      },
      [T.RESET_RUNSPACE_STATE]: (_m, b) => {
        const body = as(b, T.RESET_RUNSPACE_STATE);
        this.#peer(T.RESET_RUNSPACE_STATE);
        this.#pendingResets.add(body.ci);
        return { type: 'ResetRunspaceState', callId: body.ci };
      },
      [T.CREATE_PIPELINE]: (m, b) => {
        const body = as(b, T.CREATE_PIPELINE);
        this.#peer(T.CREATE_PIPELINE);
        const { type: _t, ...request } = body;
        const pipeline = this.#newPipeline(m.pid, request);
        return { type: 'CreatePipeline', pipelineId: m.pid, pipeline, request };
      },
      [T.GET_COMMAND_METADATA]: (m, b) => {
        const body = as(b, T.GET_COMMAND_METADATA);
        this.#peer(T.GET_COMMAND_METADATA);
        const pipeline = this.#newPipeline(m.pid, null);
        const { type: _t, ...request } = body;
        return { type: 'GetCommandMetadata', pipelineId: m.pid, pipeline, request };
      },
      [T.RUNSPACEPOOL_HOST_RESPONSE]: (_m, b) => {
        const body = as(b, T.RUNSPACEPOOL_HOST_RESPONSE);
        this.#peer(T.RUNSPACEPOOL_HOST_RESPONSE);
        if (!this.#pendingHostCalls.delete(body.ci)) throw new PsrpProtocolError(`RUNSPACEPOOL_HOST_RESPONSE for unknown call id ${body.ci}`);
        const { type: _t, ...fields } = body;
        return { type: 'RunspacePoolHostResponse', ...fields };
      },
      [T.PIPELINE_INPUT]: this.#pipelineMessage,
      [T.END_OF_PIPELINE_INPUT]: this.#pipelineMessage,
      [T.PIPELINE_HOST_RESPONSE]: this.#pipelineMessage,
      [T.ENCRYPTED_SESSION_KEY]: this.#notFromClient,
      [T.PUBLIC_KEY_REQUEST]: this.#notFromClient,
      [T.RUNSPACEPOOL_INIT_DATA]: this.#notFromClient,
      [T.RUNSPACE_AVAILABILITY]: this.#notFromClient,
      [T.RUNSPACEPOOL_STATE]: this.#notFromClient,
      [T.USER_EVENT]: this.#notFromClient,
      [T.APPLICATION_PRIVATE_DATA]: this.#notFromClient,
      [T.RUNSPACEPOOL_HOST_CALL]: this.#notFromClient,
      [T.PIPELINE_OUTPUT]: this.#notFromClient,
      [T.ERROR_RECORD]: this.#notFromClient,
      [T.PIPELINE_STATE]: this.#notFromClient,
      [T.DEBUG_RECORD]: this.#notFromClient,
      [T.VERBOSE_RECORD]: this.#notFromClient,
      [T.WARNING_RECORD]: this.#notFromClient,
      [T.PROGRESS_RECORD]: this.#notFromClient,
      [T.INFORMATION_RECORD]: this.#notFromClient,
      [T.PIPELINE_HOST_CALL]: this.#notFromClient,
    };
  }
}
