/**
 * serve's user store: the file `tsremote serve --users FILE` logs users on from, and
 * `tsremote enable --add-user NAME` writes. It holds no password, only what verifies one.
 *
 * Format (JSON, so a tampered or hand-edited file fails loudly at one named key):
 * ```
 * { "version": 1,
 *   "users": [
 *     { "name": "alice",
 *       "scrypt": { "N": 32768, "r": 8, "p": 1, "salt": "<base64, 16 bytes>", "hash": "<base64, 32 bytes>" },
 *       "ntHash": "<hex, 16 bytes>" } ] }
 * ```
 * - `scrypt` (RFC 7914) verifies Basic passwords. N/r/p are recorded per entry, so raising the
 *   default later leaves existing entries valid.
 * - `ntHash` is MD4(UTF-16LE(password)), the only secret NTLMv2 needs (MS-NLMP 3.3.2 NTOWFv2).
 *   NTLM cannot be verified against a slow hash: the server must recompute the client's HMAC from
 *   this very value. So the NT hash is a password equivalent for NTLM (pass-the-hash), which is why
 *   the file must be private. An entry written with `--no-ntlm` has no `ntHash`: that user can
 *   only log on with Basic (over HTTPS).
 *
 * Privacy is enforced on read, as ssh does for its keys: on Linux and macOS a file that group or
 * others may access, or that another user (not root) owns, is refused with the chmod hint.
 * Writes go to a 0600 temporary file renamed over the old one, so a reader never sees half a file.
 *
 * Basic authenticates every request, and scrypt costs ~100 ms by design; the verifier remembers the
 * SHA-256 of the last password that verified per user (in memory only, as the `--user` path keeps
 * a SHA-256 of the password), so a session pays scrypt once.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ntowfv1 } from '../auth/ntlm/index.js';
import { TsrError } from '../errors.js';
import type { StoredUser } from './auth/index.js';

/** scrypt cost parameters (RFC 7914 section 2). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** One account of the store. */
export interface UserEntry {
  name: string;
  scrypt: ScryptParams & { salt: string; hash: string };
  /** Hex; absent when the user may not use NTLM. */
  ntHash?: string;
}

export interface UsersFile {
  version: 1;
  users: UserEntry[];
}

/** 2^15, r 8, p 1: 32 MiB and ~100 ms per check, within Node's scrypt memory guard when doubled. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 32768, r: 8, p: 1 };
const HASH_BYTES = 32;
const SALT_BYTES = 16;
/** Bounds for parameters read from a file: a tampered file must not make serve allocate gigabytes. */
const MAX_LOG2_N = 20;
const MAX_R = 32;
const MAX_P = 16;

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function scrypt(password: string, salt: Buffer, params: ScryptParams, length: number): Buffer {
  return scryptSync(password, salt, length, { ...params, maxmem: 256 * params.N * params.r + (1 << 20) });
}

/**
 * Builds a store entry for `name` with a fresh random salt.
 * @param options.ntlm false: store no NT hash (the user cannot log on with NTLM).
 */
export function hashUser(name: string, password: string, options: { ntlm?: boolean; params?: ScryptParams } = {}): UserEntry {
  checkName(name, '--add-user');
  if (password === '') throw new TsrError('ETSR_CREDENTIALS', `empty password for ${name}`, { hint: 'serve refuses accounts without a password' });
  const params = options.params ?? DEFAULT_SCRYPT;
  const salt = randomBytes(SALT_BYTES);
  const entry: UserEntry = {
    name,
    scrypt: { ...params, salt: salt.toString('base64'), hash: scrypt(password, salt, params, HASH_BYTES).toString('base64') },
  };
  // The NT hash is of the password exactly as typed: Windows does not normalise it either.
  if (options.ntlm !== false) entry.ntHash = Buffer.from(ntowfv1(password)).toString('hex');
  return entry;
}

/** Checks `password` against an entry's scrypt hash, in constant time. */
export function verifyPassword(entry: UserEntry, password: string): boolean {
  const expected = Buffer.from(entry.scrypt.hash, 'base64');
  const actual = scrypt(password, Buffer.from(entry.scrypt.salt, 'base64'), entry.scrypt, expected.length);
  return timingSafeEqual(actual, expected);
}

/** Adds `entry`, or replaces the user of the same name (case-insensitive, as Windows names compare). */
export function upsertUser(file: UsersFile, entry: UserEntry): { file: UsersFile; added: boolean } {
  const key = entry.name.toLowerCase();
  const added = !file.users.some((u) => u.name.toLowerCase() === key);
  const users = added ? [...file.users, entry] : file.users.map((u) => (u.name.toLowerCase() === key ? entry : u));
  return { file: { version: 1, users }, added };
}

export function serializeUsersFile(file: UsersFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Parses and checks the store's text.
 * @throws TsrError ETSR_CONFIG naming the file and the bad key.
 */
export function parseUsersFile(text: string, file: string): UsersFile {
  const bad = (what: string): TsrError =>
    new TsrError('ETSR_CONFIG', `${file}: ${what}`, { hint: 'rewrite the entry with tsremote enable --add-user NAME' });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TsrError('ETSR_CONFIG', `${file}: not JSON (${(err as Error).message})`, { hint: 'the users file is written by tsremote enable --add-user' });
  }
  if (!isObject(doc) || doc.version !== 1 || !Array.isArray(doc.users)) throw bad('expected {"version": 1, "users": [...]}');
  const seen = new Set<string>();
  const users = doc.users.map((u: unknown, i: number): UserEntry => {
    const at = `users[${i}]`;
    if (!isObject(u) || typeof u.name !== 'string') throw bad(`${at}.name is missing`);
    try {
      checkName(u.name, at);
    } catch (err) {
      throw bad((err as Error).message);
    }
    if (seen.has(u.name.toLowerCase())) throw bad(`${at}: user '${u.name}' appears twice`);
    seen.add(u.name.toLowerCase());
    const s = u.scrypt;
    if (!isObject(s)) throw bad(`${at}.scrypt is missing`);
    const { N, r, p, salt, hash } = s;
    if (!(Number.isInteger(N) && (N as number) >= 2 && (N as number) <= 2 ** MAX_LOG2_N && ((N as number) & ((N as number) - 1)) === 0)) {
      throw bad(`${at}.scrypt.N must be a power of two up to 2^${MAX_LOG2_N}`);
    }
    if (!(Number.isInteger(r) && (r as number) >= 1 && (r as number) <= MAX_R)) throw bad(`${at}.scrypt.r must be 1-${MAX_R}`);
    if (!(Number.isInteger(p) && (p as number) >= 1 && (p as number) <= MAX_P)) throw bad(`${at}.scrypt.p must be 1-${MAX_P}`);
    if (!isBase64(salt, 8)) throw bad(`${at}.scrypt.salt must be base64 of at least 8 bytes`);
    if (!isBase64(hash, 16)) throw bad(`${at}.scrypt.hash must be base64 of at least 16 bytes`);
    const entry: UserEntry = { name: u.name, scrypt: { N: N as number, r: r as number, p: p as number, salt: salt as string, hash: hash as string } };
    if (u.ntHash !== undefined) {
      if (typeof u.ntHash !== 'string' || !/^[0-9a-f]{32}$/i.test(u.ntHash)) throw bad(`${at}.ntHash must be 32 hex digits`);
      entry.ntHash = u.ntHash.toLowerCase();
    }
    return entry;
  });
  return { version: 1, users };
}

/**
 * Reads the store, refusing a file others may read (Linux and macOS).
 * @param options.missingOk return an empty store when the file does not exist.
 * @throws TsrError ETSR_CONFIG for a missing, public or malformed file.
 */
export function readUsersFile(file: string, options: { missingOk?: boolean } = {}): UsersFile {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if (options.missingOk && (err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: [] };
    throw new TsrError('ETSR_CONFIG', `cannot read the users file ${file}`, { cause: err, hint: 'create it with tsremote enable --add-user NAME' });
  }
  try {
    // fstat of the open descriptor: the checked file is the one read.
    checkPrivate(file, fstatSync(fd));
    return parseUsersFile(readFileSync(fd, 'utf8'), file);
  } finally {
    closeSync(fd);
  }
}

/** Writes the store atomically with mode 0600 (a temporary file in the same folder, then rename). */
export function writeUsersFile(file: string, contents: UsersFile): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, serializeUsersFile(contents), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // it was never created, or the rename already consumed it
    }
    throw new TsrError('ETSR_CONFIG', `cannot write the users file ${file}`, { cause: err, hint: 'check that the folder exists and is yours' });
  }
}

/**
 * Reads the store and turns it into serve's accounts.
 * @throws TsrError ETSR_CONFIG (see {@link readUsersFile}), or ETSR_SERVER when it holds no user.
 */
export function loadServeUsers(file: string): StoredUser[] {
  const store = readUsersFile(file);
  if (store.users.length === 0) {
    throw new TsrError('ETSR_SERVER', `the users file ${file} holds no user`, { hint: 'add one with tsremote enable --add-user NAME' });
  }
  return store.users.map(toServeUser);
}

/** One entry as serve's {@link StoredUser}, with the per-user memo of the last verified password. */
export function toServeUser(entry: UserEntry): StoredUser {
  let verified: Buffer | undefined;
  const user: StoredUser = {
    username: entry.name,
    verifyPassword: (password) => {
      const digest = sha256(password);
      if (verified !== undefined && timingSafeEqual(digest, verified)) return true;
      if (!verifyPassword(entry, password)) return false;
      verified = digest;
      return true;
    },
  };
  if (entry.ntHash !== undefined) user.ntHash = new Uint8Array(Buffer.from(entry.ntHash, 'hex'));
  return user;
}

function checkPrivate(file: string, st: { mode: number; uid: number }): void {
  if (process.platform === 'win32') return; // no mode bits: NTFS ACLs are the admin's business
  const uid = process.getuid?.();
  if ((st.mode & 0o077) !== 0) {
    throw new TsrError('ETSR_CONFIG', `${file} is accessible by others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): it holds password hashes`, {
      hint: `chmod 600 '${file}'`,
    });
  }
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
    throw new TsrError('ETSR_CONFIG', `${file} is owned by another user (uid ${st.uid})`, { hint: `chown ${uid} '${file}'` });
  }
}

function checkName(name: string, at: string): void {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > 256 || /[\u0000-\u001f\u007f:]/.test(name)) {
    throw new TsrError('ETSR_INVALID_ARGUMENT', `${at}: invalid user name '${name.slice(0, 80)}'`, { hint: 'use user or DOMAIN\\user, without ":" or control characters' });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isBase64(v: unknown, minBytes: number): boolean {
  return typeof v === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length >= minBytes;
}
