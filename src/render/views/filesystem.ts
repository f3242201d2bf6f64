/**
 * The default table of System.IO.FileInfo and DirectoryInfo (FileSystem_format_ps1xml.cs, view
 * "children"), grouped by parent directory under a `    Directory: <path>` line:
 *
 * | label         | width | align | property (fallback when not serialized)            |
 * |---------------|-------|-------|----------------------------------------------------|
 * | Mode          | 7     | left  | ModeWithoutHardLink (Mode, else from Attributes)   |
 * | LastWriteTime | 26    | right | LastWriteTimeString (`{0,10:d} {0,8:t}` of LastWriteTime) |
 * | Length        | 14    | right | LengthString (Length; empty for directories)       |
 * | Name          | —     | left  | NameString (Name)                                  |
 *
 * Rows wrap rather than truncate (`StartRowDefinition(wrap: true)`).
 */
import type { PSObject, PSValue } from '../../psrp/clixml/index.js';
import { cellText, formatFileTime, hasType } from '../value-text.js';
import { firstProp, type TableView } from './types.js';

const PROVIDER_PREFIX = 'Microsoft.PowerShell.Core\\FileSystem::';

function isDirectory(o: PSObject): boolean {
  return hasType(o, 'System.IO.DirectoryInfo') || o.get('PSIsContainer') === true;
}

/** `darhs` flags from the Attributes enum text (`Directory, ReadOnly`), as ModeWithoutHardLink shows them. */
function modeFromAttributes(o: PSObject): string {
  const attrs = cellText(o.get('Attributes')).split(',').map((s) => s.trim());
  const has = (a: string): boolean => attrs.includes(a);
  return [
    has('ReparsePoint') ? 'l' : isDirectory(o) ? 'd' : '-',
    has('Archive') ? 'a' : '-',
    has('ReadOnly') ? 'r' : '-',
    has('Hidden') ? 'h' : '-',
    has('System') ? 's' : '-',
  ].join('');
}

function lastWrite(o: PSObject): string {
  const s = o.get('LastWriteTimeString');
  if (typeof s === 'string') return s;
  const v: PSValue | undefined = o.get('LastWriteTime');
  if (v && typeof v === 'object' && 'kind' in v && v.kind === 'DT') return formatFileTime(v.value);
  return cellText(v);
}

function length(o: PSObject): string {
  if (o.has('LengthString')) return cellText(o.get('LengthString'));
  return isDirectory(o) ? '' : cellText(o.get('Length'));
}

/** The directory a file system item is listed under. */
export function parentPath(o: PSObject): string {
  const p = o.get('PSParentPath');
  if (typeof p === 'string') return p.startsWith(PROVIDER_PREFIX) ? p.slice(PROVIDER_PREFIX.length) : p;
  return cellText(firstProp(o, 'DirectoryName'));
}

export const fileSystemView: TableView = {
  shape: 'table',
  name: 'children',
  wrap: true,
  groupBy: { key: parentPath, label: (o) => `    Directory: ${parentPath(o)}` },
  columns: [
    { label: 'Mode', width: 7, align: 'left', cell: (o) => ({ text: cellText(firstProp(o, 'ModeWithoutHardLink', 'Mode') ?? modeFromAttributes(o)) }) },
    { label: 'LastWriteTime', width: 26, align: 'right', cell: (o) => ({ text: lastWrite(o) }) },
    { label: 'Length', width: 14, align: 'right', cell: (o) => ({ text: length(o) }) },
    { label: 'Name', width: 0, align: 'left', cell: (o) => ({ text: cellText(firstProp(o, 'NameString', 'Name')) }) },
  ],
};
