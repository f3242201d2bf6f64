/**
 * The terminal the renderer writes to, injected (like gh's IOStreams) so tests need no TTY, and
 * the colours PowerShell 7 uses, bound to that terminal's colour switch.
 *
 * Nothing here looks at `process`: the CLI decides `isTTY`, `columns` and `color` (off when stdout
 * is not a TTY or NO_COLOR is set) and passes them in.
 */
import { Chalk, type ChalkInstance } from 'chalk';

/** Where rendered text goes, and what it can show. */
export interface RenderTerminal {
  /** Whether this is an interactive terminal: progress is drawn only then. */
  isTTY: boolean;
  /** Width in cells; tables are cut to fit it. */
  columns: number;
  /** Whether to emit ANSI colours. */
  color: boolean;
  write(text: string): void;
}

/** A function that paints text (identity when colour is off). */
export type Paint = (text: string) => string;

/**
 * The roles PowerShell colours through `$PSStyle.Formatting` (pwsh 7.2+). Their defaults, from
 * PowerShell's own test/powershell/engine/Formatting/PSStyle.Tests.ps1: Error `ESC[31;1m`
 * (bold red), ErrorAccent `ESC[36;1m` (bold cyan), Warning, Verbose and Debug all `ESC[33;1m`
 * (bold yellow), FormatAccent and TableHeader `ESC[32;1m` (bold green).
 */
export interface Style {
  readonly enabled: boolean;
  error: Paint;
  errorAccent: Paint;
  warning: Paint;
  verbose: Paint;
  debug: Paint;
  tableHeader: Paint;
  formatAccent: Paint;
  progress: Paint;
  /** Paints with .NET ConsoleColor numbers (0–15); an undefined or out-of-range colour is left alone. */
  console(fg: number | undefined, bg: number | undefined): Paint;
}

// System.ConsoleColor order: Black, DarkBlue, DarkGreen, DarkCyan, DarkRed, DarkMagenta, DarkYellow,
// Gray, DarkGray, Blue, Green, Cyan, Red, Magenta, Yellow, White.
const FG = [
  'black', 'blue', 'green', 'cyan', 'red', 'magenta', 'yellow', 'white',
  'blackBright', 'blueBright', 'greenBright', 'cyanBright', 'redBright', 'magentaBright', 'yellowBright', 'whiteBright',
] as const;
const BG = [
  'bgBlack', 'bgBlue', 'bgGreen', 'bgCyan', 'bgRed', 'bgMagenta', 'bgYellow', 'bgWhite',
  'bgBlackBright', 'bgBlueBright', 'bgGreenBright', 'bgCyanBright', 'bgRedBright', 'bgMagentaBright', 'bgYellowBright', 'bgWhiteBright',
] as const;

const plain: Paint = (t) => t;

/** The style for a terminal: chalk with an explicit level (never chalk's own detection). */
export function createStyle(color: boolean): Style {
  if (!color) {
    return {
      enabled: false, error: plain, errorAccent: plain, warning: plain, verbose: plain, debug: plain,
      tableHeader: plain, formatAccent: plain, progress: plain, console: () => plain,
    };
  }
  const c: ChalkInstance = new Chalk({ level: 1 });
  const paint = (fn: ChalkInstance): Paint => (t) => (t === '' ? t : fn(t));
  return {
    enabled: true,
    error: paint(c.bold.red),
    errorAccent: paint(c.bold.cyan),
    warning: paint(c.bold.yellow),
    verbose: paint(c.bold.yellow),
    debug: paint(c.bold.yellow),
    tableHeader: paint(c.bold.green),
    formatAccent: paint(c.bold.green),
    // $PSStyle.Progress.Style default: ESC[33;1m.
    progress: paint(c.bold.yellow),
    console(fg, bg) {
      let fn: ChalkInstance | undefined;
      const f = fg === undefined ? undefined : FG[fg];
      const b = bg === undefined ? undefined : BG[bg];
      if (f) fn = c[f];
      if (b) fn = fn ? fn[b] : c[b];
      return fn ? paint(fn) : plain;
    },
  };
}
