/**
 * Expression half of the recursive-descent parser (about_Operator_Precedence, lowest first):
 *
 *   -and -or -xor  <  comparison (-eq … -match -replace -split -join -is -as)  <  -band -bor …
 *   <  + -  <  * / %  <  -f  <  ..  <  unary (! -not - + ++ --)  <  ,  <  cast  <  . :: [] ()
 *
 * The statement half (parser.ts) extends this class; expressions call back into it for the
 * statement lists inside `( )`, `$( )`, `@( )`, `@{ }` values and script blocks.
 */
import type { Block, ExpandPart, Expr, ScriptBlockAst, Statement } from './ast.js';
import { Lexer, Source, type LexMode, type StringPart, type Token } from './lexer.js';
import { ParseFailure } from './parse-error.js';

/** Deeper nesting than this is refused (a hostile script must not exhaust the JS stack). */
export const MAX_NESTING = 120;

const COMPARISON_OPS = /^[ic]?(eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|replace|split)$|^(join|is|isnot|as)$/;
const BITWISE_OPS = new Set(['band', 'bor', 'bxor', 'shl', 'shr']);
const LOGICAL_OPS = new Set(['and', 'or', 'xor']);

/** Token reading shared by both halves of the parser. */
export abstract class ExpressionParser {
  protected readonly lexer: Lexer;
  protected readonly source: Source;
  protected pos: number;
  protected readonly limit: number;
  #depth = 0;
  #noComma = false;
  #cache: { pos: number; mode: LexMode; token: Token } | null = null;

  constructor(source: Source, start = 0, limit = source.text.length) {
    this.source = source;
    this.lexer = new Lexer(source);
    this.pos = start;
    this.limit = limit;
  }

  protected abstract parseStatementList(close: 'eof' | 'rparen' | 'rbrace'): Block;
  protected abstract parseStatement(): Statement;
  protected abstract parseScriptBlockBody(open: Token): ScriptBlockAst;

  protected peek(mode: LexMode = 'expression'): Token {
    const c = this.#cache;
    if (c && c.pos === this.pos && c.mode === mode) return c.token;
    let token = this.lexer.lex(this.pos, mode);
    if (token.start >= this.limit) token = { ...token, kind: 'eof', text: '', start: this.limit, end: this.limit };
    this.#cache = { pos: this.pos, mode, token };
    return token;
  }

  protected next(mode: LexMode = 'expression'): Token {
    const t = this.peek(mode);
    this.pos = t.end;
    return t;
  }

  protected skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  protected fail(errorId: string, message: string, at: Token | number, end?: number): never {
    const start = typeof at === 'number' ? at : at.start;
    throw new ParseFailure(errorId, message, start, end ?? (typeof at === 'number' ? at : at.end));
  }

  protected unexpected(t: Token): never {
    if (t.kind === 'eof') this.fail('IncompleteParseException', 'Unexpected end of script.', t);
    this.fail('UnexpectedToken', `Unexpected token '${t.text}' in expression or statement.`, t);
  }

  /** Runs `f` one nesting level deeper, refusing hostile depth. */
  protected nested<T>(at: number, f: () => T): T {
    if (++this.#depth > MAX_NESTING) this.fail('ScriptTooDeeplyNested', 'The script is nested too deeply to be parsed.', at);
    try {
      return f();
    } finally {
      this.#depth--;
    }
  }

  protected expect(kind: Token['kind'], errorId: string, message: string, mode: LexMode = 'expression'): Token {
    const t = this.peek(mode);
    if (t.kind !== kind) this.fail(errorId, message, t);
    return this.next(mode);
  }

  /** A full expression (no pipelines, no assignment). */
  parseExpression(): Expr {
    return this.nested(this.pos, () => this.#logical());
  }

  #binaryLevel(ops: (name: string) => boolean, operand: () => Expr): Expr {
    let left = operand();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'dashop' || !ops(t.name ?? '')) return left;
      this.next();
      this.skipNewlines();
      const right = this.#operand(t, operand);
      left = { type: 'Binary', op: t.name ?? '', left, right, start: left.start, end: right.end };
    }
  }

  #operand(op: Token, parse: () => Expr): Expr {
    const t = this.peek();
    if (isEndOfExpression(t)) this.fail('ExpectedValueExpression', `You must provide a value expression following the '${op.text}' operator.`, op.end, op.end);
    return parse();
  }

  #logical(): Expr {
    return this.#binaryLevel((n) => LOGICAL_OPS.has(n), () => this.#comparison());
  }

  #comparison(): Expr {
    return this.#binaryLevel((n) => COMPARISON_OPS.test(n), () => this.#bitwise());
  }

  #bitwise(): Expr {
    return this.#binaryLevel((n) => BITWISE_OPS.has(n), () => this.#additive());
  }

  #arith(ops: string[], operand: () => Expr): Expr {
    let left = operand();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.name ?? '')) return left;
      this.next();
      this.skipNewlines();
      const right = this.#operand(t, operand);
      left = { type: 'Binary', op: t.name ?? '', left, right, start: left.start, end: right.end };
    }
  }

  #additive(): Expr {
    return this.#arith(['+', '-'], () => this.#multiplicative());
  }

  #multiplicative(): Expr {
    return this.#arith(['*', '/', '%'], () => this.#format());
  }

  #format(): Expr {
    return this.#binaryLevel((n) => n === 'f', () => this.#range());
  }

  #range(): Expr {
    let left = this.#unary();
    while (this.peek().kind === 'dotdot') {
      const op = this.next();
      this.skipNewlines();
      const right = this.#operand(op, () => this.#unary());
      left = { type: 'Binary', op: '..', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  #unary(): Expr {
    const t = this.peek();
    if (t.kind === 'comma') {
      // Unary comma: `,1` is a one-element array.
      this.next();
      const item = this.nested(t.start, () => this.#unary());
      return { type: 'ArrayLiteral', items: [item], start: t.start, end: item.end };
    }
    const isOp = (t.kind === 'op' && ['!', '-', '+', '++', '--'].includes(t.name ?? '')) ||
      (t.kind === 'dashop' && ['not', 'bnot', 'split', 'join'].includes(t.name ?? ''));
    if (!isOp) return this.#commaList();
    this.next();
    this.skipNewlines();
    const next = this.peek();
    if (isEndOfExpression(next)) this.fail('MissingExpressionAfterOperator', `Missing expression after unary operator '${t.text}'.`, t.end, t.end);
    const operand = this.nested(t.start, () => this.#unary());
    return { type: 'Unary', op: t.name ?? '', operand, start: t.start, end: operand.end };
  }

  #commaList(): Expr {
    const first = this.parsePostfix();
    if (this.#noComma || this.peek().kind !== 'comma') return first;
    const items = [first];
    while (this.peek().kind === 'comma') {
      const comma = this.next();
      this.skipNewlines();
      if (isEndOfExpression(this.peek())) this.fail('MissingExpressionAfterOperator', "Missing expression after ','.", comma.end);
      items.push(this.#unaryNoComma());
    }
    const last = items[items.length - 1] ?? first;
    return { type: 'ArrayLiteral', items, start: first.start, end: last.end };
  }

  #unaryNoComma(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.name === '-' || t.name === '!' || t.name === '+')) {
      this.next();
      const operand = this.#unaryNoComma();
      return { type: 'Unary', op: t.name, operand, start: t.start, end: operand.end };
    }
    return this.parsePostfix();
  }

  /** A primary expression followed by member access, method calls, indexing and `++`/`--`. */
  parsePostfix(): Expr {
    let e = this.#primary();
    for (;;) {
      const t = this.peek();
      if ((t.kind === 'dot' || t.kind === 'coloncolon') && !t.spaceBefore) {
        this.next();
        const member = this.#memberName();
        const isStatic = t.kind === 'coloncolon';
        const open = this.peek();
        if (open.kind === 'lparen' && !open.spaceBefore) {
          this.next();
          const args = this.#arguments();
          e = { type: 'Invoke', target: e, member, args, static: isStatic, start: e.start, end: this.pos };
        } else e = { type: 'Member', target: e, member, static: isStatic, start: e.start, end: member.end };
      } else if (t.kind === 'lbracket' && !t.spaceBefore) {
        this.next();
        this.skipNewlines();
        if (this.peek().kind === 'rbracket') this.fail('MissingArrayIndexExpression', 'Array index expression is missing or not valid.', this.peek());
        const index = this.parseExpression();
        this.skipNewlines();
        const close = this.expect('rbracket', 'MissingEndSquareBracket', "Missing ']' after array index expression.");
        e = { type: 'Index', target: e, index, start: e.start, end: close.end };
      } else if (t.kind === 'op' && (t.name === '++' || t.name === '--') && isAssignable(e)) {
        this.next();
        e = { type: 'Postfix', op: t.name, operand: e, start: e.start, end: t.end };
      } else return e;
    }
  }

  #memberName(): Expr {
    const at = this.lexer.skipTrivia(this.pos);
    const m = /^[\p{L}\p{N}_]+/u.exec(this.source.text.slice(at, at + 512));
    if (m && at < this.limit) {
      this.pos = at + m[0].length;
      return { type: 'Constant', value: m[0], start: at, end: this.pos };
    }
    const t = this.peek();
    if (t.kind === 'string' || t.kind === 'xstring' || t.kind === 'variable' || t.kind === 'lparen') return this.#primary();
    this.fail('MissingPropertyName', 'Missing property name after reference operator.', t);
  }

  #arguments(): Expr[] {
    const args: Expr[] = [];
    this.skipNewlines();
    if (this.peek().kind === 'rparen') {
      this.next();
      return args;
    }
    for (;;) {
      this.skipNewlines();
      args.push(this.nested(this.pos, () => this.#logicalNoComma()));
      this.skipNewlines();
      const t = this.next();
      if (t.kind === 'rparen') return args;
      if (t.kind !== 'comma') this.fail('MissingEndParenthesisInMethodCall', "Missing closing ')' in method call.", t);
    }
  }

  /** Method arguments are separated by commas, so each one is an expression without `,`. */
  #logicalNoComma(): Expr {
    const saved = this.#noComma;
    this.#noComma = true;
    try {
      return this.#logical();
    } finally {
      this.#noComma = saved;
    }
  }

  /** Inside brackets commas make arrays again. */
  #group<T>(f: () => T): T {
    const saved = this.#noComma;
    this.#noComma = false;
    try {
      return f();
    } finally {
      this.#noComma = saved;
    }
  }

  #primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { type: 'Constant', value: t.number ?? 0, start: t.start, end: t.end };
      case 'string':
        this.next();
        return { type: 'Constant', value: t.name ?? '', start: t.start, end: t.end };
      case 'xstring':
        this.next();
        return this.expandable(t.parts ?? [], t.start, t.end);
      case 'variable':
        this.next();
        return { type: 'Variable', name: t.name ?? '', start: t.start, end: t.end };
      case 'dollarparen': case 'atparen': {
        this.next();
        const body = this.nested(t.start, () => this.#group(() => this.parseStatementList('rparen')));
        const close = this.expect('rparen', 'MissingEndParenthesisInSubexpression', "Missing closing ')' in subexpression.");
        return { type: t.kind === 'atparen' ? 'ArrayExpr' : 'SubExpr', body, start: t.start, end: close.end };
      }
      case 'lparen': {
        this.next();
        this.skipNewlines();
        if (this.peek().kind === 'rparen') this.fail('ExpectedExpression', 'An expression was expected after \'(\'.', this.peek());
        const pipeline = this.nested(t.start, () => this.#group(() => this.parseStatement()));
        this.skipNewlines();
        const close = this.expect('rparen', 'MissingEndParenthesisInExpression', "Missing closing ')' in expression.");
        return { type: 'Paren', pipeline, start: t.start, end: close.end };
      }
      case 'athash':
        this.next();
        return this.nested(t.start, () => this.#group(() => this.#hashtable(t)));
      case 'lbrace': {
        this.next();
        const block = this.nested(t.start, () => this.#group(() => this.parseScriptBlockBody(t)));
        return { type: 'ScriptBlock', block, start: t.start, end: block.end };
      }
      case 'lbracket':
        return this.#typeOrCast();
      default:
        if (t.kind === 'eof' || t.kind === 'newline' || t.kind === 'semi') {
          this.fail('ExpectedExpression', 'An expression was expected.', t);
        }
        this.unexpected(t);
    }
  }

  /** `[type]` then either `::member` (a type literal), an operand (a cast), or nothing. */
  #typeOrCast(): Expr {
    const open = this.next();
    const typeName = this.readTypeName(open);
    const after = this.peek();
    if (after.kind === 'coloncolon' || isEndOfExpression(after) || after.kind === 'dot' || after.kind === 'rbracket' ||
        (after.kind === 'op' && after.name !== '-' && after.name !== '!' && after.name !== '+' && after.name !== '++' && after.name !== '--') ||
        (after.kind === 'dashop' && after.name !== 'not' && after.name !== 'bnot')) {
      return { type: 'TypeLiteral', typeName, start: open.start, end: this.pos };
    }
    const operand = this.nested(open.start, () => this.#unaryNoComma());
    return { type: 'Cast', typeName, operand, start: open.start, end: operand.end };
  }

  /** The name inside `[ … ]` (generic arguments `[List[string]]` allowed); consumes the `]`. */
  protected readTypeName(open: Token): string {
    const s = this.source.text;
    let depth = 0;
    for (let i = open.end; i < this.limit; i++) {
      const c = s[i];
      if (c === '[') depth++;
      else if (c === ']') {
        if (depth === 0) {
          const name = s.slice(open.end, i).trim();
          if (!name || /[\s(){}$"';|]/.test(name)) break;
          this.pos = i + 1;
          return name;
        }
        depth--;
      } else if (c === '\n' || c === '(' || c === '{' || c === ')' || c === '}') break;
    }
    this.fail('EndSquareBracketExpectedAtEndOfType', 'Missing ] at end of type token.', open);
  }

  #hashtable(open: Token): Expr {
    const entries: { key: Expr; value: Statement }[] = [];
    for (;;) {
      while (['newline', 'semi'].includes(this.peek().kind)) this.next();
      const t = this.peek();
      if (t.kind === 'rbrace') {
        this.next();
        return { type: 'Hashtable', entries, start: open.start, end: t.end };
      }
      if (t.kind === 'eof') this.fail('IncompleteHashLiteral', 'The hash literal was incomplete.', t);
      let key: Expr;
      if (t.kind === 'ident' || t.kind === 'generic') {
        this.next();
        key = { type: 'Constant', value: t.text, start: t.start, end: t.end };
      } else key = this.parsePostfix();
      const eq = this.peek();
      if (eq.kind !== 'op' || eq.name !== '=') this.fail('MissingEqualsInHashLiteral', "Missing '=' operator after key in hash literal.", eq);
      this.next();
      this.skipNewlines();
      if (isEndOfExpression(this.peek())) this.fail('MissingHashEntryValue', 'Missing statement after \'=\' in hash literal.', eq.end);
      const value = this.parseStatement();
      entries.push({ key, value });
      const sep = this.peek();
      if (sep.kind !== 'newline' && sep.kind !== 'semi' && sep.kind !== 'rbrace') {
        this.fail('MissingEndCurlyBrace', "Missing closing '}' in hash literal.", sep);
      }
    }
  }

  /** An expandable string's parts: `$var` becomes a variable, `$( … )` a parsed subexpression. */
  protected expandable(parts: StringPart[], start: number, end: number): Expr {
    const out: ExpandPart[] = [];
    for (const p of parts) {
      if (p.kind === 'text') out.push(p);
      else if (p.kind === 'var') out.push({ kind: 'expr', expr: { type: 'Variable', name: p.name, start: p.start, end: p.end } });
      else out.push({ kind: 'expr', expr: this.subParse(p.start, p.end) });
    }
    return { type: 'Expandable', parts: out, start, end };
  }

  /** Parses the statements of `$( … )` between two offsets (a new parser over the same source). */
  protected abstract subParse(start: number, end: number): Expr;
}

/** True when no operand can start at this token. */
export function isEndOfExpression(t: Token): boolean {
  return ['eof', 'newline', 'semi', 'pipe', 'rparen', 'rbrace', 'rbracket', 'comma', 'andand', 'oror'].includes(t.kind);
}

/** Variables, members and indexes can be assigned to. */
export function isAssignable(e: Expr): boolean {
  return e.type === 'Variable' || e.type === 'Member' || e.type === 'Index' || (e.type === 'Cast' && e.operand.type === 'Variable');
}
