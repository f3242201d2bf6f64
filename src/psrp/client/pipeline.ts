/**
 * The client's pipeline (MS-PSRP §3.1.1.3, §3.1.4.4–§3.1.4.6): a PowerShell object that collects
 * statements of commands, is invoked once (CREATE_PIPELINE), may take input (PIPELINE_INPUT,
 * END_OF_PIPELINE_INPUT), answers host calls, and ends with the server's PIPELINE_STATE.
 *
 * Its events come out of the pool's `nextEvent()`; the pool routes every message carrying this
 * pipeline's PID here. A pipeline never sends on its own: its messages wait in the pool's
 * `dataToSend()` with `pipelineId` set.
 */
import type { PSValue } from '../clixml/index.js';
import { ApartmentState, MessageType, PSInvocationState, PipelineResultTypes, RemoteStreamOptions } from '../constants.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Engine } from '../core/engine.js';
import type { HostResult } from '../core/host-result.js';
import type { HostCallEvent, PsrpEvent } from '../events.js';
import type { PsrpMessageBody } from '../message-body.js';
import { NO_HOST, type HostInfo } from '../messages/host-info.js';
import { newCommand, type Command } from '../messages/pipeline.js';
import { errorRecordInfo } from '../messages/records.js';
import { compareVersions } from '../fragment-size.js';
import { CLIENT_PIPELINE_TRANSITIONS, transition } from '../state.js';

/** Options of one command (§2.2.3.12). */
export interface CommandOptions {
  useLocalScope?: boolean;
  mergeMyResult?: PipelineResultTypes;
  mergeToResult?: PipelineResultTypes;
  mergePreviousResults?: PipelineResultTypes;
  mergeError?: PipelineResultTypes;
  mergeWarning?: PipelineResultTypes;
  mergeVerbose?: PipelineResultTypes;
  mergeDebug?: PipelineResultTypes;
  mergeInformation?: PipelineResultTypes;
}

/** Options of CREATE_PIPELINE (§2.2.2.10). */
export interface InvokeOptions {
  /** No input will follow (default true); pass false to use sendInput/endInput. */
  noInput?: boolean;
  /** Add the command line to the session history (default false). */
  addToHistory?: boolean;
  /** The history text (default: none; the server uses the command text). */
  history?: string;
  /** A nested pipeline, run inside a running one from a host call (default false). */
  isNested?: boolean;
  apartmentState?: ApartmentState;
  /** Default AddInvocationInfo, as pypsrp sends. */
  remoteStreamOptions?: RemoteStreamOptions;
  /** The pipeline's host (default: the pool's; `useRunspaceHost` set). */
  hostInfo?: HostInfo;
}

/** What the pool gives a pipeline: the engine and the pool-level checks. */
export interface PipelineLink {
  engine: Engine;
  /** Throws unless the pool allows this pipeline action (e.g. 'invokePipeline' needs Opened). */
  checkPool(action: string): void;
  /** Answers a host call, holding SecureString results until the session key exists. */
  hostResponse(call: HostCallEvent, result: HostResult): void;
  /** What the server's announced protocol version allows, once known. */
  serverProtocol(): ServerProtocol | undefined;
}

/**
 * What CREATE_PIPELINE may hold for a server of one protocol version: several statements
 * (ExtraCmds) from 2.2, MergeError/Warning/Verbose/Debug from 2.2 and MergeInformation from 2.3
 * (§2.2.3.11-12). Worked out once, when the pool reads the server's SESSION_CAPABILITY.
 */
export interface ServerProtocol {
  readonly version: string;
  readonly extraCmds: boolean;
  readonly merges: 'none' | 'streams' | 'all';
}

export function serverProtocol(version: string): ServerProtocol {
  const from22 = compareVersions(version, '2.2') >= 0;
  return { version, extraCmds: from22, merges: compareVersions(version, '2.3') >= 0 ? 'all' : from22 ? 'streams' : 'none' };
}

type MessageHandler = (body: PsrpMessageBody) => PsrpEvent;
const handlers = new WeakMap<Pipeline, MessageHandler>();

/** @internal The pool feeds a pipeline-scoped message to its pipeline. */
export function deliverToPipeline(pipeline: Pipeline, body: PsrpMessageBody): PsrpEvent {
  const h = handlers.get(pipeline);
  if (h === undefined) throw new RangeError('not a pipeline of this module');
  return h(body);
}

/** A client pipeline; create with `pool.createPipeline()`. */
export class Pipeline {
  readonly pipelineId: string;
  readonly #link: PipelineLink;
  #state = PSInvocationState.NotStarted;
  /** Statements; each a list of commands. */
  readonly #statements: Command[][] = [[]];
  #noInput = true;
  #inputEnded = false;
  readonly #metadata: boolean;

  /** @internal Use `pool.createPipeline()`. */
  constructor(link: PipelineLink, pipelineId: string, metadata = false) {
    this.#link = link;
    this.pipelineId = pipelineId;
    this.#metadata = metadata;
    handlers.set(this, (body) => this.#receive(body));
  }

  /** The pipeline's state (§2.2.3.5). */
  get state(): PSInvocationState {
    return this.#state;
  }

  /** The statements as they will be (or were) sent. */
  get commands(): readonly (readonly Command[])[] {
    return this.#statements.filter((s) => s.length > 0);
  }

  #current(): Command[] {
    const s = this.#statements[this.#statements.length - 1];
    if (s === undefined) throw new RangeError('no statement');
    return s;
  }

  #lastCommand(what: string): Command {
    const c = this.#current()[this.#current().length - 1];
    if (c === undefined) throw new InvalidArgumentError(`${what}: add a command or script first`);
    return c;
  }

  #building(action: string): void {
    this.#link.engine.checkUsable('pipeline');
    if (this.#metadata) throw new InvalidArgumentError(`cannot ${action}: a GET_COMMAND_METADATA pipeline takes no commands`);
    if (this.#state === PSInvocationState.Running || this.#state === PSInvocationState.Stopping) {
      throw new InvalidArgumentError(`cannot ${action}: the pipeline is running`);
    }
  }

  /** Adds a command (cmdlet, function, script path) to the current statement. */
  addCommand(name: string, opts: CommandOptions = {}): this {
    this.#building('addCommand');
    this.#current().push(applyOptions(newCommand(name, false), opts));
    return this;
  }

  /** Adds a script block's text as a command (IsScript = true). */
  addScript(script: string, opts: CommandOptions = {}): this {
    this.#building('addScript');
    this.#current().push(applyOptions(newCommand(script, true), opts));
    return this;
  }

  /** Adds a named parameter to the last command; without a value it is a switch ($true). */
  addParameter(name: string, value: PSValue = true): this {
    this.#building('addParameter');
    this.#lastCommand('addParameter').args.push({ name, value });
    return this;
  }

  /** Adds a positional argument to the last command. */
  addArgument(value: PSValue): this {
    this.#building('addArgument');
    this.#lastCommand('addArgument').args.push({ name: null, value });
    return this;
  }

  /** Starts a new statement (`a; b`): later commands do not take the earlier ones' output. */
  addStatement(): this {
    this.#building('addStatement');
    if (this.#current().length > 0) this.#statements.push([]);
    return this;
  }

  /** Sets the Merge* options of the last command (e.g. 2>&1: mergeMyResult Error, mergeToResult Output). */
  mergeResults(opts: CommandOptions): this {
    this.#building('mergeResults');
    applyOptions(this.#lastCommand('mergeResults'), opts);
    return this;
  }

  /** Redirects the last command's error stream into its output (2>&1). */
  mergeErrorToOutput(): this {
    return this.mergeResults({
      mergeMyResult: PipelineResultTypes.Error,
      mergeToResult: PipelineResultTypes.Output,
      mergeError: PipelineResultTypes.Output,
    });
  }

  /**
   * Queues CREATE_PIPELINE (§3.1.4.4); the state becomes Running. A finished pipeline may be
   * invoked again: same PID, same commands (as pypsrp does).
   * @throws InvalidStateError unless NotStarted/Completed/Failed/Stopped and the pool is Opened; InvalidArgumentError
   *   without commands, or with several statements on a protocol 2.1 server (§2.2.3.11 ExtraCmds).
   */
  invoke(opts: InvokeOptions = {}): void {
    this.#link.engine.checkUsable('pipeline');
    this.#link.checkPool('invokePipeline');
    const server = this.#link.serverProtocol();
    const statements = this.commands.map((s) => s.map((c) => forServer(c, server)));
    const [first, ...rest] = statements;
    if (first === undefined) throw new InvalidArgumentError('cannot invoke a pipeline without commands');
    if (rest.length > 0 && server !== undefined && !server.extraCmds) {
      throw new InvalidArgumentError(`protocol ${server.version} servers take one statement per pipeline (ExtraCmds needs 2.2)`);
    }
    const next = transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'invoke', this.#state);
    this.#noInput = opts.noInput ?? true;
    this.#inputEnded = false;
    const isNested = opts.isNested ?? false;
    this.#link.engine.send(
      MessageType.CREATE_PIPELINE,
      {
        noInput: this.#noInput,
        apartmentState: opts.apartmentState ?? ApartmentState.Unknown,
        remoteStreamOptions: opts.remoteStreamOptions ?? RemoteStreamOptions.AddInvocationInfo,
        addToHistory: opts.addToHistory ?? false,
        hostInfo: opts.hostInfo ?? NO_HOST,
        powerShell: {
          isNested,
          // With several statements ExtraCmds lists them ALL, the first included, and Cmds repeats
          // the first (what pypsrp sends and Windows runs; test_psrp_multiple_commands.yml).
          cmds: first,
          extraCmds: rest.length > 0 ? statements : null,
          history: opts.history ?? null,
          redirectShellErrorOutputPipe: false,
        },
        isNested,
      },
      { pipelineId: this.pipelineId, endsPayload: true },
    );
    this.#state = next;
  }

  /** @internal GET_COMMAND_METADATA was queued for this pipeline, or we attached to a running one. */
  markRunning(action: 'invoke' | 'connect'): void {
    this.#state = transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, action, this.#state);
  }

  /**
   * Queues PIPELINE_INPUT messages, one per value (§3.1.5.4.17).
   * @throws InvalidStateError unless Running; InvalidArgumentError when invoked with noInput or
   *   after endInput.
   */
  sendInput(values: readonly PSValue[]): void {
    this.#link.engine.checkUsable('pipeline');
    transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'sendInput', this.#state);
    if (this.#noInput) throw new InvalidArgumentError('cannot sendInput: the pipeline was invoked with noInput (pass { noInput: false })');
    if (this.#inputEnded) throw new InvalidArgumentError('cannot sendInput: endInput was already called');
    for (const value of values) this.#link.engine.send(MessageType.PIPELINE_INPUT, { value }, { pipelineId: this.pipelineId });
  }

  /** Queues END_OF_PIPELINE_INPUT (§3.1.5.4.18); a second call does nothing. */
  endInput(): void {
    this.#link.engine.checkUsable('pipeline');
    transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'endInput', this.#state);
    if (this.#noInput || this.#inputEnded) return;
    this.#inputEnded = true;
    this.#link.engine.send(MessageType.END_OF_PIPELINE_INPUT, {}, { pipelineId: this.pipelineId });
  }

  /**
   * Asks to stop the pipeline (§3.1.4.6): the state becomes Stopping; the binding sends the WS-Man
   * Signal (powershell/signal/crtl_c), and the server answers with PIPELINE_STATE Stopped.
   */
  stop(): void {
    this.#link.engine.checkUsable('pipeline');
    this.#state = transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'stop', this.#state);
  }

  /**
   * @internal The binding could not start this pipeline (its Command failed or was lost): it is
   * Failed here, and nothing queued for it is sent.
   */
  abandon(): void {
    this.#state = transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'abandon', this.#state);
    this.#link.engine.forget(this.pipelineId);
  }

  /** Answers a PipelineHostCall of this pipeline (see pool.hostResponse). */
  hostResponse(call: HostCallEvent, result: HostResult): void {
    this.#link.hostResponse(call, result);
  }

  /** @internal Checks that a host response may be sent now. */
  checkHostResponse(): void {
    transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'hostResponse', this.#state);
  }

  /** The binding disconnected the pool (§3.1.4.9). */
  disconnect(): void {
    this.#state = transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'disconnect', this.#state);
  }

  /** The binding reconnected the pool. */
  reconnect(): void {
    this.#state = transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, 'reconnect', this.#state);
  }

  #peer(type: MessageType, announced?: PSInvocationState): PSInvocationState {
    return transition(CLIENT_PIPELINE_TRANSITIONS, PSInvocationState, MessageType[type], this.#state, announced);
  }

  #receive(body: PsrpMessageBody): PsrpEvent {
    const pipelineId = this.pipelineId;
    switch (body.type) {
      case MessageType.PIPELINE_OUTPUT:
        this.#peer(body.type);
        return { type: 'PipelineOutput', pipelineId, value: body.value };
      case MessageType.ERROR_RECORD: {
        this.#peer(body.type);
        const { record, ...info } = body;
        return { type: 'ErrorRecord', pipelineId, value: record, info };
      }
      case MessageType.WARNING_RECORD:
      case MessageType.VERBOSE_RECORD:
      case MessageType.DEBUG_RECORD: {
        this.#peer(body.type);
        const type = body.type === MessageType.WARNING_RECORD ? 'WarningRecord' : body.type === MessageType.VERBOSE_RECORD ? 'VerboseRecord' : 'DebugRecord';
        return { type, pipelineId, message: body.message, value: body.record };
      }
      case MessageType.INFORMATION_RECORD:
        this.#peer(body.type);
        return { type: 'InformationRecord', pipelineId, messageData: body.messageData, source: body.source, tags: body.tags, value: body.record };
      case MessageType.PROGRESS_RECORD: {
        this.#peer(body.type);
        const { type: _t, ...record } = body;
        return { type: 'ProgressRecord', pipelineId, ...record };
      }
      case MessageType.PIPELINE_HOST_CALL:
        this.#peer(body.type);
        return { type: 'PipelineHostCall', pipelineId, ci: body.ci, methodId: body.methodId, methodName: body.methodName, parameters: body.parameters };
      case MessageType.PIPELINE_STATE: {
        const previous = this.#state;
        this.#state = this.#peer(body.type, body.state);
        this.#link.engine.forget(pipelineId);
        const event: PsrpEvent = { type: 'PipelineState', pipelineId, state: this.#state, previous };
        if (body.error !== undefined) {
          event.error = body.error;
          event.errorInfo = errorRecordInfo(body.error, MessageType.PIPELINE_STATE);
        }
        return event;
      }
      default:
        throw new RangeError(`${MessageType[body.type]} is not a pipeline message`);
    }
  }
}

/**
 * The command as `server` reads it (all of it while the version is unknown): older servers get
 * none of the Merge* fields they do not know, as pypsrp sends (test_psrp_run_protocol_version_2.1/2.2.yml).
 */
function forServer(c: Command, server: ServerProtocol | undefined): Command {
  if (server === undefined || server.merges === 'all') return c;
  const { mergeError, mergeWarning, mergeVerbose, mergeDebug, mergeInformation: _i, ...base } = c;
  if (server.merges === 'none') return base;
  const out: Command = { ...base };
  if (mergeError !== undefined) out.mergeError = mergeError;
  if (mergeWarning !== undefined) out.mergeWarning = mergeWarning;
  if (mergeVerbose !== undefined) out.mergeVerbose = mergeVerbose;
  if (mergeDebug !== undefined) out.mergeDebug = mergeDebug;
  return out;
}

function applyOptions(c: Command, o: CommandOptions): Command {
  if (o.useLocalScope !== undefined) c.useLocalScope = o.useLocalScope;
  if (o.mergeMyResult !== undefined) c.mergeMyResult = o.mergeMyResult;
  if (o.mergeToResult !== undefined) c.mergeToResult = o.mergeToResult;
  if (o.mergePreviousResults !== undefined) c.mergePreviousResults = o.mergePreviousResults;
  if (o.mergeError !== undefined) c.mergeError = o.mergeError;
  if (o.mergeWarning !== undefined) c.mergeWarning = o.mergeWarning;
  if (o.mergeVerbose !== undefined) c.mergeVerbose = o.mergeVerbose;
  if (o.mergeDebug !== undefined) c.mergeDebug = o.mergeDebug;
  if (o.mergeInformation !== undefined) c.mergeInformation = o.mergeInformation;
  return c;
}
