/**
 * The tokenizer of the PowerShell subset.
 *
 * PowerShell's tokenizer is modal (about_Parsing): in *expression mode* `-eq` is an operator and
 * `5` a number; in *command mode* `-Name` is a parameter and `a.txt` a bare string. The parser
 * knows which mode applies, so it asks for each token with a mode: `lex(offset, mode)` is a pure
 * function of the source, the offset and the mode, and the parser may re-lex the same offset in
 * the other mode. Positions are UTF-16 offsets into the script; `Source.lineColumn` turns one
 * into PowerShell's 1-based line and column for error messages.
 *
 * Expandable strings ("…") are split here into literal text, `$var` and `$( … )` parts; a
 * subexpression is only delimited (by lexing its content and counting brackets) and the parser
 * parses that range later, so both layers stay independent.
 */
import { ps, type PSValue } from '../../psrp/clixml/index.js';
import { ParseFailure } from './parse-error.js';

export type LexMode = 'expression' | 'command';

export type TokenKind =
  | 'eof' | 'newline' | 'semi' | 'pipe' | 'amp' | 'lparen' | 'rparen' | 'lbrace' | 'rbrace' | 'lbracket' | 'rbracket'
  | 'atparen' | 'athash' | 'dollarparen' | 'comma' | 'dot' | 'dotdot' | 'coloncolon'
  | 'op' | 'dashop' | 'number' | 'string' | 'xstring' | 'variable' | 'splat' | 'ident' | 'generic' | 'param'
  | 'redirect' | 'andand' | 'oror';

/** One piece of an expandable string. Offsets are absolute. */
export type StringPart =
  | { kind: 'text'; value: string }
  | { kind: 'var'; name: string; start: number; end: number }
  | { kind: 'sub'; start: number; end: number };

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  start: number;
  end: number;
  /** True when whitespace (or a comment) separates it from the previous token. */
  spaceBefore: boolean;
  /** op/dashop: the operator (lower case, without `-`); ident/generic/param: the name; string: the value. */
  name?: string;
  number?: PSValue;
  parts?: StringPart[];
  /** param: a value follows a colon (`-Name:value`). */
  colon?: boolean;
}

const COMPARISON = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains', 'in', 'notin', 'replace', 'split'];
/** Every `-word` operator of the subset; comparison operators also take an `i`/`c` prefix. */
export const DASH_OPERATORS: ReadonlySet<string> = new Set([
  ...COMPARISON, ...COMPARISON.map((o) => `i${o}`), ...COMPARISON.map((o) => `c${o}`),
  'join', 'is', 'isnot', 'as', 'and', 'or', 'xor', 'not', 'band', 'bor', 'bxor', 'bnot', 'shl', 'shr', 'f',
]);

const MULTIPLIERS: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };
const NAME_CHAR = /[\p{L}\p{N}_?]/u;
const VAR_CHAR = /[\p{L}\p{N}_]/u;
/** Characters that end a bare command-mode word. */
const COMMAND_STOP = new Set([' ', '\t', '\r', '\n', ';', '|', ')', '}', '(', '{', ',', '&', '>', '\f', '\v', '\u00a0']);

/** Escapes of PowerShell's double-quoted strings (about_Special_Characters). */
const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\u00a0';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The script text with line lookup. */
export class Source {
  readonly text: string;
  readonly #lineStarts: number[] = [0];

  constructor(text: string) {
    this.text = text;
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#lineStarts.push(i + 1);
  }

  /** 1-based line and column of an offset. */
  lineColumn(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.#lineStarts[lo] ?? 0) + 1 };
  }

  /** The text of the line holding an offset, without its newline. */
  lineText(offset: number): string {
    const { line } = this.lineColumn(offset);
    const start = this.#lineStarts[line - 1] ?? 0;
    const next = this.#lineStarts[line];
    return this.text.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, '');
  }
}

/** The tokenizer; see the file comment. */
export class Lexer {
  readonly source: Source;
  readonly #s: string;

  constructor(source: Source) {
    this.source = source;
    this.#s = source.text;
  }

  /** The offset of the next token at or after `at` (whitespace and comments skipped). */
  skipTrivia(at: number): number {
    const s = this.#s;
    for (;;) {
      const c = s[at];
      if (isSpace(c)) at++;
      else if (c === '`' && (s[at + 1] === '\n' || (s[at + 1] === '\r' && s[at + 2] === '\n'))) at += s[at + 1] === '\r' ? 3 : 2;
      else if (c === '#') {
        while (at < s.length && s[at] !== '\n') at++;
      } else if (c === '<' && s[at + 1] === '#') {
        const close = s.indexOf('#>', at + 2);
        if (close < 0) throw new ParseFailure('MissingEndOfComment', 'The block comment is missing the terminator: "#>".', at, s.length);
        at = close + 2;
      } else return at;
    }
  }

  /** The token starting at or after `offset`, read in `mode`. */
  lex(offset: number, mode: LexMode): Token {
    const start = this.skipTrivia(offset);
    const spaceBefore = start > offset || offset === 0;
    const t = this.#read(start, mode);
    t.spaceBefore = spaceBefore;
    return t;
  }

  #tok(kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}): Token {
    return { kind, text: this.#s.slice(start, end), start, end, spaceBefore: false, ...extra };
  }

  #read(at: number, mode: LexMode): Token {
    const s = this.#s;
    const c = s[at];
    const n = s[at + 1];
    if (c === undefined) return this.#tok('eof', at, at);
    if (c === '\r' && n === '\n') return this.#tok('newline', at, at + 2);
    if (c === '\n' || c === '\r') return this.#tok('newline', at, at + 1);
    if (c === ';') return this.#tok('semi', at, at + 1);
    if (c === '|') return n === '|' ? this.#tok('oror', at, at + 2) : this.#tok('pipe', at, at + 1);
    if (c === '&') return n === '&' ? this.#tok('andand', at, at + 2) : this.#tok('amp', at, at + 1);
    if (c === '(') return this.#tok('lparen', at, at + 1);
    if (c === ')') return this.#tok('rparen', at, at + 1);
    if (c === '{') return this.#tok('lbrace', at, at + 1);
    if (c === '}') return this.#tok('rbrace', at, at + 1);
    if (c === ',') return this.#tok('comma', at, at + 1);
    if (c === "'" || c === '\u2018' || c === '\u2019') return this.#verbatim(at);
    if (c === '"' || c === '\u201c' || c === '\u201d') return this.#expandable(at);
    if (c === '@') {
      if (n === '(') return this.#tok('atparen', at, at + 2);
      if (n === '{') return this.#tok('athash', at, at + 2);
      if (n === '"' || n === "'") return this.#hereString(at);
      if (n !== undefined && VAR_CHAR.test(n)) {
        let e = at + 1;
        while (e < s.length && VAR_CHAR.test(s[e] ?? '')) e++;
        return this.#tok('splat', at, e, { name: s.slice(at + 1, e) });
      }
    }
    if (c === '$') {
      if (n === '(') return this.#tok('dollarparen', at, at + 2);
      const v = this.#variable(at);
      if (v) return v;
    }
    const redirect = /^(?:[*1-6]?>>|[*1-6]?>&[12]|[*1-6]?>)/.exec(s.slice(at, at + 4));
    if (redirect && (c === '>' || (mode === 'command' && n === '>'))) {
      return this.#tok('redirect', at, at + redirect[0].length);
    }
    return mode === 'command' ? this.#commandToken(at) : this.#expressionToken(at);
  }

  #expressionToken(at: number): Token {
    const s = this.#s;
    const c = s[at] ?? '';
    const n = s[at + 1];
    if (isDigit(c) || (c === '.' && isDigit(n))) {
      const num = this.#number(at);
      if (num) return num;
    }
    if (c === '[') return this.#tok('lbracket', at, at + 1);
    if (c === ']') return this.#tok('rbracket', at, at + 1);
    if (c === '.') return n === '.' ? this.#tok('dotdot', at, at + 2) : this.#tok('dot', at, at + 1);
    if (c === ':' && n === ':') return this.#tok('coloncolon', at, at + 2);
    if (c === '-' || c === '\u2013' || c === '\u2014') {
      let e = at + 1;
      while (e < s.length && /[A-Za-z]/.test(s[e] ?? '')) e++;
      const word = s.slice(at + 1, e).toLowerCase();
      if (word && DASH_OPERATORS.has(word)) return this.#tok('dashop', at, e, { name: word });
      if (n === '-' || n === '=') return this.#tok('op', at, at + 2, { name: s.slice(at, at + 2) });
      return this.#tok('op', at, at + 1, { name: '-' });
    }
    if (c === '+' || c === '*' || c === '/' || c === '%' || c === '=' || c === '!') {
      const two = s.slice(at, at + 2);
      if (two === '++' || two === '+=' || two === '*=' || two === '/=' || two === '%=') return this.#tok('op', at, at + 2, { name: two });
      return this.#tok('op', at, at + 1, { name: c });
    }
    if (NAME_CHAR.test(c) || c === '\\' || c === '~') {
      let e = at;
      while (e < s.length && /[\p{L}\p{N}_\-]/u.test(s[e] ?? '')) e++;
      if (e === at) e = at + 1;
      return this.#tok('ident', at, e, { name: s.slice(at, e) });
    }
    return this.#tok('generic', at, at + 1, { name: c });
  }

  #commandToken(at: number): Token {
    const s = this.#s;
    const c = s[at] ?? '';
    const n = s[at + 1];
    if ((c === '-' || c === '\u2013') && n !== undefined && (/[\p{L}_?]/u.test(n) || (n === '-' && /[\p{L}]/u.test(s[at + 2] ?? '')))) {
      let e = at + 1;
      while (e < s.length && !COMMAND_STOP.has(s[e] ?? '') && s[e] !== ':') e++;
      const colon = s[e] === ':';
      return this.#tok('param', at, colon ? e + 1 : e, { name: s.slice(at + 1, e), colon });
    }
    if (isDigit(c) || ((c === '-' || c === '.') && (isDigit(n) || (n === '.' && isDigit(s[at + 2]))))) {
      const num = this.#number(c === '-' ? at + 1 : at);
      if (num && (num.end >= s.length || COMMAND_STOP.has(s[num.end] ?? ''))) {
        if (c === '-') return { ...num, start: at, text: s.slice(at, num.end), number: negate(num.number ?? 0) };
        return num;
      }
    }
    let e = at;
    while (e < s.length && !COMMAND_STOP.has(s[e] ?? '')) {
      if (s[e] === '`' && e + 1 < s.length) e++;
      e++;
    }
    if (e === at) e = at + 1;
    return this.#tok('generic', at, e, { name: s.slice(at, e) });
  }

  /** `$name`, `${any}`, `$scope:name`, `$_`, `$$`, `$?`, `$^`; null when `$` stands alone. */
  #variable(at: number): Token | null {
    const s = this.#s;
    if (s[at + 1] === '{') {
      const close = s.indexOf('}', at + 2);
      if (close < 0) throw new ParseFailure('IncompleteDollarVariableReference', "Variable reference is not valid. '$' was not followed by a valid variable name character. Consider using ${} to delimit the name.", at, s.length);
      return this.#tok('variable', at, close + 1, { name: s.slice(at + 2, close) });
    }
    const c = s[at + 1];
    if (c === '$' || c === '?' || c === '^') return this.#tok('variable', at, at + 2, { name: c });
    let e = at + 1;
    while (e < s.length && VAR_CHAR.test(s[e] ?? '')) e++;
    if (e === at + 1) return null;
    // A scope or drive qualifier: $env:PATH, $global:x (but not `$x::` static access).
    if (s[e] === ':' && s[e + 1] !== ':' && VAR_CHAR.test(s[e + 1] ?? '')) {
      e++;
      while (e < s.length && VAR_CHAR.test(s[e] ?? '')) e++;
    }
    return this.#tok('variable', at, e, { name: s.slice(at + 1, e) });
  }

  #number(at: number): Token | null {
    const s = this.#s;
    const hex = /^0x([0-9a-f]+)(l)?(kb|mb|gb|tb|pb)?/i.exec(s.slice(at, at + 40));
    if (hex) {
      const v = parseInt(hex[1] ?? '0', 16) * (MULTIPLIERS[(hex[3] ?? '').toLowerCase()] ?? 1);
      const isLong = hex[2] !== undefined;
      return this.#tok('number', at, at + hex[0].length, { number: intValue(v, isLong) });
    }
    const m = /^(\d*\.?\d+|\d+\.(?!\.))(?:e[+-]?\d+)?([ld])?(kb|mb|gb|tb|pb)?/i.exec(s.slice(at, at + 400));
    const m2 = m && /^\d+\.(?!\.)\d*(?:e[+-]?\d+)?([ld])?(kb|mb|gb|tb|pb)?/i.exec(s.slice(at, at + 400));
    const match = m2 && m2[0].length > (m?.[0].length ?? 0) ? m2 : m;
    if (!match) return null;
    const text = match[0];
    const body = text.replace(/([ld])?(kb|mb|gb|tb|pb)?$/i, '');
    const mult = MULTIPLIERS[(/(kb|mb|gb|tb|pb)$/i.exec(text)?.[1] ?? '').toLowerCase()] ?? 1;
    const suffix = /([ld])(?:kb|mb|gb|tb|pb)?$/i.exec(text)?.[1]?.toLowerCase();
    const isReal = /[.e]/i.test(body);
    const v = Number(body) * mult;
    let number: PSValue;
    if (suffix === 'd') number = ps.text('D', String(v));
    else if (isReal && mult === 1) number = ps.double(v);
    else number = intValue(v, suffix === 'l');
    return this.#tok('number', at, at + text.length, { number });
  }

  #verbatim(at: number): Token {
    const s = this.#s;
    let value = '';
    let i = at + 1;
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new ParseFailure('TerminatorExpectedAtEndOfString', "The string is missing the terminator: '.", at, s.length);
      if (isSingleQuote(c)) {
        if (isSingleQuote(s[i + 1])) { value += "'"; i += 2; continue; }
        return this.#tok('string', at, i + 1, { name: value });
      }
      value += c;
      i++;
    }
  }

  #expandable(at: number): Token {
    const s = this.#s;
    const parts: StringPart[] = [];
    let text = '';
    let i = at + 1;
    const flush = (): void => { if (text) parts.push({ kind: 'text', value: text }); text = ''; };
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new ParseFailure('TerminatorExpectedAtEndOfString', 'The string is missing the terminator: ".', at, s.length);
      if (isDoubleQuote(c)) {
        if (isDoubleQuote(s[i + 1])) { text += '"'; i += 2; continue; }
        flush();
        return this.#tok('xstring', at, i + 1, { parts });
      }
      if (c === '`' && i + 1 < s.length) {
        const [val, len] = this.#escape(i);
        text += val;
        i += len;
        continue;
      }
      if (c === '$') {
        const consumed = this.#dollarPart(i, parts, flush);
        if (consumed > i) { i = consumed; continue; }
      }
      text += c;
      i++;
    }
  }

  /** Parses `$var` or `$( … )` inside a string at i; returns the offset after it, or i if `$` is literal. */
  #dollarPart(i: number, parts: StringPart[], flush: () => void): number {
    const s = this.#s;
    if (s[i + 1] === '(') {
      flush();
      const end = this.matchingClose(i + 2, 'rparen');
      parts.push({ kind: 'sub', start: i + 2, end });
      return end + 1;
    }
    const v = this.#variable(i);
    if (!v) return i;
    flush();
    parts.push({ kind: 'var', name: v.name ?? '', start: v.start, end: v.end });
    return v.end;
  }

  #escape(i: number): [string, number] {
    const s = this.#s;
    const n = s[i + 1] ?? '';
    if (n === 'u' && s[i + 2] === '{') {
      const close = s.indexOf('}', i + 3);
      const code = parseInt(s.slice(i + 3, close), 16);
      if (close > 0 && Number.isFinite(code) && code <= 0x10ffff) return [String.fromCodePoint(code), close - i + 1];
    }
    return [ESCAPES[n] ?? n, 2];
  }

  /** `@" … "@` and `@' … '@`: the opening quote must end its line, the closing one start a line. */
  #hereString(at: number): Token {
    const s = this.#s;
    const quote = s[at + 1] ?? '"';
    let i = at + 2;
    while (isSpace(s[i])) i++;
    if (s[i] === '\r') i++;
    if (s[i] !== '\n') throw new ParseFailure('UnexpectedCharactersAfterHereStringHeader', 'No characters are allowed after a here-string header but before the end of the line.', at, i);
    const bodyStart = i + 1;
    const re = quote === '"' ? /\r?\n"@/g : /\r?\n'@/g;
    re.lastIndex = bodyStart - 1;
    const m = re.exec(s);
    if (!m) {
      throw new ParseFailure('TerminatorExpectedAtEndOfString', `The string is missing the terminator: ${quote}@.`, at, s.length);
    }
    const bodyEnd = Math.max(bodyStart, m.index);
    const end = m.index + m[0].length;
    if (quote === "'") return this.#tok('string', at, end, { name: s.slice(bodyStart, bodyEnd) });
    const parts: StringPart[] = [];
    let text = '';
    const flush = (): void => { if (text) parts.push({ kind: 'text', value: text }); text = ''; };
    for (let j = bodyStart; j < bodyEnd;) {
      const c = s[j] ?? '';
      if (c === '`' && j + 1 < bodyEnd) { const [v, len] = this.#escape(j); text += v; j += len; continue; }
      if (c === '$') { const k = this.#dollarPart(j, parts, flush); if (k > j) { j = k; continue; } }
      text += c;
      j++;
    }
    flush();
    return this.#tok('xstring', at, end, { parts });
  }

  /** The parts of a bare command-mode word holding `$var`, `$( … )` or backtick escapes. */
  bareParts(start: number, end: number): StringPart[] {
    const s = this.#s;
    const parts: StringPart[] = [];
    let text = '';
    const flush = (): void => { if (text) parts.push({ kind: 'text', value: text }); text = ''; };
    for (let j = start; j < end;) {
      const c = s[j] ?? '';
      if (c === '`' && j + 1 < end) { const [v, len] = this.#escape(j); text += v; j += len; continue; }
      if (c === '$') { const k = this.#dollarPart(j, parts, flush); if (k > j) { j = k; continue; } }
      text += c;
      j++;
    }
    flush();
    return parts;
  }

  /**
   * The offset of the bracket closing a group whose content starts at `from`, found by lexing the
   * content (so brackets inside strings and comments do not count).
   */
  matchingClose(from: number, close: 'rparen' | 'rbrace'): number {
    let depth = 0;
    let at = from;
    for (;;) {
      const t = this.lex(at, 'expression');
      switch (t.kind) {
        case 'eof':
          throw new ParseFailure(close === 'rparen' ? 'MissingEndParenthesisInSubexpression' : 'MissingEndCurlyBrace',
            close === 'rparen' ? "Missing closing ')' in subexpression." : "Missing closing '}' in statement block or type definition.", from - 2, t.start);
        case 'lparen': case 'lbrace': case 'atparen': case 'athash': case 'dollarparen': depth++; break;
        case 'rparen': case 'rbrace':
          if (depth === 0) return t.start;
          depth--;
          break;
        default:
      }
      at = t.end;
    }
  }
}

function isSingleQuote(c: string | undefined): boolean {
  return c === "'" || c === '\u2018' || c === '\u2019' || c === '\u201a' || c === '\u201b';
}

function isDoubleQuote(c: string | undefined): boolean {
  return c === '"' || c === '\u201c' || c === '\u201d' || c === '\u201e';
}

/** Int32 when it fits, else Int64, else Double — PowerShell's choice for integer literals. */
function intValue(v: number, long: boolean): PSValue {
  if (!long && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
  if (Number.isSafeInteger(v)) return ps.i64(v);
  return ps.double(v);
}

function negate(v: PSValue): PSValue {
  if (typeof v === 'number') return v === 0 ? 0 : -v;
  if (v !== null && typeof v === 'object' && 'kind' in v) {
    if (v.kind === 'I64') return ps.i64(-v.value);
    if (v.kind === 'Db') return ps.double(-v.value);
    if (v.kind === 'D') return ps.text('D', String(-Number(v.value)));
  }
  return v;
}
