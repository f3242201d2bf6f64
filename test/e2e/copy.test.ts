/**
 * `tsremote copy` end to end: the real CLI against two `serve` listeners (PowerShell endpoint,
 * the built-in engine running copy's remote scripts on real Linux paths).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { binPath, runCli } from '../helpers/cli.js';

const USER = 'copier';
const PASSWORD = 'copy-e2e-pass';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-copy-'));
const env = { TSREMOTE_PASSWORD: PASSWORD, XDG_CONFIG_HOME: path.join(dir, 'cfg'), XDG_STATE_HOME: path.join(dir, 'state') };
let server: RunningServer;
let hosts: string[];
const conn = ['-u', USER];
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Rec { host: string; source: string; destination: string; bytes: number; sha256: string; seconds: number }
const records = (stdout: string): Rec[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

/** Every file under a directory: relative path → content hash. */
function tree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, { [`${r}/`]: 'dir' }, tree(root, r));
    else out[r] = sha(readFileSync(path.join(root, r)));
  }
  return out;
}

/** Every path under a directory (files and directories), relative, '/'-separated. */
function allPaths(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((p) => p.split(path.sep).join('/'));
}

/**
 * A `tsremote serve` child process started in its own working directory, so a relative remote
 * path names a different file on each instance (the in-process listeners share one cwd).
 */
async function startServeChild(cwd: string): Promise<{ host: string; child: ChildProcessWithoutNullStreams }> {
  const child = spawn(process.execPath, [binPath, 'serve', '--user', USER, '--listen', '127.0.0.1:0', '--quiet'], {
    cwd,
    env: { ...process.env, TSREMOTE_SERVE_PASSWORD: PASSWORD, NO_COLOR: '1' },
  });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const host = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(new URL(m[1]).host);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${err}`));
    });
  });
  return { host, child };
}

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0', '127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }] });
  hosts = server.urls.map((u) => u.host);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('copy against serve', () => {
  const big = randomBytes(3 * 1024 * 1024 + 123);

  it('uploads a 3 MB file and downloads it back, byte- and hash-identical', async () => {
    const src = path.join(dir, 'big.bin');
    writeFileSync(src, big);
    const remoteDir = path.join(dir, 'remote1');
    mkdirSync(remoteDir);
    const up = await runCli(['copy', ...conn, '--json', src, `${hosts[0]}:${remoteDir}/`], { env, timeoutMs: 120_000 });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const [rec] = records(up.stdout);
    expect(rec).toMatchObject({ host: hosts[0], source: src, destination: path.join(remoteDir, 'big.bin'), bytes: big.length, sha256: sha(big) });
    expect(readFileSync(path.join(remoteDir, 'big.bin')).equals(big)).toBe(true);
    // No temp file is left beside it.
    expect(readdirSync(remoteDir)).toEqual(['big.bin']);

    const back = path.join(dir, 'back.bin');
    const down = await runCli(['copy', ...conn, '--json', `${hosts[0]}:${remoteDir}/big.bin`, back], { env, timeoutMs: 120_000 });
    expect(down.code).toBe(0);
    expect(records(down.stdout)).toEqual([expect.objectContaining({ host: hosts[0], destination: back, bytes: big.length, sha256: sha(big) })]);
    expect(readFileSync(back).equals(big)).toBe(true);
  });

  it('copies a directory tree up with -r and down again', async () => {
    const site = path.join(dir, 'site');
    mkdirSync(path.join(site, 'css', 'deep'), { recursive: true });
    mkdirSync(path.join(site, 'empty'));
    writeFileSync(path.join(site, 'index.html'), '<h1>hi</h1>\n');
    writeFileSync(path.join(site, 'css', 'a.css'), randomBytes(70_000));
    writeFileSync(path.join(site, 'css', 'deep', 'zero.bin'), Buffer.alloc(0));
    const remote = path.join(dir, 'www');
    const up = await runCli(['copy', ...conn, '-r', site, `${hosts[0]}:${remote}`], { env, timeoutMs: 120_000 });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(tree(remote)).toEqual(tree(site));

    const local = path.join(dir, 'down');
    mkdirSync(local);
    const down = await runCli(['copy', ...conn, '-r', '--json', `${hosts[0]}:${remote}`, local], { env, timeoutMs: 120_000 });
    expect(down.code).toBe(0);
    expect(records(down.stdout).map((r) => path.relative(local, r.destination)).sort()).toEqual(['www/css/a.css', 'www/css/deep/zero.bin', 'www/index.html']);
    expect(tree(path.join(local, 'www'))).toEqual(tree(site));
  });

  it('uploads to two hosts with -c and :PATH', async () => {
    const src = path.join(dir, 'multi.txt');
    writeFileSync(src, 'to both\n');
    const a = path.join(dir, 'ma');
    mkdirSync(a);
    const res = await runCli(['copy', ...conn, '--json', '-c', hosts.join(','), src, `:${a}/`], { env, timeoutMs: 120_000 });
    expect(res.code).toBe(0);
    const recs = records(res.stdout);
    expect(recs.map((r) => r.host).sort()).toEqual([...hosts].sort());
    expect(recs.map((r) => r.sha256)).toEqual([sha(Buffer.from('to both\n')), sha(Buffer.from('to both\n'))]);
    // Both serve listeners share this machine: the last writer wins, and no temp file remains.
    expect(readdirSync(a)).toEqual(['multi.txt']);
  });

  it('a missing remote file is one clear error line and exit 1, and leaves nothing behind', async () => {
    const out = path.join(dir, 'nothing');
    mkdirSync(out);
    const missing = path.join(dir, 'no-such.bin');
    const res = await runCli(['copy', ...conn, `${hosts[0]}:${missing}`, `${out}/`], { env });
    expect(res.stderr).toBe(`${hosts[0]}: Cannot find path '${missing}' because it does not exist.\n`);
    expect(res.code).toBe(1);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a missing local source is a usage error (exit 64) before any host is contacted', async () => {
    const res = await runCli(['copy', ...conn, path.join(dir, 'nope'), '127.0.0.1:1:/tmp/x'], { env });
    expect(res.stderr).toBe(`tsremote: cannot copy '${path.join(dir, 'nope')}': no such file or directory\n`);
    expect(res.code).toBe(64);
  });

  it('--json prints one record per file with exactly host, source, destination, bytes, sha256, seconds', async () => {
    const body = Buffer.from('json record body\n');
    const src = path.join(dir, 'rec.txt');
    writeFileSync(src, body);
    const remoteDir = path.join(dir, 'recs');
    mkdirSync(remoteDir);
    const keys = ['host', 'source', 'destination', 'bytes', 'sha256', 'seconds'];

    const up = await runCli(['copy', ...conn, '--json', src, `${hosts[0]}:${remoteDir}/`], { env, timeoutMs: 120_000 });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const upRecs = records(up.stdout);
    expect(upRecs).toHaveLength(1);
    expect(Object.keys(upRecs[0] as object)).toEqual(keys);
    expect(upRecs[0]).toEqual({
      host: hosts[0], source: src, destination: path.join(remoteDir, 'rec.txt'), bytes: body.length, sha256: sha(body), seconds: expect.any(Number),
    });
    expect(upRecs[0]?.seconds).toBeGreaterThanOrEqual(0);

    const back = path.join(dir, 'rec-back.txt');
    const down = await runCli(['copy', ...conn, '--json', `${hosts[1]}:${remoteDir}/rec.txt`, back], { env, timeoutMs: 120_000 });
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    const downRecs = records(down.stdout);
    expect(downRecs).toHaveLength(1);
    expect(Object.keys(downRecs[0] as object)).toEqual(keys);
    expect(downRecs[0]).toEqual({
      host: hosts[1], source: path.join(remoteDir, 'rec.txt'), destination: back, bytes: body.length, sha256: sha(body), seconds: expect.any(Number),
    });
    expect(downRecs[0]?.seconds).toBeGreaterThanOrEqual(0);
    expect(readFileSync(back).equals(body)).toBe(true);
  });

  it('an upload into a missing remote directory is one error line naming host and path, exit 1, no .tsrpart left', async () => {
    const src = path.join(dir, 'orphan.bin');
    const body = randomBytes(300_000);
    writeFileSync(src, body);
    const root = path.join(dir, 'noparent-root');
    mkdirSync(root);
    const target = path.join(root, 'missing', 'deeper', 'orphan.bin');
    // Small chunks and a multi-chunk file: the failure must not leave a temp file at any stage.
    const res = await runCli(['copy', ...conn, '--chunk-size', '64', src, `${hosts[0]}:${target}`], { env, timeoutMs: 120_000 });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    const lines = res.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${hosts[0]!.replace(/\./g, '\\.')}: `));
    expect(lines[0]).toContain(target);
    expect(lines[0]).toMatch(/does not exist/);
    expect(allPaths(root)).toEqual([]);
    expect(allPaths(dir).filter((p) => p.endsWith('.tsrpart'))).toEqual([]);

    // The same into a missing directory named with a trailing separator.
    const res2 = await runCli(['copy', ...conn, '--json', src, `${hosts[0]}:${path.join(root, 'nope')}/`], { env, timeoutMs: 120_000 });
    expect(res2.code).toBe(1);
    expect(res2.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(res2.stderr).toContain(`${hosts[0]}: `);
    expect(res2.stderr).toContain(path.join(root, 'nope', 'orphan.bin'));
    expect(records(res2.stdout)).toEqual([{ host: hosts[0], error: res2.stderr.trim() }]);
    expect(allPaths(root)).toEqual([]);
    expect(allPaths(dir).filter((p) => p.endsWith('.tsrpart'))).toEqual([]);
  });
});

describe('copy down from several -c hosts', () => {
  const instances: { host: string; child: ChildProcessWithoutNullStreams; cwd: string; body: Buffer }[] = [];

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const cwd = path.join(dir, `serve-${name}`);
      mkdirSync(path.join(cwd, 'logs'), { recursive: true });
      const body = Buffer.concat([Buffer.from(`host ${name}\n`), randomBytes(name === 'a' ? 200_000 : 70_000)]);
      writeFileSync(path.join(cwd, 'logs', 'x.log'), body);
      instances.push({ ...(await startServeChild(cwd)), cwd, body });
    }
  }, 60_000);
  afterAll(async () => {
    for (const i of instances) {
      if (i.child.exitCode === null && i.child.signalCode === null) {
        const gone = new Promise((r) => i.child.once('exit', r));
        i.child.kill('SIGTERM');
        await gone;
      }
    }
  });

  it('saves each host\'s file into DEST/HOST/ with its own bytes and hash', async () => {
    const dest = path.join(dir, 'fan-down');
    const hostList = instances.map((i) => i.host);
    // A relative remote path: each serve resolves it in its own working directory.
    const res = await runCli(['copy', ...conn, '--json', '-c', hostList.join(','), ':logs/x.log', `${dest}/`], { env, timeoutMs: 120_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const recs = records(res.stdout);
    expect(recs).toHaveLength(2);
    for (const i of instances) {
      const local = path.join(dest, i.host.replace(/[^\w.-]+/g, '_'), 'x.log');
      expect(existsSync(local)).toBe(true);
      const got = readFileSync(local);
      expect(got.equals(i.body)).toBe(true);
      expect(sha(got)).toBe(sha(i.body));
      const rec = recs.find((r) => r.host === i.host);
      expect(rec).toEqual({
        host: i.host, source: path.join(i.cwd, 'logs', 'x.log'), destination: local, bytes: i.body.length, sha256: sha(i.body), seconds: expect.any(Number),
      });
    }
    expect(sha(instances[0]!.body)).not.toBe(sha(instances[1]!.body));
    expect(allPaths(dest).sort()).toEqual(instances.flatMap((i) => [i.host.replace(/[^\w.-]+/g, '_'), `${i.host.replace(/[^\w.-]+/g, '_')}/x.log`]).sort());
  });
});

describe('copy up when a Send fails mid-upload', () => {
  /**
   * A refused or lost Send ends only the upload's pipeline (the pool lives on), so the clean-up
   * script still runs in the same session and removes the temp file: nothing is left behind.
   */
  for (const spec of ['http500@send:nth=2', 'reset@send:nth=2,at=0']) {
    it(`${spec}: one error line, exit 1, no .tsrpart and no file on the remote side`, async () => {
      const root = mkdtempSync(path.join(dir, 'sendfault-'));
      const src = path.join(root, 'big.bin');
      writeFileSync(src, randomBytes(3_000_000));
      const remote = path.join(root, 'remote');
      mkdirSync(remote);
      const faulty = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], faultSpec: spec });
      try {
        const host = faulty.urls[0]!.host;
        const res = await runCli(['copy', ...conn, src, `${host}:${remote}/`], { env, timeoutMs: 120_000 });
        expect(faulty.faultCounts()[spec.split('@')[0]!]).toBe(1);
        expect(res.code).toBe(1);
        const lines = res.stderr.split('\n').filter(Boolean);
        expect(lines, res.stderr).toHaveLength(1);
        expect(lines[0]!.startsWith(`${host}: `)).toBe(true);
        expect(lines[0]).toMatch(spec.startsWith('reset') ? /send request was lost .*not sent again/ : /InternalError/);
        expect(readdirSync(remote)).toEqual([]);
        expect(faulty.stats().shells).toBe(0);
      } finally {
        await faulty.close();
      }
    });
  }
});
