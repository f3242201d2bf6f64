/**
 * A remote PowerShell runspace pool on one host, driven over WinRM: the I/O loop around the sans-IO
 * layers (psrp/client's RunspacePool and Pipelines, psrp/wsman's PsrpShell binding).
 *
 * Theory of operation. One pump per session asks the binding for every request it may send now
 * (one control request plus one Receive per target at most), POSTs them concurrently, feeds each
 * answer back, and hands the pool's events out: pipeline events to that pipeline's queue, host
 * calls to the host handler (answered without blocking the pump), pool state to the session. When
 * nothing is in flight the pump sleeps until the caller acts (invokes, answers, stops, closes).
 * Any transport error ends the session: every waiting pipeline gets it.
 *
 * Sessions that outlive a process (Disconnect-PSSession / Connect-PSSession, MS-PSRP §3.1.4.9–10):
 * `disconnect()` sends WS-Man Disconnect and lets go of the pool without deleting it; the server
 * keeps the runspace (its variables, functions, location) for the IdleTimeOut. A later process
 * calls `PowerShellSession.reconnect(client, shellId)`: a pool with the same id sends WS-Man
 * Connect carrying SESSION_CAPABILITY + CONNECT_RUNSPACEPOOL, takes RUNSPACEPOOL_INIT_DATA from the
 * ConnectResponse and RUNSPACEPOOL_STATE from one pool Receive (pypsrp:
 * test_psrp_disconnect_runspaces.yml), and is then used like a freshly opened one.
 *
 * Keep-alive: between pipelines nothing is sent, and the server deletes a shell that gets no
 * request for its IdleTimeout (2 h on Windows). `keepAlive()` sends one pool Receive carrying
 * WSMAN_CMDSHELL_OPTION_KEEPALIVE with a 1 s OperationTimeout (see psrp/wsman/shell.ts), which
 * resets that timer; `tsremote enter` sends one whenever its prompt has been idle for --keepalive.
 */
import { TsrError } from '../errors.js';
import {
  PSInvocationState,
  RunspacePoolState,
  type PSValue,
} from '../psrp/index.js';
import { RunspacePool, type HostResult, type Pipeline } from '../psrp/client/index.js';
import type { HostInfo } from '../psrp/messages/host-info.js';
import type { HostCallEvent, PsrpEvent } from '../psrp/events.js';
import { PsrpShell, psrpDelete, type PsrpRequest } from '../psrp/wsman/index.js';
import { isResponseLost, longPollReadTimeoutMs } from '../transport/index.js';
import { CommandLostError, InputLostError } from './errors.js';
import { isShellGone } from './remote-shell.js';
import { WSManFault } from '../wsman/index.js';
import { AsyncQueue } from './async-queue.js';
import type { WSManClient } from './wsman-client.js';

/** Answers the server's host calls; null for a call that needs no answer (void methods). */
export type HostHandler = (call: HostCallEvent) => Promise<HostResult | null>;

/** The events of one pipeline, as the pool hands them out. */
export type PipelineEvent = Extract<PsrpEvent, { pipelineId: string }>;

export interface OpenPowerShellOptions {
  /** Session configuration (JEA endpoint) name; default Microsoft.PowerShell. */
  configurationName?: string;
  /** What the server may ask of our host; without it host calls fail remotely. */
  hostHandler?: HostHandler;
  hostInfo?: HostInfo;
  signal?: AbortSignal;
  /** rsp:IdleTimeOut of the Create: how long the server keeps the shell without requests (default: its own). */
  idleTimeoutSec?: number;
  /**
   * How long the pool may take to open or reconnect (PowerShell's PSSessionOption.OpenTimeout,
   * 3 minutes). A server that keeps answering the pool's Receive with TimedOut but never sends the
   * pool's state would otherwise hold the host forever.
   */
  openTimeoutMs?: number;
}

const DEFAULT_OPEN_TIMEOUT_MS = 180_000;

export interface RunOptions {
  /** Positional arguments, bound to `$args` (Invoke-Command -ArgumentList). */
  args?: PSValue[];
  /** Pipeline input (`$input`); omitted means no input. */
  input?: AsyncIterable<PSValue> | Iterable<PSValue>;
  /** Aborting stops the remote pipeline (PSRP stop signal) and waits for it to end. */
  signal?: AbortSignal;
}

/** Counts the WS-Man requests a session made, per kind (for the round-trip benchmark). */
export type RequestCounter = Map<string, number>;

/** Pool states in which opening has come to an end, well or not. */
const SETTLED_POOL = new Set([RunspacePoolState.Opened, RunspacePoolState.Broken, RunspacePoolState.Closed, RunspacePoolState.Closing]);
const TERMINAL = new Set([PSInvocationState.Completed, PSInvocationState.Failed, PSInvocationState.Stopped]);
/**
 * Why a session's own requests still in flight are aborted when it ends. Made once: abort()
 * without a reason builds a DOMException, stack and all, for every session (about 25 µs per host
 * in a PSRP fan-out). The name is what the transport classifies as an abort (classify.ts).
 */
let sessionEnded: DOMException | undefined;
function endOfSession(): DOMException {
  sessionEnded ??= new DOMException('the session ended', 'AbortError');
  return sessionEnded;
}

export class PowerShellSession {
  readonly host: string;
  readonly requests: RequestCounter = new Map();
  readonly #client: WSManClient;
  readonly #pool: RunspacePool;
  readonly #shell: PsrpShell;
  readonly #hostHandler: HostHandler | undefined;
  readonly #queues = new Map<string, AsyncQueue<PipelineEvent>>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #wake: (() => void) | undefined;
  #pumping: Promise<void> | undefined;
  #fatal: unknown;
  #stateWaiters: (() => void)[] = [];
  /** Pipelines whose Command or Send failed while the pool lived on (see #abandonPipeline). */
  readonly #abandoned = new Set<string>();
  /** Set once we let go of the pool (Disconnect answered, or a failed Connect): nothing more is sent. */
  #released = false;

  private constructor(client: WSManClient, opts: OpenPowerShellOptions, runspacePoolId?: string) {
    this.host = client.host;
    this.#client = client;
    this.#hostHandler = opts.hostHandler;
    this.#pool = new RunspacePool({
      ...(opts.hostInfo ? { host: opts.hostInfo } : {}),
      ...(runspacePoolId === undefined ? {} : { runspacePoolId }),
    });
    this.#shell = new PsrpShell(this.#pool, {
      ctx: client.context,
      configurationName: opts.configurationName,
      ...(opts.idleTimeoutSec === undefined ? {} : { create: { idleTimeoutSec: opts.idleTimeoutSec } }),
    });
  }

  /** Opens a runspace pool (shell Create, then Receive until it is Opened). */
  static async open(client: WSManClient, opts: OpenPowerShellOptions = {}): Promise<PowerShellSession> {
    const session = new PowerShellSession(client, opts);
    session.#shell.open();
    const onAbort = (): void => session.#fail(new TsrError('ETSR_ABORTED', 'interrupted while opening'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await session.#untilOpened(() => SETTLED_POOL.has(session.#pool.state), opts.openTimeoutMs, 'open');
      if (session.#pool.state !== RunspacePoolState.Opened) {
        throw new TsrError('ETSR_PSRP_PROTOCOL', `the runspace pool did not open (state ${RunspacePoolState[session.#pool.state]})`, {
          host: client.host,
        });
      }
      return session;
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Attaches to a disconnected runspace pool from this (new) client: Connect-PSSession.
   * @param shellId the ShellId (= RunspacePoolId) the pool had when it was disconnected.
   * @returns a session ready to run pipelines; `disconnect()` it again to leave it for the next client.
   * @throws WSManFault with subcode InvalidSelectors when the server no longer has the shell;
   *   TsrError ETSR_PSRP_PROTOCOL when the pool does not come back Opened; ETSR_ABORTED on `signal`.
   *   The shell is never deleted on failure: it stays on the server for a later attempt.
   */
  static async reconnect(client: WSManClient, shellId: string, opts: OpenPowerShellOptions = {}): Promise<PowerShellSession> {
    const session = new PowerShellSession(client, opts, shellId);
    session.#shell.connect();
    const onAbort = (): void => session.#fail(new TsrError('ETSR_ABORTED', 'interrupted while connecting'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Opened comes with the ConnectResponse; the pool Receive that follows brings RUNSPACEPOOL_STATE.
      const settled = (): boolean => SETTLED_POOL.has(session.#pool.state) && session.#shell.inFlight === 0;
      await session.#untilOpened(settled, opts.openTimeoutMs, 'reconnect');
      if (session.#pool.state !== RunspacePoolState.Opened) {
        throw new TsrError('ETSR_PSRP_PROTOCOL', `the runspace pool did not reconnect (state ${RunspacePoolState[session.#pool.state]})`, {
          host: client.host,
        });
      }
      return session;
    } catch (err) {
      // Connected but unusable, or interrupted: hand the pool back to the server rather than delete it.
      if (session.#shell.phase === 'open' && !session.#fatal) await session.disconnect(opts.idleTimeoutSec).catch(() => undefined);
      session.#release();
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  get pool(): RunspacePool {
    return this.#pool;
  }

  get shellId(): string {
    return this.#shell.shellId;
  }

  /**
   * Runs a script and yields its events as they arrive, ending after its final PipelineState.
   * Breaking out of the loop early stops the pipeline.
   */
  run(script: string, opts: RunOptions = {}): AsyncGenerator<PipelineEvent, void, undefined> {
    return this.#invoke((pipeline) => {
      pipeline.addScript(script);
      for (const arg of opts.args ?? []) pipeline.addArgument(arg);
    }, opts);
  }

  /** Runs a pipeline built by the caller (commands, parameters) and yields its events. */
  runPipeline(build: (p: Pipeline) => void, opts: RunOptions = {}): AsyncGenerator<PipelineEvent, void, undefined> {
    return this.#invoke(build, opts);
  }

  /**
   * The generator behind run() and runPipeline(): they return it as it is, since delegating to it
   * with `yield*` cost every event two more promise hops. Like theirs used to, its body (pipeline
   * creation included) starts at the first `next()`.
   */
  async *#invoke(build: (p: Pipeline) => void, opts: RunOptions): AsyncGenerator<PipelineEvent, void, undefined> {
    const pipeline = this.#pool.createPipeline();
    build(pipeline);
    this.#check();
    const queue = new AsyncQueue<PipelineEvent>();
    this.#queues.set(pipeline.pipelineId, queue);
    pipeline.invoke({ noInput: opts.input === undefined });
    this.#kick();
    const stop = (): void => this.stop(pipeline);
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.signal?.aborted) stop();
    const feeding = opts.input ? this.#feed(pipeline, opts.input) : undefined;
    let finished = false;
    try {
      for await (const event of queue) {
        yield event;
        if (event.type === 'PipelineState' && TERMINAL.has(event.state)) {
          finished = true;
          break;
        }
      }
      await feeding;
    } finally {
      // On an early exit nobody awaits the input feed any more; its failure must not go unhandled.
      void feeding?.catch(() => undefined);
      opts.signal?.removeEventListener('abort', stop);
      if (!finished && !this.#fatal) {
        this.stop(pipeline);
        // Wait (bounded) for the server to confirm, so the shell can be closed cleanly.
        await this.#until(() => TERMINAL.has(pipeline.state), 10_000).catch(() => undefined);
      }
      this.#queues.delete(pipeline.pipelineId);
    }
  }

  async #feed(pipeline: Pipeline, input: AsyncIterable<PSValue> | Iterable<PSValue>): Promise<void> {
    // A pipeline that already ended (it failed, or was stopped) takes no more input; what is left
    // is dropped so the pipeline's own outcome, not "cannot sendInput", is what the caller sees.
    const ended = (): boolean => TERMINAL.has(pipeline.state) || pipeline.state === PSInvocationState.Stopping;
    let batch: PSValue[] = [];
    for await (const value of input) {
      if (ended()) return;
      batch.push(value);
      if (batch.length >= 256) {
        pipeline.sendInput(batch);
        batch = [];
        this.#kick();
      }
    }
    if (ended()) return;
    if (batch.length) pipeline.sendInput(batch);
    pipeline.endInput();
    this.#kick();
  }

  /** Asks the server to stop a running pipeline (PSRP stop signal). */
  stop(pipeline: Pipeline): void {
    if (TERMINAL.has(pipeline.state) || pipeline.state === PSInvocationState.Stopping) return;
    if (pipeline.state !== PSInvocationState.Running) return;
    pipeline.stop();
    this.#kick();
  }

  /**
   * Disconnects the pool (WS-Man Disconnect) and lets go of it: the server keeps the runspace for
   * `idleTimeoutSec` (default: the server's IdleTimeout) for a later `reconnect()`. Call it with no
   * pipeline running. Afterwards this object sends nothing more; `close()` does nothing.
   * @throws InvalidArgumentError unless the pool is open; the fatal error of the session, if any;
   *   TsrError ETSR_TIMEOUT when the server does not answer within `timeoutMs`.
   */
  async disconnect(idleTimeoutSec?: number, timeoutMs = 15_000): Promise<void> {
    this.#check();
    this.#shell.disconnect(idleTimeoutSec);
    try {
      await this.#until(() => this.#shell.phase === 'disconnected', timeoutMs);
    } finally {
      this.#release();
    }
  }

  /**
   * Sends one keep-alive (a pool Receive with WSMAN_CMDSHELL_OPTION_KEEPALIVE) so the server's idle
   * timer starts again, and waits for its answer. Safe while pipelines run (it goes beside them).
   * @throws TsrError ETSR_PSRP_STATE when the session is disconnected; the session's fatal error
   *   (e.g. InvalidSelectors: the server deleted the shell already); ETSR_TIMEOUT after `timeoutMs`.
   */
  async keepAlive(timeoutMs = 30_000): Promise<void> {
    this.#check();
    if (this.#shell.phase !== 'open') throw new TsrError('ETSR_PSRP_STATE', `the session is ${this.#shell.phase}`, { host: this.host });
    this.#shell.keepAlive(1);
    await this.#until(() => !this.#shell.keepAlivePending, timeoutMs);
  }

  /** The binding's phase: 'open', 'disconnected', 'closed' … (see PsrpShell). */
  get phase(): string {
    return this.#shell.phase;
  }

  /** Stops the pump and ends every pipeline queue, sending nothing. */
  #release(): void {
    this.#released = true;
    this.#abort.abort(endOfSession());
    for (const q of this.#queues.values()) q.end(this.#fatal ?? new TsrError('ETSR_ABORTED', 'session disconnected'));
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** Closes the pool and deletes the shell; safe to call more than once. Bounded in time. */
  async close(timeoutMs = 15_000): Promise<void> {
    if (this.#shell.phase === 'closed' || this.#released) return;
    if (this.#fatal) {
      await this.#deleteAfterFailure(timeoutMs);
      return;
    }
    this.#shell.close();
    this.#kick();
    try {
      await this.#until(() => this.#shell.phase === 'closed', timeoutMs);
    } finally {
      this.#abort.abort(endOfSession());
      for (const q of this.#queues.values()) q.end(this.#fatal ?? new TsrError('ETSR_ABORTED', 'session closed'));
    }
  }

  /**
   * After a fatal error the pump is gone and the PSRP state may be anything, but the shell may
   * still exist on the server (a lost Command, an interrupted Create that the server completed).
   * The ShellId is ours (it is the RunspacePoolId), so a plain WS-Man Delete finds it; a shell the
   * server never created answers InvalidSelectors, which is fine.
   */
  async #deleteAfterFailure(timeoutMs: number): Promise<void> {
    if (this.#shell.phase === 'new') return;
    this.#released = true;
    const built = psrpDelete(this.#client.context, this.#shell.resourceUri, this.#shell.shellId);
    try {
      await this.#client.send(built, { idempotent: true, retransmit: 'delete', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      if (!isShellGone(err)) throw err;
    } finally {
      for (const q of this.#queues.values()) q.end(this.#fatal ?? new TsrError('ETSR_ABORTED', 'session closed'));
    }
  }

  #check(): void {
    if (this.#fatal) throw this.#fatal;
    if (this.#released) throw new TsrError('ETSR_PSRP_STATE', 'the session is disconnected', { host: this.host });
  }

  #kick(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
    if (this.#released) return;
    this.#pumping ??= this.#pump().finally(() => (this.#pumping = undefined));
  }

  /** #until bounded by the open timeout, whose expiry fails the session with a line that says so. */
  async #untilOpened(done: () => boolean, timeoutMs = DEFAULT_OPEN_TIMEOUT_MS, verb: 'open' | 'reconnect'): Promise<void> {
    try {
      await this.#until(done, timeoutMs);
    } catch (err) {
      if (this.#fatal !== undefined || !(err instanceof TsrError) || err.code !== 'ETSR_TIMEOUT') throw err;
      const state = RunspacePoolState[this.#pool.state];
      this.#fail(new TsrError('ETSR_TIMEOUT', `the runspace pool did not ${verb} within ${Math.round(timeoutMs / 1000)} s (still ${state})`, {
        host: this.host,
        hint: 'the server accepted the shell but never reported the pool ready; run with --debug to see its answers',
      }));
      throw this.#fatal;
    }
  }

  /** Resolves when `done()` holds after some event; rejects on a fatal error or after `timeoutMs`. */
  #until(done: () => boolean, timeoutMs?: number): Promise<void> {
    this.#kick();
    return new Promise<void>((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(new TsrError('ETSR_TIMEOUT', 'timed out waiting for the remote shell', { host: this.host })), timeoutMs);
      const finish = (err?: unknown): void => {
        if (timer) clearTimeout(timer);
        this.#stateWaiters = this.#stateWaiters.filter((w) => w !== check);
        if (err === undefined) resolve();
        else reject(err);
      };
      const check = (): void => {
        if (this.#fatal) finish(this.#fatal);
        else if (done()) finish();
      };
      this.#stateWaiters.push(check);
      check();
    });
  }

  #notify(): void {
    for (const w of [...this.#stateWaiters]) w();
  }

  #fail(err: unknown): void {
    if (this.#fatal) return;
    this.#fatal = err instanceof TsrError ? err.withHost(this.host) : err;
    for (const q of this.#queues.values()) q.end(this.#fatal);
    this.#notify();
    this.#abort.abort(endOfSession());
  }

  /**
   * Sends what the binding allows and waits for an answer or a wake-up. Every way out of it
   * settles the waiters: an exception fails the session (it used to reject `#pumping`, which
   * nobody awaited, and leave `open()` pending), and an idle pump that still owes someone an
   * event (see #stalled) fails it too rather than sleep forever.
   */
  async #pump(): Promise<void> {
    try {
      while (!this.#fatal && !this.#released) {
        let req: PsrpRequest | null;
        while ((req = this.#shell.nextRequest()) !== null) this.#launch(req);
        this.#drain();
        if (this.#shell.phase === 'closed' && this.#inflight.size === 0) return;
        const woken = new Promise<void>((resolve) => (this.#wake = resolve));
        if (this.#inflight.size === 0) {
          const waitingFor = this.#stalled();
          if (waitingFor !== undefined) {
            this.#fail(new TsrError('ETSR_PSRP_PROTOCOL', `${waitingFor}, but nothing is left to send or receive`, {
              host: this.host,
              hint: 'the server ended the exchange early; run with --debug to see its last answers',
            }));
            return;
          }
          await woken;
        } else {
          await Promise.race([...this.#inflight, woken]);
        }
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  /**
   * What someone still waits for when nothing is in flight and nothing can be sent: then no
   * answer can ever come. While the pool opens, a pool Receive is always out until
   * RUNSPACEPOOL_STATE; while a pipeline runs, its Receive is out until rsp:CommandState Done
   * (psrp/wsman/shell.ts), and its final PipelineState arrives before that.
   */
  #stalled(): string | undefined {
    const phase = this.#shell.phase;
    if (phase !== 'creating' && phase !== 'open') return undefined;
    if (!SETTLED_POOL.has(this.#pool.state)) return `the runspace pool is still ${RunspacePoolState[this.#pool.state]}`;
    for (const id of this.#queues.keys()) {
      const pipeline = this.#pool.pipelines.get(id) ?? this.#pool.pipelines.get(id.toUpperCase());
      if (pipeline !== undefined && !TERMINAL.has(pipeline.state)) return `pipeline ${id} is still ${PSInvocationState[pipeline.state]}`;
    }
    return undefined;
  }

  #launch(req: PsrpRequest): void {
    this.requests.set(req.kind, (this.requests.get(req.kind) ?? 0) + 1);
    const readTimeoutMs = req.longPoll ? longPollReadTimeoutMs(this.#client.context.operationTimeoutSec) : undefined;
    // Create, Receive and Delete may be asked for again with their OperationID when the response
    // is lost; a Command never is (it may have started), nor Send or Signal.
    const retransmit = req.kind === 'create' || req.kind === 'receive' || req.kind === 'delete' ? req.kind : undefined;
    const p = this.#client
      .send(req, { signal: this.#abort.signal, readTimeoutMs, idempotent: req.kind === 'delete', ...(retransmit ? { retransmit } : {}) })
      .then(
        (resp) => (this.#owedToAbandoned(req) ? this.#shell.dropAnswer(req) : this.#shell.handleResponse(req, resp)),
        (err: unknown) => {
          if ((req.kind === 'command' || req.kind === 'send') && this.#abandonPipeline(req, err)) return;
          // The terminate after an abandoned pipeline, or its last Receive: "no such command" or a
          // lost answer changes nothing.
          if (this.#owedToAbandoned(req)) return this.#shell.dropAnswer(req);
          if (err instanceof WSManFault) return this.#shell.handleResponse(req, err);
          throw err;
        },
      )
      .then(
        () => this.#drain(),
        (err: unknown) => this.#fail(err),
      )
      .finally(() => {
        this.#inflight.delete(p);
        this.#notify();
      });
    this.#inflight.add(p);
  }

  /**
   * A pipeline's Command or Send failed in a way that leaves the pool usable: a fault other than
   * "no such shell", or a lost answer. Only that pipeline ends, with the error; the session goes
   * on (and can still be disconnected and reused, or run a clean-up). A pipeline that may be
   * running on the server gets a Signal terminate from the binding.
   * @returns false when the failure is the session's (the shell is gone, the host cannot be reached).
   */
  #abandonPipeline(req: PsrpRequest, err: unknown): boolean {
    const id = req.pipelineId;
    if (id === undefined || this.#fatal || this.#released) return false;
    const lost = !(err instanceof WSManFault) && isResponseLost(err);
    if (!(err instanceof WSManFault && !isShellGone(err)) && !lost) return false;
    const detail = err instanceof Error ? err.message : String(err);
    const error = !lost
      ? (err as WSManFault).withHost(this.host)
      : req.kind === 'command'
        ? new CommandLostError(detail, { host: this.host, cause: err })
        : new InputLostError(detail, { host: this.host, cause: err });
    this.#abandoned.add(id);
    this.#shell.abandonPipeline(req, lost || req.kind === 'send');
    this.#queues.get(id)?.end(error);
    return true;
  }

  /** True for a Signal or Receive still owed to a pipeline #abandonPipeline ended. */
  #owedToAbandoned(req: PsrpRequest): boolean {
    return (req.kind === 'signal' || req.kind === 'receive') && req.pipelineId !== undefined && this.#abandoned.has(req.pipelineId);
  }

  /** Hands out every event the pool has. */
  #drain(): void {
    let event: PsrpEvent | null;
    try {
      while ((event = this.#pool.nextEvent()) !== null) this.#dispatch(event);
    } catch (err) {
      this.#fail(err);
    }
    this.#notify();
  }

  #dispatch(event: PsrpEvent): void {
    if (event.type === 'PipelineHostCall' || event.type === 'RunspacePoolHostCall') {
      void this.#answer(event);
      if (event.type === 'RunspacePoolHostCall') return;
    }
    if ('pipelineId' in event && typeof event.pipelineId === 'string') {
      const queue = this.#queues.get(event.pipelineId.toUpperCase()) ?? this.#queues.get(event.pipelineId);
      queue?.push(event as PipelineEvent);
    }
  }

  async #answer(call: HostCallEvent): Promise<void> {
    let result: HostResult | null;
    try {
      result = this.#hostHandler ? await this.#hostHandler(call) : { error: `the client has no host to answer ${call.methodName}` };
    } catch (err) {
      result = { error: err instanceof Error ? err.message : String(err) };
    }
    if (call.ci < 0n || result === null || this.#fatal) return;
    try {
      this.#pool.hostResponse(call, result);
      this.#kick();
    } catch (err) {
      this.#fail(err);
    }
  }
}
