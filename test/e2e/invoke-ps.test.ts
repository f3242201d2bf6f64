/**
 * `tsremote invoke -s/-f` end to end: the real CLI against `serve`'s PowerShell endpoint on
 * loopback (PSRP over WinRM, the built-in engine).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { finished, runCli, spawnCli } from '../helpers/cli.js';

const USER = 'pwsh';
const PASSWORD = 'invoke-ps-e2e';
const env = { TSREMOTE_PASSWORD: PASSWORD };
let server: RunningServer;
let hosts: string[];
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-ps-'));
const conn = (): string[] => ['-u', USER, '--allow-unencrypted'];

beforeAll(async () => {
  server = await startServer({
    listen: ['127.0.0.1:0', '127.0.0.1:0'],
    users: [{ username: USER, password: PASSWORD }],
    allowUnencrypted: true,
  });
  hosts = server.urls.map((u) => u.host);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Json {
  host: string;
  stream: string;
  seq?: number;
  types?: string[];
  value?: unknown;
  status?: string;
  error?: unknown;
  message?: string;
}
const ndjson = (text: string): Json[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);

describe('invoke -s against serve', () => {
  it('returns every stream as NDJSON records in order, then the end line', async () => {
    const script = [
      'Write-Output 1, "two"',
      'Write-Warning "careful"',
      'Write-Verbose "details" -Verbose',
      'Write-Debug "dbg" -Debug',
      'Write-Information "info"',
      'Write-Progress -Activity "Copying" -Status "half" -PercentComplete 50',
      '[pscustomobject]@{ Name = "こんにちは"; Size = 3 }',
    ].join('\n');
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--json', '-s', script], { env });
    const records = ndjson(res.stdout);
    expect(records.map((r) => r.stream)).toEqual(['output', 'output', 'warning', 'verbose', 'debug', 'information', 'progress', 'output', 'end']);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, undefined]);
    expect(records[0]).toMatchObject({ value: 1, types: ['System.Int32'] });
    expect(records[2]).toMatchObject({ message: 'careful' });
    expect(records[7]).toMatchObject({ value: { Name: 'こんにちは', Size: 3 } });
    expect(records[8]).toEqual({ host: hosts[0], stream: 'end', status: 'ok', error: null, durationMs: expect.any(Number) });
    expect(res.code).toBe(0);
  });

  it('shows objects as PowerShell would: a table, the concise error view, and exit 1 on error records', async () => {
    const script = '[pscustomobject]@{ Name = "a"; Value = 42 }; [pscustomobject]@{ Name = "bb"; Value = 7 }; Get-Foo';
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '-s', script], { env });
    expect(res.stdout).toContain('Name Value\n---- -----\na       42\nbb       7\n');
    expect(res.stdout).toContain("Get-Foo: The term 'Get-Foo' is not recognized as a name of a cmdlet");
    expect(res.code).toBe(1);
  });

  it('a terminating error fails the pipeline (exit 1) and shows its error', async () => {
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--json', '-s', '"before"; throw "boom"; "after"'], { env });
    const records = ndjson(res.stdout);
    expect(records.filter((r) => r.stream === 'output').map((r) => r.value)).toEqual(['before']);
    expect(records.some((r) => r.stream === 'error' && JSON.stringify(r.value).includes('boom'))).toBe(true);
    expect(records.at(-1)).toMatchObject({ stream: 'end', status: 'failed' });
    expect(res.code).toBe(1);
  });

  it('runs a script file with --args bound to $args and to param()', async () => {
    const file = path.join(dir, 'greet.ps1');
    writeFileSync(file, 'param($Name, $Count)\n1..$Count | ForEach-Object { "hello $Name $_" }\n"args left: $($args.Count)"\n');
    const res = await runCli(['invoke', '-c', hosts[0]!, ...conn(), '--json', '-f', file, '--args', 'wörld', '2'], { env });
    expect(ndjson(res.stdout).filter((r) => r.stream === 'output').map((r) => r.value)).toEqual([
      'hello wörld 1',
      'hello wörld 2',
      'args left: 0',
    ]);
    expect(res.code).toBe(0);
  });

  it('streams 100,000 objects across many fragments, every one arriving once and in order', async () => {
    const child = spawnCli(['invoke', '-c', hosts[1]!, ...conn(), '--json', '-s', '1..100000'], { env });
    child.stdin.end();
    let buffered = '';
    let count = 0;
    let expected = 1;
    let inOrder = true;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const r = JSON.parse(line) as Json;
        if (r.stream !== 'output') continue;
        count++;
        if (r.value !== expected++) inOrder = false;
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([code, count, inOrder]).toEqual([0, 100_000, true]);
  }, 120_000);

  it('fans out to every host, each with its own end line', async () => {
    const res = await runCli(['invoke', '-c', hosts.join(','), ...conn(), '--json', '-s', '$PSVersionTable.PSEdition'], { env });
    const records = ndjson(res.stdout);
    for (const host of hosts) {
      expect(records.filter((r) => r.host === host).map((r) => [r.stream, r.value ?? r.status])).toEqual([
        ['output', 'Core'],
        ['end', 'ok'],
      ]);
    }
    expect(res.code).toBe(0);
  });

  it('reaches a JEA-style configuration name', async () => {
    const res = await runCli(
      ['invoke', '-c', hosts[0]!, ...conn(), '--json', '--configuration-name', 'JEA.Maintenance', '-s', '"in jea"'],
      { env },
    );
    expect(ndjson(res.stdout)[0]).toMatchObject({ stream: 'output', value: 'in jea' });
    expect(res.code).toBe(0);
  });

  it('Ctrl+C during Start-Sleep 30 stops the pipeline, closes the pool and exits 130 promptly', async () => {
    const child = spawnCli(['invoke', '-c', hosts[1]!, ...conn(), '-s', '"sleeping"; Start-Sleep 30; "woke"'], { env });
    child.stdin.end();
    const done = finished(child, 25_000);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('sleeping')) resolve();
      });
    });
    expect(server.stats().shells).toBeGreaterThanOrEqual(1);
    const t0 = Date.now();
    child.kill('SIGINT');
    const res = await done;
    expect(res.code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.stdout).not.toContain('woke');
    expect(server.stats().shells).toBe(0);
  });

  it('a dead host costs one error line and exit 2, the other host still answers', async () => {
    const res = await runCli(['invoke', '-c', `${hosts[0]},127.0.0.1:1`, ...conn(), '-s', '"alive"'], { env });
    expect(res.stdout).toContain('alive');
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^127\.0\.0\.1:1: connection refused/),
      expect.stringMatching(/^tsremote: 1 of 2 hosts did not succeed \(1 ok, 1 unreachable\) in \d+\.\d s$/),
      '  HOST         STATUS       TIME   FIRST ERROR',
      expect.stringMatching(/^  127\.0\.0\.1:1  unreachable  \d+\.\d s  connection refused/),
    ]);
    expect(res.code).toBe(2);
  });
});
