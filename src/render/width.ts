/**
 * Terminal cell widths: how many columns a string takes on screen.
 *
 * PowerShell measures table cells in "buffer cells" (its `DisplayCells` class), not UTF-16 units:
 * East Asian wide and fullwidth characters take two cells, combining marks and ANSI escape
 * sequences none. We do the same so that `こんにちは` (10 cells) lines up in a table.
 *
 * The wide ranges follow Unicode's East_Asian_Width W/F property (UAX #11), folded into the
 * blocks that matter in practice; emoji presentation characters count as wide as terminals draw them.
 */

// ESC [ … final byte (CSI, SGR colours included) and ESC ] … BEL/ST (OSC, hyperlinks).
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** [first, last] code point ranges that take two cells. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0],
  [0x23f3, 0x23f3], [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f],
  [0x2693, 0x2693], [0x26a1, 0x26a1], [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5],
  [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea], [0x26f2, 0x26f3], [0x26f5, 0x26f5],
  [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b], [0x2728, 0x2728],
  [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
  [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f],
  [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x17000, 0x18cff], [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f251],
  [0x1f300, 0x1f320], [0x1f32d, 0x1f335], [0x1f337, 0x1f37c], [0x1f37e, 0x1f393], [0x1f3a0, 0x1f3ca],
  [0x1f3cf, 0x1f3d3], [0x1f3e0, 0x1f3f0], [0x1f3f4, 0x1f3f4], [0x1f3f8, 0x1f43e], [0x1f440, 0x1f440],
  [0x1f442, 0x1f4fc], [0x1f4ff, 0x1f53d], [0x1f54b, 0x1f54e], [0x1f550, 0x1f567], [0x1f57a, 0x1f57a],
  [0x1f595, 0x1f596], [0x1f5a4, 0x1f5a4], [0x1f5fb, 0x1f64f], [0x1f680, 0x1f6c5], [0x1f6cc, 0x1f6cc],
  [0x1f6d0, 0x1f6d2], [0x1f6d5, 0x1f6d7], [0x1f6eb, 0x1f6ec], [0x1f6f4, 0x1f6fc], [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f93a], [0x1f93c, 0x1f945], [0x1f947, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x3fffd],
];

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200b\ufe00-\ufe0f]$/u;

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE[mid] as readonly [number, number];
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Cells one code point takes: 0 (control, combining, format), 1 or 2. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(ch)) return 0;
  return isWide(cp) ? 2 : 1;
}

/** The text without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** How many terminal cells `text` takes (escape sequences count 0). */
export function displayWidth(text: string): number {
  let n = 0;
  for (const ch of stripAnsi(text)) n += charWidth(ch);
  return n;
}

/** The longest prefix of plain `text` that fits in `cells`. */
export function takeCells(text: string, cells: number): string {
  let n = 0;
  let out = '';
  for (const ch of text) {
    const w = charWidth(ch);
    if (n + w > cells) break;
    n += w;
    out += ch;
  }
  return out;
}

/** The longest suffix of plain `text` that fits in `cells`. */
export function takeCellsFromEnd(text: string, cells: number): string {
  const chars = [...text];
  let n = 0;
  let i = chars.length;
  while (i > 0) {
    const w = charWidth(chars[i - 1] as string);
    if (n + w > cells) break;
    n += w;
    i -= 1;
  }
  return chars.slice(i).join('');
}

/** The ellipsis PowerShell 7 appends to truncated cells (`PSObjectHelper.EllipsisStr`). */
export const ELLIPSIS = '\u2026';

/**
 * Fits plain `text` into exactly `width` cells or fewer: cut with `…` at the end (left aligned)
 * or at the start (right aligned), as PowerShell's TableWriter.GenerateRowField does.
 */
export function truncate(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  if (width === 1) return align === 'right' ? takeCellsFromEnd(text, 1) : takeCells(text, 1);
  return align === 'right' ? ELLIPSIS + takeCellsFromEnd(text, width - 1) : takeCells(text, width - 1) + ELLIPSIS;
}

/** Pads with spaces to `width` cells, on the right (left aligned) or the left (right aligned). */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const gap = Math.max(0, width - displayWidth(text));
  return align === 'right' ? ' '.repeat(gap) + text : text + ' '.repeat(gap);
}

/** Splits plain `text` into pieces of at most `width` cells (a wide character never splits). */
export function chunkCells(text: string, width: number): string[] {
  if (width <= 0) return [text];
  const out: string[] = [];
  let line = '';
  let n = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (n + w > width && line !== '') {
      out.push(line);
      line = '';
      n = 0;
    }
    line += ch;
    n += w;
  }
  out.push(line);
  return out;
}
