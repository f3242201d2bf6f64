/**
 * .NET format strings for the `-f` operator, `ToString(fmt)` and `Get-Date -Format`, in the
 * invariant culture: numeric N/F/D/X/P/E/G specifiers and custom date patterns (yyyy MM dd HH
 * mm ss fff tt ddd MMMM zzz K) plus the standard date formats d D t T g G o s u.
 */
import { kindOf, type PSValue } from '../../psrp/clixml/index.js';
import { toNum } from './operators.js';
import { toStr } from './values.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** One value formatted with a .NET format specifier (`N2`, `X4`, `yyyy-MM-dd` …). */
export function formatValue(v: PSValue, spec: string): string {
  if (spec === '') return toStr(v);
  if (v !== null && typeof v === 'object' && kindOf(v) === 'DT' && 'date' in v) return formatDate(v.date, spec);
  const n = typeof v === 'string' ? null : toNum(v);
  if (n === null) return toStr(v);
  const m = /^([NnFfDdXxPpEeGgCc])(\d{0,2})$/.exec(spec);
  if (!m) return customNumber(n.n, spec);
  const letter = (m[1] ?? 'G').toUpperCase();
  const digits = m[2] === '' || m[2] === undefined ? undefined : Number(m[2]);
  switch (letter) {
    case 'N': return groupThousands(n.n.toFixed(digits ?? 2));
    case 'F': return n.n.toFixed(digits ?? 2);
    case 'C': return `¤${groupThousands(n.n.toFixed(digits ?? 2))}`;
    case 'D': return (n.n < 0 ? '-' : '') + String(Math.abs(Math.trunc(n.n))).padStart(digits ?? 0, '0');
    case 'X': {
      const hex = (n.n < 0 ? (n.n >>> 0) : n.n).toString(16).padStart(digits ?? 0, '0');
      return m[1] === 'x' ? hex : hex.toUpperCase();
    }
    case 'P': return `${(n.n * 100).toFixed(digits ?? 2)} %`;
    case 'E': {
      const [mant, exp] = n.n.toExponential(digits ?? 6).split('e');
      const e = Number(exp);
      return `${mant}${m[1]}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(3, '0')}`;
    }
    default: return digits === undefined ? toStr(v) : String(Number(n.n.toPrecision(digits)));
  }
}

function groupThousands(fixed: string): string {
  const [int, frac] = fixed.split('.');
  const sign = int?.startsWith('-') ? '-' : '';
  const digits = (int ?? '').replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac === undefined ? '' : `.${frac}`}`;
}

/** Custom numeric formats: `0.00`, `#,##0`, `000`. */
function customNumber(n: number, spec: string): string {
  const m = /^([#0,]*)(?:\.([#0]*))?$/.exec(spec);
  if (!m) return spec;
  const fracSpec = m[2] ?? '';
  const minFrac = (fracSpec.match(/0/g) ?? []).length;
  const maxFrac = fracSpec.length;
  let text = n.toFixed(maxFrac);
  if (maxFrac > minFrac) text = text.replace(new RegExp(`0{0,${maxFrac - minFrac}}$`), '').replace(/\.$/, '');
  const [int, frac] = text.split('.');
  const minInt = ((m[1] ?? '').match(/0/g) ?? []).length;
  let i = (int ?? '').replace('-', '').padStart(minInt, '0');
  if (i === '0' && minInt === 0) i = '';
  if ((m[1] ?? '').includes(',')) i = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${i}${frac ? `.${frac}` : ''}`;
}

const STANDARD_DATE: Record<string, string> = {
  d: 'MM/dd/yyyy', D: 'dddd, dd MMMM yyyy', t: 'HH:mm', T: 'HH:mm:ss', g: 'MM/dd/yyyy HH:mm', G: 'MM/dd/yyyy HH:mm:ss',
  f: 'dddd, dd MMMM yyyy HH:mm', F: 'dddd, dd MMMM yyyy HH:mm:ss', s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss", M: 'MMMM dd', m: 'MMMM dd',
  Y: 'yyyy MMMM', y: 'yyyy MMMM', o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
};

/** A local date formatted with a .NET standard or custom date format, invariant culture. */
export function formatDate(d: Date, format: string): string {
  if (format === 'u') return formatDate(new Date(d.getTime() + d.getTimezoneOffset() * 60000), "yyyy'-'MM'-'dd HH':'mm':'ss'Z'");
  if (format === 'r' || format === 'R') return d.toUTCString().replace('GMT', 'GMT');
  const f = STANDARD_DATE[format] ?? format;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const offText = (withMinutes: boolean, pad: boolean): string =>
    `${off < 0 ? '-' : '+'}${pad ? p(Math.trunc(Math.abs(off) / 60)) : String(Math.trunc(Math.abs(off) / 60))}${withMinutes ? `:${p(Math.abs(off) % 60)}` : ''}`;
  let out = '';
  for (let i = 0; i < f.length;) {
    const c = f[i] ?? '';
    if (c === "'" || c === '"') {
      const close = f.indexOf(c, i + 1);
      out += f.slice(i + 1, close < 0 ? undefined : close);
      i = close < 0 ? f.length : close + 1;
      continue;
    }
    if (c === '\\' && i + 1 < f.length) {
      out += f[i + 1];
      i += 2;
      continue;
    }
    let run = 1;
    while (f[i + run] === c) run++;
    const h12 = d.getHours() % 12 || 12;
    switch (c) {
      case 'y': out += run <= 2 ? p(d.getFullYear() % 100, run) : p(d.getFullYear(), run); break;
      case 'M': out += run >= 4 ? MONTHS[d.getMonth()] : run === 3 ? (MONTHS[d.getMonth()] ?? '').slice(0, 3) : p(d.getMonth() + 1, run); break;
      case 'd': out += run >= 4 ? DAYS[d.getDay()] : run === 3 ? (DAYS[d.getDay()] ?? '').slice(0, 3) : p(d.getDate(), run); break;
      case 'H': out += p(d.getHours(), run); break;
      case 'h': out += p(h12, run); break;
      case 'm': out += p(d.getMinutes(), run); break;
      case 's': out += p(d.getSeconds(), run); break;
      case 'f': case 'F': out += `${p(d.getMilliseconds(), 3)}0000`.slice(0, run); break;
      case 't': out += (d.getHours() < 12 ? 'AM' : 'PM').slice(0, run >= 2 ? 2 : 1); break;
      case 'z': out += run >= 3 ? offText(true, true) : offText(false, run === 2); break;
      case 'K': out += offText(true, true); break;
      default: out += c.repeat(run);
    }
    i += run;
  }
  return out;
}
