/**
 * List entries (`Name : Value` blocks), after PowerShell's ListWriter
 * (FormatAndOutput/out-textInterface/ListWriter.cs): labels padded to the longest label of the
 * entry, then ` : `; a value's extra lines, and pieces of a value too long for the screen, continue
 * under the first value column. The label (with ` : `) takes the FormatAccent colour (pwsh 7.2+).
 */
import type { Style } from './terminal.js';
import { chunkCells, displayWidth, pad } from './width.js';

const SEPARATOR = ' : ';

/**
 * The lines of one list entry.
 *
 * @param entries label and value text, in display order
 * @param screenWidth usable cells per line; values wrap to what is left after the labels
 */
export function listEntryLines(entries: ReadonlyArray<readonly [string, string]>, screenWidth: number, style: Style): string[] {
  if (entries.length === 0) return [];
  const labelWidth = Math.max(...entries.map(([l]) => displayWidth(l)));
  const lead = labelWidth + SEPARATOR.length;
  const field = screenWidth - lead;
  const indent = ' '.repeat(lead);
  const out: string[] = [];
  for (const [label, value] of entries) {
    const head = style.formatAccent(pad(label, labelWidth) + SEPARATOR);
    let first = true;
    for (const line of value.split(/\r?\n|\r/)) {
      const pieces = field >= 1 ? chunkCells(line, field) : [line];
      for (const piece of pieces) {
        out.push((first ? head : indent) + piece);
        first = false;
      }
    }
  }
  return out;
}
