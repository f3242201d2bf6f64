/**
 * The fan-out flags of `tsremote invoke` end to end against `serve`: --timeout (the slow host is
 * stopped and cleaned up, the others unaffected), --retry-file, --hide-host and --format.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

const USER = 'fan';
const PASSWORD = 'invoke-fanout-e2e';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-fanflags-'));
const env = {
  TSREMOTE_PASSWORD: PASSWORD,
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_STATE_HOME: path.join(dir, 'state'),
  TSREMOTE_CONFIG: undefined,
};
let server: RunningServer;
let hosts: string[];

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0', '127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }] });
  hosts = server.urls.map((u) => u.host);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const invoke = (args: string[]) => runCli(['invoke', '-c', hosts.join(','), '-u', USER, ...args], { env });

/** Polls until the server holds no shell (the CLI deletes them before it exits, but the server may log it later). */
async function noShellsLeft(): Promise<number> {
  for (let i = 0; i < 50 && server.stats().shells > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return server.stats().shells;
}

describe('invoke --timeout', () => {
  it('--cmd: stops the one slow host, deletes its shell, reports it; the other host is unaffected', async () => {
    // Exactly one host wins the mkdir and sleeps; the other prints at once.
    const lock = path.join(dir, 'lock-cmd');
    const t0 = Date.now();
    const retry = path.join(dir, 'retry-cmd.txt');
    const res = await invoke(['--timeout', '2', '--retry-file', retry, '--cmd', `mkdir ${lock} 2>/dev/null && sleep 30 || echo fast`]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
    expect(res.stdout).toMatch(/^\[127\.0\.0\.1:\d+\] fast\n$/);
    const fastHost = /^\[(.*?)\]/.exec(res.stdout)?.[1];
    const slowHost = hosts.find((h) => h !== fastHost) as string;
    expect(res.stderr.split('\n')[0]).toBe(`${slowHost}: timed out after 2 s; hint: its remote work was stopped; raise --timeout if it needs longer`);
    expect(res.stderr).toContain('(1 ok, 1 failed)');
    expect(res.code).toBe(1);
    expect(readFileSync(retry, 'utf8')).toBe(`${slowHost}\n`);
    expect(await noShellsLeft()).toBe(0);
  });

  it('-s: stops the pipelines, closes the pools, and says so in the end records', async () => {
    const t0 = Date.now();
    const res = await invoke(['--timeout', '1.5', '--json', '-s', '"started"; Start-Sleep 30; "woke"']);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: string; stream: string; value?: unknown; status?: string; error?: unknown });
    expect(records.filter((r) => r.stream === 'output').map((r) => r.value)).toEqual(['started', 'started']);
    const ends = records.filter((r) => r.stream === 'end');
    expect(ends.map((r) => [r.host, r.status, r.error]).sort()).toEqual(
      hosts.map((h) => [h, 'failed', `${h}: timed out after 1.5 s; hint: its remote work was stopped; raise --timeout if it needs longer`]).sort(),
    );
    expect(res.code).toBe(1);
    expect(await noShellsLeft()).toBe(0);
  });
});

describe('invoke output flags', () => {
  it('writes an empty --retry-file when every host succeeds, and no summary', async () => {
    const retry = path.join(dir, 'retry-ok.txt');
    const res = await invoke(['--retry-file', retry, '-s', '"ok"']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(readFileSync(retry, 'utf8')).toBe('');
  });

  it('--hide-host drops the prefix and the PSComputerName column', async () => {
    const res = await invoke(['--hide-host', '-s', '"x"; [pscustomobject]@{ Name = "n"; Size = 1 }']);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').filter((l) => l === 'x')).toHaveLength(2);
    expect(res.stdout).not.toContain('PSComputerName');
    expect(res.stdout).not.toContain('[127.0.0.1');
    expect(res.stdout.match(/^n +1$/gm)).toHaveLength(2);
  });

  it('--format raw prints plain values one per line', async () => {
    const res = await runCli(['invoke', '-c', hosts[0]!, '-u', USER, '--format', 'raw', '-s', '[pscustomobject]@{ A = 1; B = "b" }; 1, 2; "three"'], { env });
    expect(res.stdout).toBe('@{A=1; B=b}\n1\n2\nthree\n');
    expect(res.code).toBe(0);
  });

  it('--format list and table force the view; --format json is --json', async () => {
    const one = ['invoke', '-c', hosts[0]!, '-u', USER];
    const list = await runCli([...one, '--format', 'list', '-s', '[pscustomobject]@{ A = 1; B = "b" }'], { env });
    expect(list.stdout).toBe('\nA : 1\nB : b\n\n');
    const table = await runCli([...one, '--format', 'table', '-s', '[pscustomobject]@{ A = 1; B = 2; C = 3; D = 4; E = 5 }'], { env });
    expect(table.stdout).toBe('\nA B C D E\n- - - - -\n1 2 3 4 5\n\n');
    const json = await runCli([...one, '--format', 'json', '-s', '7'], { env });
    expect(json.stdout.split('\n')[0]).toBe(`{"host":"${hosts[0]}","stream":"output","seq":1,"types":["System.Int32"],"value":7}`);
  });

  it('--format table with --cmd is a usage error (exit 64)', async () => {
    const res = await invoke(['--format', 'table', '--cmd', 'echo hi']);
    expect(res.code).toBe(64);
    expect(res.stderr).toContain('--format table lays out objects from -s/-f');
  });
});
