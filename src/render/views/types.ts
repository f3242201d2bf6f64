/**
 * What a view is: PowerShell's format definitions (the `*.format.ps1xml` data compiled into
 * PowerShell, e.g. DotNetTypes_format_ps1xml.cs) reduced to what we draw — a table with fixed or
 * automatic column widths and an optional grouping header, or a list.
 */
import type { PSObject, PSValue } from '../../psrp/clixml/index.js';
import type { TableCell, TableColumn } from '../table.js';

/** A table column and how to get its cell from an object. */
export interface ViewColumn extends TableColumn {
  cell(obj: PSObject): TableCell;
}

/** Objects of one group share a header; a change of `key` starts a new group under a new header line. */
export interface GroupBy {
  key(obj: PSObject): string;
  /** The line printed above the group's table (`    Directory: C:\temp`). */
  label(obj: PSObject): string;
}

export interface TableView {
  shape: 'table';
  /** Consecutive objects with the same view name share one table. */
  name: string;
  columns: ViewColumn[];
  /** Long cells wrap onto more lines instead of being cut (`StartRowDefinition(wrap: true)`). */
  wrap?: boolean;
  groupBy?: GroupBy;
}

export interface ListView {
  shape: 'list';
  name: string;
  entries(obj: PSObject): Array<[string, string]>;
}

export type View = TableView | ListView;

/** A number from a property value (tagged numbers, bigints, wrapped values, numeric text), else undefined. */
export function numberOf(v: PSValue | undefined): number | undefined {
  if (v === null || v === undefined || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  if ('kind' in v) {
    switch (v.kind) {
      case 'By': case 'SB': case 'I16': case 'U16': case 'U32': case 'Sg': case 'Db': case 'C': return v.value;
      case 'I64': case 'U64': return Number(v.value);
      case 'D': return Number(v.value);
      case 'TS': return v.ms / 1000;
      default: return undefined;
    }
  }
  return v.value === undefined ? undefined : numberOf(v.value);
}

/** The first of several property names the object has (aliases and the members they stand for). */
export function firstProp(obj: PSObject, ...names: string[]): PSValue | undefined {
  for (const n of names) if (obj.has(n)) return obj.get(n);
  return undefined;
}
