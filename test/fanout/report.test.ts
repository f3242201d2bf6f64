import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HostTally, formatDuration, retryHosts, summaryLines, writeRetryFile, type HostReport } from '../../src/fanout/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reports: HostReport[] = [
  { host: 'web1', status: 'ok', durationMs: 812, error: undefined },
  { host: 'db-primary-02', status: 'unreachable', durationMs: 31, error: 'connection refused' },
  { host: 'web3', status: 'failed', durationMs: 5004, error: 'timed out after 5 s; hint: raise --timeout' },
];

describe('HostTally', () => {
  it('counts done, failed and running, keeps the given host order and strips the host from error lines', () => {
    vi.useFakeTimers();
    try {
      const changes: string[] = [];
      const t = new HostTally(['a', 'b', 'c'], () => changes.push(`${t.done}/${t.failed}/${t.running}`));
      t.start('b');
      t.start('a');
      vi.advanceTimersByTime(250);
      t.end('a', 'ok');
      t.end('b', 'unreachable', 'b: connection refused\nmore');
      t.end('b', 'ok'); // a second end is ignored
      expect(changes).toEqual(['0/0/1', '0/0/2', '1/0/1', '2/1/0']);
      expect(t.reports()).toEqual([
        { host: 'a', status: 'ok', durationMs: 250, error: undefined },
        { host: 'b', status: 'unreachable', durationMs: 250, error: 'connection refused' },
      ]);
      expect([t.total, t.done, t.failed]).toEqual([3, 2, 1]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('summary and retry file', () => {
  it('formats durations', () => {
    expect([formatDuration(31), formatDuration(5004), formatDuration(125_400)]).toEqual(['0.0 s', '5.0 s', '2 min 5 s']);
  });

  it('lists the hosts that did not succeed, aligned, with status, time and first error', () => {
    expect(summaryLines(reports, 5100)).toEqual([
      'tsremote: 2 of 3 hosts did not succeed (1 ok, 1 failed, 1 unreachable) in 5.1 s',
      '  HOST           STATUS       TIME   FIRST ERROR',
      '  db-primary-02  unreachable  0.0 s  connection refused',
      '  web3           failed       5.0 s  timed out after 5 s; hint: raise --timeout',
    ]);
  });

  it('says nothing when every host succeeded', () => {
    expect(summaryLines([reports[0]!], 900)).toEqual([]);
  });

  it('writes the failed hosts one per line (usable as -c @FILE), or an empty file', async () => {
    expect(retryHosts(reports)).toEqual(['db-primary-02', 'web3']);
    const file = path.join(dir, 'retry.txt');
    await writeRetryFile(file, reports);
    expect(readFileSync(file, 'utf8')).toBe('db-primary-02\nweb3\n');
    await writeRetryFile(file, [reports[0]!]);
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});
