import { describe, expect, it } from 'vitest';
import { RecordRenderer, type PipelineRecord } from '../../src/render/index.js';
import { captureTerminal, customObject, winrmService } from './objects.js';

const CLEAR = '\r\u001b[2K';
let seq = 0;
const rec = (stream: PipelineRecord['stream'], value: PipelineRecord['value'], host = 'web1'): PipelineRecord => ({ host, stream, value, seq: ++seq });
const row = (name: string, n: number) => customObject([['Name', name], ['N', n]]);

describe('streaming tables', () => {
  it('waits for the first batch to size columns, then prints each row as it comes with those widths', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term, batchSize: 2 });
    r.render(rec('output', row('a', 1)));
    expect(term.text()).toBe('\n');
    r.render(rec('output', row('bb', 22)));
    expect(term.text()).toBe('\nName  N\n----  -\na     1\nbb   22\n');
    r.render(rec('output', row('a-much-longer-name', 333)));
    // Widths stay those of the first batch: both cells are cut (numbers at their start).
    expect(term.writes.at(-1)).toBe('a-m… …3\n');
    r.close();
    expect(term.writes.at(-1)).toBe('\n');
  });

  it('prints a waiting table on flush() (the CLI calls it when output pauses)', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term });
    r.render(rec('output', row('x', 1)));
    r.flush();
    expect(term.text()).toBe('\nName N\n---- -\nx    1\n');
  });

  it('keeps the record order: a warning flushes waiting rows, and rows after it stay under the same header', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term });
    r.render(rec('output', row('x', 1)));
    r.render(rec('warning', 'careful'));
    r.render(rec('output', row('y', 2)));
    r.close();
    expect(term.text()).toBe('\nName N\n---- -\nx    1\nWARNING: careful\ny    2\n\n');
  });
});

describe('several hosts', () => {
  it('adds a PSComputerName column to tables and [host] before stream lines', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term, multiHost: true });
    r.render(rec('output', winrmService(), 'web1'));
    r.render(rec('output', winrmService(), 'db-02'));
    r.render(rec('verbose', 'done', 'db-02'));
    r.render(rec('output', 'plain text', 'web1'));
    r.close();
    expect(term.text()).toBe([
      '',
      'Status   Name               DisplayName                            PSComputerName',
      '------   ----               -----------                            --------------',
      'Running  WinRM              Windows Remote Management (WS-Managem… web1',
      'Running  WinRM              Windows Remote Management (WS-Managem… db-02',
      '[db-02] VERBOSE: done',
      '[web1] plain text',
      '',
      '',
    ].join('\n'));
  });

  it('adds a PSComputerName entry to list output', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term, multiHost: true });
    r.render(rec('output', customObject([['A', 1], ['B', 2], ['C', 3], ['D', 4], ['E', 5]]), 'web1'));
    r.close();
    expect(term.text()).toBe('\nA              : 1\nB              : 2\nC              : 3\nD              : 4\nE              : 5\nPSComputerName : web1\n\n');
  });
});

describe('progress and colour', () => {
  const progress = (pct: number, completed = false) => rec('progress', { activity: 'Copying', activityId: 1, statusDescription: 'files', percentComplete: pct, recordType: completed ? 1 : 0 });

  it('on a TTY, rewrites the status line in place and erases it before other output, then draws it again', () => {
    const term = captureTerminal({ isTTY: true, columns: 60 });
    const r = new RecordRenderer({ terminal: term });
    r.render(progress(10));
    r.render(progress(50));
    r.render(rec('output', 'line one'));
    r.render(progress(100, true));
    r.render(rec('output', 'line two'));
    expect(term.writes).toEqual([
      `${CLEAR}Copying: files [##                  ] 10%`,
      `${CLEAR}Copying: files [##########          ] 50%`,
      `${CLEAR}line one\n`,
      `${CLEAR}Copying: files [##########          ] 50%`,
      CLEAR,
      'line two\n',
    ]);
  });

  it('erases the status line at close', () => {
    const term = captureTerminal({ isTTY: true });
    const r = new RecordRenderer({ terminal: term });
    r.render(progress(10));
    r.close();
    expect(term.writes.at(-1)).toBe(CLEAR);
  });

  it('off a TTY, shows no progress at all', () => {
    const term = captureTerminal({ isTTY: false });
    const r = new RecordRenderer({ terminal: term });
    r.render(progress(10));
    r.render(rec('host', { methodName: 'WriteProgress', parameters: [1, null] }));
    r.render(rec('output', 'x'));
    r.close();
    expect(term.text()).toBe('x\n');
  });

  it('emits colour codes only when the terminal asks for colour', () => {
    const records = [rec('warning', 'w'), rec('error', 'e'), rec('output', row('a', 1)), rec('information', 'i')];
    const on = captureTerminal({ color: true });
    const off = captureTerminal({ color: false });
    for (const [term] of [[on], [off]] as const) {
      const r = new RecordRenderer({ terminal: term });
      for (const x of records) r.render(x);
      r.close();
    }
    expect(on.text()).toContain('\u001b[1m\u001b[33mWARNING: w\u001b[39m\u001b[22m');
    expect(on.text()).toContain('\u001b[1m\u001b[32mName\u001b[39m\u001b[22m');
    expect(off.text()).toBe('WARNING: w\ne\n\nName N\n---- -\na    1\ni\n\n');
  });

  it('continues a Write-Host -NoNewline on the same line and draws no progress over it', () => {
    const term = captureTerminal({ isTTY: true });
    const r = new RecordRenderer({ terminal: term });
    r.render(rec('host', { methodName: 'Write1', parameters: ['Working... '] }));
    r.render(progress(10));
    r.render(rec('host', { methodName: 'WriteLine2', parameters: ['done'] }));
    expect(term.writes).toEqual(['Working... ', 'done\n', `${CLEAR}Copying: files [##                  ] 10%`]);
  });
});
