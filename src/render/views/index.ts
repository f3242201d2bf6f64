/**
 * Picks the view PowerShell would use for an object: a known type's default view, matched
 * anywhere in its type chain and with or without the `Deserialized.` prefix, else a generated one.
 */
import type { PSObject } from '../../psrp/clixml/index.js';
import { typeNamesOf } from '../value-text.js';
import { DICTIONARY_ENTRY, dictionaryView } from './dictionary.js';
import { fileSystemView } from './filesystem.js';
import { generatedView } from './generated.js';
import { processView } from './process.js';
import { serviceView } from './service.js';
import type { View } from './types.js';

const KNOWN: ReadonlyMap<string, View> = new Map<string, View>([
  ['System.Diagnostics.Process', processView],
  ['System.ServiceProcess.ServiceController', serviceView],
  ['System.IO.FileInfo', fileSystemView],
  ['System.IO.DirectoryInfo', fileSystemView],
  [DICTIONARY_ENTRY, dictionaryView],
]);

/** The default view for `obj` (for a generated view, built from this object's properties). */
export function selectView(obj: PSObject): View {
  for (const t of typeNamesOf(obj)) {
    const v = KNOWN.get(t);
    if (v) return v;
  }
  return generatedView(obj);
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
