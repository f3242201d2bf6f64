/** Joining lines into commands (src/repl/line-editor.ts), and reading piped input. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addLine, LineEditor, type ReadResult } from '../../src/repl/line-editor.js';

describe('addLine', () => {
  it('returns the command once it is complete', () => {
    const lines: string[] = [];
    expect(addLine(lines, 'if ($true) {')).toBeNull();
    expect(addLine(lines, "'yes'")).toBeNull();
    expect(addLine(lines, '}')).toEqual({ text: "if ($true) {\n'yes'\n}", lines: ['if ($true) {', "'yes'", '}'] });
  });

  it('an empty line ends an unfinished block (the server reports the error)', () => {
    const lines: string[] = [];
    expect(addLine(lines, 'if ($true) {')).toBeNull();
    expect(addLine(lines, '')).toEqual({ text: 'if ($true) {', lines: ['if ($true) {'] });
  });

  it('an empty line inside a here-string is part of it', () => {
    const lines: string[] = [];
    expect(addLine(lines, "@'")).toBeNull();
    expect(addLine(lines, '')).toBeNull();
    expect(addLine(lines, "'@")).toEqual({ text: "@'\n\n'@", lines: ["@'", '', "'@"] });
  });
});

describe('LineEditor on piped input', () => {
  it('reads one command per complete input, then end of input, writing no prompt', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (d: Buffer) => (written += d.toString()));
    const editor = new LineEditor({ input, output });
    input.end('1+1\nGet-Process |\n  Select-Object -First 1\n"open\n');
    const results: ReadResult[] = [];
    for (let r = await editor.read('P> '); ; r = await editor.read('P> ')) {
      results.push(r);
      if (r.kind === 'eof') break;
    }
    expect(results).toEqual([
      { kind: 'command', text: '1+1', lines: ['1+1'] },
      { kind: 'command', text: 'Get-Process |\n  Select-Object -First 1', lines: ['Get-Process |', '  Select-Object -First 1'] },
      { kind: 'command', text: '"open', lines: ['"open'] },
      { kind: 'eof' },
    ]);
    expect(written).toBe('');
    expect(editor.terminal).toBe(false);
  });
});
