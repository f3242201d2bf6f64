/**
 * Progress as one status line at the bottom of a TTY, rewritten in place:
 *
 *     Activity: Status [########            ] 40%
 *
 * Each update writes `\r`, ESC[2K (erase the line) and the new line, without a newline. Before
 * anything else is printed the line is erased the same way, so output never interleaves with it;
 * it is drawn again after. A record of type Completed removes its activity; the line then shows
 * the most recently updated activity still running, or nothing. Off a TTY nothing is drawn (as
 * pwsh does when output is redirected). With several hosts the line starts with `[host] `.
 *
 * Records come as the PROGRESS_RECORD fields (MS-PSRP §2.2.2.25: ProgressRecord event, the `<PR>`
 * primitive, or the deserialized object a WriteProgress host call carries).
 */
import { PSObject, type PSValue } from '../psrp/clixml/index.js';
import type { ProgressRecord } from '../psrp/messages/records.js';
import type { Style } from './terminal.js';
import { cellText } from './value-text.js';
import { truncate } from './width.js';
import { numberOf } from './views/types.js';

/** PSRP's PROGRESS_RECORD fields, with its record type read as "completed" (ProgressRecordType 1). */
export type ProgressInfo = Omit<ProgressRecord, 'recordType'> & { completed: boolean };

const CLEAR = '\r\u001b[2K';
const BAR = 20;

function recordType(v: unknown): boolean {
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return v === 'Completed';
  if (v instanceof PSObject) return v.toStringText === 'Completed' || numberOf(v) === 1;
  return false;
}

/**
 * Reads progress fields from a ProgressRecord event (`recordType` 0/1), a `<PR>` value
 * (`recordType` name) or a deserialized ProgressRecord object; undefined when `v` is none of these.
 */
export function progressInfo(v: unknown): ProgressInfo | undefined {
  if (v instanceof PSObject) {
    const g = (n: string): PSValue | undefined => v.get(n);
    if (!v.has('Activity')) return undefined;
    return {
      activity: cellText(g('Activity')),
      activityId: numberOf(g('ActivityId')) ?? 0,
      statusDescription: cellText(g('StatusDescription')),
      currentOperation: typeof g('CurrentOperation') === 'string' ? (g('CurrentOperation') as string) : null,
      parentActivityId: numberOf(g('ParentActivityId')) ?? -1,
      percentComplete: numberOf(g('PercentComplete')) ?? -1,
      secondsRemaining: numberOf(g('SecondsRemaining')) ?? -1,
      completed: recordType(g('Type') ?? g('RecordType')),
    };
  }
  if (typeof v !== 'object' || v === null || typeof (v as { activity?: unknown }).activity !== 'string') return undefined;
  const r = v as Partial<Omit<ProgressInfo, 'completed'>> & { activity: string; recordType?: unknown };
  return {
    activity: r.activity,
    activityId: r.activityId ?? 0,
    statusDescription: r.statusDescription ?? '',
    currentOperation: r.currentOperation ?? null,
    parentActivityId: r.parentActivityId ?? -1,
    percentComplete: r.percentComplete ?? -1,
    secondsRemaining: r.secondsRemaining ?? -1,
    completed: recordType(r.recordType),
  };
}

/** The status line text (no colour, not yet cut to the screen). */
export function progressText(info: ProgressInfo): string {
  const status = info.statusDescription.trim();
  let line = status ? `${info.activity}: ${status}` : info.activity;
  if (info.percentComplete >= 0) {
    const pct = Math.min(100, Math.round(info.percentComplete));
    const filled = Math.round((pct / 100) * BAR);
    line += ` [${'#'.repeat(filled)}${' '.repeat(BAR - filled)}] ${pct}%`;
  }
  return line;
}

export interface ProgressLineOptions {
  isTTY: boolean;
  columns: number;
  style: Style;
  /** Prefix the line with `[host] `. */
  showHost?: boolean;
}

/**
 * The one status line. Pure: each method returns the text to write ('' when nothing changes on
 * screen); the caller writes it.
 */
export class ProgressLine {
  readonly #opts: ProgressLineOptions;
  readonly #active = new Map<string, { host: string; info: ProgressInfo }>();
  #shown = false;

  constructor(opts: ProgressLineOptions) {
    this.#opts = opts;
  }

  /** Whether a status line is on screen now. */
  get visible(): boolean {
    return this.#shown;
  }

  /** Whether some activity is still running (the line is worth drawing again). */
  get active(): boolean {
    return this.#active.size > 0;
  }

  /** Records a progress update; returns the text that redraws (or erases) the line. */
  update(host: string, info: ProgressInfo): string {
    if (!this.#opts.isTTY) return '';
    this.record(host, info);
    return this.redraw();
  }

  /** Records a progress update without drawing (the caller draws later with `redraw()`). */
  record(host: string, info: ProgressInfo): void {
    if (!this.#opts.isTTY) return;
    const key = `${host}\u0000${info.activityId}`;
    this.#active.delete(key);
    if (!info.completed) this.#active.set(key, { host, info });
  }

  /** The text that draws the most recent running activity, or erases the line when none is left. */
  redraw(): string {
    if (!this.#opts.isTTY) return '';
    const last = [...this.#active.values()].pop();
    if (!last) return this.clear();
    const prefix = this.#opts.showHost && last.host !== '' ? `[${last.host}] ` : '';
    const text = truncate(prefix + progressText(last.info), Math.max(1, this.#opts.columns - 1));
    this.#shown = true;
    return CLEAR + this.#opts.style.progress(text);
  }

  /** Forgets the activities of a host that ended (a script need not complete its progress). */
  forgetHost(host: string): void {
    for (const [key, a] of this.#active) if (a.host === host) this.#active.delete(key);
  }

  /** The plain text of the most recent running activity ('' when none), for a status line drawn elsewhere. */
  current(): string {
    const last = [...this.#active.values()].pop();
    if (!last) return '';
    const prefix = this.#opts.showHost && last.host !== '' ? `[${last.host}] ` : '';
    return prefix + progressText(last.info);
  }

  /** The text that erases the line ('' when none is shown). */
  clear(): string {
    if (!this.#shown) return '';
    this.#shown = false;
    return CLEAR;
  }

  /** Forgets every activity (end of output); returns the text that erases the line. */
  reset(): string {
    this.#active.clear();
    return this.clear();
  }
}
