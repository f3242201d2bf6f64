/**
 * Records → the terminal: the one object the CLI drives for `tsremote invoke -s`.
 *
 * Text mode sends output to the {@link ObjectRenderer}, errors to the ConciseView, the other
 * streams to their small functions, progress to the status line. Every write first erases the
 * status line and draws it again after, so the two never mix. JSON mode writes one NDJSON line per
 * record and nothing else.
 *
 * Several hosts: stream lines and scalars carry the host prefix (aligned, coloured: host-prefix.ts),
 * objects from every host share one table with a PSComputerName column; `hideHost` drops both
 * (Invoke-Command -HideComputerName). With `onProgress`, progress is not drawn but handed over as
 * text (the CLI's fan-out status line shows it), so two status lines never fight over the cursor.
 *
 * The renderer never decides anything from `process`; it is pure apart from `terminal.write`.
 * The CLI should call `flush()` when output pauses (PowerShell waits 300 ms before sizing a table)
 * and `close()` at the end.
 */
import type { ProjectOptions, PSValue } from '../psrp/clixml/index.js';
import { conciseErrorView } from './error-view.js';
import { ndjsonEnd, ndjsonRecord, type EndError } from './ndjson.js';
import { HostPrefix } from './host-prefix.js';
import { ObjectRenderer, usableWidth, type OutputShape } from './object-renderer.js';
import { progressInfo, ProgressLine } from './progress.js';
import type { HostStatus, PipelineRecord } from './record.js';
import { debugText, hostCallText, informationText, isHostCall, verboseText, warningText, type StreamText } from './streams.js';
import { createStyle, type RenderTerminal, type Style } from './terminal.js';

export interface RecordRendererOptions {
  terminal: RenderTerminal;
  /** NDJSON instead of text. */
  json?: boolean;
  /** Several hosts: PSComputerName columns, `[host] ` before stream lines and scalars. */
  multiHost?: boolean;
  /** Objects a generated table waits for before fixing its widths (default 10). */
  batchSize?: number;
  /** Passed to the JSON projection (e.g. to decrypt SecureStrings). */
  project?: ProjectOptions;
  /** Every host of the run: prefixes are padded to the longest and coloured by place. */
  hosts?: readonly string[];
  /** No host prefix and no PSComputerName column. */
  hideHost?: boolean;
  /** How output objects are laid out (default `auto`). */
  shape?: OutputShape;
  /** Receives the progress text ('' when none is left) instead of a drawn progress line. */
  onProgress?: (text: string) => void;
}

/** Renders the records of a remote pipeline run, as text or NDJSON. */
export class RecordRenderer {
  readonly #term: RenderTerminal;
  readonly #opts: RecordRendererOptions;
  readonly #style: Style;
  readonly #objects: ObjectRenderer;
  readonly #progress: ProgressLine;
  readonly #prefix: HostPrefix | undefined;
  /** The cursor is not at the start of a line (after Write-Host -NoNewline). */
  #midLine = false;

  constructor(opts: RecordRendererOptions) {
    this.#opts = opts;
    this.#term = opts.terminal;
    this.#style = createStyle(opts.terminal.color);
    const out = (text: string): void => this.#out(text);
    const multi = opts.multiHost ?? false;
    this.#prefix = multi ? new HostPrefix(opts.hosts ?? [], { color: opts.terminal.color, hide: opts.hideHost }) : undefined;
    this.#objects = new ObjectRenderer(out, {
      columns: opts.terminal.columns,
      style: this.#style,
      hostColumn: multi && !opts.hideHost,
      batchSize: opts.batchSize ?? 10,
      prefix: (host) => this.#prefix?.of(host) ?? '',
      shape: opts.shape ?? 'auto',
    });
    this.#progress = new ProgressLine({
      isTTY: opts.terminal.isTTY || opts.onProgress !== undefined,
      columns: opts.terminal.columns,
      style: this.#style,
      showHost: multi && !opts.hideHost,
    });
  }

  /** Shows one record. */
  render(record: PipelineRecord): void {
    if (this.#opts.json) {
      this.#term.write(ndjsonRecord(record, this.#opts.project));
      return;
    }
    const v = record.value;
    switch (record.stream) {
      case 'output':
        this.#objects.push(v as PSValue, record.host);
        return;
      case 'progress':
        this.#onProgress(record.host, v);
        return;
      case 'host': {
        if (!isHostCall(v)) return;
        if (v.methodName === 'WriteProgress') {
          this.#onProgress(record.host, v.parameters[1]);
          return;
        }
        const shown = hostCallText(v, this.#style);
        if (shown) this.#stream(record.host, shown);
        return;
      }
      case 'error':
        this.#stream(record.host, { text: conciseErrorView(v as PSValue, { style: this.#style, columns: usableWidth(this.#term.columns) }), newline: true });
        return;
      case 'warning':
        this.#stream(record.host, { text: warningText(v as PSValue, this.#style), newline: true });
        return;
      case 'verbose':
        this.#stream(record.host, { text: verboseText(v as PSValue, this.#style), newline: true });
        return;
      case 'debug':
        this.#stream(record.host, { text: debugText(v as PSValue, this.#style), newline: true });
        return;
      case 'information':
        this.#stream(record.host, informationText(v as PSValue, this.#style));
        return;
    }
  }

  /** Prints a table still waiting for objects to size its columns (call when output pauses). */
  flush(): void {
    if (!this.#opts.json) this.#objects.flush();
  }

  /** A host finished: in JSON mode, its final `end` line; in text mode nothing (the CLI reports failures). */
  hostEnd(host: string, status: HostStatus, error?: EndError, durationMs?: number): void {
    if (this.#opts.json) {
      this.#term.write(ndjsonEnd(host, status, error, durationMs));
      return;
    }
    // Its progress ends with it.
    if (!this.#progress.active) return;
    this.#progress.forgetHost(host);
    if (this.#opts.onProgress) this.#opts.onProgress(this.#progress.current());
    else if (!this.#midLine && this.#progress.visible) this.#term.write(this.#progress.redraw());
  }

  /** Ends open tables and erases the status line. Call once, after the last record. */
  close(): void {
    if (this.#opts.json) return;
    this.#objects.end();
    const clear = this.#progress.reset();
    if (this.#opts.onProgress) this.#opts.onProgress('');
    else if (clear) this.#term.write(clear);
  }

  /** Progress is drawn at once, unless a partial line (Write-Host -NoNewline) is waiting for its end. */
  #onProgress(host: string, value: unknown): void {
    const info = progressInfo(value);
    if (!info) return;
    if (this.#opts.onProgress) {
      this.#progress.record(host, info);
      this.#opts.onProgress(this.#progress.current());
      return;
    }
    if (this.#midLine) this.#progress.record(host, info);
    else {
      const text = this.#progress.update(host, info);
      if (text) this.#term.write(text);
    }
  }

  /** Out-of-band text: flushes a waiting table first so the order of records is kept. */
  #stream(host: string, shown: StreamText): void {
    this.#objects.flush();
    const prefix = this.#midLine ? '' : (this.#prefix?.of(host) ?? '');
    const text = prefix ? shown.text.split('\n').map((l) => prefix + l).join('\n') : shown.text;
    this.#out(shown.newline ? `${text}\n` : text);
  }

  #out(text: string): void {
    if (text === '') return;
    this.#term.write(this.#progress.clear() + text);
    this.#midLine = !text.endsWith('\n');
    if (!this.#midLine && this.#progress.active && !this.#opts.onProgress) this.#term.write(this.#progress.redraw());
  }
}
