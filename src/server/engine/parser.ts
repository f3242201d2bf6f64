/**
 * Statement half of the recursive-descent parser: statement lists, keywords, pipelines and
 * command-mode arguments (about_Parsing). Expressions are in parse-expression.ts.
 *
 * A statement that starts with a bare word (`Get-Process`, `ls`, `%`, `.\x`) or `&` is a command
 * pipeline, parsed in command mode; anything else starts an expression, which may become an
 * assignment (`$x = …`). After `|` only commands may follow, and there `foreach`/`where` are
 * command names (aliases), not keywords.
 */
import type { Block, CommandArg, CommandElement, Expr, ParamDecl, PipelineElement, PipelineStmt, Redirect, ScriptBlockAst, Statement } from './ast.js';
import { ExpressionParser, isAssignable, isEndOfExpression } from './parse-expression.js';
import { Source, type Token } from './lexer.js';

const KEYWORDS = new Set(['if', 'foreach', 'for', 'while', 'do', 'function', 'filter', 'return', 'break', 'continue', 'throw', 'exit', 'try', 'switch']);
const RESERVED = new Set(['class', 'enum', 'using', 'workflow', 'configuration', 'data', 'dynamicparam', 'trap', 'parallel', 'sequence', 'inlinescript']);
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=']);
const STATEMENT_END = new Set(['eof', 'newline', 'semi', 'rparen', 'rbrace']);

/** Parses a whole script. Throws ParseFailure. */
export function parseScript(text: string): ScriptBlockAst {
  const source = new Source(text);
  return new Parser(source).parseScriptBody();
}

/** The parser; see the file comment. */
export class Parser extends ExpressionParser {
  /** The top level of a script: an optional param block, then named blocks or statements. */
  parseScriptBody(): ScriptBlockAst {
    const block = this.#blockBody(0, 'eof');
    const t = this.peek();
    if (t.kind !== 'eof') this.unexpected(t);
    return { ...block, text: this.source.text };
  }

  protected parseScriptBlockBody(open: Token): ScriptBlockAst {
    const body = this.#blockBody(open.start, 'rbrace');
    const close = this.peek();
    if (close.kind !== 'rbrace') this.fail('MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", open, close.start);
    this.next();
    return { ...body, start: open.start, end: close.end, text: this.source.text.slice(open.end, close.start) };
  }

  #blockBody(start: number, close: 'eof' | 'rbrace'): ScriptBlockAst {
    this.#skipSeparators();
    let params: ParamDecl[] = [];
    const p = this.peek();
    if (p.kind === 'ident' && p.text.toLowerCase() === 'param') {
      this.next();
      this.skipNewlines();
      params = this.parseParamList(this.expect('lparen', 'MissingOpenParenthesisInParamBlock', "Missing '(' in param block."));
      this.#skipSeparators();
    }
    const named: Record<string, Block> = {};
    for (;;) {
      const t = this.peek();
      const word = t.kind === 'ident' ? t.text.toLowerCase() : '';
      if (!['begin', 'process', 'end'].includes(word)) break;
      const save = this.pos;
      this.next();
      this.skipNewlines();
      if (this.peek().kind !== 'lbrace') {
        this.pos = save;
        break;
      }
      named[word] = this.parseBlock(t);
      this.#skipSeparators();
    }
    const hasNamed = Object.keys(named).length > 0;
    const endBlock = hasNamed ? (named.end ?? null) : this.parseStatementList(close);
    return { params, beginBlock: named.begin ?? null, processBlock: named.process ?? null, endBlock, start, end: this.pos, text: '' };
  }

  #skipSeparators(): void {
    while (['newline', 'semi'].includes(this.peek().kind)) this.next();
  }

  protected parseStatementList(close: 'eof' | 'rparen' | 'rbrace'): Block {
    const start = this.pos;
    const statements: Statement[] = [];
    for (;;) {
      this.#skipSeparators();
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === close) return { statements, start, end: t.start };
      if (t.kind === 'rparen' || t.kind === 'rbrace') this.unexpected(t);
      statements.push(this.parseStatement());
      const sep = this.peek();
      if (!STATEMENT_END.has(sep.kind)) this.unexpected(sep);
    }
  }

  /** `{ statements }` */
  parseBlock(after: Token): Block {
    this.skipNewlines();
    const open = this.peek();
    if (open.kind !== 'lbrace') this.fail('MissingStatementBlock', `Missing statement block after '${after.text}'.`, after.end);
    this.next();
    return this.nested(open.start, () => {
      const block = this.parseStatementList('rbrace');
      const close = this.peek();
      if (close.kind !== 'rbrace') this.fail('MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", open, close.start);
      this.next();
      return { ...block, start: open.start, end: close.end };
    });
  }

  protected parseStatement(): Statement {
    const t = this.peek();
    if (t.kind === 'ident') {
      const word = t.text.toLowerCase();
      if (KEYWORDS.has(word)) return this.nested(t.start, () => this.#keyword(word, t));
      if (RESERVED.has(word)) this.fail('ReservedKeywordNotAllowed', `The '${word}' keyword is not supported in this version of the language.`, t);
    }
    if (t.kind === 'lbrace') {
      // A bare block `{ … }` at statement position is a script block expression.
    }
    return this.#pipelineOrAssignment();
  }

  #keyword(word: string, t: Token): Statement {
    this.next();
    switch (word) {
      case 'if': return this.#if(t);
      case 'foreach': return this.#foreach(t, null);
      case 'for': return this.#for(t, null);
      case 'while': {
        const cond = this.#condition(t);
        const body = this.parseBlock(t);
        return { type: 'While', cond, body, doLoop: '', label: null, start: t.start, end: body.end };
      }
      case 'do': {
        const body = this.parseBlock(t);
        this.skipNewlines();
        const kw = this.next();
        const k = kw.text.toLowerCase();
        if (kw.kind !== 'ident' || (k !== 'while' && k !== 'until')) this.fail('MissingWhileOrUntilInDoWhile', "Missing 'while' or 'until' in do loop.", kw);
        const cond = this.#condition(kw);
        return { type: 'While', cond, body, doLoop: k as 'while' | 'until', label: null, start: t.start, end: this.pos };
      }
      case 'function': case 'filter': return this.#function(t, word === 'filter');
      case 'return': case 'throw': case 'exit': {
        const type = word === 'return' ? 'Return' : word === 'throw' ? 'Throw' : 'Exit';
        const value = STATEMENT_END.has(this.peek().kind) || this.peek().kind === 'pipe' ? null : this.#pipeline();
        return { type, value, start: t.start, end: value?.end ?? t.end };
      }
      case 'break': case 'continue': {
        const n = this.peek('command');
        const label = n.kind === 'generic' ? (this.next('command'), n.text) : null;
        return { type: word === 'break' ? 'Break' : 'Continue', label, start: t.start, end: this.pos };
      }
      case 'try': return this.#try(t);
      case 'switch': return this.#switch(t);
      default: this.unexpected(t);
    }
  }

  #condition(kw: Token): PipelineStmt {
    this.skipNewlines();
    const open = this.peek();
    if (open.kind !== 'lparen') this.fail('MissingOpenParenthesisAfterKeyword', `Missing '(' after '${kw.text}' in ${kw.text} statement.`, kw.end);
    this.next();
    this.skipNewlines();
    if (this.peek().kind === 'rparen') this.fail('IfStatementMissingCondition', `Missing condition in ${kw.text} statement after '${kw.text} ('.`, this.peek());
    const cond = this.#pipeline();
    this.skipNewlines();
    this.expect('rparen', 'MissingEndParenthesisAfterStatement', `Missing closing ')' after expression in '${kw.text}' statement.`);
    return cond;
  }

  #if(t: Token): Statement {
    const clauses = [{ cond: this.#condition(t), body: this.parseBlock(t) }];
    let elseBlock: Block | null = null;
    for (;;) {
      const save = this.pos;
      this.skipNewlines();
      const k = this.peek();
      const word = k.kind === 'ident' ? k.text.toLowerCase() : '';
      if (word === 'elseif') {
        this.next();
        clauses.push({ cond: this.#condition(k), body: this.parseBlock(k) });
      } else if (word === 'else') {
        this.next();
        elseBlock = this.parseBlock(k);
        break;
      } else {
        this.pos = save;
        break;
      }
    }
    return { type: 'If', clauses, else: elseBlock, start: t.start, end: this.pos };
  }

  #foreach(t: Token, label: string | null): Statement {
    this.skipNewlines();
    if (this.peek().kind !== 'lparen') this.fail('MissingOpenParenthesisAfterKeyword', "Missing opening '(' after keyword 'foreach'.", t.end);
    this.next();
    this.skipNewlines();
    const v = this.peek();
    if (v.kind !== 'variable') this.fail('MissingVariableNameAfterForeach', 'Missing variable name after foreach.', v);
    this.next();
    this.skipNewlines();
    const kin = this.peek();
    if (kin.kind !== 'ident' || kin.text.toLowerCase() !== 'in') this.fail('MissingInInForeach', "Missing 'in' after variable in foreach loop.", kin);
    this.next();
    this.skipNewlines();
    if (this.peek().kind === 'rparen') this.fail('MissingForeachExpression', "Missing foreach loop expression after 'in'.", this.peek());
    const iterable = this.#pipeline();
    this.skipNewlines();
    this.expect('rparen', 'MissingEndParenthesisAfterForeach', "Missing closing ')' after expression in 'foreach' statement.");
    const body = this.parseBlock(t);
    return { type: 'Foreach', variable: v.name ?? '', iterable, body, label, start: t.start, end: body.end };
  }

  #for(t: Token, label: string | null): Statement {
    this.skipNewlines();
    this.expect('lparen', 'MissingOpenParenthesisAfterKeyword', "Missing opening '(' after keyword 'for'.");
    const part = (last: boolean): Statement | null => {
      this.skipNewlines();
      const k = this.peek().kind;
      const s = k === 'semi' || k === 'rparen' ? null : this.parseStatement();
      this.skipNewlines();
      if (last) this.expect('rparen', 'MissingEndParenthesisAfterStatement', "Missing closing ')' after expression in 'for' statement.");
      else if (this.peek().kind === 'semi') this.next();
      return s;
    };
    const init = part(false);
    const cond = part(false);
    const iter = part(true);
    const body = this.parseBlock(t);
    const c = cond === null ? null : cond.type === 'Pipeline' ? cond : this.#asPipeline(cond);
    return { type: 'For', init, cond: c, iter, body, label, start: t.start, end: body.end };
  }

  #asPipeline(s: Statement): PipelineStmt {
    const expr: Expr = { type: 'Paren', pipeline: s, start: s.start, end: s.end };
    return { type: 'Pipeline', elements: [{ type: 'ExprElement', expr, start: s.start, end: s.end }], redirects: [], start: s.start, end: s.end };
  }

  #function(t: Token, isFilter: boolean): Statement {
    const n = this.next('command');
    if (n.kind !== 'generic') this.fail('MissingNameAfterKeyword', "Missing name after 'function' keyword.", n);
    this.skipNewlines();
    let params: ParamDecl[] = [];
    if (this.peek().kind === 'lparen') {
      params = this.parseParamList(this.next());
      this.skipNewlines();
    }
    const open = this.peek();
    if (open.kind !== 'lbrace') this.fail('MissingFunctionBody', 'Missing function body in function declaration.', open);
    this.next();
    let body = this.nested(open.start, () => this.parseScriptBlockBody(open));
    if (params.length > 0) body = { ...body, params: [...params, ...body.params] };
    if (isFilter && body.processBlock === null) body = { ...body, processBlock: body.endBlock, endBlock: null };
    return { type: 'Function', name: n.text, body, start: t.start, end: body.end };
  }

  /** `( [attr()] [type] $name = default, … )` after the open parenthesis token. */
  protected parseParamList(open: Token): ParamDecl[] {
    const params: ParamDecl[] = [];
    this.skipNewlines();
    if (this.peek().kind === 'rparen') {
      this.next();
      return params;
    }
    for (;;) {
      this.skipNewlines();
      let typeName: string | null = null;
      let mandatory = false;
      let fromPipeline = false;
      while (this.peek().kind === 'lbracket') {
        const b = this.next();
        const name = this.#attributeOrType(b);
        if (name.attribute) {
          mandatory ||= /\bMandatory\b(?!\s*=\s*\$false)/i.test(name.text);
          fromPipeline ||= /\bValueFromPipeline\b(?!\s*=\s*\$false)/i.test(name.text);
        } else typeName = name.text;
        this.skipNewlines();
      }
      const v = this.peek();
      if (v.kind !== 'variable') this.fail('InvalidFunctionParameter', 'Missing argument in parameter list.', v);
      this.next();
      this.skipNewlines();
      let def: Expr | null = null;
      if (this.peek().kind === 'op' && this.peek().name === '=') {
        this.next();
        this.skipNewlines();
        def = this.parseExpressionNoComma();
      }
      params.push({ name: v.name ?? '', typeName, default: def, mandatory, fromPipeline, start: v.start, end: this.pos });
      this.skipNewlines();
      const sep = this.next();
      if (sep.kind === 'rparen') return params;
      if (sep.kind !== 'comma') this.fail('MissingEndParenthesisInFunctionParameterList', "Missing ')' in function parameter list.", open, sep.start);
    }
  }

  /** A parameter's default value: one expression, commas end it. */
  protected parseExpressionNoComma(): Expr {
    return this.parsePostfixWithOperators();
  }

  #attributeOrType(open: Token): { attribute: boolean; text: string } {
    const s = this.source.text;
    const m = /^\s*([\w.]+)\s*\(/.exec(s.slice(open.end, open.end + 200));
    if (m) {
      const close = this.lexer.matchingClose(open.end + m[0].length, 'rparen');
      this.pos = close + 1;
      this.expect('rbracket', 'EndSquareBracketExpectedAtEndOfAttribute', 'Missing ] at end of attribute or type literal.');
      return { attribute: true, text: s.slice(open.end, close + 1) };
    }
    return { attribute: false, text: this.readTypeName(open) };
  }

  #try(t: Token): Statement {
    const body = this.parseBlock(t);
    const catches: { types: string[]; body: Block }[] = [];
    let fin: Block | null = null;
    for (;;) {
      const save = this.pos;
      this.skipNewlines();
      const k = this.peek();
      const word = k.kind === 'ident' ? k.text.toLowerCase() : '';
      if (word === 'catch' && fin === null) {
        this.next();
        const types: string[] = [];
        while (this.peek().kind === 'lbracket') {
          types.push(this.readTypeName(this.next()));
          if (this.peek().kind === 'comma') this.next();
          this.skipNewlines();
        }
        catches.push({ types, body: this.parseBlock(k) });
      } else if (word === 'finally' && fin === null) {
        this.next();
        fin = this.parseBlock(k);
      } else {
        this.pos = save;
        break;
      }
    }
    if (catches.length === 0 && fin === null) this.fail('MissingCatchOrFinally', 'The Try statement is missing its Catch or Finally block.', body.end);
    return { type: 'Try', body, catches, finally: fin, start: t.start, end: this.pos };
  }

  #switch(t: Token): Statement {
    const flags = { wildcard: false, regex: false, caseSensitive: false };
    for (;;) {
      const f = this.peek('command');
      if (f.kind !== 'param') break;
      this.next('command');
      const name = (f.name ?? '').toLowerCase();
      if (name === 'wildcard') flags.wildcard = true;
      else if (name === 'regex') flags.regex = true;
      else if (name === 'casesensitive') flags.caseSensitive = true;
      else if (name !== 'exact') this.fail('InvalidSwitchFlag', `'${f.text}' is not a valid switch flag.`, f);
    }
    const value = this.#condition(t);
    this.skipNewlines();
    const open = this.expect('lbrace', 'MissingCurlyBraceInSwitchStatement', "Missing '{' in switch statement.");
    const clauses: { cond: Expr | 'default'; body: Block }[] = [];
    for (;;) {
      this.#skipSeparators();
      const k = this.peek('command');
      if (k.kind === 'rbrace') {
        this.next();
        break;
      }
      if (k.kind === 'eof') this.fail('MissingEndCurlyBrace', "Missing closing '}' in statement block or type definition.", open, k.start);
      let cond: Expr | 'default';
      if (k.kind === 'generic' && k.text.toLowerCase() === 'default') {
        this.next('command');
        cond = 'default';
      } else if (k.kind === 'generic') {
        this.next('command');
        cond = { type: 'Constant', value: k.text, start: k.start, end: k.end };
      } else if (k.kind === 'number') {
        this.next('command');
        cond = { type: 'Constant', value: k.number ?? 0, start: k.start, end: k.end };
      } else cond = this.parsePostfix();
      clauses.push({ cond, body: this.parseBlock(k) });
    }
    return { type: 'Switch', value, clauses, ...flags, start: t.start, end: this.pos };
  }

  // ---- pipelines --------------------------------------------------------------------------

  #pipelineOrAssignment(): Statement {
    const t = this.peek();
    if (this.#startsCommand(t)) return this.#pipeline();
    const expr = this.parseExpression();
    const op = this.peek();
    if (op.kind === 'op' && ASSIGN_OPS.has(op.name ?? '')) {
      if (!isAssignable(expr)) this.fail('InvalidLeftHandSide', 'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.', expr.start, expr.end);
      this.next();
      this.skipNewlines();
      if (isEndOfExpression(this.peek())) this.fail('ExpectedValueExpression', `You must provide a value expression following the '${op.text}' operator.`, op.end);
      const value = this.parseStatement();
      return { type: 'Assign', target: expr, op: op.name ?? '=', value, start: expr.start, end: value.end };
    }
    return this.#pipelineRest({ type: 'ExprElement', expr, start: expr.start, end: expr.end });
  }

  #startsCommand(t: Token): boolean {
    if (t.kind === 'amp') return true;
    if (t.kind === 'ident' || t.kind === 'generic') return true;
    if (t.kind === 'dot') {
      const after = this.source.text[t.end];
      return after === ' ' || after === '\t' || after === '\\' || after === '/' || after === '.';
    }
    return false;
  }

  #pipeline(): PipelineStmt {
    const t = this.peek();
    if (this.#startsCommand(t)) return this.#pipelineRest(this.#command());
    const expr = this.parseExpression();
    return this.#pipelineRest({ type: 'ExprElement', expr, start: expr.start, end: expr.end });
  }

  #pipelineRest(first: PipelineElement): PipelineStmt {
    const elements = [first];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek('command');
      if (t.kind === 'redirect') {
        redirects.push(this.#redirect());
        continue;
      }
      if (t.kind !== 'pipe') break;
      this.next('command');
      this.skipNewlines();
      const n = this.peek();
      if (STATEMENT_END.has(n.kind) || n.kind === 'pipe') this.fail('EmptyPipeElement', 'An empty pipe element is not allowed.', t.end);
      if (!this.#startsCommand(n) && n.kind !== 'string' && n.kind !== 'xstring') {
        this.fail('ExpressionsMustBeFirstInPipeline', 'Expressions are only allowed as the first element of a pipeline.', n);
      }
      elements.push(this.#command());
    }
    const last = elements[elements.length - 1] ?? first;
    return { type: 'Pipeline', elements, redirects, start: first.start, end: Math.max(last.end, this.pos) };
  }

  #redirect(): Redirect {
    const t = this.next('command');
    const m = /^([*1-6])?(>>|>&|>)([12])?$/.exec(t.text);
    const stream = m?.[1] ?? '1';
    if (m?.[2] === '>&') return { stream, append: false, target: 'merge' };
    const target = this.#commandArgument();
    return { stream, append: m?.[2] === '>>', target };
  }

  #command(): CommandElement {
    const t = this.peek('command');
    let invocation: '' | '&' | '.' = '';
    let name: string | Expr;
    if (t.kind === 'amp' || (t.kind === 'generic' && t.text === '.')) {
      this.next('command');
      invocation = t.kind === 'amp' ? '&' : '.';
      const n = this.peek('command');
      if (n.kind === 'generic') {
        this.next('command');
        name = unescapeBare(n.text);
      } else name = this.parsePostfix();
    } else if (t.kind === 'string' || t.kind === 'xstring') {
      name = this.parsePostfix();
    } else {
      const n = this.next('command');
      if (n.kind !== 'generic') this.unexpected(n);
      name = unescapeBare(n.text);
    }
    const args: CommandArg[] = [];
    for (;;) {
      const a = this.peek('command');
      if (STATEMENT_END.has(a.kind) || a.kind === 'pipe' || a.kind === 'redirect' || a.kind === 'andand' || a.kind === 'oror') break;
      if (a.kind === 'param') {
        this.next('command');
        let value: Expr | null = null;
        if (a.colon) {
          const v = this.peek('command');
          if (STATEMENT_END.has(v.kind) || v.kind === 'pipe') this.fail('ParameterRequiresArgument', `Missing an argument for parameter '${a.name ?? ''}'.`, a);
          value = this.#commandArgument();
        }
        args.push({ type: 'Param', name: a.name ?? '', text: a.colon ? a.text.slice(0, -1) : a.text, value, start: a.start, end: this.pos });
      } else if (a.kind === 'splat') {
        this.next('command');
        args.push({ type: 'Splat', name: a.name ?? '', start: a.start, end: a.end });
      } else {
        const value = this.#commandArgument();
        args.push({ type: 'Arg', value, start: value.start, end: value.end });
      }
    }
    return { type: 'Command', name, invocation, args, start: t.start, end: this.pos };
  }

  /** One argument in command mode: a bare word, number, string or primary expression, with `,` lists. */
  #commandArgument(): Expr {
    const items = [this.#argumentElement()];
    while (this.peek('command').kind === 'comma') {
      this.next('command');
      this.skipNewlines();
      items.push(this.#argumentElement());
    }
    if (items.length === 1 && items[0]) return items[0];
    const first = items[0];
    const last = items[items.length - 1];
    return { type: 'ArrayLiteral', items, start: first?.start ?? 0, end: last?.end ?? 0 };
  }

  #argumentElement(): Expr {
    const t = this.peek('command');
    if (t.kind === 'number') {
      this.next('command');
      return { type: 'Constant', value: t.number ?? 0, start: t.start, end: t.end };
    }
    if (t.kind === 'generic') {
      this.next('command');
      if (/[$`]/.test(t.text)) return this.#bareExpandable(t);
      return { type: 'Constant', value: t.text, start: t.start, end: t.end };
    }
    if (t.kind === 'param') {
      // `-` words after a `,` are values (`a,-b`).
      this.next('command');
      return { type: 'Constant', value: t.text, start: t.start, end: t.end };
    }
    if (STATEMENT_END.has(t.kind) || t.kind === 'pipe') this.fail('MissingArgument', 'Missing argument in parameter list.', t);
    return this.parsePostfix();
  }

  /** A bare word with `$var` or backticks: expandable, as `echo $HOME/x` is in PowerShell. */
  #bareExpandable(t: Token): Expr {
    const parts = this.lexer.bareParts(t.start, t.end);
    return this.expandable(parts, t.start, t.end);
  }

  protected subParse(start: number, end: number): Expr {
    const p = new Parser(this.source, start, end);
    const body = p.parseStatementList('eof');
    return { type: 'SubExpr', body, start: start - 2, end: end + 1 };
  }

  /** Operators over a no-comma operand (parameter defaults). */
  protected parsePostfixWithOperators(): Expr {
    return this.parseExpression();
  }
}

/** A bare word's backtick escapes removed (`` a`b `` is `ab`). */
function unescapeBare(text: string): string {
  return text.replace(/`(.)/g, '$1');
}

export type { ScriptBlockAst };
