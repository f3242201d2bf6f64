/**
 * Output objects → text, streaming, the way PowerShell's Out-Default lays them out.
 *
 * Theory of operation (after OutCommandInner.cs in PowerShell/PowerShell):
 *
 * - Consecutive objects that use the same view form ONE table (one header) or one run of list
 *   entries. An object with another view closes it and opens a new one. A table opens and closes
 *   with an empty line; each list entry is followed by one.
 * - Scalars (strings, numbers, enums, dates …) are "out of band": written on their own line without
 *   closing the current table, so rows after them continue under the same header.
 * - Column widths: a view that fixes its first column's width (Process, Service, FileInfo,
 *   Hashtable) draws at once, its unassigned columns sharing the rest of the screen. Otherwise
 *   (generated views) PowerShell waits 300 ms and sizes every column to the objects seen by then.
 *   We cannot wait for the end of a stream, so we wait for `batchSize` objects (default 10) or a
 *   call to `flush()` — the CLI calls it when output pauses and before any other stream's record —
 *   then keep those widths for the rest of the table.
 * - Collections are enumerated one level; a dictionary becomes Name/Value rows.
 * - With `hostColumn` (several hosts), tables get a trailing PSComputerName column and list entries
 *   a PSComputerName line, as Invoke-Command output does: objects from every host share ONE table.
 *   Scalar lines get the host prefix (`prefix`, default `[host] `).
 * - `shape` forces a table or a list (Format-Table / Format-List), or `raw`: every value as its
 *   plain text (ToString), one per line, collections enumerated — for scripts that parse output.
 */
import { isEnum, PSObject, type PSValue } from '../psrp/clixml/index.js';
import { listEntryLines } from './list.js';
import { autosizeWidths, fitColumns, headerLines, rowLine, wrappedRowLines, type TableCell } from './table.js';
import type { Style } from './terminal.js';
import { scalarText } from './value-text.js';
import {
  dictionaryEntries, selectView, timeSpanEntries, viewNameOf, type TableView, type View, type ViewColumn, type ViewShape,
} from './views/index.js';

/** How output objects are laid out: PowerShell's choice, a forced table or list, or plain text. */
export type OutputShape = ViewShape | 'raw';

export interface ObjectRendererOptions {
  /** Terminal width in cells. */
  columns: number;
  style: Style;
  /** Show which host each object came from (a PSComputerName column). */
  hostColumn?: boolean;
  /** Objects a generated table waits for before its widths are fixed (default 10). */
  batchSize?: number;
  /** What goes before a scalar line from `host` (default `[host] ` when `hostColumn` is on, else ''). */
  prefix?: (host: string) => string;
  /** Default `auto`. */
  shape?: OutputShape;
}

/**
 * What an output value becomes: an out-of-band line, an object to lay out with its view, or a
 * fixed block of a built-in view (DateTime's custom view, TimeSpan's list view).
 */
type Item =
  | { kind: 'text'; text: string }
  | { kind: 'object'; obj: PSObject }
  | { kind: 'block'; name: string; shape: 'list' | 'custom'; entries: Array<[string, string]> | string };

interface Row {
  obj: PSObject;
  cells: TableCell[];
}

interface OpenView {
  name: string;
  shape: View['shape'] | 'custom';
  view?: View;
  columns?: ViewColumn[];
  widths?: number[];
  pending: Row[];
  groupKey?: string;
  headerWritten: boolean;
}

const COLLECTIONS = new Set(['LST', 'IE', 'STK', 'QUE']);
const MAX_DEPTH = 3;

/** What one output value turns into: lines, list entries, or objects to lay out. */
function* expand(v: PSValue, depth = 0): Generator<Item> {
  if (v === null) return;
  if (typeof v !== 'object') {
    yield { kind: 'text', text: scalarText(v) };
    return;
  }
  if (!(v instanceof PSObject)) {
    if (v.kind === 'TS') yield { kind: 'block', name: 'System.TimeSpan', shape: 'list', entries: timeSpanEntries(v) };
    else if (v.kind === 'DT') yield { kind: 'block', name: 'DateTime', shape: 'custom', entries: scalarText(v) };
    else if (v.kind === 'DCT') for (const e of dictionaryEntries(v)) yield { kind: 'object', obj: e };
    else if (COLLECTIONS.has(v.kind) && 'items' in v && depth < MAX_DEPTH) for (const i of v.items) yield* expand(i, depth + 1);
    else yield { kind: 'text', text: scalarText(v) };
    return;
  }
  if (isEnum(v)) {
    yield { kind: 'text', text: scalarText(v) };
    return;
  }
  if (v.value !== undefined && depth < MAX_DEPTH) {
    yield* expand(v.value, depth + 1);
    return;
  }
  if (v.memberCount > 0) {
    yield { kind: 'object', obj: v };
    return;
  }
  if (v.toStringText !== undefined && v.toStringText !== '') yield { kind: 'text', text: v.toStringText };
}

/** The lines of a value in `raw` shape: its text (ToString), collections one item per line. */
function* rawLines(v: PSValue, depth = 0): Generator<string> {
  if (v === null) return;
  const inner = v instanceof PSObject && !isEnum(v) && v.memberCount === 0 ? v.value : undefined;
  const list = typeof v === 'object' && !(v instanceof PSObject) ? v : inner !== null && typeof inner === 'object' && !(inner instanceof PSObject) ? inner : undefined;
  if (list && COLLECTIONS.has(list.kind) && 'items' in list && depth < MAX_DEPTH) {
    for (const i of list.items) yield* rawLines(i, depth + 1);
    return;
  }
  yield* scalarText(v).split(/\r?\n|\r/);
}

/** The screen width PowerShell's console output uses: one less than the buffer, so no line auto-wraps. */
export function usableWidth(columns: number): number {
  return Math.max(10, Math.floor(columns) - 1);
}

const HOST_COLUMN_LABEL = 'PSComputerName';

/**
 * Formats output objects as they arrive. Write-only: it calls `write` with whole lines.
 */
export class ObjectRenderer {
  readonly #write: (text: string) => void;
  readonly #opts: Required<ObjectRendererOptions>;
  readonly #hosts = new WeakMap<PSObject, string>();
  #open: OpenView | undefined;

  constructor(write: (text: string) => void, opts: ObjectRendererOptions) {
    this.#write = write;
    const hostColumn = opts.hostColumn ?? false;
    this.#opts = {
      batchSize: 10,
      shape: 'auto',
      ...opts,
      hostColumn,
      prefix: opts.prefix ?? ((host) => (hostColumn && host !== '' ? `[${host}] ` : '')),
    };
  }

  /** True while a table waits for more objects before its widths are fixed. */
  get pending(): boolean {
    return (this.#open?.pending.length ?? 0) > 0;
  }

  /** Formats one output value (from `host`, shown when `hostColumn` is on). */
  push(value: PSValue, host = ''): void {
    const prefix = this.#opts.prefix(host);
    if (this.#opts.shape === 'raw') {
      this.#write([...rawLines(value)].map((l) => `${prefix}${l}\n`).join(''));
      return;
    }
    for (const item of expand(value)) {
      if (item.kind === 'text') {
        this.flush();
        this.#write(item.text.split(/\r?\n|\r/).map((l) => `${prefix}${l}\n`).join(''));
      } else if (item.kind === 'block') {
        this.#enter(item.name, () => ({ name: item.name, shape: item.shape, pending: [], headerWritten: false }));
        this.#write(typeof item.entries === 'string'
          ? `${item.entries}\n`
          : `${this.#listLines(item.entries, host).join('\n')}\n\n`);
      } else {
        this.#pushObject(item.obj, host);
      }
    }
  }

  /** Fixes the widths of a waiting table from the objects seen so far and prints them. */
  flush(): void {
    const open = this.#open;
    if (!open || open.shape !== 'table' || open.widths || open.pending.length === 0) return;
    const requested = autosizeWidths(open.columns ?? [], open.pending.map((r) => r.cells));
    open.widths = fitColumns(requested, usableWidth(this.#opts.columns));
    const rows = open.pending;
    open.pending = [];
    for (const r of rows) this.#writeRow(open, r);
  }

  /** Ends the current table or list (call at the end of the output). */
  end(): void {
    const open = this.#open;
    if (!open) return;
    this.flush();
    this.#open = undefined;
    // A list entry is followed by its empty line already (OutCommandInner.ProcessFormatEnd).
    if (open.shape !== 'list') this.#write('\n');
  }

  /** Makes `name` the open view, closing another one and opening (with its empty line) if needed. */
  #enter(name: string, make: () => OpenView): OpenView {
    if (this.#open && this.#open.name !== name) this.end();
    if (this.#open) return this.#open;
    const open = make();
    this.#open = open;
    this.#write('\n');
    return open;
  }

  #pushObject(obj: PSObject, host: string): void {
    if (host !== '') this.#hosts.set(obj, host);
    const open = this.#enter(viewNameOf(obj), () => this.#start(obj));
    if (open.view?.shape === 'list') {
      this.#write(`${this.#listLines(open.view.entries(obj), host).join('\n')}\n\n`);
      return;
    }
    const row: Row = { obj, cells: (open.columns ?? []).map((c) => c.cell(obj)) };
    if (open.widths) this.#writeRow(open, row);
    else {
      open.pending.push(row);
      if (open.pending.length >= this.#opts.batchSize) this.flush();
    }
  }

  #start(obj: PSObject): OpenView {
    const view = selectView(obj, this.#opts.shape === 'raw' ? 'auto' : this.#opts.shape);
    const columns = view.shape === 'table' ? this.#withHostColumn(view) : [];
    const open: OpenView = { name: viewNameOf(obj), shape: view.shape, view, columns, pending: [], headerWritten: false };
    // A view that sizes its first column itself is drawn at once (no autosize cache in PowerShell).
    if (view.shape === 'table' && (columns[0]?.width ?? 0) > 0) {
      open.widths = fitColumns(columns.map((c) => c.width), usableWidth(this.#opts.columns));
    }
    return open;
  }

  #withHostColumn(view: TableView): ViewColumn[] {
    if (!this.#opts.hostColumn) return view.columns;
    const hostCell = (o: PSObject): TableCell => ({ text: this.#hosts.get(o) ?? '' });
    return [...view.columns, { label: HOST_COLUMN_LABEL, width: 0, align: 'left', cell: hostCell }];
  }

  #listLines(entries: Array<[string, string]>, host: string): string[] {
    const all: Array<[string, string]> = this.#opts.hostColumn ? [...entries, [HOST_COLUMN_LABEL, host]] : entries;
    return listEntryLines(all, usableWidth(this.#opts.columns), this.#opts.style);
  }

  #writeRow(open: OpenView, row: Row): void {
    const view = open.view as TableView;
    const columns = open.columns ?? [];
    const widths = open.widths as number[];
    let out = '';
    if (view.groupBy) {
      const key = view.groupBy.key(row.obj);
      if (!open.headerWritten || key !== open.groupKey) {
        if (open.headerWritten) out += '\n';
        out += `${view.groupBy.label(row.obj)}\n\n`;
        open.groupKey = key;
        open.headerWritten = false;
      }
    }
    if (!open.headerWritten) {
      out += headerLines(columns, widths, this.#opts.style).map((l) => `${l}\n`).join('');
      open.headerWritten = true;
    }
    const lines = view.wrap ? wrappedRowLines(columns, widths, row.cells) : [rowLine(columns, widths, row.cells)];
    out += lines.map((l) => `${l}\n`).join('');
    this.#write(out);
  }
}

