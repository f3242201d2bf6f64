/**
 * One PowerShell pipeline run by the built-in engine (MS-PSRP §3.2.5.4.10 onwards): reads the
 * CREATE_PIPELINE statements, runs them with `runScript` / `runCommands` in the pool's
 * EngineSession, and ends the ServerPipeline with PIPELINE_STATE Completed, Failed (the
 * TerminatingError's ErrorRecord) or Stopped.
 *
 * | CREATE_PIPELINE shape                          | engine call                              |
 * |------------------------------------------------|------------------------------------------|
 * | one statement, one script, positional args only| runScript(text, { args })                |
 * | anything else (commands, parameters, `a | b`)  | runCommands(specs) per statement         |
 *
 * Stop (Signal crtl_c, §3.1.5.3.8): the pipeline goes Stopping, the engine's signal is aborted,
 * waiting host calls and input end, and once the engine returns PIPELINE_STATE Stopped is queued.
 */
import type { PSValue } from '../../psrp/clixml/index.js';
import { PSInvocationState } from '../../psrp/constants.js';
import type { HostResponseFields } from '../../psrp/events.js';
import type { ServerPipeline } from '../../psrp/server/index.js';
import type { Command } from '../../psrp/messages/pipeline.js';
import { PipelineStoppedError, TerminatingError, runCommands, runScript, type CommandSpec, type EngineSession } from '../engine/index.js';
import { PipelineHost, mergedStreams } from './engine-host.js';
import { InputQueue } from './input-queue.js';
import type { Outbox } from './outbox.js';

/** What a run needs from its shell. */
export interface RunContext {
  session: EngineSession;
  outbox: Outbox;
  /** Moves the pool's queued payloads into the outboxes. */
  pump(): void;
  /** Bytes of unsent output above which the engine's output() waits (about two responses). */
  highWater(): number;
  log(line: string): void;
}

export class PipelineRun {
  readonly pipeline: ServerPipeline;
  readonly input = new InputQueue();
  readonly #ctx: RunContext;
  readonly #abort = new AbortController();
  readonly #host: PipelineHost;
  #finished: Promise<void> | undefined;
  /** Writes made while the pool was disconnected, replayed on reconnect (§3.2.5.3.19: it keeps running). */
  #held: (() => void)[] = [];
  #reconnected: (() => void)[] = [];

  constructor(pipeline: ServerPipeline, ctx: RunContext) {
    this.pipeline = pipeline;
    this.#ctx = ctx;
    if (pipeline.inputEnded) this.input.end();
    this.#host = new PipelineHost(
      {
        pipeline,
        pump: () => ctx.pump(),
        backpressure: () => this.#backpressure(),
        stopping: () => this.#abort.signal.aborted,
        whenConnected: (write) => {
          if (this.#disconnected) this.#held.push(write);
          else write();
        },
      },
      mergedStreams(pipeline.commands),
    );
  }

  /** Starts the engine; the returned promise settles when the pipeline has ended (never rejects). */
  start(): Promise<void> {
    this.#finished ??= this.#run();
    return this.#finished;
  }

  get #disconnected(): boolean {
    return this.pipeline.state === PSInvocationState.Disconnected;
  }

  /** The pool was reconnected: replays the writes held meanwhile and lets the run end. */
  resume(): void {
    if (this.#disconnected) return;
    for (const w of this.#held.splice(0)) w();
    for (const r of this.#reconnected.splice(0)) r();
  }

  /** The client's PIPELINE_HOST_RESPONSE. */
  answer(response: HostResponseFields): void {
    this.#host.answer(response);
  }

  /** Signal crtl_c: Stopping now, PIPELINE_STATE Stopped once the engine has unwound. */
  stop(): void {
    if (this.#abort.signal.aborted || this.pipeline.state !== PSInvocationState.Running) return;
    this.pipeline.beginStop();
    this.#abort.abort();
    this.#host.cancelCalls();
    this.input.end();
  }

  /** Ends the engine without a PIPELINE_STATE (Signal terminate, shell Delete). */
  discard(): void {
    this.#abort.abort();
    this.#held = [];
    for (const r of this.#reconnected.splice(0)) r();
    this.#host.cancelCalls();
    this.input.end();
  }

  #backpressure(): Promise<void> | undefined {
    const wait = this.#disconnected ? new Promise<void>((r) => this.#reconnected.push(r)) : this.#ctx.outbox.whenBelow(this.#ctx.highWater());
    if (wait === undefined) return undefined;
    const signal = this.#abort.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void wait.then(done);
    });
  }

  async #run(): Promise<void> {
    const p = this.pipeline;
    let outcome: { state: 'completed' } | { state: 'failed'; error: unknown } | { state: 'stopped' };
    try {
      await this.#execute();
      outcome = this.#abort.signal.aborted ? { state: 'stopped' } : { state: 'completed' };
    } catch (err) {
      outcome = err instanceof PipelineStoppedError || this.#abort.signal.aborted ? { state: 'stopped' } : { state: 'failed', error: err };
    }
    if (this.#disconnected && !this.#abort.signal.aborted) await new Promise<void>((r) => this.#reconnected.push(r));
    // Discarded (terminate / Delete) or already ended by the pool: nothing more to say.
    if (p.state !== PSInvocationState.Running && p.state !== PSInvocationState.Stopping) return;
    if (outcome.state === 'stopped' && p.state === PSInvocationState.Running) p.beginStop();
    if (outcome.state === 'completed') p.complete();
    else if (outcome.state === 'stopped') p.stopped();
    else if (outcome.error instanceof TerminatingError) p.fail(outcome.error.record);
    else {
      this.#ctx.log(`pipeline ${p.pipelineId} failed: ${(outcome.error as Error).stack ?? String(outcome.error)}`);
      p.fail(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
    }
    this.#ctx.pump();
    this.#ctx.outbox.end();
  }

  async #execute(): Promise<void> {
    const statements = this.pipeline.commands;
    // NoInput: the first command runs once, as with no upstream; else it reads the client's input.
    let input: AsyncIterable<PSValue> | undefined = this.pipeline.request?.noInput === false ? this.input : undefined;
    for (const statement of statements) {
      const opts = { host: this.#host, signal: this.#abort.signal, session: this.#ctx.session, ...(input === undefined ? {} : { input }) };
      input = undefined; // only the first statement reads the pipeline's input
      const only = statement.length === 1 ? statement[0] : undefined;
      if (only !== undefined && only.isScript && only.args.every((a) => a.name === null)) {
        await runScript(only.cmd, { ...opts, args: only.args.map((a) => a.value) });
      } else {
        await runCommands(statement.map(toSpec), opts);
      }
      if (this.#abort.signal.aborted) throw new PipelineStoppedError();
    }
  }
}

/** A CREATE_PIPELINE Command (§2.2.3.12) as the engine's CommandSpec. */
function toSpec(c: Command): CommandSpec {
  return { name: c.cmd, isScript: c.isScript, parameters: c.args.map((a) => ({ name: a.name, value: a.value })) };
}
