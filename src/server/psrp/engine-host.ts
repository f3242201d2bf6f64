/**
 * The engine's {@link EngineHost} written onto a ServerPipeline: each stream becomes its PSRP record
 * (MS-PSRP §2.2.2.19–§2.2.2.26), host calls become PIPELINE_HOST_CALL and wait for the client's
 * PIPELINE_HOST_RESPONSE (§3.2.5.4.25), and output waits while the client is behind (backpressure).
 *
 * Merge flags (§2.2.3.12: MergeMyResult/MergeToResult of protocol 2.1, MergeError … of 2.2+) are
 * honoured per pipeline: a stream merged into Output is written as PIPELINE_OUTPUT of its record.
 */
import { PSObject, type PSValue } from '../../psrp/clixml/index.js';
import { HostMethodIdentifier, PipelineResultTypes } from '../../psrp/constants.js';
import type { HostResponseFields } from '../../psrp/events.js';
import { informationalRecord, type InformationRecordOptions, type ServerPipeline } from '../../psrp/server/index.js';
import type { Command } from '../../psrp/messages/pipeline.js';
import { PipelineStoppedError, TerminatingError, type EngineHost, type ProgressRecordData } from '../engine/index.js';

type MergedStream = 'error' | 'warning' | 'verbose' | 'debug' | 'information';

/** What the adapter needs from its run. */
export interface HostLink {
  pipeline: ServerPipeline;
  /** Moves queued payloads to the outbox (called after every write). */
  pump(): void;
  /** A promise while the client is too far behind, else undefined. */
  backpressure(): Promise<void> | undefined;
  /** True once the pipeline is stopping: writes are dropped. */
  stopping(): boolean;
  /** Runs `write` now, or once the client has reconnected (the pipeline is Disconnected). */
  whenConnected(write: () => void): void;
}

const MERGE_FIELDS: [MergedStream, keyof Command, PipelineResultTypes][] = [
  ['error', 'mergeError', PipelineResultTypes.Error],
  ['warning', 'mergeWarning', PipelineResultTypes.Warning],
  ['verbose', 'mergeVerbose', PipelineResultTypes.Verbose],
  ['debug', 'mergeDebug', PipelineResultTypes.Debug],
  ['information', 'mergeInformation', PipelineResultTypes.Information],
];

/** The streams some command of the pipeline merges into Output. */
export function mergedStreams(statements: Command[][]): Set<MergedStream> {
  const merged = new Set<MergedStream>();
  for (const c of statements.flat()) {
    for (const [stream, field, type] of MERGE_FIELDS) {
      if (c[field] === PipelineResultTypes.Output) merged.add(stream);
      const mine = c.mergeMyResult;
      if (c.mergeToResult === PipelineResultTypes.Output && (mine === type || mine === PipelineResultTypes.All)) merged.add(stream);
    }
  }
  return merged;
}

/** EngineHost over a ServerPipeline; see the file comment. */
export class PipelineHost implements EngineHost {
  readonly #link: HostLink;
  readonly #merged: Set<MergedStream>;
  readonly #calls = new Map<bigint, { resolve: (v: PSValue) => void; reject: (e: Error) => void }>();

  constructor(link: HostLink, merged: Set<MergedStream>) {
    this.#link = link;
    this.#merged = merged;
  }

  #write(stream: MergedStream, asOutput: () => PSValue, own: (p: ServerPipeline) => void): void {
    if (this.#link.stopping()) return;
    this.#link.whenConnected(() => {
      if (this.#merged.has(stream)) this.#link.pipeline.writeOutput(asOutput());
      else own(this.#link.pipeline);
      this.#link.pump();
    });
  }

  output(value: PSValue): void | Promise<void> {
    if (this.#link.stopping()) return;
    this.#link.whenConnected(() => {
      this.#link.pipeline.writeOutput(value);
      this.#link.pump();
    });
    return this.#link.backpressure();
  }

  error(record: PSObject): void {
    this.#write('error', () => record, (p) => p.writeError(record));
  }

  warning(message: string): void {
    this.#write('warning', () => informationalRecord('Warning', message), (p) => p.writeWarning(message));
  }

  verbose(message: string): void {
    this.#write('verbose', () => informationalRecord('Verbose', message), (p) => p.writeVerbose(message));
  }

  debug(message: string): void {
    this.#write('debug', () => informationalRecord('Debug', message), (p) => p.writeDebug(message));
  }

  information(record: PSObject): void {
    this.#write('information', () => record, (p) => p.writeInformation(record.get('MessageData') ?? null, informationOptions(record)));
  }

  progress(record: ProgressRecordData): void {
    if (this.#link.stopping()) return;
    this.#link.whenConnected(() => {
      this.#link.pipeline.writeProgress(record);
      this.#link.pump();
    });
  }

  hostCall(method: HostMethodIdentifier, params: PSValue[]): Promise<PSValue> {
    if (this.#link.stopping()) return Promise.reject(new PipelineStoppedError());
    const ci = this.#link.pipeline.hostCall(method, params);
    this.#link.pump();
    if (ci === null) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#calls.set(ci, { resolve, reject }));
  }

  /** The client's PIPELINE_HOST_RESPONSE: resolves the engine's waiting host call. */
  answer(response: HostResponseFields): void {
    const call = this.#calls.get(response.ci);
    if (call === undefined) return;
    this.#calls.delete(response.ci);
    if (response.error !== undefined) call.reject(new TerminatingError(response.error));
    else call.resolve(response.result ?? null);
  }

  /** The pipeline stops: host calls still waiting end with PipelineStoppedError. */
  cancelCalls(): void {
    for (const c of this.#calls.values()) c.reject(new PipelineStoppedError());
    this.#calls.clear();
  }
}

/** Source, Tags, User … of the engine's InformationRecord, for ServerPipeline.writeInformation. */
function informationOptions(record: PSObject): InformationRecordOptions {
  const opts: InformationRecordOptions = {};
  const str = (name: string): string | undefined => {
    const v = record.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const source = str('Source');
  if (source !== undefined) opts.source = source;
  const user = str('User');
  if (user !== undefined) opts.user = user;
  const computer = str('Computer');
  if (computer !== undefined) opts.computer = computer;
  const tags = record.get('Tags');
  const list = tags instanceof PSObject ? tags.value : tags;
  if (list !== null && list !== undefined && typeof list === 'object' && 'items' in list) {
    opts.tags = list.items.filter((t): t is string => typeof t === 'string');
  }
  return opts;
}
