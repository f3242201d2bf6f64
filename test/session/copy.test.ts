/**
 * session/copy: the HOST:PATH rule, and transfers in process against serve — segments, a wrong
 * hash on either side detected with nothing left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { PSInvocationState, PSObject } from '../../src/psrp/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { downloadFile, joinRemote, parseCopyLocation, uploadFile, type CopySession } from '../../src/session/copy/index.js';
import { PowerShellSession, connect, type PipelineEvent, type WSManClient } from '../../src/session/index.js';

describe('parseCopyLocation', () => {
  it.each([
    ['web1:C:\\deploy\\', { kind: 'remote', host: 'web1', path: 'C:\\deploy\\' }],
    ['web1:/srv/www', { kind: 'remote', host: 'web1', path: '/srv/www' }],
    ['web1:5986:C:\\x', { kind: 'remote', host: 'web1:5986', path: 'C:\\x' }],
    ['127.0.0.1:5985:/tmp/x', { kind: 'remote', host: '127.0.0.1:5985', path: '/tmp/x' }],
    ['[::1]:/tmp/x', { kind: 'remote', host: '[::1]', path: '/tmp/x' }],
    ['[fe80::1]:5985:C:\\x', { kind: 'remote', host: '[fe80::1]:5985', path: 'C:\\x' }],
    [':C:\\deploy\\', { kind: 'remote', host: '', path: 'C:\\deploy\\' }],
    ['web1:logs\\x.log', { kind: 'remote', host: 'web1', path: 'logs\\x.log' }],
    ['C:\\local\\file.txt', { kind: 'local', path: 'C:\\local\\file.txt' }],
    ['c:/local', { kind: 'local', path: 'c:/local' }],
    ['./a:b', { kind: 'local', path: './a:b' }],
    ['/tmp/x:y', { kind: 'local', path: '/tmp/x:y' }],
    ['\\\\server\\share\\f', { kind: 'local', path: '\\\\server\\share\\f' }],
    ['app.zip', { kind: 'local', path: 'app.zip' }],
  ])('%s', (arg, expected) => {
    expect(parseCopyLocation(arg)).toEqual(expected);
  });

  it('rejects a remote argument without a path, and a bracket without a colon', () => {
    expect(() => parseCopyLocation('web1:')).toThrow("'web1:' names no remote path");
    expect(() => parseCopyLocation('[::1]/x')).toThrow('an IPv6 host is written [ADDRESS]:PATH');
  });

  it('joins relative paths in the remote style', () => {
    expect(joinRemote('C:\\deploy', 'a/b.txt')).toBe('C:\\deploy\\a\\b.txt');
    expect(joinRemote('C:\\deploy\\', 'a/b.txt')).toBe('C:\\deploy\\a\\b.txt');
    expect(joinRemote('/srv/www', 'a/b.txt')).toBe('/srv/www/a/b.txt');
  });
});

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-copyu-'));
let server: RunningServer;
let client: WSManClient;
let session: PowerShellSession;

beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true });
  client = connect(server.urls[0]!.host, {
    https: false, auth: 'basic', credential: new Credential('u', 'p'), allowUnencrypted: true, operationTimeoutSec: 20, connectTimeoutSec: 5,
  });
  session = await PowerShellSession.open(client);
});
afterAll(async () => {
  await session.close();
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('uploadFile / downloadFile against serve', () => {
  it('uploads in several segments (append) and the result is identical', async () => {
    const data = randomBytes(10_000);
    writeFileSync(path.join(dir, 'seg.bin'), data);
    mkdirSync(path.join(dir, 'segs'));
    const seen: number[] = [];
    const rec = await uploadFile(session, path.join(dir, 'seg.bin'), path.join(dir, 'segs', 'out.bin'), {
      chunkSize: 1000, segmentChunks: 3, onProgress: (n) => seen.push(n),
    });
    expect(rec).toMatchObject({ destination: path.join(dir, 'segs', 'out.bin'), bytes: 10_000, sha256: sha(data) });
    expect(seen).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(readFileSync(path.join(dir, 'segs', 'out.bin')).equals(data)).toBe(true);
    expect(readdirSync(path.join(dir, 'segs'))).toEqual(['out.bin']);
  });

  it('a wrong hash on upload fails with ETSR_COPY_INTEGRITY and removes the partial file', async () => {
    writeFileSync(path.join(dir, 'bad.bin'), randomBytes(5000));
    mkdirSync(path.join(dir, 'bad'));
    const err = await uploadFile(session, path.join(dir, 'bad.bin'), `${path.join(dir, 'bad')}/`, { chunkSize: 2000, segmentChunks: 2, expectSha256: '00'.repeat(32) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_COPY_INTEGRITY', host: session.host });
    expect(String((err as Error).message)).toMatch(/^SHA-256 mismatch for '.*bad\.bin': received [0-9a-f]{64}, expected 0{64}; the partial file was removed$/);
    expect(readdirSync(path.join(dir, 'bad'))).toEqual([]);
  });

  it('an upload into a missing directory fails and leaves nothing', async () => {
    writeFileSync(path.join(dir, 'x.bin'), 'x');
    const err = await uploadFile(session, path.join(dir, 'x.bin'), path.join(dir, 'nodir', 'x.bin')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_COPY_FAILED', message: `Could not find a part of the path '${path.join(dir, 'nodir', 'x.bin')}': the directory does not exist.` });
  });

  it('a download whose chunks do not match the remote hash fails and leaves no partial file', async () => {
    // A session that answers like DOWNLOAD_SCRIPT but with a hash of other bytes.
    const fake: CopySession = {
      host: 'fake',
      async *run(): AsyncGenerator<PipelineEvent, void, undefined> {
        const pipelineId = 'P';
        yield { type: 'PipelineOutput', pipelineId, value: Buffer.from('hello ').toString('base64') };
        yield { type: 'PipelineOutput', pipelineId, value: Buffer.from('world').toString('base64') };
        yield { type: 'PipelineOutput', pipelineId, value: new PSObject({ adapted: [['Sha256', sha(Buffer.from('other'))], ['Length', 11]] }) };
        yield { type: 'PipelineState', pipelineId, state: PSInvocationState.Completed, previous: PSInvocationState.Running };
      },
    };
    mkdirSync(path.join(dir, 'dl'));
    const err = await downloadFile(fake, '/remote/f', path.join(dir, 'dl', 'f')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_COPY_INTEGRITY', host: 'fake' });
    expect(readdirSync(path.join(dir, 'dl'))).toEqual([]);
  });
});
