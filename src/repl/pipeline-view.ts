/**
 * One REPL command's events on the terminal, shown as `invoke` shows them: objects through the
 * RecordRenderer (tables, lists), errors in the ConciseView, warnings, verbose, information and
 * progress in their places. A fresh view per command, so each command's table is sized and ended
 * on its own, as at a PowerShell prompt.
 */
import { HOST_WRITES, isHostEcho, toRecord } from '../cli/pipeline-records.js';
import { RecordRenderer, type RenderTerminal } from '../render/index.js';
import type { PipelineEvent } from '../session/index.js';

export class PipelineView {
  readonly #renderer: RecordRenderer;
  readonly #host: string;
  #seq = 0;
  /** Write-Host reaches us twice when we offer a host: as a host call and as information tagged PSHOST. */
  #hostWrites = false;
  #errors = 0;

  constructor(terminal: RenderTerminal, host: string) {
    this.#renderer = new RecordRenderer({ terminal, json: false, multiHost: false });
    this.#host = host;
  }

  /** Error records and a failed pipeline's error shown so far. */
  get errors(): number {
    return this.#errors;
  }

  /**
   * Shows one event.
   * @param stopped the user stopped this pipeline: its "pipeline stopped" error is not shown.
   */
  show(event: PipelineEvent, stopped = false): void {
    if (event.type === 'PipelineState') {
      if (event.error && !stopped) {
        this.#errors++;
        this.#renderer.render({ host: this.#host, stream: 'error', value: event.error, seq: ++this.#seq });
      }
      return;
    }
    if (event.type === 'PipelineHostCall' && HOST_WRITES.has(event.methodName)) this.#hostWrites = true;
    if (this.#hostWrites && isHostEcho(event)) return;
    const record = toRecord(this.#host, this.#seq + 1, event);
    if (!record) return;
    this.#seq++;
    if (record.stream === 'error') this.#errors++;
    this.#renderer.render(record);
  }

  /** Prints a table waiting for more rows (output paused). */
  flush(): void {
    this.#renderer.flush();
  }

  /** Ends tables and the progress line. */
  close(): void {
    this.#renderer.close();
  }
}
