/**
 * Copy throughput against serve on loopback (NTLM, sealed over HTTP: the CLI's default), and the
 * WS-Man requests per MB. Off by default; docs/performance.md ("copy") records a run:
 *
 *     TSR_BENCH_COPY=1 npx vitest run test/session/copy-bench.test.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { downloadFile, uploadFile } from '../../src/session/copy/index.js';
import { PowerShellSession, connect } from '../../src/session/index.js';

const MB = 1024 * 1024;
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-copyb-'));
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }] });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

async function measure(bytes: number, chunkKiB: number): Promise<string> {
  const src = path.join(dir, `src-${bytes}`);
  writeFileSync(src, randomBytes(bytes));
  const client = connect(server.urls[0]!.host, { https: false, auth: 'negotiate', credential: new Credential('u', 'p'), operationTimeoutSec: 20, connectTimeoutSec: 5 });
  const session = await PowerShellSession.open(client);
  try {
    const before = total(session.requests);
    const up = await uploadFile(session, src, path.join(dir, `up-${bytes}-${chunkKiB}`), { chunkSize: chunkKiB * 1024 });
    const mid = total(session.requests);
    const down = await downloadFile(session, up.destination, path.join(dir, `down-${bytes}-${chunkKiB}`), { chunkSize: chunkKiB * 1024 });
    const after = total(session.requests);
    expect(down.sha256).toBe(up.sha256);
    const mb = bytes / MB;
    const fmt = (n: number): string => n.toFixed(1);
    return `| ${bytes >= MB ? `${fmt(mb)} MiB` : `${bytes} B`} | ${chunkKiB} KiB | ${fmt(mb / up.seconds)} | ${mid - before} (${fmt((mid - before) / Math.max(mb, 1))}/MiB) | ${fmt(mb / down.seconds)} | ${after - mid} (${fmt((after - mid) / Math.max(mb, 1))}/MiB) |`;
  } finally {
    await session.close();
    await client.close();
  }
}

describe.skipIf(!process.env.TSR_BENCH_COPY)('copy throughput (TSR_BENCH_COPY=1)', () => {
  it('measures upload and download', async () => {
    const rows = ['| file | chunk | up MiB/s | up requests | down MiB/s | down requests |', '|---|---|---|---|---|---|'];
    rows.push(await measure(132, 256));
    for (const chunk of [64, 256, 1024]) rows.push(await measure(32 * MB, chunk));
    console.log(rows.join('\n'));
  }, 600_000);
});
