/**
 * The renderer as a fan-out shows it: host prefixes aligned (and coloured), one table with a
 * PSComputerName column across hosts (as Invoke-Command's output), --hide-host, forced shapes,
 * raw values, and progress handed to the CLI's status line instead of drawn.
 */
import { describe, expect, it } from 'vitest';
import { HostPrefix, ObjectRenderer, RecordRenderer, createStyle, type PipelineRecord } from '../../src/render/index.js';
import { prefixedOutput, type Sink } from '../../src/render/text-streams.js';
import { captureTerminal, customObject, processObject } from './objects.js';

let seq = 0;
const rec = (stream: PipelineRecord['stream'], value: PipelineRecord['value'], host: string): PipelineRecord => ({ host, stream, value, seq: ++seq });
const HOSTS = ['web1', 'db-primary-02', 'x'];

describe('HostPrefix', () => {
  it('pads every prefix to the longest host name, so the text starts in one column', () => {
    const p = new HostPrefix(HOSTS, { color: false });
    expect(HOSTS.map((h) => p.of(h))).toEqual(['[web1]          ', '[db-primary-02] ', '[x]             ']);
    expect(p.lines('x', 'a\nb\n')).toBe('[x]             a\n[x]             b\n');
  });

  it('colours each host by its place in the list (padding stays outside the colour)', () => {
    const p = new HostPrefix(['a', 'bb'], { color: true });
    expect(p.of('a')).toBe('\u001b[36m[a]\u001b[39m  ');
    expect(p.of('bb')).toBe('\u001b[33m[bb]\u001b[39m ');
  });

  it('hide: no prefix at all', () => {
    const p = new HostPrefix(HOSTS, { color: true, hide: true });
    expect([p.of('web1'), p.lines('web1', 'a\n'), p.shown]).toEqual(['', 'a\n', false]);
  });
});

describe('RecordRenderer with several hosts', () => {
  it('aligns stream lines and scalars to the longest host, in arrival order', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term, multiHost: true, hosts: HOSTS });
    r.render(rec('output', 'up', 'web1'));
    r.render(rec('warning', 'disk low', 'db-primary-02'));
    r.render(rec('output', 'two\nlines', 'x'));
    r.close();
    expect(term.text()).toBe([
      '[web1]          up',
      '[db-primary-02] WARNING: disk low',
      '[x]             two',
      '[x]             lines',
      '',
    ].join('\n'));
  });

  it('puts objects from every host in ONE table with a PSComputerName column (Invoke-Command … { Get-Process })', () => {
    const term = captureTerminal({ columns: 120 });
    const r = new RecordRenderer({ terminal: term, multiHost: true, hosts: ['web1', 'web2'] });
    r.render(rec('output', processObject(4, 'System', { npm: 0, pm: 106496, ws: 151552, cpu: 1.5, si: 0 }), 'web1'));
    r.render(rec('output', processObject(880, 'svchost', { npm: 12288, pm: 5767168, ws: 14942208, cpu: 0.3, si: 0 }), 'web2'));
    r.close();
    const lines = term.text().split('\n');
    expect(lines.filter((l) => l.includes('ProcessName'))).toHaveLength(1);
    expect(lines[1]).toMatch(/^ NPM\(K\) +PM\(M\) +WS\(M\) +CPU\(s\) +Id +SI ProcessName +PSComputerName$/);
    expect(lines.slice(3, 5).map((l) => l.split(/ +/).slice(-2))).toEqual([['System', 'web1'], ['svchost', 'web2']]);
  });

  it('hideHost: no prefix and no PSComputerName column (Invoke-Command -HideComputerName)', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term, multiHost: true, hosts: HOSTS, hideHost: true });
    r.render(rec('output', customObject([['Name', 'a'], ['N', 1]]), 'web1'));
    r.render(rec('output', customObject([['Name', 'b'], ['N', 2]]), 'x'));
    r.render(rec('output', 'text', 'x'));
    r.close();
    expect(term.text()).toBe('\nName N\n---- -\na    1\nb    2\ntext\n\n');
  });

  it('hands progress to onProgress (the status line) instead of drawing it, and clears it at the end', () => {
    const term = captureTerminal({ isTTY: true });
    const shown: string[] = [];
    const r = new RecordRenderer({ terminal: term, multiHost: true, hosts: ['web1'], onProgress: (t) => shown.push(t) });
    r.render(rec('progress', { activity: 'Copying', activityId: 1, statusDescription: 'half', percentComplete: 50, recordType: 0 }, 'web1'));
    r.render(rec('output', 'x', 'web1'));
    r.close();
    expect(shown).toEqual(['[web1] Copying: half [##########          ] 50%', '']);
    expect(term.writes).toEqual(['[web1] x\n']);
  });

  it('a host that ends takes its progress with it (scripts need not complete their progress)', () => {
    const shown: string[] = [];
    const r = new RecordRenderer({ terminal: captureTerminal(), multiHost: true, hosts: ['a', 'b'], onProgress: (t) => shown.push(t) });
    r.render(rec('progress', { activity: 'A', activityId: 1, statusDescription: '', percentComplete: -1, recordType: 0 }, 'a'));
    r.render(rec('progress', { activity: 'B', activityId: 1, statusDescription: '', percentComplete: -1, recordType: 0 }, 'b'));
    r.hostEnd('b', 'ok');
    r.hostEnd('a', 'ok');
    expect(shown).toEqual(['[a] A', '[b] B', '[a] A', '']);
  });

  it('JSON end lines carry the duration', () => {
    const term = captureTerminal();
    const r = new RecordRenderer({ terminal: term, json: true });
    r.hostEnd('web1', 'failed', 'web1: timed out after 5 s', 5012);
    expect(term.text()).toBe('{"host":"web1","stream":"end","status":"failed","error":"web1: timed out after 5 s","durationMs":5012}\n');
  });
});

describe('output shapes', () => {
  const render = (shape: 'auto' | 'table' | 'list' | 'raw', values: Parameters<ObjectRenderer['push']>[0][]): string => {
    let out = '';
    const r = new ObjectRenderer((t) => (out += t), { columns: 80, style: createStyle(false), batchSize: 100, shape });
    for (const v of values) r.push(v);
    r.end();
    return out;
  };
  const four = customObject([['A', 1], ['B', 2], ['C', 3], ['D', 4]]);
  const five = customObject([['A', 1], ['B', 2], ['C', 3], ['D', 4], ['E', 5]]);

  it('auto: up to 4 properties make a table, 5 a list (as PowerShell)', () => {
    expect(render('auto', [four])).toBe('\nA B C D\n- - - -\n1 2 3 4\n\n');
    expect(render('auto', [five])).toBe('\nA : 1\nB : 2\nC : 3\nD : 4\nE : 5\n\n');
  });

  it('table and list force the shape', () => {
    expect(render('table', [five])).toBe('\nA B C D E\n- - - - -\n1 2 3 4 5\n\n');
    expect(render('list', [four])).toBe('\nA : 1\nB : 2\nC : 3\nD : 4\n\n');
  });

  it('list of a type whose default view is a table lists that view\'s columns', () => {
    const text = render('list', [processObject(4, 'System', { npm: 0, pm: 106496, ws: 151552, cpu: 1.5, si: 0 })]);
    expect(text.split('\n').map((l) => l.split(' : ')[0]?.trim())).toEqual(['', 'NPM(K)', 'PM(M)', 'WS(M)', 'CPU(s)', 'Id', 'SI', 'ProcessName', '', '']);
    expect(text).toContain('ProcessName : System\n');
  });

  it('raw: plain values one per line, collections enumerated, objects as their ToString', () => {
    const list = { kind: 'LST' as const, items: [1, 'two'] };
    expect(render('raw', [four, list, 'a\nb', null, 3])).toBe('@{A=1; B=2; C=3; D=4}\n1\ntwo\na\nb\n3\n');
  });

  it('raw with several hosts keeps the host prefix', () => {
    let out = '';
    const p = new HostPrefix(['a', 'bbb'], { color: false });
    const r = new ObjectRenderer((t) => (out += t), { columns: 80, style: createStyle(false), shape: 'raw', hostColumn: true, prefix: (h) => p.of(h) });
    r.push('x', 'a');
    r.push(7, 'bbb');
    expect(out).toBe('[a]   x\n[bbb] 7\n');
  });
});

describe('prefixedOutput (--cmd) with an aligned prefix', () => {
  it('uses the prefix it is given for every whole line', () => {
    let out = '';
    const sink: Sink = { write: (c) => ((out += String(c)), true), once: () => undefined };
    const o = prefixedOutput({ stdout: sink, stderr: sink }, 'x', () => undefined, new HostPrefix(['x', 'web1'], { color: false }).of('x'));
    void o.data('stdout', new TextEncoder().encode('one\ntw'));
    o.end('ok', 0, undefined);
    expect(out).toBe('[x]    one\n[x]    tw\n');
  });
});
