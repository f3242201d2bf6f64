/**
 * Hashtables and other dictionaries: PowerShell enumerates them into DictionaryEntry objects and
 * shows those with the "Dictionary" table (DotNetTypes_format_ps1xml.cs): Name (30), Value.
 */
import { PSObject, type PSDict } from '../../psrp/clixml/index.js';
import { cellText } from '../value-text.js';
import type { TableView } from './types.js';

export const DICTIONARY_ENTRY = 'System.Collections.DictionaryEntry';

/** One row object per entry of a dictionary, in its order. */
export function dictionaryEntries(dict: PSDict): PSObject[] {
  return [...dict.entries].map(([k, v]) => new PSObject({ typeNames: [DICTIONARY_ENTRY, 'System.ValueType', 'System.Object'], extended: [['Name', k], ['Value', v]] }));
}

export const dictionaryView: TableView = {
  shape: 'table',
  name: 'Dictionary',
  columns: [
    { label: 'Name', width: 30, align: 'left', cell: (o) => ({ text: cellText(o.get('Name')) }) },
    { label: 'Value', width: 0, align: 'left', cell: (o) => ({ text: cellText(o.get('Value')) }) },
  ],
};
