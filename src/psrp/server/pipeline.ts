/**
 * The server's pipeline (MS-PSRP §3.2.1.3, §3.2.5.4.10–§3.2.5.4.28): made by the pool when
 * CREATE_PIPELINE (or GET_COMMAND_METADATA) arrives, already Running. The server application reads
 * `commands`, runs them, writes to the streams and ends it with complete(), fail() or stopped().
 * Everything it writes is queued in the pool's dataToSend() with this pipeline's id (CommandId).
 */
import type { PSObject, PSValue } from '../clixml/index.js';
import { HostMethodIdentifier, MessageType, PSInvocationState } from '../constants.js';
import { PsrpProtocolError } from '../errors.js';
import type { Engine } from '../core/engine.js';
import { buildErrorRecord } from '../core/error-record.js';
import { informationalRecord, informationRecord, type InformationRecordOptions } from '../core/records.js';
import type { ServerEvent } from '../events.js';
import type { MessageBodies, PsrpMessageBody } from '../message-body.js';
import type { Command, CreatePipeline } from '../messages/pipeline.js';
import { errorRecordInfo, type ProgressRecord } from '../messages/records.js';
import { hostMethodReturns, VOID_CALL_ID } from '../host/methods.js';
import { SERVER_PIPELINE_TRANSITIONS, transition } from '../state.js';

/** What the pool gives a pipeline. */
export interface ServerPipelineLink {
  engine: Engine;
  nextCallId(): bigint;
  /** The pipeline ended: the pool forgets it. */
  finished(pipelineId: string): void;
}

type MessageHandler = (body: PsrpMessageBody) => ServerEvent;
const handlers = new WeakMap<ServerPipeline, MessageHandler>();

/** @internal The pool feeds a pipeline-scoped message to its pipeline. */
export function deliverToServerPipeline(p: ServerPipeline, body: PsrpMessageBody): ServerEvent {
  const h = handlers.get(p);
  if (h === undefined) throw new RangeError('not a server pipeline');
  return h(body);
}

/** A pipeline on the server side; see the file comment. */
export class ServerPipeline {
  readonly pipelineId: string;
  /** The CREATE_PIPELINE that made it, or null for a GET_COMMAND_METADATA call. */
  readonly request: CreatePipeline | null;
  readonly #link: ServerPipelineLink;
  #state = PSInvocationState.NotStarted;
  #inputEnded: boolean;
  readonly #pendingHostCalls = new Set<bigint>();

  /** @internal Made by ServerRunspacePool. */
  constructor(link: ServerPipelineLink, pipelineId: string, request: CreatePipeline | null) {
    this.#link = link;
    this.pipelineId = pipelineId;
    this.request = request;
    this.#inputEnded = request === null || request.noInput;
    this.#state = transition(SERVER_PIPELINE_TRANSITIONS, PSInvocationState, 'create', this.#state);
    handlers.set(this, (body) => this.#receive(body));
  }

  get state(): PSInvocationState {
    return this.#state;
  }

  /**
   * The statements to run (§2.2.3.11): ExtraCmds when present — it lists every statement, the
   * first included, while Cmds repeats the first (as pypsrp and PowerShell send it) — else Cmds.
   */
  get commands(): Command[][] {
    if (this.request === null) return [];
    const ps = this.request.powerShell;
    return ps.extraCmds ?? [ps.cmds];
  }

  /** True once END_OF_PIPELINE_INPUT arrived (or the pipeline was created with NoInput). */
  get inputEnded(): boolean {
    return this.#inputEnded;
  }

  #to(action: string): PSInvocationState {
    this.#link.engine.checkUsable('pipeline');
    return transition(SERVER_PIPELINE_TRANSITIONS, PSInvocationState, action, this.#state);
  }

  #send<K extends MessageType>(type: K, body: MessageBodies[K]): void {
    this.#link.engine.send(type, body, { pipelineId: this.pipelineId });
  }

  /** Queues PIPELINE_OUTPUT. */
  writeOutput(value: PSValue): void {
    this.#to('write');
    this.#send(MessageType.PIPELINE_OUTPUT, { value });
  }

  /** Queues ERROR_RECORD: an ErrorRecord object, or a message to wrap in one. */
  writeError(error: PSObject | string): void {
    this.#to('write');
    const record = typeof error === 'string' ? buildErrorRecord({ message: error }) : error;
    this.#send(MessageType.ERROR_RECORD, { record, ...errorRecordInfo(record) });
  }

  /** Queues WARNING_RECORD. */
  writeWarning(message: string): void {
    this.#to('write');
    this.#send(MessageType.WARNING_RECORD, { message, record: informationalRecord('Warning', message) });
  }

  /** Queues VERBOSE_RECORD. */
  writeVerbose(message: string): void {
    this.#to('write');
    this.#send(MessageType.VERBOSE_RECORD, { message, record: informationalRecord('Verbose', message) });
  }

  /** Queues DEBUG_RECORD. */
  writeDebug(message: string): void {
    this.#to('write');
    this.#send(MessageType.DEBUG_RECORD, { message, record: informationalRecord('Debug', message) });
  }

  /** Queues INFORMATION_RECORD (protocol 2.3 clients; Write-Host / Write-Information). */
  writeInformation(messageData: PSValue, opts: InformationRecordOptions = {}): void {
    this.#to('write');
    this.#send(MessageType.INFORMATION_RECORD, { messageData, source: opts.source ?? null, tags: opts.tags ?? [], record: informationRecord(messageData, opts) });
  }

  /** Queues PROGRESS_RECORD. */
  writeProgress(record: Partial<ProgressRecord> & { activity: string }): void {
    this.#to('write');
    this.#send(MessageType.PROGRESS_RECORD, {
      activity: record.activity,
      activityId: record.activityId ?? 0,
      statusDescription: record.statusDescription ?? 'Processing',
      currentOperation: record.currentOperation ?? null,
      parentActivityId: record.parentActivityId ?? -1,
      percentComplete: record.percentComplete ?? -1,
      recordType: record.recordType ?? 0,
      secondsRemaining: record.secondsRemaining ?? -1,
    });
  }

  /**
   * Queues PIPELINE_HOST_CALL. Returns the call id the PipelineHostResponse event will carry, or
   * null for a void method (no response comes; sent with call id -100 as Windows does).
   */
  hostCall(method: HostMethodIdentifier, parameters: PSValue[] = []): bigint | null {
    this.#to('hostCall');
    const returns = hostMethodReturns(method);
    const ci = returns ? this.#link.nextCallId() : VOID_CALL_ID;
    this.#send(MessageType.PIPELINE_HOST_CALL, { ci, methodId: method, methodName: HostMethodIdentifier[method] ?? String(method), parameters });
    if (!returns) return null;
    this.#pendingHostCalls.add(ci);
    return ci;
  }

  #end(action: string, state: PSInvocationState, error?: PSObject): void {
    const next = this.#to(action);
    if (next !== state) throw new RangeError(`transition table: ${action} should lead to ${PSInvocationState[state]}`);
    const body: { state: PSInvocationState; error?: PSObject } = { state };
    if (error !== undefined) body.error = error;
    this.#send(MessageType.PIPELINE_STATE, body);
    this.#state = next;
    this.#link.finished(this.pipelineId);
  }

  /** Queues PIPELINE_STATE Completed. */
  complete(): void {
    this.#end('complete', PSInvocationState.Completed);
  }

  /** Queues PIPELINE_STATE Failed with the ErrorRecord (or a message to wrap in one). */
  fail(error: PSObject | string): void {
    this.#end('fail', PSInvocationState.Failed, typeof error === 'string' ? buildErrorRecord({ message: error, errorId: 'RemotePipelineExecutionFailed' }) : error);
  }

  /** The binding received the client's Signal (crtl_c): state Stopping; call stopped() when done. */
  beginStop(): void {
    this.#state = this.#to('beginStop');
  }

  /** Queues PIPELINE_STATE Stopped with PowerShell's PipelineStoppedException record. */
  stopped(): void {
    this.#end(
      'stopped',
      PSInvocationState.Stopped,
      buildErrorRecord({
        message: 'The pipeline has been stopped.',
        errorId: 'PipelineStopped',
        category: 14,
        categoryName: 'OperationStopped',
        exceptionType: 'System.Management.Automation.PipelineStoppedException',
        reason: 'PipelineStoppedException',
      }),
    );
  }

  /** The binding disconnected the pool. */
  disconnect(): void {
    this.#state = this.#to('disconnect');
  }

  /** The binding reconnected the pool. */
  reconnect(): void {
    this.#state = this.#to('reconnect');
  }

  #peer(type: MessageType): void {
    this.#link.engine.checkUsable('pipeline');
    transition(SERVER_PIPELINE_TRANSITIONS, PSInvocationState, MessageType[type], this.#state);
  }

  #receive(body: PsrpMessageBody): ServerEvent {
    const pipelineId = this.pipelineId;
    switch (body.type) {
      case MessageType.PIPELINE_INPUT:
        this.#peer(body.type);
        if (this.#inputEnded) throw new PsrpProtocolError('PIPELINE_INPUT after the input ended');
        return { type: 'PipelineInput', pipelineId, value: body.value };
      case MessageType.END_OF_PIPELINE_INPUT:
        this.#peer(body.type);
        if (this.#inputEnded) throw new PsrpProtocolError('END_OF_PIPELINE_INPUT twice, or with NoInput');
        this.#inputEnded = true;
        return { type: 'EndOfPipelineInput', pipelineId };
      case MessageType.PIPELINE_HOST_RESPONSE: {
        this.#peer(body.type);
        if (!this.#pendingHostCalls.delete(body.ci)) throw new PsrpProtocolError(`PIPELINE_HOST_RESPONSE for unknown call id ${body.ci}`);
        const { type: _t, ...fields } = body;
        return { type: 'PipelineHostResponse', pipelineId, ...fields };
      }
      default:
        throw new RangeError(`${MessageType[body.type]} is not a pipeline message`);
    }
  }
}
