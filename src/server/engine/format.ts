/**
 * Out-String's text: a small formatter of our own in the spirit of PowerShell's default views.
 * Scalars print as their string; objects with up to four properties as a table, more as a list;
 * Process objects use PowerShell's default table columns (NPM(K) PM(M) WS(M) CPU(s) Id SI ProcessName).
 */
import { isPSObject, type PSValue } from '../../psrp/clixml/index.js';
import { formatValue } from './format-string.js';
import { getMember } from './members.js';
import { dictOf, propertyNames, toStr } from './values.js';

interface Column { header: string; value: (v: PSValue) => string; right?: boolean }

const PROCESS_VIEW: Column[] = [
  { header: 'NPM(K)', right: true, value: (v) => formatValue(mb(getMember(v, 'NPM'), 1024), 'N0') },
  { header: 'PM(M)', right: true, value: (v) => formatValue(mb(getMember(v, 'PM'), 1048576), 'N2') },
  { header: 'WS(M)', right: true, value: (v) => formatValue(mb(getMember(v, 'WS'), 1048576), 'N2') },
  { header: 'CPU(s)', right: true, value: (v) => formatValue(getMember(v, 'CPU'), 'N2') },
  { header: 'Id', right: true, value: (v) => toStr(getMember(v, 'Id')) },
  { header: 'SI', right: true, value: (v) => toStr(getMember(v, 'SI')) },
  { header: 'ProcessName', value: (v) => toStr(getMember(v, 'ProcessName')) },
];

function mb(v: PSValue, div: number): PSValue {
  return Number(toStr(v)) / div;
}

function columnsFor(v: PSValue): Column[] | null {
  if (!isPSObject(v)) return null;
  if (v.typeNames[0] === 'System.Diagnostics.Process') return PROCESS_VIEW;
  const d = dictOf(v);
  if (d) return [{ header: 'Name', value: (e) => toStr(getMember(e, 'Key')) }, { header: 'Value', value: (e) => toStr(getMember(e, 'Value')) }];
  const names = propertyNames(v);
  if (names.length === 0 || names.length > 4) return null;
  return names.map((n) => ({ header: n, value: (x: PSValue) => toStr(getMember(x, n)) }));
}

function table(rows: PSValue[], cols: Column[]): string[] {
  const cells = rows.map((r) => cols.map((c) => c.value(r)));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (vals: string[]): string => vals.map((s, i) => (cols[i]?.right ? s.padStart(widths[i] ?? 0) : s.padEnd(widths[i] ?? 0))).join(' ').trimEnd();
  return [line(cols.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}

function list(v: PSValue): string[] {
  const names = propertyNames(v);
  const w = Math.max(...names.map((n) => n.length));
  return names.map((n) => `${n.padEnd(w)} : ${toStr(getMember(v, n))}`);
}

/** The lines a console would show for these objects (without the surrounding blank lines). */
export function formatLines(values: PSValue[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < values.length) {
    const v = values[i] ?? null;
    const d = dictOf(v);
    if (d) {
      const entries = [...d.entries].map(([k, x]) => ({ k: toStr(k), x: toStr(x) }));
      const w = Math.max(4, ...entries.map((e) => e.k.length));
      out.push('', `${'Name'.padEnd(w)} Value`, `${'----'.padEnd(w)} -----`, ...entries.map((e) => `${e.k.padEnd(w)} ${e.x}`.trimEnd()), '');
      i++;
      continue;
    }
    const cols = columnsFor(v);
    if (!cols) {
      if (isPSObject(v) && propertyNames(v).length > 4) out.push('', ...list(v), '');
      else out.push(toStr(v));
      i++;
      continue;
    }
    // Consecutive objects of the same type share one table.
    const type = isPSObject(v) ? v.typeNames[0] : '';
    let j = i;
    while (j < values.length && isPSObject(values[j] ?? null) && (values[j] as { typeNames: string[] }).typeNames[0] === type) j++;
    out.push('', ...table(values.slice(i, j), cols), '');
    i = j;
  }
  return out;
}
