/**
 * A hostile tree through a real host: on Linux a file name may hold backslashes, and copy's
 * listing script turns a Windows host's `\` into `/`, so a file literally named `..\..\escaped.txt`
 * on serve's file system is listed as `../../escaped.txt`. The download must refuse it and write
 * nothing, end to end over PSRP against serve (and the CLI must say so and exit 1).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { download } from '../../src/session/copy/index.js';
import { PowerShellSession, connect, type WSManClient } from '../../src/session/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-hostile-'));
const remote = path.join(dir, 'remote', 'share');
const local = path.join(dir, 'local', 'deep', 'dest');
let server: RunningServer;
let client: WSManClient;
let session: PowerShellSession;

beforeAll(async () => {
  mkdirSync(remote, { recursive: true });
  mkdirSync(local, { recursive: true });
  writeFileSync(path.join(remote, 'fine.txt'), 'fine');
  writeFileSync(path.join(remote, '..\\..\\escaped.txt'), 'pwned');
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

describe('download of a tree holding a backslash-escape name', () => {
  it('is refused before anything is written (in process, over PSRP)', async () => {
    const err = await download(session, remote, `${local}/`, { recurse: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_COPY_UNSAFE', message: `refusing remote entry "../../escaped.txt": it has a '..' component` });
    expect(readdirSync(local)).toEqual([]);
    expect(existsSync(path.join(dir, 'local', 'escaped.txt'))).toBe(false);
    expect(existsSync(path.join(dir, 'local', 'deep', 'escaped.txt'))).toBe(false);
  });

  it('the CLI prints one line and exits 1', async () => {
    const host = server.urls[0]!.host;
    const res = await runCli(['copy', '-r', '-u', 'u', '--auth', 'basic', '--allow-unencrypted', `${host}:${remote}`, `${local}/`], {
      env: { TSREMOTE_PASSWORD: 'p', TSREMOTE_CONFIG: undefined, TSREMOTE_USERNAME: undefined },
      timeoutMs: 60_000,
    });
    expect(res.stderr).toContain(`${host}: refusing remote entry "../../escaped.txt": it has a '..' component; hint: the remote host listed a name that could land outside the destination; nothing was copied`);
    expect(res.code).toBe(1);
    expect(readdirSync(local)).toEqual([]);
    expect(existsSync(path.join(dir, 'local', 'escaped.txt'))).toBe(false);
  });
});
