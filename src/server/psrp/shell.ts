/**
 * A PowerShell remoting shell (MS-PSRP §3.2.5.3, the WinRM side of one RunspacePool): maps the
 * WinRS operations addressed to its ShellId onto a ServerRunspacePool and runs each pipeline with
 * the built-in engine.
 *
 * | WS-Man request                           | here                                                   |
 * |------------------------------------------|--------------------------------------------------------|
 * | Command (CommandId, Arguments)           | CREATE_PIPELINE / GET_COMMAND_METADATA → PipelineRun   |
 * | Send stdin / pr (± CommandId)            | PIPELINE_INPUT, END_OF_PIPELINE_INPUT, host responses, PUBLIC_KEY … |
 * | Receive stdout (± CommandId)             | the target's Outbox; long-poll; CommandState Done last |
 * | Receive on the pool, KEEPALIVE, nothing  | held to OperationTimeout, then w:TimedOut (as Windows); the request resets the idle timer |
 * | Signal …/powershell/signal/crtl_c        | stop the pipeline → PIPELINE_STATE Stopped            |
 * | Signal …/signal/terminate                | forget the command (pypsrp releases each invocation)   |
 * | Disconnect (± IdleTimeOut) / Reconnect   | pool and pipelines Disconnected / back; IdleTimeOut replaces the Create's |
 * | Connect (connectXml, or CommandId)       | connect.ts: a new client attaches to the pool          |
 *
 * Every change to the pool is followed by {@link PowerShellShell.pump}: queued payloads move at once
 * into the Outbox of their target, where bytes are counted (backpressure, stats) and Receives wait.
 */
import {
  ACTION, COMMAND_STATE, SIGNAL,
  buildCommandResponse, buildDisconnectResponse, buildReceiveResponse, buildReconnectResponse, buildSendResponse, buildSignalResponse,
  readCommandRequest, readDisconnectRequest, readReceiveRequest, readSendRequest, readSignalRequest,
  type ReceiveResponseInfo, type WSManRequest,
} from '../../wsman/index.js';
import { PSObject } from '../../psrp/clixml/index.js';
import { RunspacePoolState } from '../../psrp/constants.js';
import { PsrpProtocolError } from '../../psrp/errors.js';
import type { ServerEvent } from '../../psrp/events.js';
import { defaultApplicationPrivateData, type ServerRunspacePool } from '../../psrp/server/index.js';
import { ENGINE_PS_VERSION, EngineSession } from '../engine/index.js';
import { fault } from '../faults.js';
import { echoInResponse, type RequestContext, type ShellImpl, type ShellRecord } from '../shells.js';
import type { BufferStats } from '../winrs/command.js';
import { receiveBudget } from '../winrs/shell.js';
import { buildConnectResponse, readConnectRequest } from './connect.js';
import { Outbox } from './outbox.js';
import { PipelineRun } from './pipeline-run.js';

/** One WinRS command of the shell: a pipeline's CommandId, its outbox and its run. */
interface Slot {
  id: string;
  outbox: Outbox;
  run?: PipelineRun;
}

/** Finished commands kept for late Receive/Signal before the oldest are forgotten. */
const MAX_FINISHED = 64;

export interface PowerShellShellConfig {
  stats: BufferStats;
  log: (line: string) => void;
}

export class PowerShellShell implements ShellImpl {
  /** The session configuration: the last segment of the resource URI (Microsoft.PowerShell, a JEA name …). */
  readonly configurationName: string;
  readonly pool: ServerRunspacePool;
  readonly #config: PowerShellShellConfig;
  readonly #poolOutbox: Outbox;
  readonly #slots = new Map<string, Slot>();
  #session: EngineSession;
  /** Smallest MaxEnvelopeSize any request of this client carried: payloads are cut to fit it. */
  #envelope: number;
  #closed = false;

  constructor(pool: ServerRunspacePool, configurationName: string, config: PowerShellShellConfig, maxEnvelopeSize: number) {
    this.pool = pool;
    this.configurationName = configurationName;
    this.#config = config;
    this.#poolOutbox = new Outbox(config.stats);
    this.#envelope = maxEnvelopeSize;
    this.#session = this.#newSession();
  }

  get pids(): number[] {
    return [];
  }

  /** The engine session shared by this pool's pipelines. */
  get session(): EngineSession {
    return this.#session;
  }

  /**
   * Feeds the Create's creationXml (SESSION_CAPABILITY + INIT_RUNSPACEPOOL) and opens the pool;
   * the answers wait for the first pool Receive.
   * @throws ServerFault when the bytes are not a valid opening.
   */
  openWith(creation: Uint8Array): void {
    this.#feed(creation);
  }

  async handle(req: WSManRequest, ctx: RequestContext, record?: ShellRecord): Promise<string> {
    if (this.#closed) throw fault('invalidShellId');
    this.#envelope = Math.min(this.#envelope, ctx.maxEnvelopeSize);
    // rsp:State as Get and Enumerate report it (Get-PSSession's State: Opened vs Disconnected).
    const state = (value: string): void => {
      if (record !== undefined) record.extraInfo = { ...record.extraInfo, state: value };
    };
    switch (req.action) {
      case ACTION.Command:
        return this.#command(req);
      case ACTION.Send:
        return this.#send(req);
      case ACTION.Receive:
        return this.#receive(req, ctx);
      case ACTION.Signal:
        return this.#signal(req);
      case ACTION.Disconnect: {
        const { idleTimeoutSec } = readDisconnectRequest(req);
        this.#guard(() => this.pool.disconnect());
        // The Disconnect's IdleTimeOut replaces the Create's (WSMAN_SHELL_DISCONNECT_INFO).
        if (record !== undefined && idleTimeoutSec !== undefined && idleTimeoutSec > 0) record.setIdleTimeout(idleTimeoutSec * 1000);
        state('Disconnected');
        return buildDisconnectResponse(req.messageId);
      }
      case ACTION.Connect: {
        const answer = this.#connect(req);
        state('Connected');
        return answer;
      }
      case ACTION.Reconnect:
        // After a Connect the pool is Opened already; Windows still answers the Reconnect.
        if (this.pool.state === RunspacePoolState.Disconnected) this.#guard(() => this.pool.reconnect());
        for (const slot of this.#slots.values()) slot.run?.resume();
        this.pump();
        state('Connected');
        return buildReconnectResponse(req.messageId);
      default:
        throw fault('actionNotSupported');
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const runs: Promise<void>[] = [];
    for (const s of this.#slots.values()) {
      s.run?.discard();
      if (s.run !== undefined) runs.push(s.run.start());
      s.outbox.discard();
    }
    this.#slots.clear();
    this.#poolOutbox.discard();
    try {
      this.pool.close();
    } catch {
      /* a broken pool is closed as far as we care */
    }
    await Promise.all(runs);
  }

  /** Moves every queued payload into its target's Outbox. */
  pump(): void {
    const budget = receiveBudget(this.#envelope);
    for (let p = this.pool.dataToSend(budget); p !== null; p = this.pool.dataToSend(budget)) {
      if (p.pipelineId === undefined) this.#poolOutbox.push(p.data);
      else this.#slots.get(p.pipelineId)?.outbox.push(p.data);
    }
  }

  #newSession(): EngineSession {
    const session = new EngineSession();
    // $PSSenderInfo as a remote session sees it: which endpoint (configuration) it came in by.
    session.variables.set('PSSenderInfo', new PSObject({
      typeNames: ['System.Management.Automation.Remoting.PSSenderInfo', 'System.Object'],
      toStringText: 'System.Management.Automation.Remoting.PSSenderInfo',
      adapted: [['ConfigurationName', this.configurationName], ['ApplicationArguments', this.pool.applicationArguments]],
    }));
    return session;
  }

  #guard<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof PsrpProtocolError) {
        this.#config.log(`PSRP error on shell ${this.pool.runspacePoolId}: ${err.message}`);
        throw fault('invalidParameter', `The PowerShell data is not valid: ${err.message} `);
      }
      throw err;
    }
  }

  #connect(req: WSManRequest): string {
    const c = readConnectRequest(req);
    if (c.commandId !== undefined) {
      this.#find(c.commandId);
      return buildConnectResponse(req.messageId);
    }
    if (c.connectXml === undefined) throw fault('invalidParameter', 'The Connect carries no connectXml. ');
    this.#feed(c.connectXml, false);
    // The first pool payload is SESSION_CAPABILITY + RUNSPACEPOOL_INIT_DATA (it ends its payload).
    const answer = this.pool.dataToSend(receiveBudget(this.#envelope), null);
    this.pump();
    return buildConnectResponse(req.messageId, answer?.data ?? new Uint8Array(0));
  }

  /** Gives client bytes to the pool, then acts on every event they complete. */
  #feed(data: Uint8Array, pump = true): ServerEvent[] {
    const events: ServerEvent[] = [];
    this.#guard(() => {
      this.pool.receiveData(data);
      for (let e = this.pool.nextEvent(); e !== null; e = this.pool.nextEvent()) {
        events.push(e);
        this.#onEvent(e);
      }
    });
    if (pump) this.pump();
    return events;
  }

  #onEvent(e: ServerEvent): void {
    switch (e.type) {
      case 'InitRunspacePool':
        this.#session = this.#newSession();
        this.pool.open(defaultApplicationPrivateData({ psVersion: ENGINE_PS_VERSION, psEdition: 'Core' }));
        return;
      case 'ResetRunspaceState':
        this.#session = this.#newSession();
        this.pool.answerResetRunspaceState(e.callId, true);
        return;
      case 'CreatePipeline': {
        const slot = this.#slot(e.pipelineId);
        slot.run?.discard();
        const run = new PipelineRun(e.pipeline, {
          session: this.#session,
          outbox: slot.outbox,
          pump: () => this.pump(),
          highWater: () => 2 * receiveBudget(this.#envelope),
          log: this.#config.log,
        });
        slot.run = run;
        // A finished run is dead weight in its slot (pipeline, decoded commands, host): every call
        // the slot still makes on it is a no-op once the run has ended and its outbox is closed, so
        // it is dropped rather than kept alive (and copied by the GC) for MAX_FINISHED commands.
        void run.start().then(() => {
          if (slot.run === run && slot.outbox.ended) delete slot.run;
        });
        return;
      }
      case 'GetCommandMetadata':
        // No command metadata is offered: the count object, then nothing (§3.2.5.4.14).
        this.#slot(e.pipelineId);
        e.pipeline.writeOutput(new PSObject({
          typeNames: ['Selected.Microsoft.PowerShell.Commands.GenericMeasureInfo', 'System.Management.Automation.PSCustomObject', 'System.Object'],
          extended: [['Count', 0]],
        }));
        e.pipeline.complete();
        this.pump();
        this.#slots.get(e.pipelineId)?.outbox.end();
        return;
      case 'PipelineInput':
        this.#slots.get(e.pipelineId)?.run?.input.push(e.value);
        return;
      case 'EndOfPipelineInput':
        this.#slots.get(e.pipelineId)?.run?.input.end();
        return;
      case 'PipelineHostResponse':
        this.#slots.get(e.pipelineId)?.run?.answer(e);
        return;
      case 'ConnectRunspacePool':
        for (const slot of this.#slots.values()) slot.run?.resume();
        return;
      default:
        // SessionCapability, PublicKey, Set*/GetAvailableRunspaces are answered by the pool itself;
        // we make no RunspacePool host calls, so a RunspacePoolHostResponse needs nothing.
        return;
    }
  }

  #slot(id: string): Slot {
    const key = id.toUpperCase();
    let slot = this.#slots.get(key);
    if (slot === undefined || slot.outbox.ended) {
      slot?.outbox.discard();
      slot = { id: key, outbox: new Outbox(this.#config.stats) };
      this.#slots.set(key, slot);
      this.#forgetOldFinished();
    }
    return slot;
  }

  #find(commandId: string | undefined): Slot {
    const slot = commandId === undefined ? undefined : this.#slots.get(commandId.toUpperCase());
    if (slot === undefined) throw fault('invalidCommandId');
    return slot;
  }

  #command(req: WSManRequest): string {
    const cmd = readCommandRequest(req);
    const data = Buffer.from(cmd.arguments.join(''), 'base64');
    // Clients send CommandId = PipelineId (MS-PSRP §3.1.5.3.3); older ones leave it to us: the PID then.
    if (cmd.commandId !== undefined) this.#slot(cmd.commandId);
    const events = this.#feed(data);
    const made = events.find((e) => e.type === 'CreatePipeline' || e.type === 'GetCommandMetadata');
    const id = cmd.commandId?.toUpperCase() ?? (made !== undefined && 'pipelineId' in made ? made.pipelineId : undefined);
    if (id === undefined) throw fault('invalidParameter', 'The Command carries no CREATE_PIPELINE message. ');
    return buildCommandResponse(req.messageId, id);
  }

  #send(req: WSManRequest): string {
    const send = readSendRequest(req);
    for (const s of send.streams) {
      if (s.name !== 'stdin' && s.name !== 'pr') throw fault('invalidParameter', `The stream '${s.name}' is not an input stream of this shell. `);
      if (s.commandId !== undefined) this.#find(s.commandId);
      if (s.data.length > 0) this.#feed(s.data);
    }
    return buildSendResponse(req.messageId);
  }

  async #receive(req: WSManRequest, ctx: RequestContext): Promise<string> {
    const r = readReceiveRequest(req);
    const slot = r.commandId === undefined ? undefined : this.#find(r.commandId);
    const outbox = slot?.outbox ?? this.#poolOutbox;
    const outcome = await outbox.wait(ctx.operationTimeoutMs, ctx.signal);
    if (outcome !== 'ready' || this.#closed) throw fault('operationTimeout');
    const { data, done } = outbox.take(receiveBudget(ctx.maxEnvelopeSize));
    const info: ReceiveResponseInfo = { streams: [] };
    const commandId = slot?.id;
    if (data.length > 0) info.streams.push(commandId === undefined ? { name: 'stdout', data } : { name: 'stdout', commandId, data });
    if (commandId !== undefined) info.commandState = { commandId, state: done ? COMMAND_STATE.Done : COMMAND_STATE.Running };
    if (r.sequenceId !== undefined) info.sequenceId = r.sequenceId;
    return buildReceiveResponse(req.messageId, info, echoInResponse(ctx));
  }

  async #signal(req: WSManRequest): Promise<string> {
    const sig = readSignalRequest(req);
    const slot = this.#find(sig.commandId);
    // pypsrp writes …/signal/Terminate: Windows compares signal codes case-insensitively. Older
    // pypsrp sent the stop code relative and spelled right ('powershell/signal/ctrl_c'), and
    // Windows stopped the pipeline for it too (test_psrp_nested_command.yml).
    switch (sig.code.toLowerCase()) {
      case SIGNAL.ps_ctrl_c.toLowerCase():
      case 'powershell/signal/ctrl_c':
      case 'powershell/signal/crtl_c':
        slot.run?.stop();
        break;
      case SIGNAL.terminate.toLowerCase():
        // Release the command; a pipeline still running is stopped first so the pool forgets it.
        if (slot.run !== undefined && !slot.outbox.ended) {
          slot.run.stop();
          await slot.run.start();
        }
        slot.outbox.discard();
        if (this.#slots.get(slot.id) === slot) this.#slots.delete(slot.id);
        break;
      default:
        throw fault('invalidParameter', `The signal code '${sig.code}' is not supported by this shell. `);
    }
    return buildSignalResponse(req.messageId);
  }

  /** Forgets the oldest finished commands beyond MAX_FINISHED, first in the Map's order (insertion order). */
  #forgetOldFinished(): void {
    if (this.#slots.size <= MAX_FINISHED) return;
    let excess = -MAX_FINISHED;
    for (const s of this.#slots.values()) if (isFinished(s)) excess++;
    if (excess <= 0) return;
    // Deleting the entry being visited is safe in a Map's iteration.
    for (const [key, s] of this.#slots) {
      if (!isFinished(s)) continue;
      this.#slots.delete(key);
      if (--excess === 0) return;
    }
  }
}

/** A command whose output is all taken and that will get no more. */
function isFinished(s: Slot): boolean {
  return s.outbox.ended && s.outbox.bytes === 0;
}
