/**
 * `tsremote copy` end to end: the real CLI against two `serve` listeners (PowerShell endpoint,
 * the built-in engine running copy's remote scripts on real Linux paths).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { runCli } from '../helpers/cli.js';

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
});
