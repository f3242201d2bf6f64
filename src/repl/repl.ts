/**
 * The REPL loop of `tsremote enter` (Enter-PSSession): prompt, read a command, run it as one
 * remote pipeline, show every stream, ask the remote location for the next prompt, repeat.
 *
 * Ctrl+C. At the prompt the line editor abandons the line. While a pipeline runs, SIGINT stops
 * that pipeline (PSRP stop signal, the runspace pool stays) and the loop returns to the prompt; a
 * second one says it is still stopping, a third quits without cleanup. A SIGINT handler stays
 * installed for the whole loop, so one arriving between the command and the location query never
 * kills the process. SIGTERM and SIGHUP (the terminal went away) end the loop as `exit` does, so
 * the pool is still closed (or disconnected) rather than left to the server's idle timeout.
 *
 * Keep-alive. While the prompt waits for a line nothing reaches the server, whose IdleTimeout
 * (2 h on Windows) would delete the pool under a long idle `enter`. With `keepAliveMs`, the loop
 * sends one keep-alive (session.keepAlive: a pool Receive with WSMAN_CMDSHELL_OPTION_KEEPALIVE)
 * each time the prompt has been idle that long; a failed one is noted once, and the dead session
 * then shows itself at the next command.
 *
 * The loop ends with `exit` / `Exit-PSSession`, Ctrl+D, the end of piped input, or a session that
 * died (the transport failed or the server dropped the pool): the caller closes, disconnects or
 * reports it.
 */
import type { PSValue } from '../psrp/clixml/index.js';
import type { RenderTerminal } from '../render/index.js';
import type { PipelineEvent, RunOptions } from '../session/index.js';
import type { Pipeline } from '../psrp/client/index.js';
import { parseCommandCompletion, type CommandCompletion } from './completion.js';
import type { History } from './history.js';
import type { LineEditor } from './line-editor.js';
import { PipelineView } from './pipeline-view.js';
import { formatPrompt, locationText } from './prompt.js';

/** The part of PowerShellSession the loop uses. */
export interface ReplSession {
  run(script: string, opts?: RunOptions): AsyncIterable<PipelineEvent>;
  runPipeline(build: (p: Pipeline) => void, opts?: RunOptions): AsyncIterable<PipelineEvent>;
  /** One keep-alive request (PowerShellSession.keepAlive). */
  keepAlive?(): Promise<void>;
}

export interface ReplOptions {
  session: ReplSession;
  /** The host as the prompt shows it. */
  hostName: string;
  editor: LineEditor;
  history?: History;
  /** Where output goes (a new view per command). */
  terminal: RenderTerminal;
  /** Where the REPL's own notes go (stderr). */
  notes: (line: string) => void;
  /** Process signals (injected for tests). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Send a keep-alive each time the prompt has been idle this long; 0 or undefined: never. */
  keepAliveMs?: number;
}

/** How the loop ended. */
export type ReplEnd = { reason: 'exit' | 'eof' | 'terminated' } | { reason: 'lost'; error: unknown };

const EXIT = /^\s*(exit|exit-pssession)\s*;?\s*$/i;
/** PowerShell's own "location" query: the prompt function's `$executionContext.SessionState.Path.CurrentLocation`. */
const LOCATION_SCRIPT = '(Get-Location).Path';
const COMPLETION_TIMEOUT_MS = 10_000;

export class Repl {
  readonly #o: ReplOptions;
  #location: string | undefined;
  /** Pipelines run in the pool (commands, location queries, completions): the server counts them all. */
  #pipelines = 0;
  #running: AbortController | undefined;
  #interrupts = 0;
  #terminated = false;
  #historyWarned = false;
  #keepAliveWarned = false;
  /** Keep-alives sent (for tests and stats). */
  #keepAlives = 0;

  constructor(opts: ReplOptions) {
    this.#o = opts;
  }

  /** Pipelines this loop ran (for the session's command count). */
  get pipelines(): number {
    return this.#pipelines;
  }

  /** Keep-alive requests this loop sent. */
  get keepAlives(): number {
    return this.#keepAlives;
  }

  /** Runs the loop until exit, end of input, SIGTERM / SIGHUP or a lost session. */
  async run(): Promise<ReplEnd> {
    const signals = this.#o.signals ?? process;
    const onInt = (): void => this.#interrupt();
    const onTerm = (): void => {
      this.#terminated = true;
      this.#running?.abort();
      this.#o.editor.close();
    };
    signals.on('SIGINT', onInt);
    signals.on('SIGTERM', onTerm);
    signals.on('SIGHUP', onTerm);
    try {
      await this.#refreshLocation();
      for (;;) {
        if (this.#terminated) return { reason: 'terminated' };
        const read = await this.#idle(() => this.#o.editor.read(formatPrompt(this.#o.hostName, this.#location)));
        if (this.#terminated) return { reason: 'terminated' };
        if (read.kind === 'eof') return { reason: 'eof' };
        if (read.kind === 'cancel' || read.text.trim() === '') continue;
        await this.#remember(read.lines);
        if (EXIT.test(read.text)) return { reason: 'exit' };
        await this.#execute(read.text);
        await this.#refreshLocation();
      }
    } catch (error) {
      return { reason: 'lost', error };
    } finally {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      signals.off('SIGHUP', onTerm);
    }
  }

  /**
   * Completes through the remote TabExpansion2 (for the line editor).
   * @returns null when the server gives no CommandCompletion or does not answer in time.
   */
  async complete(script: string, cursor: number): Promise<CommandCompletion | null> {
    this.#pipelines++;
    let found: CommandCompletion | null = null;
    const build = (p: Pipeline): void => {
      p.addCommand('TabExpansion2').addParameter('inputScript', script).addParameter('cursorColumn', cursor);
    };
    try {
      for await (const event of this.#o.session.runPipeline(build, { signal: AbortSignal.timeout(COMPLETION_TIMEOUT_MS) })) {
        if (event.type === 'PipelineOutput' && found === null) found = parseCommandCompletion(event.value as PSValue);
      }
    } catch {
      // A dead session shows itself at the next command; completion just offers nothing.
      return null;
    }
    return found;
  }

  /** Waits for `wait()` (the prompt), sending a keep-alive each keepAliveMs it lasts. */
  async #idle<T>(wait: () => Promise<T>): Promise<T> {
    const every = this.#o.keepAliveMs ?? 0;
    const keepAlive = this.#o.session.keepAlive?.bind(this.#o.session);
    if (every <= 0 || keepAlive === undefined) return wait();
    let sending = false;
    const timer = setInterval(() => {
      // One at a time: a slow answer must not pile requests up.
      if (sending) return;
      sending = true;
      this.#keepAlives++;
      keepAlive()
        .catch((err: unknown) => {
          if (this.#keepAliveWarned) return;
          this.#keepAliveWarned = true;
          this.#o.notes(`warning: keep-alive failed: ${(err as Error).message}`);
        })
        .finally(() => (sending = false));
    }, every);
    try {
      return await wait();
    } finally {
      clearInterval(timer);
    }
  }

  #interrupt(): void {
    const running = this.#running;
    if (!running) return;
    this.#interrupts++;
    if (this.#interrupts === 1) running.abort();
    else if (this.#interrupts === 2) this.#o.notes('tsremote: still stopping the remote pipeline (Ctrl+C again to quit without cleanup)');
    else process.exit(130);
  }

  async #execute(text: string): Promise<void> {
    const controller = new AbortController();
    this.#running = controller;
    this.#interrupts = 0;
    this.#pipelines++;
    const view = new PipelineView(this.#o.terminal, this.#o.hostName);
    // Let a paused stream size its table (PowerShell waits ~300 ms before it does).
    const flusher = setInterval(() => view.flush(), 300);
    try {
      for await (const event of this.#o.session.run(text, { signal: controller.signal })) view.show(event, controller.signal.aborted);
    } finally {
      clearInterval(flusher);
      view.close();
      this.#running = undefined;
    }
  }

  async #refreshLocation(): Promise<void> {
    this.#pipelines++;
    let location: string | undefined;
    for await (const event of this.#o.session.run(LOCATION_SCRIPT)) {
      if (event.type === 'PipelineOutput' && location === undefined) location = locationText(event.value);
    }
    // A server without Get-Location keeps the last known prompt.
    if (location !== undefined) this.#location = location;
  }

  async #remember(lines: string[]): Promise<void> {
    if (!this.#o.history) return;
    try {
      await this.#o.history.add(lines);
    } catch (err) {
      if (this.#historyWarned) return;
      this.#historyWarned = true;
      this.#o.notes(`warning: cannot save history to ${this.#o.history.file}: ${(err as Error).message}`);
    }
  }
}
