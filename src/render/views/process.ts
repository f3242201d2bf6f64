/**
 * The default table of System.Diagnostics.Process in PowerShell 7 (DotNetTypes_format_ps1xml.cs,
 * view "process"):
 *
 * | label  | width | align | value                              |
 * |--------|-------|-------|------------------------------------|
 * | NPM(K) | 7     | right | `[long]($_.NPM / 1024)`            |
 * | PM(M)  | 8     | right | `"{0:N2}" -f [float]($_.PM / 1MB)` |
 * | WS(M)  | 10    | right | `"{0:N2}" -f [float]($_.WS / 1MB)` |
 * | CPU(s) | 10    | right | `"{0:N2}" -f [float]($_.CPU)`      |
 * | Id     | 7     | right | `Id`                               |
 * | SI     | 3     | right | `SI`                               |
 * | ProcessName | — | left | `ProcessName`                      |
 *
 * Windows PowerShell 5.1 had a Handles column and kilobytes; pwsh 7 dropped Handles and shows
 * megabytes. We format on the client, as pwsh 7 would. NPM/PM/WS/CPU/SI are ETS aliases and script
 * properties the remote end serializes with the object; the members they stand for are the fallback.
 */
import type { PSObject } from '../../psrp/clixml/index.js';
import { cellText, formatN2 } from '../value-text.js';
import { firstProp, numberOf, type TableView } from './types.js';

const MB = 1024 * 1024;

/** [long] conversion of a double: round half to even, as .NET's Convert/Math.Round do. */
function toLong(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const n = (obj: PSObject, ...names: string[]): number => numberOf(firstProp(obj, ...names)) ?? 0;

export const processView: TableView = {
  shape: 'table',
  name: 'process',
  columns: [
    { label: 'NPM(K)', width: 7, align: 'right', cell: (o) => ({ text: String(toLong(n(o, 'NPM', 'NonpagedSystemMemorySize64', 'NonpagedSystemMemorySize') / 1024)) }) },
    { label: 'PM(M)', width: 8, align: 'right', cell: (o) => ({ text: formatN2(Math.fround(n(o, 'PM', 'PagedMemorySize64', 'PagedMemorySize') / MB)) }) },
    { label: 'WS(M)', width: 10, align: 'right', cell: (o) => ({ text: formatN2(Math.fround(n(o, 'WS', 'WorkingSet64', 'WorkingSet') / MB)) }) },
    { label: 'CPU(s)', width: 10, align: 'right', cell: (o) => ({ text: formatN2(Math.fround(n(o, 'CPU', 'TotalProcessorTime'))) }) },
    { label: 'Id', width: 7, align: 'right', cell: (o) => ({ text: cellText(o.get('Id')) }) },
    { label: 'SI', width: 3, align: 'right', cell: (o) => ({ text: cellText(firstProp(o, 'SI', 'SessionId')) }) },
    { label: 'ProcessName', width: 0, align: 'left', cell: (o) => ({ text: cellText(firstProp(o, 'ProcessName', 'Name')) }) },
  ],
};
