/**
 * serve's users file (src/server/users-file.ts): scrypt and NT hashes, the privacy check on read,
 * strict parsing, and a real serve logging users on from it — Basic over HTTPS against the scrypt
 * hash, NTLM over sealed HTTP against the NT hash (the NtlmServerContext ntHash path).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { TsrError } from '../../src/errors.js';
import { hashUser, loadServeUsers, readUsersFile, startServer, upsertUser, verifyPassword, writeUsersFile, type ScryptParams } from '../../src/server/index.js';
import { parseUsersFile, toServeUser } from '../../src/server/users-file.js';
import { connect } from '../../src/session/index.js';
import { serveCommand, type ServeVerbOptions } from '../../src/cli/serve.js';

/** Cheap parameters: the tests check the bookkeeping, not the cost. */
const FAST: ScryptParams = { N: 1024, r: 8, p: 1 };
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => path.join(dir, name);

function thrown(fn: () => unknown): TsrError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TsrError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('hashing', () => {
  it('records N/r/p, a random salt, and the NT hash of MS-NLMP 4.2.1 for "Password"', () => {
    const a = hashUser('alice', 'Password', { params: FAST });
    const b = hashUser('alice', 'Password', { params: FAST });
    expect([a.scrypt.N, a.scrypt.r, a.scrypt.p]).toEqual([1024, 8, 1]);
    expect(Buffer.from(a.scrypt.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(a.scrypt.hash, 'base64')).toHaveLength(32);
    expect(a.scrypt.salt).not.toBe(b.scrypt.salt);
    expect(a.scrypt.hash).not.toBe(b.scrypt.hash);
    // MS-NLMP 4.2.2.1.2: NTOWFv1("Password") = a4f49c406510bdcab6824ee7c30fd852
    expect(a.ntHash).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });

  it('verifies the right password only, and the default cost is 2^15', () => {
    const e = hashUser('alice', 'pässwörd', { params: FAST });
    expect([verifyPassword(e, 'pässwörd'), verifyPassword(e, 'passwörd'), verifyPassword(e, '')]).toEqual([true, false, false]);
    expect(hashUser('x', 'y').scrypt).toMatchObject({ N: 32768, r: 8, p: 1 });
  });

  it('stores no NT hash with ntlm: false, and refuses empty passwords and odd names', () => {
    expect('ntHash' in hashUser('bob', 'pw', { ntlm: false, params: FAST })).toBe(false);
    expect(thrown(() => hashUser('bob', '', { params: FAST })).code).toBe('ETSR_CREDENTIALS');
    expect(thrown(() => hashUser('a:b', 'pw', { params: FAST })).message).toBe("--add-user: invalid user name 'a:b'");
  });

  it('a stored user remembers the last verified password but still refuses others', () => {
    const u = toServeUser(hashUser('carol', 'one', { params: FAST }));
    expect([u.verifyPassword('one'), u.verifyPassword('one'), u.verifyPassword('two'), u.verifyPassword('one')]).toEqual([true, true, false, true]);
  });
});

describe('the file', () => {
  it('upsert adds, then replaces case-insensitively; write is 0600 and reads back equal', () => {
    const a = hashUser('Alice', 'a', { params: FAST });
    const b = hashUser('bob', 'b', { params: FAST });
    const a2 = hashUser('ALICE', 'a2', { params: FAST, ntlm: false });
    let r = upsertUser({ version: 1, users: [] }, a);
    expect(r.added).toBe(true);
    r = upsertUser(r.file, b);
    r = upsertUser(r.file, a2);
    expect(r.added).toBe(false);
    expect(r.file.users.map((u) => u.name)).toEqual(['ALICE', 'bob']);
    const f = file('users.json');
    const old = process.umask(0o022);
    try {
      writeUsersFile(f, r.file);
    } finally {
      process.umask(old);
    }
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readUsersFile(f)).toEqual(r.file);
  });

  it.skipIf(process.platform === 'win32')('refuses a file group or others may read, with the chmod hint', () => {
    const f = file('public.json');
    writeUsersFile(f, { version: 1, users: [hashUser('a', 'b', { params: FAST })] });
    chmodSync(f, 0o640);
    const err = thrown(() => readUsersFile(f));
    expect([err.code, err.message, err.hint]).toEqual(['ETSR_CONFIG', `${f} is accessible by others (mode 0640): it holds password hashes`, `chmod 600 '${f}'`]);
    chmodSync(f, 0o604);
    expect(thrown(() => loadServeUsers(f)).hint).toBe(`chmod 600 '${f}'`);
    chmodSync(f, 0o600);
    expect(loadServeUsers(f).map((u) => u.username)).toEqual(['a']);
  });

  it('a missing file is empty only when asked; an empty store cannot be served', () => {
    expect(readUsersFile(file('none.json'), { missingOk: true })).toEqual({ version: 1, users: [] });
    expect(thrown(() => readUsersFile(file('none.json'))).message).toBe(`cannot read the users file ${file('none.json')}`);
    writeUsersFile(file('empty.json'), { version: 1, users: [] });
    expect(thrown(() => loadServeUsers(file('empty.json'))).message).toBe(`the users file ${file('empty.json')} holds no user`);
  });

  it('names the bad key of a tampered file', () => {
    const good = hashUser('a', 'b', { params: FAST });
    const msg = (doc: unknown): string => thrown(() => parseUsersFile(JSON.stringify(doc), 'F')).message;
    expect(msg({ version: 2, users: [] })).toBe('F: expected {"version": 1, "users": [...]}');
    expect(msg({ version: 1, users: [{ ...good, scrypt: { ...good.scrypt, N: 1000 } }] })).toBe('F: users[0].scrypt.N must be a power of two up to 2^20');
    expect(msg({ version: 1, users: [{ ...good, scrypt: { ...good.scrypt, N: 2 ** 22 } }] })).toBe('F: users[0].scrypt.N must be a power of two up to 2^20');
    expect(msg({ version: 1, users: [{ ...good, ntHash: 'xyz' }] })).toBe('F: users[0].ntHash must be 32 hex digits');
    expect(msg({ version: 1, users: [good, { ...good, name: 'A' }] })).toBe("F: users[1]: user 'A' appears twice");
    expect(thrown(() => parseUsersFile('{', 'F')).message).toMatch(/^F: not JSON/);
  });
});

describe('serve --users: both mechanisms log on from the file', () => {
  it('Basic over HTTPS checks the scrypt hash; NTLM over sealed HTTP uses the NT hash', async () => {
    const f = file('serve-users.json');
    writeUsersFile(f, {
      version: 1,
      users: [hashUser('alice', 'Al1ce-pw!', { params: FAST }), hashUser('bob', 'B0b-pw!', { params: FAST, ntlm: false })],
    });
    const users = loadServeUsers(f);
    const [tls, plain] = await Promise.all([
      startServer({ listen: ['127.0.0.1:0'], users, https: true }),
      startServer({ listen: ['127.0.0.1:0'], users }),
    ]);
    const caFile = file('ca.pem');
    writeFileSync(caFile, tls.certPem ?? '');
    const identify = async (server: typeof tls, auth: 'basic' | 'negotiate', user: string, password: string): Promise<string> => {
      const client = connect(server.urls[0]!.host, {
        https: server === tls,
        auth,
        credential: new Credential(user, password),
        caFile,
        operationTimeoutSec: 10,
        connectTimeoutSec: 5,
      });
      try {
        return (await client.identify()).securityProfiles.join(' ');
      } catch (err) {
        return `error ${(err as TsrError).code}`;
      } finally {
        await client.close();
      }
    };
    try {
      const results = [
        await identify(tls, 'basic', 'alice', 'Al1ce-pw!'),
        await identify(tls, 'basic', 'alice', 'wrong'),
        await identify(plain, 'negotiate', 'alice', 'Al1ce-pw!'),
        await identify(plain, 'negotiate', 'alice', 'wrong'),
        await identify(tls, 'basic', 'bob', 'B0b-pw!'),
        await identify(plain, 'negotiate', 'bob', 'B0b-pw!'), // stored without an NT hash
      ];
      const P = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile';
      expect(results).toEqual([
        `${P}/https/basic`,
        'error ETSR_AUTH_REJECTED',
        `${P}/http/spnego-kerberos`,
        'error ETSR_AUTH_REJECTED',
        `${P}/https/basic`,
        'error ETSR_AUTH_REJECTED',
      ]);
    } finally {
      await Promise.all([tls.close(), plain.close()]);
    }
  });
});

it('the users file never holds the password', () => {
  const f = file('secret.json');
  writeUsersFile(f, { version: 1, users: [hashUser('d', 'Very-Secret-9', { params: FAST })] });
  expect(readFileSync(f, 'utf8')).not.toContain('Very-Secret-9');
});

describe('serve --users FILE', () => {
  async function parse(args: string[]): Promise<ServeVerbOptions> {
    let seen: ServeVerbOptions | undefined;
    const cmd = serveCommand({ code: 0 }, async (o) => {
      seen = o;
      return 0;
    });
    cmd.exitOverride();
    await cmd.parseAsync(args, { from: 'user' });
    if (seen === undefined) throw new Error('serve did not run');
    return seen;
  }

  it('takes the file instead of --user and needs no TSREMOTE_SERVE_PASSWORD', async () => {
    expect((await parse(['--users', 'u.json', '--https'])).accounts).toEqual({ usersFile: 'u.json' });
  });

  it('wants exactly one of --user and --users', async () => {
    await expect(parse(['--users', 'u.json', '--user', 'me'])).rejects.toThrow('give either --user (with TSREMOTE_SERVE_PASSWORD) or --users FILE');
    await expect(parse([])).rejects.toThrow('give either --user (with TSREMOTE_SERVE_PASSWORD) or --users FILE');
  });
});
