/** The REPL's history file (src/repl/history.ts): where, mode, cap, and what is never saved. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History, historyPath, linesToRecord } from '../../src/repl/history.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-hist-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('historyPath', () => {
  it('uses TSREMOTE_STATE_DIR, then XDG_STATE_HOME/tsremote, then ~/.local/state/tsremote', () => {
    expect(historyPath({ TSREMOTE_STATE_DIR: '/s', XDG_STATE_HOME: '/x' }, 'linux')).toBe('/s/history');
    expect(historyPath({ XDG_STATE_HOME: '/x' }, 'linux')).toBe('/x/tsremote/history');
    expect(historyPath({ XDG_STATE_HOME: 'relative' }, 'linux')).toMatch(/\/\.local\/state\/tsremote\/history$/);
  });
});

describe('linesToRecord', () => {
  it('drops a command whose first line starts with a space, and blank lines', () => {
    expect(linesToRecord([' $secret = 1'])).toEqual([]);
    expect(linesToRecord([' if ($x) {', '1', '}'])).toEqual([]);
    expect(linesToRecord(['if ($x) {', '', '  1', '}'])).toEqual(['if ($x) {', '  1', '}']);
  });
});

describe('History', () => {
  it('creates the file 0600 in a 0700 directory, oldest entry first', async () => {
    const file = path.join(dir, 'state', 'tsremote', 'history');
    const h = await History.load(file);
    expect(await h.add(['1+1'])).toEqual(['1+1']);
    expect(await h.add(['Get-Location'])).toEqual(['Get-Location']);
    expect(lines(file)).toEqual(['1+1', 'Get-Location']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(h.recent()).toEqual(['Get-Location', '1+1']);
  });

  it('keeps a loosened file private when it saves', async () => {
    const file = path.join(dir, 'history');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o644);
    const h = await History.load(file);
    await h.add(['new']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines(file)).toEqual(['old', 'new']);
  });

  it('caps the file and the memory at the newest `max` entries', async () => {
    const file = path.join(dir, 'history');
    writeFileSync(file, Array.from({ length: 8 }, (_, i) => `cmd${i}\n`).join(''));
    const h = await History.load(file, 5);
    expect(h.recent()).toEqual(['cmd7', 'cmd6', 'cmd5', 'cmd4', 'cmd3']);
    await h.add(['cmd8']);
    await h.add(['cmd9']);
    expect(lines(file)).toEqual(['cmd5', 'cmd6', 'cmd7', 'cmd8', 'cmd9']);
    expect(h.recent()).toEqual(['cmd9', 'cmd8', 'cmd7', 'cmd6', 'cmd5']);
  });

  it('never writes space-prefixed commands or an immediate repeat', async () => {
    const file = path.join(dir, 'history');
    const h = await History.load(file);
    await h.add(['Get-Date']);
    expect(await h.add([' $pw = Read-Host -AsSecureString'])).toEqual([]);
    expect(await h.add(['Get-Date'])).toEqual([]);
    await h.add(['exit']);
    expect(lines(file)).toEqual(['Get-Date', 'exit']);
  });

  it('merges with lines another REPL saved meanwhile', async () => {
    const file = path.join(dir, 'history');
    const a = await History.load(file);
    const b = await History.load(file);
    await a.add(['from-a']);
    await b.add(['from-b']);
    expect(lines(file)).toEqual(['from-a', 'from-b']);
  });

  it('starts empty when the file is missing', async () => {
    const h = await History.load(path.join(dir, 'nope', 'history'));
    expect(h.recent()).toEqual([]);
  });
});
