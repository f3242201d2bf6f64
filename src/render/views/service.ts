/**
 * The default table of System.ServiceProcess.ServiceController (DotNetTypes_format_ps1xml.cs,
 * view "service"): Status (8), Name (18), DisplayName (38), all left aligned. `Name` is an ETS alias
 * of ServiceName, serialized with the object.
 */
import { cellText } from '../value-text.js';
import { firstProp, type TableView } from './types.js';

export const serviceView: TableView = {
  shape: 'table',
  name: 'service',
  columns: [
    { label: 'Status', width: 8, align: 'left', cell: (o) => ({ text: cellText(o.get('Status')) }) },
    { label: 'Name', width: 18, align: 'left', cell: (o) => ({ text: cellText(firstProp(o, 'Name', 'ServiceName')) }) },
    { label: 'DisplayName', width: 38, align: 'left', cell: (o) => ({ text: cellText(o.get('DisplayName')) }) },
  ],
};
