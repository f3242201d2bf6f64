/**
 * Objects with no default view (PSCustomObject, most deserialized objects): PowerShell generates
 * one from the object's properties — a table when there are at most 4, a list from 5 on
 * (FormatViewGenerator / PSObjectHelper: `maxPropertiesForTable` 4 for the default view).
 *
 * The generated table takes its columns from the FIRST object of the group, as PowerShell does
 * (later objects with other properties show empty cells). Numbers are right aligned, per cell.
 */
import type { PSObject } from '../../psrp/clixml/index.js';
import { baseTypeName, cellText, isNumeric, visibleProperties } from '../value-text.js';
import type { ListView, TableView, View } from './types.js';

/** Most properties shown as a table; more make a list. */
export const MAX_TABLE_PROPERTIES = 4;

function viewName(obj: PSObject): string {
  return `generated:${baseTypeName(obj.typeNamesView[0] ?? '')}`;
}

/** A list of the object's own properties. */
export function generatedList(obj: PSObject): ListView {
  return {
    shape: 'list',
    name: viewName(obj),
    entries: (o) => visibleProperties(o).map(([k, v]) => [k, cellText(v)]),
  };
}

/** The table or list PowerShell would generate for `first` and the objects of its type after it. */
export function generatedView(first: PSObject): View {
  return visibleProperties(first).length > MAX_TABLE_PROPERTIES ? generatedList(first) : generatedTable(first);
}

/** A table of every property of `first` (Format-Table with no properties named). */
export function generatedTable(first: PSObject): TableView {
  const props = visibleProperties(first);
  const table: TableView = {
    shape: 'table',
    name: viewName(first),
    columns: props.map(([name, v]) => ({
      label: name,
      width: 0,
      align: isNumeric(v) ? 'right' : 'left',
      cell: (o: PSObject) => {
        const value = o.get(name);
        return { text: cellText(value), align: isNumeric(value) ? 'right' : 'left' };
      },
    })),
  };
  return table;
}
