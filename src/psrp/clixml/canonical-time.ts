/**
 * DateTime and TimeSpan texts in the form PowerShell writes them, read without a regex match (an
 * array of captured strings per value), a trim or a padEnd, to the exact result of the pattern
 * path in primitives.ts (parseDateTime, parseTimeSpan). They return undefined for anything else,
 * valid or not, and the pattern path decides: surrounding whitespace, a year not of four digits
 * or below 100, a run of digits too long to read exactly. test/psrp/clixml/datetime-text.test.ts
 * compares the two paths.
 */

/** Where the last readDigits stopped. */
let digitsEnd = 0;

/** The value of the decimal digits from `at` (at most 15, so exact), or -1 when there are none or more. */
function readDigits(s: string, at: number): number {
  let i = at;
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  digitsEnd = i;
  return i === at || i - at > 15 ? -1 : n;
}

/** Milliseconds of 1–7 fraction digits from `at` (100 ns ticks / 10,000, as the pattern path), or -1. */
function readTicksMs(s: string, at: number): number {
  const f = readDigits(s, at);
  const digits = digitsEnd - at;
  return f < 0 || digits > 7 ? -1 : (f * 10 ** (7 - digits)) / 10_000;
}

/** The largest time a Date holds (ECMA-262 TimeClip); beyond it the pattern path reports the error. */
const MAX_EPOCH_MS = 8.64e15;

/** Two digits at `at`, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `yyyy-MM-ddTHH:mm:ss[.fffffff][Z|±hh:mm]` as milliseconds since the epoch, or undefined. */
export function canonicalDateTimeEpoch(t: string): number | undefined {
  if (t.length < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84
    || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const y = readDigits(t, 0);
  if (digitsEnd !== 4 || y < 100) return undefined; // Date.UTC reads years 0–99 as 1900–1999
  const mo = twoDigits(t, 5);
  const d = twoDigits(t, 8);
  const h = twoDigits(t, 11);
  const mi = twoDigits(t, 14);
  const sec = twoDigits(t, 17);
  if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (t.charCodeAt(i) === 46) {
    ms = readTicksMs(t, i + 1);
    if (ms < 0) return undefined;
    i = digitsEnd;
  }
  let epoch = Date.UTC(y, mo - 1, d, h, mi, sec) + ms;
  const zone = t.charCodeAt(i);
  if (zone === 90) i += 1;
  else if (zone === 43 || zone === 45) {
    const zh = twoDigits(t, i + 1);
    const zm = twoDigits(t, i + 4);
    if (zh < 0 || zm < 0 || t.charCodeAt(i + 3) !== 58) return undefined;
    epoch -= (zone === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
    i += 6;
  }
  return i === t.length && Math.abs(epoch) <= MAX_EPOCH_MS ? epoch : undefined;
}

/** `[-]P[nD][T[nH][nM][n[.fffffff]S]]` (not ending in P or T) as milliseconds, or undefined. */
export function canonicalTimeSpanMs(t: string): number | undefined {
  const n = t.length;
  const neg = t.charCodeAt(0) === 45;
  let i = neg ? 1 : 0;
  if (t.charCodeAt(i) !== 80 || ++i === n) return undefined;
  let d = 0;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let frac = 0;
  let v = readDigits(t, i);
  if (v >= 0) {
    if (t.charCodeAt(digitsEnd) !== 68) return undefined;
    d = v;
    i = digitsEnd + 1;
  }
  if (i < n) {
    if (t.charCodeAt(i) !== 84 || ++i === n) return undefined;
    v = readDigits(t, i);
    if (v >= 0 && t.charCodeAt(digitsEnd) === 72) {
      h = v;
      i = digitsEnd + 1;
      v = i < n ? readDigits(t, i) : -1;
    }
    if (v >= 0 && t.charCodeAt(digitsEnd) === 77) {
      mi = v;
      i = digitsEnd + 1;
      v = i < n ? readDigits(t, i) : -1;
    }
    if (v >= 0) {
      sec = v;
      i = digitsEnd;
      if (t.charCodeAt(i) === 46) {
        frac = readTicksMs(t, i + 1);
        if (frac < 0) return undefined;
        i = digitsEnd;
      }
      if (t.charCodeAt(i) !== 83) return undefined;
      i += 1;
    }
    if (i !== n) return undefined;
  }
  const ms = (((d * 24 + h) * 60 + mi) * 60 + sec) * 1000 + frac;
  return neg ? -ms : ms;
}
