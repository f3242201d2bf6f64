import { describe, expect, it } from 'vitest';
import { Lexer, Source } from '../../../src/server/engine/lexer.js';
import { ParseFailure } from '../../../src/server/engine/parse-error.js';
import { parseScript } from '../../../src/server/engine/parser.js';
import { run } from './helpers.js';

function kinds(text: string, mode: 'expression' | 'command'): string[] {
  const lexer = new Lexer(new Source(text));
  const out: string[] = [];
  for (let at = 0; ;) {
    const t = lexer.lex(at, mode);
    if (t.kind === 'eof') return out;
    out.push(`${t.kind}:${t.text}`);
    at = t.end;
  }
}

describe('lexer', () => {
  it.each([
    ['1..10', 'expression', ['number:1', 'dotdot:..', 'number:10']],
    ['$x -eq 0x1F', 'expression', ['variable:$x', 'dashop:-eq', 'number:0x1F']],
    ['$env:PATH + 1kb', 'expression', ['variable:$env:PATH', 'op:+', 'number:1kb']],
    ["'it''s' # comment", 'expression', ["string:'it''s'"]],
    ['Get-Item -Path:a.txt -5 b,c', 'command', ['generic:Get-Item', 'param:-Path:', 'generic:a.txt', 'number:-5', 'generic:b', 'comma:,', 'generic:c']],
    ['<# block #> @{ } @( ) $( )', 'expression', ['athash:@{', 'rbrace:}', 'atparen:@(', 'rparen:)', 'dollarparen:$(', 'rparen:)']],
    ['a `\n b', 'command', ['generic:a', 'generic:b']],
  ] as const)('%s (%s)', (text, mode, want) => {
    expect(kinds(text, mode)).toEqual(want);
  });

  it('splits expandable strings into parts with escapes', () => {
    const t = new Lexer(new Source('"a`t$x $(1+2)`$y"')).lex(0, 'expression');
    expect(t.parts?.map((p) => p.kind)).toEqual(['text', 'var', 'text', 'sub', 'text']);
    expect(t.parts?.[0]).toEqual({ kind: 'text', value: 'a\t' });
    expect(t.parts?.[4]).toEqual({ kind: 'text', value: '$y' });
  });

  it('numbers: Int32, Int64 and Double', () => {
    const num = (s: string): unknown => new Lexer(new Source(s)).lex(0, 'expression').number;
    expect(num('42')).toBe(42);
    expect(num('3000000000')).toEqual({ kind: 'I64', value: 3000000000n });
    expect(num('1.5')).toEqual({ kind: 'Db', value: 1.5 });
    expect(num('2mb')).toBe(2097152);
  });
});

describe('parser errors carry the PowerShell ErrorId and position', () => {
  it.each([
    ['"abc', 'TerminatorExpectedAtEndOfString', 0],
    ["x = 'abc", 'TerminatorExpectedAtEndOfString', 4],
    ['if ($true) { 1', 'MissingEndCurlyBrace', 11],
    ['(1 + 2', 'MissingEndParenthesisInExpression', 6],
    ['1 +', 'ExpectedValueExpression', 3],
    ['Get-Process |', 'EmptyPipeElement', 13],
    ['foreach (x in $y) {}', 'MissingVariableNameAfterForeach', 9],
    ['@{ a }', 'MissingEqualsInHashLiteral', 5],
    ['try { 1 }', 'MissingCatchOrFinally', 9],
    ['class Foo {}', 'ReservedKeywordNotAllowed', 0],
    ['$x = ', 'ExpectedValueExpression', 4],
    ['<# open', 'MissingEndOfComment', 0],
  ] as const)('%s', (text, errorId, start) => {
    expect.assertions(2);
    try {
      parseScript(text);
    } catch (err) {
      expect(err).toBeInstanceOf(ParseFailure);
      expect({ errorId: (err as ParseFailure).errorId, start: (err as ParseFailure).start }).toEqual({ errorId, start });
    }
  });

  it('parses statements of every kind', () => {
    const ast = parseScript('function f { param([int]$a = 1) process { $_ } }\nforeach ($i in 1..3) { $i }; for ($i=0; $i -lt 2; $i++) {}\nwhile ($false) {}; switch (1) { 1 { "one" } default {} }');
    expect(ast.endBlock?.statements.map((s) => s.type)).toEqual(['Function', 'Foreach', 'For', 'While', 'Switch']);
  });
});

describe('hostile scripts give ParseException records, never a crash', () => {
  it.each([
    ['deep parens', '('.repeat(5000) + '1' + ')'.repeat(5000)],
    ['deep braces', '{'.repeat(3000)],
    ['deep subexpressions', '"$('.repeat(500)],
    ['unterminated here-string', '@"\nabc'],
    ['unterminated string in subexpression', '"$("abc)"'],
    ['stray closer', ')'],
    ['junk after an operator', '$x = 1 + * 2'],
  ])('%s', async (_name, script) => {
    const r = await run(script);
    const record = (r.thrown as { record?: { typeNames: string[]; get(n: string): unknown } }).record;
    expect(record?.typeNames[0]).toBe('System.Management.Automation.ErrorRecord');
    expect((record?.get('Exception') as { typeNames: string[] }).typeNames[0]).toBe('System.Management.Automation.ParseException');
    expect(record?.get('ErrorCategory_Category')).toBe(17);
  });
});

it('binary junk runs as an unknown command: a CommandNotFound error, no crash', async () => {
  const r = await run('\u0000\u0001\uffff');
  expect(r.thrown).toBeUndefined();
  expect(r.errors.map((e) => e.get('FullyQualifiedErrorId'))).toEqual(['CommandNotFoundException']);
});
