/**
 * The fan-out status line: an ora spinner on stderr, `⠋ 57/100 hosts done · 2 failed · 32 running`,
 * while hosts run. Only the CLI decides whether to show it (a TTY on stderr, not --json).
 *
 * Why it never garbles output: ora (9.x) hooks process.stdout/stderr writes while it spins — it
 * erases its line, lets the write through, and draws again below it (deferring when a write ends
 * mid-line). What it cannot share is the cursor's line, so a remote Write-Progress is not drawn
 * as a second status line: its text joins this one (`progress()`), and prompts pause the spinner.
 */
import type { Ora } from 'ora';
import type { HostTally } from './report.js';
import { truncate } from '../render/width.js';

export interface StatusLineOptions {
  stream: NodeJS.WriteStream;
  color: boolean;
}

export class StatusLine {
  readonly #spinner: Ora;
  readonly #tally: HostTally;
  readonly #columns: () => number;
  #progress = '';
  #paused = 0;
  #stopped = false;

  private constructor(spinner: Ora, tally: HostTally, columns: () => number) {
    this.#spinner = spinner;
    this.#tally = tally;
    this.#columns = columns;
  }

  /** Starts the spinner (ora is loaded only here: CLI startup stays light). */
  static async start(tally: HostTally, opts: StatusLineOptions): Promise<StatusLine> {
    const { default: ora } = await import('ora');
    const spinner = ora({
      stream: opts.stream,
      isEnabled: true,
      color: opts.color ? 'cyan' : false,
      // Read-Host and credential prompts read stdin: ora must not put it in raw mode.
      discardStdin: false,
    });
    const line = new StatusLine(spinner, tally, () => opts.stream.columns || 80);
    spinner.text = line.text();
    spinner.start();
    return line;
  }

  /** The counts (and the latest remote progress) as one line that fits the screen. */
  text(): string {
    const t = this.#tally;
    const parts = [`${t.done}/${t.total} hosts done`];
    if (t.failed > 0) parts.push(`${t.failed} failed`);
    if (t.running > 0) parts.push(`${t.running} running`);
    const line = parts.join(' · ') + (this.#progress ? `  ${this.#progress}` : '');
    return truncate(line, Math.max(10, this.#columns() - 3));
  }

  /** Redraws after the tally changed. */
  update(): void {
    if (this.#stopped) return;
    this.#spinner.text = this.text();
  }

  /** Shows a remote progress line next to the counts ('' removes it). */
  progress(text: string): void {
    if (text === this.#progress) return;
    this.#progress = text;
    this.update();
  }

  /** Takes the spinner off the screen while `work` runs (a prompt on the terminal). */
  async paused<T>(work: () => Promise<T>): Promise<T> {
    if (this.#paused++ === 0 && !this.#stopped) this.#spinner.stop();
    try {
      return await work();
    } finally {
      if (--this.#paused === 0 && !this.#stopped) this.#spinner.start(this.text());
    }
  }

  /** Erases the line for good (before the summary). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#spinner.stop();
  }
}
