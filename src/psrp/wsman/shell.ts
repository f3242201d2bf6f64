/**
 * PsrpShell: the WinRM binding of one client RunspacePool (MS-PSRP §3.1.5.3), sans-IO.
 *
 * Theory of operation. The RunspacePool and its Pipelines (psrp/client) only queue PSRP messages
 * and parse what comes back; they know nothing of WS-Management. This object turns their queued
 * payloads and state changes into the next WS-Man request, and feeds each response back:
 *
 *   for (let r; (r = shell.nextRequest()) !== null; ) {
 *     shell.handleResponse(r, await post(r.xml));     // the body, even of an HTTP 500 fault
 *     for (let e; (e = pool.nextEvent()) !== null; ) handle(e);
 *   }
 *
 * `nextRequest()` returns null when there is nothing to send until the caller acts (invokes a
 * pipeline, answers a host call, closes …) or until requests in flight are answered. It allows at
 * most one "control" request (Create, Command, Send, Signal, Delete …) in flight, so their order on
 * the wire is the order they were made, plus one Receive per target (the pool, each pipeline): a
 * loop may send them one at a time, or keep calling nextRequest() and send them concurrently.
 * Control requests always come before Receives, so a one-at-a-time loop answers host calls and
 * sends input before it long-polls again.
 *
 * When it Receives: on the pool while opening or connecting (until RUNSPACEPOOL_STATE, or after a
 * Connect until APPLICATION_PRIVATE_DATA / RUNSPACEPOOL_STATE) and while a pool message that gets
 * an answer is outstanding (PUBLIC_KEY, SET_MAX/MIN_RUNSPACES, GET_AVAILABLE_RUNSPACES,
 * RESET_RUNSPACE_STATE); on each pipeline from its CommandResponse until rsp:CommandState Done.
 * A w:TimedOut fault on a Receive is the long-poll expiring (MS-WSMV §3.1.4.14), not an error.
 *
 * Keep-alive: an idle pool gets no requests, so the server's IdleTimeout (2 h on Windows) deletes
 * it. `keepAlive()` queues one pool Receive carrying WSMAN_CMDSHELL_OPTION_KEEPALIVE=TRUE (as every
 * Receive does: pypsrp, winrs, the WinRM ruby gem's KeepAlive message) with a short OperationTimeout:
 * the server holds it, answers w:TimedOut (or pool data, which goes to the pool as usual), and the
 * request resets the shell's idle timer. It is a Receive, not a control request, so a Command made
 * meanwhile is not held up behind it.
 * It reads message types off the fragment headers of what it passes to the pool, so it does not
 * depend on the caller draining `pool.nextEvent()` first.
 *
 * Envelope budget: MaxEnvelopeSize is 153600 until the server's SESSION_CAPABILITY says 2.2 or
 * later, then 512000 (as pypsrp: fixtures test_psrp_*.yml switch after the first Receive), unless
 * pinned by an option or by winrm/config's MaxEnvelopeSizekb (`queryMaxEnvelopeSize`).
 */
import { WSManFault, parseResponse, readCommandResponse, readReceiveResponse, readShellCreated, type WSManContext, type WSManResponse } from '../../wsman/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { MessageType, PSInvocationState, RunspacePoolState } from '../constants.js';
import type { RunspacePool } from '../client/index.js';
import type { PsrpPayload } from '../core/engine.js';
import { DEFAULT_ENVELOPE_OVERHEAD, maxEnvelopeSizeFor, maxPayloadSize } from '../fragment-size.js';
import { decodeMessage } from '../message.js';
import { decodeBody } from '../message-body.js';
import {
  configGet, configurationResourceUri, shellGet, psrpCommand, psrpConnect, psrpConnectCommand, psrpCreate, psrpDelete, psrpDisconnect,
  psrpReceive, psrpReconnect, psrpSend, psrpSignal, type PsrpCreateOptions,
} from './requests.js';
import { peekMessages, readConnectResponse, readMaxEnvelopeSize, readShellState } from './responses.js';

/** What a request does; one row each of the table in docs/psrp.md. */
export type PsrpRequestKind =
  | 'config' | 'create' | 'connect' | 'command' | 'connectCommand' | 'send' | 'receive' | 'signal' | 'delete' | 'disconnect' | 'reconnect'
  | 'state';

/** One WS-Man request to POST, and what it is for. Hand it back to handleResponse with the answer. */
export interface PsrpRequest {
  readonly kind: PsrpRequestKind;
  /** The SOAP envelope. */
  readonly xml: string;
  readonly messageId: string;
  /** p:OperationID (robust connections): the same id goes with a retransmission of this request. */
  readonly operationId?: string;
  /** The pipeline (CommandId) it addresses; undefined for the pool. */
  readonly pipelineId?: string;
  /** Send: the input stream. */
  readonly stream?: 'stdin' | 'pr';
  /** Signal: PSRP stop (crtl_c) or WinRS terminate. */
  readonly signal?: 'stop' | 'terminate';
  /** The PSRP message types whose fragments it carries (Create, Connect, Command, Send). */
  readonly messageTypes: readonly MessageType[];
  /** A Receive: the server may hold it up to OperationTimeout before answering. */
  readonly longPoll: boolean;
  /** A keep-alive: a pool Receive with a short OperationTimeout, sent only to reset the shell's idle timer. */
  readonly keepAlive?: boolean;
}

/** What handleResponse found. */
export interface PsrpResponseInfo {
  /** A Receive that ended with w:TimedOut (it will simply be sent again). */
  timedOut: boolean;
  /** The pipeline whose rsp:CommandState Done this response carried. */
  commandDone?: string;
  /** A 'state' request: rsp:State of the shell ('Connected', 'Disconnected' …), or 'NotFound' (w:InvalidSelectors). */
  shellState?: string;
}

/** Options of a PsrpShell. */
export interface PsrpShellOptions {
  /** Per-connection WS-Man values (To, SessionId, OperationTimeout …); copied. */
  ctx: WSManContext;
  /** A session configuration name (default Microsoft.PowerShell; a JEA endpoint's name) or a full resource URI. */
  configurationName?: string;
  /** Pin MaxEnvelopeSize in bytes instead of following the server's protocol version. */
  maxEnvelopeSize?: number;
  /** Get winrm/config first and pin MaxEnvelopeSizekb from it (needs admin; a fault keeps the default). */
  queryMaxEnvelopeSize?: boolean;
  /** Shell options of the Create (IdleTimeOut, WINRS_NOPROFILE, Name). */
  create?: PsrpCreateOptions;
  /** Keep a Receive on the pool whenever it is open (for USER_EVENT / RUNSPACEPOOL_HOST_CALL; concurrent loops only). */
  receiveOnPoolAlways?: boolean;
  /** Send WinRS terminate to each pipeline once it is Done, releasing it as WSManCloseCommand does. */
  terminateCompletedCommands?: boolean;
  /** Bytes kept for the SOAP around a payload (default 2048, see fragment-size.ts). */
  envelopeOverhead?: number;
}

type Phase = 'new' | 'creating' | 'open' | 'disconnecting' | 'disconnected' | 'reconnecting' | 'closing' | 'closed' | 'failed';
type Op =
  | { kind: 'signal'; pipelineId: string; signal: 'stop' | 'terminate' }
  | { kind: 'delete' }
  | { kind: 'disconnect'; idleTimeoutSec?: number }
  | { kind: 'reconnect' }
  | { kind: 'connectCommand'; pipelineId: string }
  | { kind: 'state'; operationTimeoutSec?: number };

/** Pool messages the server answers, and the message that answers them. */
const POOL_REQUESTS = new Set([
  MessageType.PUBLIC_KEY, MessageType.SET_MAX_RUNSPACES, MessageType.SET_MIN_RUNSPACES,
  MessageType.GET_AVAILABLE_RUNSPACES, MessageType.RESET_RUNSPACE_STATE,
]);
const POOL_REPLIES = new Set([MessageType.ENCRYPTED_SESSION_KEY, MessageType.RUNSPACE_AVAILABILITY]);
const COMMAND_MESSAGES = new Set([MessageType.CREATE_PIPELINE, MessageType.GET_COMMAND_METADATA]);
const POOL_KEY = '';

/** The WinRM binding of one client RunspacePool; see the file comment. */
export class PsrpShell {
  readonly pool: RunspacePool;
  readonly resourceUri: string;
  readonly #ctx: WSManContext;
  readonly #opts: PsrpShellOptions;
  #shellId: string;
  #phase: Phase = 'new';
  #pinned: boolean;
  #configPending: boolean;
  #control: PsrpRequest | null = null;
  readonly #receiving = new Map<string, PsrpRequest>();
  /** OperationTimeout (s) of a queued keep-alive Receive; null when none is queued. */
  #keepAlive: number | null = null;
  /** Receive order for fairness: least recently received first. */
  #lastReceive = new Map<string, number>();
  #tick = 0;
  #stash: PsrpPayload | null = null;
  readonly #ops: Op[] = [];
  readonly #commanded = new Set<string>();
  readonly #done = new Set<string>();
  /** Confirmed and not Done, in the order they were confirmed: what Receive and stop look at (a long session must not scan every pipeline it ever ran). */
  readonly #active = new Set<string>();
  readonly #signalled = new Set<string>();
  /** PipelineId -> the CommandId the server chose, when it differs (pre-2012 servers may ignore ours). */
  readonly #commandIds = new Map<string, string>();
  /** 'open' / 'connect' while the pool's opening replies are awaited. */
  #opening: 'open' | 'connect' | null = null;
  #poolReplies = 0;

  constructor(pool: RunspacePool, opts: PsrpShellOptions) {
    this.pool = pool;
    this.#opts = opts;
    this.resourceUri = configurationResourceUri(opts.configurationName);
    this.#ctx = { ...opts.ctx };
    this.#pinned = opts.maxEnvelopeSize !== undefined;
    this.#ctx.maxEnvelopeSize = opts.maxEnvelopeSize ?? maxEnvelopeSizeFor(undefined);
    this.#configPending = opts.queryMaxEnvelopeSize === true && !this.#pinned;
    this.#shellId = pool.runspacePoolId;
  }

  /** The ShellId (the RunspacePoolId, unless the server chose another). */
  get shellId(): string {
    return this.#shellId;
  }

  /** The MaxEnvelopeSize requests carry now. */
  get maxEnvelopeSize(): number {
    return this.#ctx.maxEnvelopeSize;
  }

  /** 'new' | 'creating' | 'open' | 'disconnecting' | 'disconnected' | 'reconnecting' | 'closing' | 'closed' | 'failed'. */
  get phase(): Phase {
    return this.#phase;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#receiving.size + (this.#control === null ? 0 : 1);
  }

  /** Opens the pool: queues its opening messages, which the next request (Create) carries. */
  open(): void {
    this.pool.open();
  }

  /** Attaches to a disconnected pool with this pool's id from a new client (WS-Man Connect). */
  connect(): void {
    this.pool.connect();
  }

  /**
   * Closes the pool: Delete once the control request in flight (if any) is answered; nothing is
   * sent when the shell was never created.
   */
  close(): void {
    if (this.#phase === 'closed' || this.#phase === 'closing') return;
    if (this.#phase === 'new' || this.#phase === 'failed') {
      this.#phase = 'closed';
      this.pool.close();
      return;
    }
    if (this.pool.state !== RunspacePoolState.Closing && this.pool.state !== RunspacePoolState.Closed) this.pool.beginClose();
    this.#phase = 'closing';
    this.#ops.unshift({ kind: 'delete' });
  }

  /**
   * Disconnects the pool (its pipelines keep running on the server, §3.1.4.9).
   * @param idleTimeoutSec how long the server keeps the disconnected pool (default: its IdleTimeout).
   * @throws InvalidArgumentError unless the shell is open.
   */
  disconnect(idleTimeoutSec?: number): void {
    this.#need('open', 'disconnect');
    this.#phase = 'disconnecting';
    this.#ops.push(idleTimeoutSec === undefined ? { kind: 'disconnect' } : { kind: 'disconnect', idleTimeoutSec });
  }

  /** Resumes the pool this client disconnected (WS-Man Reconnect). */
  reconnect(): void {
    this.#need('disconnected', 'reconnect');
    this.#phase = 'reconnecting';
    this.#ops.push({ kind: 'reconnect' });
  }

  /**
   * Attaches to a pipeline still running in a pool this client connected to (WS-Man Connect with
   * CommandId); the pool must already hold a Pipeline object with that id.
   */
  connectPipeline(pipelineId: string): void {
    this.#need('open', 'connect a pipeline');
    const id = pipelineId.toUpperCase();
    if (!this.pool.pipelines.has(id)) throw new InvalidArgumentError(`the pool has no pipeline ${id}`);
    this.#commanded.add(id);
    this.#ops.push({ kind: 'connectCommand', pipelineId: id });
  }

  /** Releases a pipeline's WinRS command with Signal terminate (pypsrp: test_psrp_multiple_invocations). */
  terminatePipeline(pipelineId: string): void {
    const id = pipelineId.toUpperCase();
    if (!this.#commanded.has(id)) throw new InvalidArgumentError(`pipeline ${id} was never sent`);
    this.#ops.push({ kind: 'signal', pipelineId: id, signal: 'terminate' });
  }

  /**
   * Asks the server for the shell's rsp:State (WS-Transfer Get on the shell collection with its
   * ShellId, as pypsrp's is_alive: test_psrp_is_alive_*.yml); the answer is `shellState`.
   * @param operationTimeoutSec a shorter OperationTimeout for this probe (pypsrp uses 5 s).
   */
  queryState(operationTimeoutSec?: number): void {
    if (this.#phase === 'new' || this.#phase === 'closed' || this.#phase === 'failed') {
      throw new InvalidArgumentError(`cannot query the shell state: the shell is ${this.#phase}`);
    }
    this.#ops.push(operationTimeoutSec !== undefined && operationTimeoutSec > 0 ? { kind: 'state', operationTimeoutSec } : { kind: 'state' });
  }

  /**
   * Queues one keep-alive: a pool Receive with WSMAN_CMDSHELL_OPTION_KEEPALIVE (see the file comment).
   * Nothing is queued while a pool Receive is in flight already: that one keeps the shell alive.
   * @param operationTimeoutSec how long the server may hold it (default 1 s).
   * @throws InvalidArgumentError unless the shell is open.
   */
  keepAlive(operationTimeoutSec = 1): void {
    this.#need('open', 'send a keep-alive');
    if (this.#receiving.has(POOL_KEY)) return;
    this.#keepAlive = Math.max(1, operationTimeoutSec);
  }

  /** Whether a keep-alive is queued or awaiting its answer. */
  get keepAlivePending(): boolean {
    return this.#keepAlive !== null || this.#receiving.get(POOL_KEY)?.keepAlive === true;
  }

  /** The server answered the pipeline's Command (or Connect): it gets Receives until Done. */
  #confirm(pipelineId: string): void {
    if (!this.#done.has(pipelineId)) this.#active.add(pipelineId);
  }

  #cid(pipelineId: string): string {
    return this.#commandIds.get(pipelineId) ?? pipelineId;
  }

  #need(phase: Phase, action: string): void {
    if (this.#phase !== phase) throw new InvalidArgumentError(`cannot ${action}: the shell is ${this.#phase}, not ${phase}`);
  }

  #budget(): number {
    return maxPayloadSize(this.#ctx.maxEnvelopeSize, this.#opts.envelopeOverhead ?? DEFAULT_ENVELOPE_OVERHEAD);
  }

  #request(kind: PsrpRequestKind, built: { xml: string; messageId: string; operationId?: string }, extra: Partial<PsrpRequest> = {}): PsrpRequest {
    const req: PsrpRequest = {
      kind, xml: built.xml, messageId: built.messageId, messageTypes: [], longPoll: kind === 'receive',
      ...(built.operationId === undefined ? {} : { operationId: built.operationId }), ...extra,
    };
    if (kind === 'receive') {
      this.#receiving.set(req.pipelineId ?? POOL_KEY, req);
      this.#lastReceive.set(req.pipelineId ?? POOL_KEY, ++this.#tick);
    } else {
      this.#control = req;
    }
    return req;
  }

  /** The next request to send, or null when nothing can be sent now (see the file comment). */
  nextRequest(): PsrpRequest | null {
    if (this.#phase === 'closed' || this.#phase === 'failed') return null;
    if (this.#control === null) {
      const control = this.#nextControl();
      if (control !== null) return control;
    }
    return this.#nextReceive();
  }

  #nextControl(): PsrpRequest | null {
    const ctx = this.#ctx;
    const uri = this.resourceUri;
    if (this.#configPending) {
      this.#configPending = false;
      return this.#request('config', configGet(ctx));
    }
    if (this.#phase === 'closing') {
      const i = this.#ops.findIndex((o) => o.kind === 'delete');
      if (i >= 0) {
        this.#ops.splice(i, 1);
        return this.#request('delete', psrpDelete(ctx, uri, this.#shellId));
      }
      return null;
    }
    if (this.#phase === 'new') return this.#opening === null ? this.#createOrConnect() : null;
    if (this.#phase === 'open') {
      const stop = this.#nextStop();
      if (stop !== null) return stop;
      const data = this.#nextData();
      if (data !== null) return data;
    }
    const op = this.#ops.shift();
    if (op === undefined) return null;
    switch (op.kind) {
      case 'signal':
        return this.#request('signal', psrpSignal(ctx, uri, this.#shellId, this.#cid(op.pipelineId), op.signal), { pipelineId: op.pipelineId, signal: op.signal });
      case 'state':
        return this.#request('state', shellGet(op.operationTimeoutSec === undefined ? ctx : { ...ctx, operationTimeoutSec: op.operationTimeoutSec }, this.#shellId));
      case 'disconnect':
        return this.#request('disconnect', psrpDisconnect(ctx, uri, this.#shellId, op.idleTimeoutSec));
      case 'reconnect':
        return this.#request('reconnect', psrpReconnect(ctx, uri, this.#shellId));
      case 'connectCommand':
        return this.#request('connectCommand', psrpConnectCommand(ctx, uri, this.#shellId, this.#cid(op.pipelineId)), { pipelineId: op.pipelineId });
      case 'delete':
        return this.#request('delete', psrpDelete(ctx, uri, this.#shellId));
    }
  }

  #createOrConnect(): PsrpRequest | null {
    const state = this.pool.state;
    if (state !== RunspacePoolState.NegotiationSent && state !== RunspacePoolState.Connecting) return null;
    const payload = this.pool.dataToSend(this.#budget(), null);
    if (payload === null) return null;
    this.#phase = 'creating';
    const types = { messageTypes: payload.messageTypes };
    if (state === RunspacePoolState.Connecting) {
      return this.#request('connect', psrpConnect(this.#ctx, this.resourceUri, this.#shellId, payload.data), types);
    }
    return this.#request('create', psrpCreate(this.#ctx, this.resourceUri, this.#shellId, payload.data, this.#opts.create), types);
  }

  /** A Signal for a pipeline the caller stopped (state Stopping), once its Command was answered. */
  #nextStop(): PsrpRequest | null {
    for (const id of this.#active) {
      const p = this.pool.pipelines.get(id);
      if (p === undefined || p.state !== PSInvocationState.Stopping || this.#signalled.has(id)) continue;
      this.#signalled.add(id);
      return this.#request('signal', psrpSignal(this.#ctx, this.resourceUri, this.#shellId, this.#cid(id), 'stop'), { pipelineId: id, signal: 'stop' });
    }
    return null;
  }

  #nextData(): PsrpRequest | null {
    const payload = this.#stash ?? this.pool.dataToSend(this.#budget());
    this.#stash = null;
    if (payload === null) return null;
    const ctx = this.#ctx;
    const stream = payload.stream === 'pr' ? 'pr' : 'stdin';
    const extra = { messageTypes: payload.messageTypes, stream } as const;
    const id = payload.pipelineId;
    if (id === undefined) {
      for (const t of payload.messageTypes) if (POOL_REQUESTS.has(t) && payload.data.length > 0) this.#poolReplies += 1;
      return this.#request('send', psrpSend(ctx, this.resourceUri, this.#shellId, stream, payload.data), extra);
    }
    if (!this.#commanded.has(id) && payload.messageTypes.some((t) => COMMAND_MESSAGES.has(t))) {
      this.#commanded.add(id);
      return this.#request('command', psrpCommand(ctx, this.resourceUri, this.#shellId, id, payload.data), { pipelineId: id, messageTypes: payload.messageTypes });
    }
    return this.#request('send', psrpSend(ctx, this.resourceUri, this.#shellId, stream, payload.data, this.#cid(id)), { ...extra, pipelineId: id });
  }

  #poolReceiveWanted(): boolean {
    if (this.#opening !== null || this.#poolReplies > 0 || this.#keepAlive !== null) return true;
    return this.#opts.receiveOnPoolAlways === true && this.pool.state === RunspacePoolState.Opened;
  }

  #nextReceive(): PsrpRequest | null {
    if (this.#phase !== 'open') return null;
    const targets: string[] = [];
    if (this.#poolReceiveWanted()) targets.push(POOL_KEY);
    for (const id of this.#active) targets.push(id);
    const ready = targets.filter((t) => !this.#receiving.has(t));
    if (ready.length === 0) return null;
    // Least recently received first; among never-received, the newest first: a nested pipeline
    // (invoked from a host call of a running one) is the one that can make progress.
    const order = [...this.#active];
    ready.sort((a, b) => (this.#lastReceive.get(a) ?? 0) - (this.#lastReceive.get(b) ?? 0) || order.indexOf(b) - order.indexOf(a));
    const target = ready[0] === POOL_KEY ? undefined : ready[0];
    if (target === undefined && this.#keepAlive !== null && this.#opening === null && this.#poolReplies === 0) {
      // Only a keep-alive wants the pool: a short long-poll, so it is answered soon.
      const built = psrpReceive(this.#ctx, this.resourceUri, this.#shellId, undefined, { operationTimeoutSec: this.#keepAlive });
      this.#keepAlive = null;
      return this.#request('receive', built, { keepAlive: true });
    }
    if (target === undefined) this.#keepAlive = null;
    const built = psrpReceive(this.#ctx, this.resourceUri, this.#shellId, target === undefined ? undefined : this.#cid(target));
    return this.#request('receive', built, target === undefined ? {} : { pipelineId: target });
  }

  /**
   * A pipeline's Command or Send failed (a fault), or its answer was lost, and the pool lives on:
   * the pipeline is over (Failed, its queued input dropped) and gets no more Receives. A Signal
   * terminate follows when the pipeline may be running on the server (`mayHaveRun`: a lost
   * Command's, and any Send's, since its Command was answered), so the server releases it. The
   * caller ignores, with {@link dropAnswer}, the answers still owed for the pipeline: that Signal's
   * (the server may not know the command) and a Receive in flight (its data is for no one now).
   * @throws InvalidArgumentError when `req` is not a pipeline's Command or Send awaiting its answer.
   */
  abandonPipeline(req: PsrpRequest, mayHaveRun: boolean): void {
    const id = req.pipelineId;
    if ((req.kind !== 'command' && req.kind !== 'send') || id === undefined) {
      throw new InvalidArgumentError(`${req.kind} request ${req.messageId} is not a pipeline's Command or Send`);
    }
    this.#settle(req);
    if (this.#stash?.pipelineId === id) this.#stash = null;
    this.#active.delete(id);
    this.#done.add(id);
    const pipeline = this.pool.pipelines.get(id);
    if (pipeline !== undefined && (pipeline.state === PSInvocationState.Running || pipeline.state === PSInvocationState.Stopping)) pipeline.abandon();
    if (mayHaveRun) this.#ops.push({ kind: 'signal', pipelineId: id, signal: 'terminate' });
  }

  /**
   * Forgets the answer, whatever it was, to a Signal or Receive of a pipeline {@link abandonPipeline}
   * ended.
   * @throws InvalidArgumentError for any other request.
   */
  dropAnswer(req: PsrpRequest): void {
    if ((req.kind !== 'signal' && req.kind !== 'receive') || req.pipelineId === undefined || !this.#done.has(req.pipelineId)) {
      throw new InvalidArgumentError(`the answer to ${req.kind} request ${req.messageId} cannot be ignored`);
    }
    this.#settle(req);
  }

  /**
   * Takes the answer to `req`: the response body text, or an already parsed response / fault.
   * Streams go to `pool.receiveData`; drain `pool.nextEvent()` afterwards.
   * @throws WSManFault for a fault other than a Receive's w:TimedOut (or a winrm/config Get's,
   *   which keeps the default envelope size); a failed Create or Connect leaves the shell 'failed'.
   * @throws InvalidArgumentError when `req` is not a request of this shell awaiting its answer.
   */
  handleResponse(req: PsrpRequest, response: string | WSManResponse | WSManFault): PsrpResponseInfo {
    this.#settle(req);
    let resp: WSManResponse;
    try {
      if (response instanceof WSManFault) throw response;
      resp = typeof response === 'string' ? parseResponse(response) : response;
    } catch (err) {
      if (err instanceof WSManFault) {
        if (req.kind === 'receive' && err.isOperationTimeout) return { timedOut: true };
        if (req.kind === 'config') return { timedOut: false };
        if (req.kind === 'state' && err.subcode === 'InvalidSelectors') return { timedOut: false, shellState: 'NotFound' };
        // A Delete of a shell the server no longer has (it restarted, idled the pool out, or
        // another client removed it): closed either way, as Remove-PSSession takes it.
        if (req.kind === 'delete' && err.subcode === 'InvalidSelectors') {
          this.#phase = 'closed';
          this.pool.close();
          return { timedOut: false };
        }
        if (req.kind === 'create' || req.kind === 'connect') this.#phase = 'failed';
      }
      throw err;
    }
    return this.#accept(req, resp);
  }

  #settle(req: PsrpRequest): void {
    const key = req.pipelineId ?? POOL_KEY;
    if (req.kind === 'receive' && this.#receiving.get(key) === req) {
      this.#receiving.delete(key);
    } else if (req.kind !== 'receive' && this.#control === req) {
      this.#control = null;
    } else {
      throw new InvalidArgumentError(`${req.kind} request ${req.messageId} is not awaiting an answer from this shell`);
    }
  }

  #accept(req: PsrpRequest, resp: WSManResponse): PsrpResponseInfo {
    switch (req.kind) {
      case 'config': {
        const size = readMaxEnvelopeSize(resp);
        if (size !== undefined) {
          this.#ctx.maxEnvelopeSize = size;
          this.#pinned = true;
        }
        break;
      }
      case 'create':
        this.#shellId = readShellCreated(resp).shellId;
        this.#phase = 'open';
        this.#opening = 'open';
        break;
      case 'connect': {
        const data = readConnectResponse(resp);
        this.#phase = 'open';
        this.#opening = 'connect';
        if (data !== undefined) this.#feed(data);
        break;
      }
      case 'command': {
        const commandId = readCommandResponse(resp).toUpperCase();
        if (req.pipelineId !== undefined) {
          if (commandId !== req.pipelineId) this.#commandIds.set(req.pipelineId, commandId);
          this.#confirm(req.pipelineId);
        }
        break;
      }
      case 'state':
        return { timedOut: false, shellState: readShellState(resp) };
      case 'connectCommand':
        if (req.pipelineId !== undefined) this.#confirm(req.pipelineId);
        break;
      case 'receive':
        return this.#received(req, resp);
      case 'delete':
        this.#phase = 'closed';
        this.pool.close();
        break;
      case 'disconnect':
        this.#phase = 'disconnected';
        this.pool.disconnect();
        break;
      case 'reconnect':
        this.#phase = 'open';
        this.pool.reconnect();
        break;
      case 'send':
      case 'signal':
        break;
    }
    return { timedOut: false };
  }

  #received(req: PsrpRequest, resp: WSManResponse): PsrpResponseInfo {
    const result = readReceiveResponse(resp);
    for (const s of result.streams) if (s.name === 'stdout' && s.data.length > 0) this.#feed(s.data);
    const info: PsrpResponseInfo = { timedOut: false };
    const id = req.pipelineId;
    if (id !== undefined && result.commandState?.state === 'Done') {
      this.#done.add(id);
      this.#active.delete(id);
      this.#lastReceive.delete(id);
      info.commandDone = id;
      if (this.#opts.terminateCompletedCommands === true) this.#ops.push({ kind: 'signal', pipelineId: id, signal: 'terminate' });
    }
    return info;
  }

  /** Gives bytes to the pool, then updates what we wait for from the message types they start. */
  #feed(data: Uint8Array): void {
    this.pool.receiveData(data);
    for (const m of peekMessages(data)) {
      if (m.type === MessageType.SESSION_CAPABILITY && m.whole !== undefined && !this.#pinned) {
        this.#ctx.maxEnvelopeSize = maxEnvelopeSizeFor(serverVersion(m.whole));
      } else if (m.type === MessageType.RUNSPACEPOOL_STATE) {
        this.#opening = null;
      } else if (m.type === MessageType.APPLICATION_PRIVATE_DATA && this.#opening === 'connect') {
        this.#opening = null;
      } else if (POOL_REPLIES.has(m.type) && this.#poolReplies > 0) {
        this.#poolReplies -= 1;
      }
    }
  }
}

/** The protocolversion of a whole SESSION_CAPABILITY message; undefined if it does not decode (the pool reports that). */
function serverVersion(message: Uint8Array): string | undefined {
  try {
    const body = decodeBody(decodeMessage(message));
    return body.type === MessageType.SESSION_CAPABILITY ? body.protocolVersion : undefined;
  } catch {
    return undefined;
  }
}
