/**
 * Picks the view PowerShell would use for an object: a known type's default view, matched
 * anywhere in its type chain and with or without the `Deserialized.` prefix, else a generated one.
 */
import type { PSObject } from '../../psrp/clixml/index.js';
import { typeNamesOf } from '../value-text.js';
import { DICTIONARY_ENTRY, dictionaryView } from './dictionary.js';
import { fileSystemView } from './filesystem.js';
import { generatedList, generatedTable, generatedView } from './generated.js';
import { processView } from './process.js';
import { serviceView } from './service.js';
import type { ListView, TableView, View } from './types.js';

/** `auto`: the default view; `table` / `list`: that shape forced (Format-Table / Format-List). */
export type ViewShape = 'auto' | 'table' | 'list';

const KNOWN: ReadonlyMap<string, View> = new Map<string, View>([
  ['System.Diagnostics.Process', processView],
  ['System.ServiceProcess.ServiceController', serviceView],
  ['System.IO.FileInfo', fileSystemView],
  ['System.IO.DirectoryInfo', fileSystemView],
  [DICTIONARY_ENTRY, dictionaryView],
]);

/**
 * The view for `obj`: its type's default view, else one generated from its properties. A forced
 * shape keeps a known view of that shape, turns a known table into a list of the same columns,
 * and otherwise generates the shape from the object's properties.
 */
export function selectView(obj: PSObject, shape: ViewShape = 'auto'): View {
  let known: View | undefined;
  for (const t of typeNamesOf(obj)) {
    known = KNOWN.get(t);
    if (known) break;
  }
  if (shape === 'auto') return known ?? generatedView(obj);
  if (known?.shape === shape) return known;
  if (shape === 'list') return known?.shape === 'table' ? listOfTable(known) : generatedList(obj);
  return generatedTable(obj);
}

/** A table view's columns as list entries (`Format-List` of a type whose only view is a table). */
function listOfTable(view: TableView): ListView {
  return {
    shape: 'list',
    name: view.name,
    entries: (o) => view.columns.map((c) => [c.label.trim(), c.cell(o).text.trim()]),
  };
}

/** The name of the view `obj` would use, without building a generated one. */
export function viewNameOf(obj: PSObject): string {
  for (const t of typeNamesOf(obj)) {
    const v = KNOWN.get(t);
    if (v) return v.name;
  }
  return `generated:${typeNamesOf(obj)[0] ?? ''}`;
}

export { dictionaryEntries } from './dictionary.js';
export { timeSpanEntries } from './timespan.js';
export type { View, TableView, ListView, ViewColumn } from './types.js';
