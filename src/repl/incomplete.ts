/**
 * Is this PowerShell input finished, or does the REPL show `>> ` and read another line?
 *
 * PowerShell decides by parsing: when the parse errors are all "incomplete input" (the parser ran
 * off the end of the text while it still expected something) the console host asks for more. We
 * approximate that with a tokenizer-level scan, which is enough for what people type at a prompt:
 *
 *  - open delimiters: `(` `{` `[` `$(` `@(` `@{` not closed yet;
 *  - strings: `'…` and `"…` not closed (`''` and `""` and `` `" `` are escapes, and `$( … )`
 *    inside a double-quoted string is code again, with its own strings and braces);
 *  - here-strings: `@'` / `@"` at the end of a line until a line starting with `'@` / `"@`;
 *  - a `<#` block comment without its `#>`;
 *  - a backtick as the very last character (line continuation);
 *  - a trailing `|`, `||`, `&&`, `,` or assignment operator (`$x =`): PowerShell's "expression
 *    expected after …" errors are incomplete input too;
 *  - a statement keyword still waiting for its block: `if (…)`, `elseif (…)`, `while (…)`,
 *    `for (…)`, `foreach (…)`, `switch (…)`, `else`, `try`, `finally`, `do`, `catch [T]`,
 *    `function Name`.
 *
 * Anything else, including input that is simply wrong (a stray `}`), counts as complete: the
 * remote parser reports the error, as PowerShell does for input it cannot finish either.
 */

/** Why the input is unfinished, or null when it can be run. */
export type IncompleteReason = 'string' | 'here-string' | 'comment' | 'block' | 'continuation' | 'operator' | 'statement';

type Frame = '(' | '{' | '[' | 'dq';
type Token =
  | { kind: 'word'; text: string }
  | { kind: 'open'; text: string }
  /** `open` is the index of the matching open token in the token list. */
  | { kind: 'close'; text: string; open: number }
  | { kind: 'op'; text: string }
  | { kind: 'sep' }
  | { kind: 'value' };

const CLOSER: Record<string, Frame> = { ')': '(', '}': '{', ']': '[' };
const WORD_END = /[\s(){}[\];,|&'"`$]/;
const HEADER_KEYWORDS = new Set(['if', 'elseif', 'while', 'for', 'foreach', 'switch']);
const BARE_KEYWORDS = new Set(['else', 'try', 'finally', 'do']);
const TRAILING_OPS = new Set(['|', '||', '&&', ',', '=', '+=', '-=', '*=', '/=', '%=', '??=']);

/** True when PowerShell would ask for more input (see the file comment). */
export function isIncomplete(text: string): boolean {
  return incompleteReason(text) !== null;
}

/** What the input still lacks, or null when it is complete. */
export function incompleteReason(text: string): IncompleteReason | null {
  const tokens: Token[] = [];
  /** Open frames; for code frames, the index of their open token. */
  const stack: { frame: Frame; token: number }[] = [];
  let i = 0;
  const n = text.length;
  const push = (t: Token): void => void tokens.push(t);
  const open = (frame: Frame, textOf: string): void => {
    stack.push({ frame, token: tokens.length });
    push({ kind: 'open', text: textOf });
  };

  while (i < n) {
    const top = stack.at(-1);
    if (top?.frame === 'dq') {
      // Inside a double-quoted string: only escapes, the closing quote and `$(` matter.
      const c = text[i]!;
      if (c === '`') {
        i += 2;
      } else if (c === '"') {
        if (text[i + 1] === '"') i += 2;
        else {
          stack.pop();
          push({ kind: 'value' });
          i++;
        }
      } else if (c === '$' && text[i + 1] === '(') {
        open('(', '$(');
        i += 2;
      } else i++;
      continue;
    }

    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\n' || c === ';') {
      push({ kind: 'sep' });
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '<' && next === '#') {
      const end = text.indexOf('#>', i + 2);
      if (end < 0) return 'comment';
      i = end + 2;
    } else if (c === '`') {
      if (i + 1 >= n) return 'continuation';
      // `\n and `\r\n join lines; any other escaped character belongs to a word.
      i += next === '\r' && text[i + 2] === '\n' ? 3 : 2;
    } else if (c === "'") {
      const end = singleQuoteEnd(text, i + 1);
      if (end < 0) return 'string';
      push({ kind: 'value' });
      i = end + 1;
    } else if (c === '"') {
      stack.push({ frame: 'dq', token: tokens.length });
      i++;
    } else if (c === '@' && (next === "'" || next === '"') && restOfLineBlank(text, i + 2)) {
      const nl = text.indexOf('\n', i + 2);
      if (nl < 0) return 'here-string';
      const end = text.indexOf(`\n${next}@`, nl);
      if (end < 0) return 'here-string';
      push({ kind: 'value' });
      i = end + 3;
    } else if ((c === '@' || c === '$') && (next === '(' || next === '{')) {
      if (c === '$' && next === '{') {
        // ${braced variable name}
        const end = text.indexOf('}', i + 2);
        if (end < 0) return 'block';
        push({ kind: 'value' });
        i = end + 1;
      } else {
        open(next === '(' ? '(' : '{', c + next);
        i += 2;
      }
    } else if (c === '(' || c === '{' || c === '[') {
      open(c, c);
      i++;
    } else if (c === ')' || c === '}' || c === ']') {
      // A closer without its opener is a syntax error, not unfinished input: let the server say so.
      if (top === undefined || top.frame !== CLOSER[c]) return null;
      stack.pop();
      push({ kind: 'close', text: c, open: top.token });
      i++;
    } else if (c === '|' || c === '&' || c === ',') {
      const two = text.slice(i, i + 2);
      const op = two === '||' || two === '&&' ? two : c;
      push({ kind: 'op', text: op });
      i += op.length;
    } else if (c === '$') {
      let j = i + 1;
      while (j < n && /[\w:?^$]/.test(text[j]!)) j++;
      push({ kind: 'value' });
      i = Math.max(j, i + 1);
    } else {
      let j = i;
      while (j < n && !WORD_END.test(text[j]!)) j++;
      push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }

  const top = stack.at(-1);
  if (top) return top.frame === 'dq' ? 'string' : 'block';
  return trailingReason(tokens);
}

/** Index of the quote closing a single-quoted string whose text starts at `from`, or -1. */
function singleQuoteEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] !== "'") continue;
    if (text[j + 1] === "'") j++;
    else return j;
  }
  return -1;
}

/** A here-string opener must end its line (`@'` then only blanks). */
function restOfLineBlank(text: string, from: number): boolean {
  for (let j = from; j < text.length && text[j] !== '\n'; j++) if (!/\s/.test(text[j]!)) return false;
  return true;
}

/** True when the token before `index` starts a statement (nothing, a separator, a brace). */
function startsStatement(tokens: Token[], index: number): boolean {
  const prev = tokens[index - 1];
  return prev === undefined || prev.kind === 'sep' || (prev.kind === 'open' && prev.text === '{') || (prev.kind === 'close' && prev.text === '}');
}

const keyword = (t: Token | undefined): string | undefined => (t?.kind === 'word' ? t.text.toLowerCase() : undefined);

/** The rules that look at how the (balanced) input ends. */
function trailingReason(tokens: Token[]): IncompleteReason | null {
  const last = tokens.at(-1);
  if (last === undefined) return null;
  if (last.kind === 'op' && TRAILING_OPS.has(last.text)) return 'operator';
  if (last.kind === 'word' && TRAILING_OPS.has(last.text)) return 'operator';

  const lastIndex = tokens.length - 1;
  const word = keyword(last);
  if (word !== undefined && BARE_KEYWORDS.has(word) && startsStatement(tokens, lastIndex)) return 'statement';
  if (word === 'catch' && startsStatement(tokens, lastIndex)) return 'statement';
  // function Name / filter Name
  const before = keyword(tokens[lastIndex - 1]);
  if (last.kind === 'word' && (before === 'function' || before === 'filter') && startsStatement(tokens, lastIndex - 1)) return 'statement';

  if (last.kind !== 'close') return null;
  const opener = last.open;
  if (last.text === ']') {
    // catch [System.IO.IOException]
    return keyword(tokens[opener - 1]) === 'catch' && startsStatement(tokens, opener - 1) ? 'statement' : null;
  }
  if (last.text !== ')') return null;
  // function Name(…)
  if (tokens[opener - 1]?.kind === 'word' && ['function', 'filter'].includes(keyword(tokens[opener - 2]) ?? '') && startsStatement(tokens, opener - 2)) {
    return 'statement';
  }
  // The keyword may be followed by switch options: switch -Regex -CaseSensitive (…)
  let k = opener - 1;
  while (k >= 0 && tokens[k]?.kind === 'word' && (tokens[k] as { text: string }).text.startsWith('-')) k--;
  const head = keyword(tokens[k]);
  if (head === undefined || !HEADER_KEYWORDS.has(head) || !startsStatement(tokens, k)) return null;
  // do { … } while (…) / until (…) is a finished statement.
  if (head === 'while') {
    const prev = tokens[k - 1];
    if (prev?.kind === 'close' && prev.text === '}' && keyword(tokens[prev.open - 1]) === 'do') return null;
  }
  return 'statement';
}
