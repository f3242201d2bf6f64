/**
 * Table layout, after PowerShell's TableWriter and ColumnWidthManager
 * (src/System.Management.Automation/FormatAndOutput/out-textInterface/TableWriter.cs and
 * ColumnWidthManager.cs in PowerShell/PowerShell):
 *
 * - Columns are separated by one space; the last column is never padded on the right.
 * - A width of 0 means "unassigned": such columns share what is left of the screen, one cell at a
 *   time from the left (AssignColumnWidths).
 * - When the table is too wide, the last visible column shrinks; when it would drop below one cell
 *   it is hidden and the one before it shrinks (TrimToFit).
 * - Header labels wider than their column wrap onto more lines; the dashes under a label are as long
 *   as the label (or the column, if narrower) and aligned like the column.
 * - A cell keeps only its first line; one too wide is cut with `…` at the end (left aligned) or the
 *   start (right aligned). Rows of a `wrap` view break long cells onto more lines instead.
 */
import type { Style } from './terminal.js';
import { chunkCells, displayWidth, ELLIPSIS, pad, truncate } from './width.js';

export type Align = 'left' | 'right';

/** One column: its header label, alignment, and width (0 = unassigned). */
export interface TableColumn {
  label: string;
  align: Align;
  width: number;
}

/** A cell to print: its text and, when it differs from the column's, its own alignment. */
export interface TableCell {
  text: string;
  align?: Align;
}

const SEPARATOR = 1;
const MIN_COLUMN = 1;

function tableWidth(widths: readonly number[]): number {
  const visible = widths.filter((w) => w > 0);
  return visible.reduce((a, b) => a + b, 0) + SEPARATOR * Math.max(0, visible.length - 1);
}

/**
 * Final column widths for a screen `screenWidth` cells wide; a hidden column gets -1.
 * Port of ColumnWidthManager.CalculateColumnWidths (minimum width 1, separator 1).
 */
export function fitColumns(requested: readonly number[], screenWidth: number): number[] {
  const widths = [...requested];
  const unassigned = widths.map((w) => w <= 0);
  if (unassigned.some(Boolean)) {
    for (let k = 0; k < widths.length; k++) if (unassigned[k]) widths[k] = MIN_COLUMN;
    let available = screenWidth - tableWidth(widths);
    while (available > 0) {
      for (let k = 0; k < widths.length && available > 0; k++) {
        if (!unassigned[k]) continue;
        widths[k] = (widths[k] ?? 0) + 1;
        available -= 1;
      }
    }
  }
  for (;;) {
    const excess = tableWidth(widths) - screenWidth;
    if (excess <= 0) return widths;
    const firstHidden = widths.findIndex((w) => w < 0);
    const last = (firstHidden < 0 ? widths.length : firstHidden) - 1;
    if (last < 0) return widths;
    const shrunk = (widths[last] ?? 0) - excess;
    widths[last] = shrunk < MIN_COLUMN ? -1 : shrunk;
  }
}

/** The first line of a cell, with `…` when more lines were cut (StringManipulationHelper.TruncateAtNewLine). */
export function firstLine(text: string): string {
  const i = text.search(/\r?\n|\r/);
  return i < 0 ? text : text.slice(0, i) + ELLIPSIS;
}

/** A cell fitted to its column: truncated or padded (the last column is not padded on the right). */
function fitCell(text: string, width: number, align: Align, last: boolean): string {
  const s = truncate(text, width, align);
  if (align === 'left' && last) return s;
  return pad(s, width, align);
}

/** Joins visible cells with the separator, trimming the right edge. */
function joinLine(cells: string[]): string {
  return cells.join(' '.repeat(SEPARATOR)).replace(/ +$/, '');
}

function visibleIndexes(widths: readonly number[]): number[] {
  return widths.flatMap((w, k) => (w > 0 ? [k] : []));
}

/**
 * The header lines: labels (wrapped when wider than their column) and the dashes under them.
 * Labels and dashes are painted with the TableHeader colour.
 */
export function headerLines(columns: readonly TableColumn[], widths: readonly number[], style: Style): string[] {
  const shown = visibleIndexes(widths);
  const labelLines = shown.map((k) => chunkCells((columns[k] as TableColumn).label, widths[k] as number));
  const height = Math.max(1, ...labelLines.map((l) => l.length));
  const out: string[] = [];
  for (let row = 0; row < height; row++) {
    const cells = shown.map((k, i) => {
      const part = labelLines[i]?.[row] ?? '';
      const col = columns[k] as TableColumn;
      return part === '' ? pad('', i === shown.length - 1 ? 0 : (widths[k] as number)) : style.tableHeader(fitCell(part, widths[k] as number, col.align, i === shown.length - 1));
    });
    out.push(joinLine(cells));
  }
  const dashes = shown.map((k, i) => {
    const col = columns[k] as TableColumn;
    const w = widths[k] as number;
    const n = col.label === '' ? w : Math.min(w, displayWidth(col.label));
    return style.tableHeader(fitCell('-'.repeat(n), w, col.align, i === shown.length - 1));
  });
  out.push(joinLine(dashes));
  return out;
}

/** One table row on one line (cells cut to their columns). */
export function rowLine(columns: readonly TableColumn[], widths: readonly number[], cells: readonly TableCell[]): string {
  const shown = visibleIndexes(widths);
  return joinLine(shown.map((k, i) => {
    const cell = cells[k] ?? { text: '' };
    return fitCell(firstLine(cell.text), widths[k] as number, cell.align ?? (columns[k] as TableColumn).align, i === shown.length - 1);
  }));
}

/** One table row whose long cells wrap onto more lines (a view with `wrap: true`). */
export function wrappedRowLines(columns: readonly TableColumn[], widths: readonly number[], cells: readonly TableCell[]): string[] {
  const shown = visibleIndexes(widths);
  const parts = shown.map((k) => {
    const text = cells[k]?.text ?? '';
    return text.split(/\r?\n|\r/).flatMap((l) => chunkCells(l, widths[k] as number));
  });
  const height = Math.max(1, ...parts.map((p) => p.length));
  const out: string[] = [];
  for (let row = 0; row < height; row++) {
    out.push(joinLine(shown.map((k, i) => {
      const align = cells[k]?.align ?? (columns[k] as TableColumn).align;
      return fitCell(parts[i]?.[row] ?? '', widths[k] as number, align, i === shown.length - 1);
    })));
  }
  return out;
}

/** Autosize: each column as wide as its label and its widest cell (OutCommandInner.ProcessCachedGroupOnTable). */
export function autosizeWidths(columns: readonly TableColumn[], rows: ReadonlyArray<readonly TableCell[]>): number[] {
  return columns.map((c, k) => Math.max(1, displayWidth(c.label), ...rows.map((r) => displayWidth(firstLine(r[k]?.text ?? '')))));
}
