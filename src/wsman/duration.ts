/**
 * xs:duration as WS-Management uses it: OperationTimeout `PT20S`, IdleTimeOut `PT7200.000S`,
 * ShellRunTime `P0DT0H0M0S` (DSP0226 §6.1, XML Schema part 2 §3.2.6).
 */
import { InvalidArgumentError } from '../errors.js';
import { WSManProtocolError } from './errors.js';

/**
 * Formats seconds as an xs:duration: whole seconds as `PT20S`, fractions with three decimals
 * (`PT7200.5S` -> `PT7200.500S`), as Windows writes them.
 * @throws InvalidArgumentError for a negative or non-finite value (Windows faults on `PT-1S`).
 */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw new InvalidArgumentError(`invalid duration: ${sec} seconds`);
  return Number.isInteger(sec) ? `PT${sec}S` : `PT${sec.toFixed(3)}S`;
}

/** Formats seconds the way Windows writes IdleTimeOut in a CreateResponse: always `PT<n>.000S`. */
export function formatDurationMillis(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw new InvalidArgumentError(`invalid duration: ${sec} seconds`);
  return `PT${sec.toFixed(3)}S`;
}

/** Formats seconds as `P<d>DT<h>H<m>M<s>S`, the form of ShellRunTime / ShellInactivity. */
export function formatDurationDHMS(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw new InvalidArgumentError(`invalid duration: ${sec} seconds`);
  const s = Math.floor(sec);
  return `P${Math.floor(s / 86400)}DT${Math.floor((s % 86400) / 3600)}H${Math.floor((s % 3600) / 60)}M${s % 60}S`;
}

const DURATION = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses an xs:duration to seconds (years as 365 days, months as 30: WS-Man never sends them).
 * @throws WSManProtocolError for text that is not a non-negative duration (e.g. `PT-1S`, `P`, `PT`).
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  const m = DURATION.exec(t);
  if (!m || t === 'P' || t.endsWith('T')) throw new WSManProtocolError(`invalid xs:duration '${t.slice(0, 40)}'`);
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const total = n(1) * 365 * 86400 + n(2) * 30 * 86400 + n(3) * 86400 + n(4) * 3600 + n(5) * 60 + n(6);
  // 400 nines are digits to the regex and Infinity to Number(): no timer can wait that long.
  if (!Number.isFinite(total)) throw new WSManProtocolError(`xs:duration '${t.slice(0, 40)}' is out of range`);
  return total;
}
