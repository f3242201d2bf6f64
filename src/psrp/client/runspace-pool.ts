/**
 * The client's RunspacePool (MS-PSRP §3.1), sans-IO: methods queue messages, `dataToSend()` cuts
 * them into payloads, `receiveData()` takes the server's bytes and `nextEvent()` hands out one
 * event per message received (events.ts). State changes follow CLIENT_POOL_TRANSITIONS in
 * state.ts; the WS-Man binding (wsman/) maps payloads onto Create/Command/Send/Receive/Signal.
 *
 * | step             | we queue / do                                   | server answers                         |
 * |------------------|-------------------------------------------------|----------------------------------------|
 * | open()           | SESSION_CAPABILITY + INIT_RUNSPACEPOOL          | SESSION_CAPABILITY, APPLICATION_PRIVATE_DATA, RUNSPACEPOOL_STATE Opened |
 * | connect()        | SESSION_CAPABILITY + CONNECT_RUNSPACEPOOL       | SESSION_CAPABILITY, RUNSPACEPOOL_INIT_DATA (then STATE Opened) |
 * | exchangeKey()    | PUBLIC_KEY                                      | ENCRYPTED_SESSION_KEY                  |
 * | set/get/reset    | SET_MAX/MIN_RUNSPACES, GET_AVAILABLE_RUNSPACES, RESET_RUNSPACE_STATE | RUNSPACE_AVAILABILITY |
 * | close()          | (nothing: the binding sends Delete)             |                                        |
 */
import { randomUUID } from 'node:crypto';
import { ps, type PSObject, type PSValue } from '../clixml/index.js';
import {
  ApartmentState, Destination, HostMethodIdentifier, MessageType, PROTOCOL_VERSION, PS_VERSION, PSInvocationState, PSThreadOptions,
  RunspacePoolState, SERIALIZATION_VERSION,
} from '../constants.js';
import { InvalidArgumentError } from '../../errors.js';
import { PsrpProtocolError } from '../errors.js';
import { Engine, type EngineLimits, type PsrpPayload } from '../core/engine.js';
import { hostErrorRecord, type HostResult } from '../core/host-result.js';
import type { AvailabilityRequest, HostCallEvent, PsrpEvent } from '../events.js';
import { maxEnvelopeSizeFor } from '../fragment-size.js';
import type { PsrpMessage } from '../message.js';
import type { BodyOf, PsrpMessageBody } from '../message-body.js';
import { NO_HOST, type HostInfo } from '../messages/host-info.js';
import { errorRecordInfo } from '../messages/records.js';
import { ClientKeyExchange, type SessionKey } from '../securestring/index.js';
import { CLIENT_POOL_TRANSITIONS, transition } from '../state.js';
import { defaultApplicationArguments } from './defaults.js';
import { deliverToPipeline, Pipeline, serverProtocol, type PipelineLink, type ServerProtocol } from './pipeline.js';

/**
 * The default ApplicationArguments, made once per process: every pool of a fan-out sends the same
 * ones, and building them (two dozen objects) per host showed in the PSRP fan-out's profile. Only
 * INIT_RUNSPACEPOOL bodies hold it, and nothing changes a body after sending it.
 */
let defaultArguments: PSObject | undefined;
const sharedDefaultArguments = (): PSObject => (defaultArguments ??= defaultApplicationArguments());

export interface RunspacePoolOptions {
  /** Upper-case GUID (default: a fresh one); the binding uses it as the ShellId. */
  runspacePoolId?: string;
  minRunspaces?: number;
  maxRunspaces?: number;
  /** Our host (default: none, NO_HOST). See consoleHostInfo() in defaults.ts. */
  host?: HostInfo;
  /** $PSSenderInfo.ApplicationArguments (default: { PSVersionTable } as pwsh sends; null sends Nil, as pypsrp). */
  applicationArguments?: PSValue;
  threadOptions?: PSThreadOptions;
  apartmentState?: ApartmentState;
  /** Makes the RSA key for the session key exchange (default: a fresh RSA-2048 pair). */
  keyExchange?: () => ClientKeyExchange;
  limits?: EngineLimits;
}

/** A SecureString-bearing host response waiting for the session key. */
interface HeldResponse {
  call: HostCallEvent;
  build: (key: SessionKey) => PSValue;
}

type Handler = (message: PsrpMessage, body: PsrpMessageBody) => PsrpEvent;

const uuid = (): string => randomUUID().toUpperCase();

/** A client RunspacePool; see the file comment. */
export class RunspacePool {
  readonly #engine: Engine;
  readonly #opts: RunspacePoolOptions;
  #state = RunspacePoolState.BeforeOpen;
  #minRunspaces: number;
  #maxRunspaces: number;
  /** The server's protocol version and what it allows, from its SESSION_CAPABILITY. */
  #serverProtocol: ServerProtocol | undefined;
  #psVersion: string | undefined;
  #applicationPrivateData: PSValue | undefined;
  #nextCallId = 0n; // pypsrp and PowerShell count call ids from 0
  readonly #pendingCalls = new Map<bigint, { request: AvailabilityRequest; count?: number }>();
  readonly #pipelines = new Map<string, Pipeline>();
  #keyExchange: ClientKeyExchange | undefined;
  #sessionKey: SessionKey | undefined;
  readonly #held: HeldResponse[] = [];
  readonly #handlers: Record<MessageType, Handler>;

  constructor(opts: RunspacePoolOptions = {}) {
    const min = opts.minRunspaces ?? 1;
    const max = opts.maxRunspaces ?? 1;
    checkCounts(min, max);
    this.#opts = opts;
    this.#minRunspaces = min;
    this.#maxRunspaces = max;
    this.#engine = new Engine((opts.runspacePoolId ?? uuid()).toUpperCase(), Destination.Server, opts.limits);
    this.#handlers = this.#makeHandlers();
  }

  /** Upper-case GUID; the WS-Man ShellId. */
  get runspacePoolId(): string {
    return this.#engine.runspacePoolId;
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

  /** The server's protocolversion, once its SESSION_CAPABILITY arrived. */
  get protocolVersion(): string | undefined {
    return this.#serverProtocol?.version;
  }

  /** The server's PSVersion from SESSION_CAPABILITY. */
  get psVersion(): string | undefined {
    return this.#psVersion;
  }

  /** APPLICATION_PRIVATE_DATA's dictionary (holds the server's PSVersionTable). */
  get applicationPrivateData(): PSValue | undefined {
    return this.#applicationPrivateData;
  }

  /** True once ENCRYPTED_SESSION_KEY has arrived. */
  get hasSessionKey(): boolean {
    return this.#sessionKey !== undefined;
  }

  /** Why the pool is unusable (malformed peer input), or null. */
  get brokenReason(): string | null {
    return this.#engine.brokenReason;
  }

  /** The pipelines created on this pool, by id. */
  get pipelines(): ReadonlyMap<string, Pipeline> {
    return this.#pipelines;
  }

  #to(action: string, announced?: RunspacePoolState): RunspacePoolState {
    return transition(CLIENT_POOL_TRANSITIONS, RunspacePoolState, action, this.#state, announced);
  }

  #local(action: string): void {
    this.#engine.checkUsable('runspace pool');
    this.#state = this.#to(action);
  }

  /** Queues SESSION_CAPABILITY + INIT_RUNSPACEPOOL (the Create's creationXml); state NegotiationSent. */
  open(): void {
    this.#engine.checkUsable('runspace pool');
    const next = this.#to('open');
    this.#sendCapability();
    this.#engine.send(
      MessageType.INIT_RUNSPACEPOOL,
      {
        minRunspaces: this.#minRunspaces,
        maxRunspaces: this.#maxRunspaces,
        threadOptions: this.#opts.threadOptions ?? PSThreadOptions.Default,
        apartmentState: this.#opts.apartmentState ?? ApartmentState.Unknown,
        hostInfo: this.#opts.host ?? NO_HOST,
        applicationArguments: this.#opts.applicationArguments === undefined ? sharedDefaultArguments() : this.#opts.applicationArguments,
      },
      { endsPayload: true },
    );
    this.#state = next;
  }

  /**
   * Queues SESSION_CAPABILITY + CONNECT_RUNSPACEPOOL (the WS-Man Connect's connectXml) to attach to
   * a disconnected pool whose id was given to the constructor (§3.1.4.10.3); state Connecting.
   */
  connect(): void {
    this.#engine.checkUsable('runspace pool');
    const next = this.#to('connect');
    this.#sendCapability();
    this.#engine.send(MessageType.CONNECT_RUNSPACEPOOL, {}, { endsPayload: true });
    this.#state = next;
  }

  #sendCapability(): void {
    this.#engine.send(MessageType.SESSION_CAPABILITY, { protocolVersion: PROTOCOL_VERSION, psVersion: PS_VERSION, serializationVersion: SERIALIZATION_VERSION });
  }

  /** The binding disconnected the pool (WS-Man Disconnect, §3.1.4.9); running pipelines too. */
  disconnect(): void {
    this.#local('disconnect');
    for (const p of this.#pipelines.values()) if (p.state === PSInvocationState.Running || p.state === PSInvocationState.Stopping) p.disconnect();
  }

  /** The binding reconnected this client to its disconnected pool (WS-Man Reconnect). */
  reconnect(): void {
    this.#local('reconnect');
    for (const p of this.#pipelines.values()) if (p.state === PSInvocationState.Disconnected) p.reconnect();
  }

  /** State Closing: the binding is about to send Delete (§3.1.1.2.2). */
  beginClose(): void {
    this.#local('beginClose');
  }

  /** State Closed: the Delete succeeded (or there is nothing to delete). Nothing is queued. */
  close(): void {
    if (this.#state === RunspacePoolState.Closed) return;
    this.#state = this.#to('close');
  }

  #callId(): bigint {
    const ci = this.#nextCallId;
    this.#nextCallId += 1n;
    return ci;
  }

  #setCount(which: 'Max' | 'Min', count: number): bigint | null {
    const action = which === 'Max' ? 'setMaxRunspaces' : 'setMinRunspaces';
    this.#engine.checkUsable('runspace pool');
    this.#to(action);
    const min = which === 'Min' ? count : this.#minRunspaces;
    const max = which === 'Max' ? count : this.#maxRunspaces;
    if (this.#state === RunspacePoolState.BeforeOpen) {
      checkCounts(min, max);
      this.#minRunspaces = min;
      this.#maxRunspaces = max;
      return null;
    }
    // Once open, the server decides (it answers false to a bad count; pypsrp's set_runspaces).
    if (!Number.isInteger(count)) throw new InvalidArgumentError(`runspace count must be an integer, got ${count}`);
    const ci = this.#callId();
    const type = which === 'Max' ? MessageType.SET_MAX_RUNSPACES : MessageType.SET_MIN_RUNSPACES;
    this.#engine.send(type, { count, ci });
    this.#pendingCalls.set(ci, { request: which === 'Max' ? 'SetMaxRunspaces' : 'SetMinRunspaces', count });
    return ci;
  }

  /**
   * Sets MaxRunspaces: before open, locally (returns null; 1 <= min <= max checked); once Opened,
   * queues SET_MAX_RUNSPACES and returns its call id — the RunspaceAvailability event with that
   * id says whether the server took it (it refuses max < min).
   */
  setMaxRunspaces(count: number): bigint | null {
    return this.#setCount('Max', count);
  }

  /** Sets MinRunspaces, as {@link setMaxRunspaces}. */
  setMinRunspaces(count: number): bigint | null {
    return this.#setCount('Min', count);
  }

  #callOnly(action: string, type: MessageType.GET_AVAILABLE_RUNSPACES | MessageType.RESET_RUNSPACE_STATE, request: AvailabilityRequest): bigint {
    this.#engine.checkUsable('runspace pool');
    this.#to(action);
    const ci = this.#callId();
    this.#engine.send(type, { ci });
    this.#pendingCalls.set(ci, { request });
    return ci;
  }

  /** Queues GET_AVAILABLE_RUNSPACES; the answer is a RunspaceAvailability event with a count. */
  getAvailableRunspaces(): bigint {
    return this.#callOnly('getAvailableRunspaces', MessageType.GET_AVAILABLE_RUNSPACES, 'GetAvailableRunspaces');
  }

  /** Queues RESET_RUNSPACE_STATE (protocol 2.3, §3.1.4.13); answered by RunspaceAvailability. */
  resetRunspaceState(): bigint {
    return this.#callOnly('resetRunspaceState', MessageType.RESET_RUNSPACE_STATE, 'ResetRunspaceState');
  }

  #link(): PipelineLink {
    return {
      engine: this.#engine,
      checkPool: (action) => void this.#to(action),
      hostResponse: (call, result) => this.hostResponse(call, result),
      serverProtocol: () => this.#serverProtocol,
    };
  }

  /** A new pipeline on this pool (not sent until its invoke()). */
  createPipeline(pipelineId: string = uuid()): Pipeline {
    this.#engine.checkUsable('runspace pool');
    this.#to('createPipeline');
    const id = pipelineId.toUpperCase();
    if (this.#pipelines.has(id)) throw new InvalidArgumentError(`pipeline ${id} exists already`);
    const p = new Pipeline(this.#link(), id);
    this.#pipelines.set(id, p);
    return p;
  }

  /**
   * Queues GET_COMMAND_METADATA (§3.1.4.7), which runs like a pipeline: the returned pipeline's
   * events carry the metadata objects as PipelineOutput, then PipelineState Completed.
   * Defaults: name ['*'], commandType 0x17F (Alias, Function, Filter, Cmdlet, ExternalScript,
   * Script, Workflow, Configuration), namespace and argumentList null (§2.2.2.14).
   */
  getCommandMetadata(
    opts: { name?: string[] | null; commandType?: number; namespace?: string[] | null; argumentList?: PSValue[] | null; pipelineId?: string } = {},
  ): Pipeline {
    this.#engine.checkUsable('runspace pool');
    this.#to('getCommandMetadata');
    const id = (opts.pipelineId ?? uuid()).toUpperCase();
    if (this.#pipelines.has(id)) throw new InvalidArgumentError(`pipeline ${id} exists already`);
    const p = new Pipeline(this.#link(), id, true);
    this.#pipelines.set(id, p);
    this.#engine.send(
      MessageType.GET_COMMAND_METADATA,
      {
        name: opts.name === undefined ? ['*'] : opts.name,
        commandType: opts.commandType ?? 0x17f,
        namespace: opts.namespace ?? null,
        argumentList: opts.argumentList ?? null,
      },
      { pipelineId: id, endsPayload: true },
    );
    p.markRunning('invoke');
    return p;
  }

  /**
   * Attaches to a pipeline still running in a pool we connected to (§3.1.4.10; its id comes from
   * the WS-Man Enumerate of the shell's commands). Its state is Running at once; the binding
   * Receives with its CommandId and the server's messages flow as usual. Nothing is queued.
   */
  connectPipeline(pipelineId: string): Pipeline {
    this.#engine.checkUsable('runspace pool');
    this.#to('connectPipeline');
    const id = pipelineId.toUpperCase();
    if (this.#pipelines.has(id)) throw new InvalidArgumentError(`pipeline ${id} exists already`);
    const p = new Pipeline(this.#link(), id);
    this.#pipelines.set(id, p);
    p.markRunning('connect');
    return p;
  }

  /** Queues PUBLIC_KEY (§3.1.4.8); the EncryptedSessionKey event follows. Once per pool. */
  exchangeKey(): void {
    this.#engine.checkUsable('runspace pool');
    this.#to('exchangeKey');
    if (this.#keyExchange !== undefined) return;
    this.#keyExchange = (this.#opts.keyExchange ?? ClientKeyExchange.generate)();
    this.#engine.send(MessageType.PUBLIC_KEY, { publicKey: this.#keyExchange.publicKeyBlob() });
  }

  /**
   * Encrypts `text` as an <SS> value for a pipeline input or parameter (§2.2.5.1.24).
   * @throws InvalidArgumentError before the key exchange completed.
   */
  encryptSecureString(text: string): PSValue {
    if (this.#sessionKey === undefined) throw new InvalidArgumentError('no session key yet: call exchangeKey() and wait for EncryptedSessionKey');
    return ps.text('SS', this.#sessionKey.encrypt(text));
  }

  /**
   * Decrypts a received <SS> value (or its base64 text).
   * @throws InvalidArgumentError without a session key or for a non-SecureString value;
   *   PsrpProtocolError when it does not decrypt.
   */
  decryptSecureString(value: PSValue | string): string {
    if (this.#sessionKey === undefined) throw new InvalidArgumentError('no session key: the server sent no ENCRYPTED_SESSION_KEY');
    if (typeof value === 'string') return this.#sessionKey.decrypt(value);
    if (value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'SS') return this.#sessionKey.decrypt(value.value);
    throw new InvalidArgumentError('not a SecureString value');
  }

  /**
   * Answers a host call (RUNSPACEPOOL_HOST_RESPONSE or PIPELINE_HOST_RESPONSE on the 'pr' stream).
   * A `secure` result waits for the session key, starting the exchange if needed.
   * @throws InvalidArgumentError for a void method (negative call id; §3.1.5.4.15: no response).
   */
  hostResponse(call: HostCallEvent, result: HostResult): void {
    this.#engine.checkUsable('runspace pool');
    if (call.ci < 0n) throw new InvalidArgumentError(`${call.methodName} is a void host method: it takes no response`);
    this.#to('hostResponse');
    if (call.pipelineId !== undefined) {
      const p = this.#pipelines.get(call.pipelineId);
      if (p === undefined) throw new InvalidArgumentError(`unknown pipeline ${call.pipelineId}`);
      p.checkHostResponse();
    }
    if ('secure' in result) {
      if (this.#sessionKey !== undefined) {
        this.#queueResponse(call, { result: result.secure(this.#sessionKey) });
      } else {
        this.#held.push({ call, build: result.secure });
        this.exchangeKey();
      }
      return;
    }
    if ('error' in result) {
      this.#queueResponse(call, { error: typeof result.error === 'string' ? hostErrorRecord(result.error) : result.error });
      return;
    }
    this.#queueResponse(call, { result: result.value });
  }

  #queueResponse(call: HostCallEvent, answer: { result?: PSValue; error?: PSObject }): void {
    const body = { ci: call.ci, methodId: call.methodId, methodName: call.methodName || (HostMethodIdentifier[call.methodId] ?? ''), ...answer };
    if (call.pipelineId === undefined) {
      this.#engine.send(MessageType.RUNSPACEPOOL_HOST_RESPONSE, body, { stream: 'pr' });
    } else {
      this.#engine.send(MessageType.PIPELINE_HOST_RESPONSE, body, { stream: 'pr', pipelineId: call.pipelineId });
    }
  }

  /**
   * The next payload to send, at most `maxBytes` (default: what the MaxEnvelopeSize allows).
   * Pass `pipelineId` to take only that pipeline's data, or null for the pool's only.
   */
  dataToSend(maxBytes?: number, pipelineId?: string | null): PsrpPayload | null {
    this.#engine.checkUsable('runspace pool');
    return this.#engine.dataToSend(maxBytes, pipelineId);
  }

  /**
   * Takes the bytes of one payload from the server (one rsp:Stream's content, or connectResponseXml).
   * @throws PsrpProtocolError on malformed fragments; the pool is then broken for good.
   */
  receiveData(data: Uint8Array): void {
    this.#engine.receiveData(data);
  }

  /**
   * The next event, or null when more data is needed.
   * @throws PsrpProtocolError when the server's message is malformed or out of place; the pool
   *   is then broken (state Broken) and every later call throws "unusable after …".
   */
  nextEvent(): PsrpEvent | null {
    const message = this.#engine.nextMessage();
    if (message === null) return null;
    try {
      const body = this.#engine.decode(message);
      return this.#handlers[message.type](message, body);
    } catch (err) {
      if (!(err instanceof PsrpProtocolError)) throw err;
      this.#state = RunspacePoolState.Broken;
      throw this.#engine.fail(err);
    }
  }

  #pipelineMessage = (message: PsrpMessage, body: PsrpMessageBody): PsrpEvent => {
    const p = this.#pipelines.get(message.pid);
    if (p === undefined) throw new PsrpProtocolError(`${MessageType[message.type]} for unknown pipeline ${message.pid}`);
    return deliverToPipeline(p, body);
  };

  #notFromServer = (message: PsrpMessage): PsrpEvent => {
    throw new PsrpProtocolError(`${MessageType[message.type]} is a client-to-server message; a server does not send it`);
  };

  #peer(type: MessageType, announced?: RunspacePoolState): RunspacePoolState {
    const previous = this.#state;
    this.#state = this.#to(MessageType[type], announced);
    return previous;
  }

  #makeHandlers(): Record<MessageType, Handler> {
    const as = <K extends MessageType>(body: PsrpMessageBody, _k: K): BodyOf<K> => body as BodyOf<K>;
    const T = MessageType;
    return {
      [T.SESSION_CAPABILITY]: (_m, b) => {
        const body = as(b, T.SESSION_CAPABILITY);
        this.#peer(T.SESSION_CAPABILITY);
        this.#serverProtocol = serverProtocol(body.protocolVersion);
        this.#psVersion = body.psVersion;
        this.#engine.maxEnvelopeSize = maxEnvelopeSizeFor(body.protocolVersion);
        return { type: 'SessionCapability', protocolVersion: body.protocolVersion, psVersion: body.psVersion, serializationVersion: body.serializationVersion };
      },
      [T.APPLICATION_PRIVATE_DATA]: (_m, b) => {
        this.#peer(T.APPLICATION_PRIVATE_DATA);
        this.#applicationPrivateData = as(b, T.APPLICATION_PRIVATE_DATA).applicationPrivateData;
        return { type: 'ApplicationPrivateData', data: this.#applicationPrivateData };
      },
      [T.RUNSPACEPOOL_INIT_DATA]: (_m, b) => {
        const body = as(b, T.RUNSPACEPOOL_INIT_DATA);
        this.#peer(T.RUNSPACEPOOL_INIT_DATA);
        this.#minRunspaces = body.minRunspaces;
        this.#maxRunspaces = body.maxRunspaces;
        return { type: 'RunspacePoolInitData', minRunspaces: body.minRunspaces, maxRunspaces: body.maxRunspaces };
      },
      [T.RUNSPACEPOOL_STATE]: (_m, b) => {
        const body = as(b, T.RUNSPACEPOOL_STATE);
        const previous = this.#peer(T.RUNSPACEPOOL_STATE, body.state);
        const event: PsrpEvent = { type: 'RunspacePoolState', state: this.#state, previous };
        if (body.error !== undefined) {
          event.error = body.error;
          event.errorInfo = errorRecordInfo(body.error, T.RUNSPACEPOOL_STATE);
        }
        return event;
      },
      [T.ENCRYPTED_SESSION_KEY]: (_m, b) => {
        this.#peer(T.ENCRYPTED_SESSION_KEY);
        if (this.#keyExchange === undefined) throw new PsrpProtocolError('ENCRYPTED_SESSION_KEY without our PUBLIC_KEY');
        this.#sessionKey = this.#keyExchange.acceptEncryptedSessionKey(as(b, T.ENCRYPTED_SESSION_KEY).encryptedSessionKey);
        const key = this.#sessionKey;
        for (const h of this.#held.splice(0)) this.#queueResponse(h.call, { result: h.build(key) });
        return { type: 'EncryptedSessionKey' };
      },
      [T.PUBLIC_KEY_REQUEST]: () => {
        this.#peer(T.PUBLIC_KEY_REQUEST);
        this.exchangeKey();
        return { type: 'PublicKeyRequest' };
      },
      [T.RUNSPACE_AVAILABILITY]: (_m, b) => {
        const body = as(b, T.RUNSPACE_AVAILABILITY);
        this.#peer(T.RUNSPACE_AVAILABILITY);
        const pending = this.#pendingCalls.get(body.ci);
        if (pending === undefined) throw new PsrpProtocolError(`RUNSPACE_AVAILABILITY for unknown call id ${body.ci}`);
        this.#pendingCalls.delete(body.ci);
        if (body.response === true && pending.count !== undefined) {
          if (pending.request === 'SetMaxRunspaces') this.#maxRunspaces = pending.count;
          else this.#minRunspaces = pending.count;
        }
        return { type: 'RunspaceAvailability', callId: body.ci, request: pending.request, value: body.response };
      },
      [T.USER_EVENT]: (_m, b) => {
        this.#peer(T.USER_EVENT);
        const { type: _t, ...event } = as(b, T.USER_EVENT);
        return { type: 'UserEvent', ...event };
      },
      [T.RUNSPACEPOOL_HOST_CALL]: (_m, b) => {
        const body = as(b, T.RUNSPACEPOOL_HOST_CALL);
        this.#peer(T.RUNSPACEPOOL_HOST_CALL);
        return { type: 'RunspacePoolHostCall', ci: body.ci, methodId: body.methodId, methodName: body.methodName, parameters: body.parameters };
      },
      [T.PIPELINE_OUTPUT]: this.#pipelineMessage,
      [T.ERROR_RECORD]: this.#pipelineMessage,
      [T.DEBUG_RECORD]: this.#pipelineMessage,
      [T.VERBOSE_RECORD]: this.#pipelineMessage,
      [T.WARNING_RECORD]: this.#pipelineMessage,
      [T.PROGRESS_RECORD]: this.#pipelineMessage,
      [T.INFORMATION_RECORD]: this.#pipelineMessage,
      [T.PIPELINE_STATE]: this.#pipelineMessage,
      [T.PIPELINE_HOST_CALL]: this.#pipelineMessage,
      [T.INIT_RUNSPACEPOOL]: this.#notFromServer,
      [T.PUBLIC_KEY]: this.#notFromServer,
      [T.CONNECT_RUNSPACEPOOL]: this.#notFromServer,
      [T.SET_MAX_RUNSPACES]: this.#notFromServer,
      [T.SET_MIN_RUNSPACES]: this.#notFromServer,
      [T.CREATE_PIPELINE]: this.#notFromServer,
      [T.GET_AVAILABLE_RUNSPACES]: this.#notFromServer,
      [T.GET_COMMAND_METADATA]: this.#notFromServer,
      [T.RESET_RUNSPACE_STATE]: this.#notFromServer,
      [T.RUNSPACEPOOL_HOST_RESPONSE]: this.#notFromServer,
      [T.PIPELINE_INPUT]: this.#notFromServer,
      [T.END_OF_PIPELINE_INPUT]: this.#notFromServer,
      [T.PIPELINE_HOST_RESPONSE]: this.#notFromServer,
    };
  }
}

/** @throws InvalidArgumentError unless 1 <= min <= max. */
function checkCounts(min: number, max: number): void {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
    throw new InvalidArgumentError(`runspace counts must satisfy 1 <= min <= max, got min ${min}, max ${max}`);
  }
}
