/**
 * String encoding of MS-PSRP §2.2.5.3.2: characters XML cannot carry are written `_xHHHH_` (four
 * upper-case hex digits of the UTF-16 code unit), and an `_` that would otherwise be read as the
 * start of such an escape is itself written `_x005F_`.
 *
 * What PowerShell escapes (and so do we): C0 controls U+0000–U+001F (tab, CR and LF included), DEL
 * and the C1 controls U+007F–U+009F, every surrogate code unit — a valid pair becomes two escapes,
 * `_xD801__xDC37_`, a lone surrogate one — and U+FFFE/U+FFFF, which XML forbids.
 * Decoding accepts any `_xHHHH_` (hex in either case), so a lone surrogate survives a round trip.
 */

/** The characters written as `_xHHHH_` (a regex class body). */
const ESCAPED = '\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff\\ufffe\\uffff';
// An `_` followed by x/X and 4 or 8 hex digits and `_` would decode; only then it needs escaping.
const ENCODE = new RegExp(`[${ESCAPED}]|_(?=[xX](?:[0-9A-Fa-f]{4}|[0-9A-Fa-f]{8})_)`, 'g');
const DECODE = /_x([0-9A-Fa-f]{4})_/g;

/** What may need ENCODE: any character it escapes, or any `_`. Without one, the text is kept as is. */
const MAY_ENCODE = new RegExp(`[${ESCAPED}_]`);

/** Encodes `s` for a CLIXML string value, type name or property name. */
export function encodeString(s: string): string {
  // Nearly every string has nothing to escape; a plain class test is cheaper than a replace whose
  // pattern looks ahead after each `_` (issue 8: a fifth of CREATE_PIPELINE's serializing).
  if (!MAY_ENCODE.test(s)) return s;
  return s.replace(ENCODE, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

/** Decodes the `_xHHHH_` escapes of a CLIXML string; other text passes through unchanged. */
export function decodeString(s: string): string {
  return s.includes('_x') ? s.replace(DECODE, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : s;
}
