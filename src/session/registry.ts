/**
 * The local registry of disconnected PowerShell sessions (`tsremote session …`): which runspace
 * pool (ShellId) on which host a session name stands for, so a later process can Connect to it.
 *
 * Where: `$TSREMOTE_STATE_DIR/sessions.json` when set; on Linux and other XDG systems
 * `$XDG_STATE_HOME/tsremote` or `~/.local/state/tsremote` (state, not config: it changes as you
 * work and is not worth backing up); on macOS and Windows env-paths' data directory.
 *
 * What: names, host specs and the connection facts needed to reach the pool again (port, https,
 * auth, user name, configuration name), the ShellId, times and a command count. Never a password
 * or token: credentials are supplied again on every run. The directory is created 0700 and the
 * file written 0600 through a temporary file and a rename, so a reader never sees half a file.
 *
 * Read-modify-write cycles of concurrent processes are serialised by a lock file created with
 * O_EXCL next to the registry; a lock older than STALE_LOCK_MS is taken to be a crashed process's.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';
import { InvalidArgumentError, TsrError } from '../errors.js';

/** One session, as `session new` recorded it. No secrets. */
export interface SessionRecord {
  name: string;
  /** The host spec as the user typed it (`web1`, `web1:5986`, `https://…`). */
  host: string;
  https: boolean;
  port?: number;
  /** The --auth mechanism used to create it (negotiate, ntlm, basic, certificate). */
  auth: string;
  username?: string;
  configurationName?: string;
  /** The runspace pool's ShellId (= RunspacePoolId). */
  shellId: string;
  /** ISO 8601. */
  created: string;
  /** ISO 8601: the last time a process connected to it. */
  lastUsed: string;
  /** Pipelines run in it so far (the server's per-shell command quota, see docs/cli.md). */
  commands: number;
  /** The IdleTimeOut (seconds) `session new` asked for; each later Disconnect asks for it again. */
  idleTimeoutSec?: number;
}

export interface RegistryOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const FILE_NAME = 'sessions.json';
const MAX_BYTES = 4 * 1024 * 1024;
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;
/** Session names: what a shell word and a file name can carry without quoting. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/** The directory holding sessions.json (see the file comment). */
export function stateDir(opts: RegistryOptions = {}): string {
  const env = opts.env ?? process.env;
  if (env.TSREMOTE_STATE_DIR) return path.resolve(env.TSREMOTE_STATE_DIR);
  const platform = opts.platform ?? process.platform;
  if (platform === 'darwin' || platform === 'win32') return envPaths('tsremote', { suffix: '' }).data;
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says a relative path is invalid and must be ignored.
  return xdg && path.isAbsolute(xdg) ? path.join(xdg, 'tsremote') : path.join(homedir(), '.local', 'state', 'tsremote');
}

/** The registry file. */
export function registryPath(opts: RegistryOptions = {}): string {
  return path.join(stateDir(opts), FILE_NAME);
}

/**
 * Checks a session name.
 * @throws InvalidArgumentError for a name a shell or a file system would mangle.
 */
export function checkSessionName(name: string): void {
  if (!NAME.test(name)) {
    throw new InvalidArgumentError(`bad session name '${name}'`, { hint: 'use letters, digits, . _ @ - (up to 100), starting with a letter or digit' });
  }
}

/** `<host>-<n>`: the smallest n ≥ 1 not taken, the host name (no scheme, port, path) reduced to name characters. */
export function defaultSessionName(host: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  const hostName = host.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').replace(/:\d+$/, '');
  const base = hostName.replace(/[^A-Za-z0-9._@-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '') || 'session';
  for (let n = 1; ; n++) {
    const name = `${base}-${n}`;
    if (!used.has(name.toLowerCase())) return name;
  }
}

function registryError(file: string, message: string, cause?: unknown): TsrError {
  return new TsrError('ETSR_CONFIG', `${file}: ${message}`, {
    hint: `fix or delete it (its sessions stay on their hosts until their idle timeout)`,
    ...(cause === undefined ? {} : { cause }),
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one parsed record; returns a clean copy holding only the known keys. */
function readRecord(file: string, raw: unknown, i: number): SessionRecord {
  const where = `sessions[${i}]`;
  if (!isObject(raw)) throw registryError(file, `${where} is not an object`);
  const str = (key: string, optional = false): string | undefined => {
    const v = raw[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v === '') throw registryError(file, `${where}.${key} must be a non-empty string`);
    return v;
  };
  const rec: SessionRecord = {
    name: str('name') as string,
    host: str('host') as string,
    https: raw.https === true,
    auth: str('auth') as string,
    shellId: str('shellId') as string,
    created: str('created') as string,
    lastUsed: str('lastUsed') as string,
    commands: typeof raw.commands === 'number' && Number.isInteger(raw.commands) && raw.commands >= 0 ? raw.commands : 0,
  };
  if (typeof raw.https !== 'boolean') throw registryError(file, `${where}.https must be true or false`);
  if (raw.port !== undefined) {
    if (typeof raw.port !== 'number' || !Number.isInteger(raw.port) || raw.port < 1 || raw.port > 65535) {
      throw registryError(file, `${where}.port must be 1-65535`);
    }
    rec.port = raw.port;
  }
  const username = str('username', true);
  if (username !== undefined) rec.username = username;
  const configurationName = str('configurationName', true);
  if (configurationName !== undefined) rec.configurationName = configurationName;
  if (typeof raw.idleTimeoutSec === 'number' && Number.isInteger(raw.idleTimeoutSec) && raw.idleTimeoutSec > 0) rec.idleTimeoutSec = raw.idleTimeoutSec;
  return rec;
}

/** A copy with only the fields of SessionRecord: whatever else a caller's object carries is never written. */
function clean(rec: SessionRecord): SessionRecord {
  const out: SessionRecord = {
    name: rec.name, host: rec.host, https: rec.https, auth: rec.auth, shellId: rec.shellId,
    created: rec.created, lastUsed: rec.lastUsed, commands: rec.commands,
  };
  if (rec.port !== undefined) out.port = rec.port;
  if (rec.username !== undefined) out.username = rec.username;
  if (rec.configurationName !== undefined) out.configurationName = rec.configurationName;
  if (rec.idleTimeoutSec !== undefined) out.idleTimeoutSec = rec.idleTimeoutSec;
  return out;
}

/** Parses the text of sessions.json (exported for tests). @throws TsrError ETSR_CONFIG naming the file. */
export function parseRegistry(file: string, text: string): SessionRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw registryError(file, 'not valid JSON', err);
  }
  if (!isObject(raw) || !Array.isArray(raw.sessions)) throw registryError(file, 'expected { "sessions": [ … ] }');
  const records = raw.sessions.map((r, i) => readRecord(file, r, i));
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.name.toLowerCase())) throw registryError(file, `session '${r.name}' is listed twice`);
    seen.add(r.name.toLowerCase());
  }
  return records;
}

async function readRecords(file: string): Promise<SessionRecord[]> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw registryError(file, 'not a regular file');
    if (st.size > MAX_BYTES) throw registryError(file, `larger than ${MAX_BYTES} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err instanceof TsrError ? err : registryError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  return text.trim() === '' ? [] : parseRegistry(file, text);
}

async function writeRecords(file: string, records: SessionRecord[]): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const text = `${JSON.stringify({ sessions: records }, null, 2)}\n`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'w' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw registryError(file, `cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
}

/** Runs `update` on the records under the lock and writes what it returns (unless undefined). */
async function modify(opts: RegistryOptions, update: (records: SessionRecord[]) => SessionRecord[] | undefined): Promise<void> {
  const dir = stateDir(opts);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, FILE_NAME);
  const lock = `${file}.lock`;
  await acquire(lock);
  try {
    const next = update(await readRecords(file));
    if (next !== undefined) await writeRecords(file, next);
  } finally {
    await rm(lock, { force: true }).catch(() => undefined);
  }
}

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw registryError(lock, 'cannot create the lock file', err);
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > STALE_LOCK_MS) {
      await rm(lock, { force: true }).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new TsrError('ETSR_CONFIG', `${lock}: the session registry is locked by another tsremote`, {
        hint: `wait for it to finish, or delete ${lock} if no tsremote is running`,
      });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Every recorded session, in the order they were created.
 * @throws TsrError ETSR_CONFIG when sessions.json cannot be read or is malformed.
 */
export async function loadRegistry(opts: RegistryOptions = {}): Promise<SessionRecord[]> {
  return readRecords(registryPath(opts));
}

/**
 * The session named `name` (case-insensitive, as PowerShell's -Name).
 * @throws TsrError ETSR_INVALID_ARGUMENT when there is none.
 */
export async function findSession(name: string, opts: RegistryOptions = {}): Promise<SessionRecord> {
  const rec = (await loadRegistry(opts)).find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (rec === undefined) throw new InvalidArgumentError(`no session named ${name}`, { hint: 'tsremote session list' });
  return rec;
}

/**
 * Adds a new session.
 * @throws InvalidArgumentError for a bad name or one already taken.
 */
export async function addSession(rec: SessionRecord, opts: RegistryOptions = {}): Promise<void> {
  checkSessionName(rec.name);
  await modify(opts, (records) => {
    if (records.some((r) => r.name.toLowerCase() === rec.name.toLowerCase())) {
      throw new InvalidArgumentError(`a session named ${rec.name} already exists`, {
        hint: `pick another --name, or tsremote session remove ${rec.name}`,
      });
    }
    return [...records, clean(rec)];
  });
}

/** Adds or replaces (by name) a session record. */
export async function saveSession(rec: SessionRecord, opts: RegistryOptions = {}): Promise<void> {
  checkSessionName(rec.name);
  await modify(opts, (records) => {
    const i = records.findIndex((r) => r.name.toLowerCase() === rec.name.toLowerCase());
    const next = [...records];
    if (i >= 0) next[i] = clean(rec);
    else next.push(clean(rec));
    return next;
  });
}

/**
 * Changes a recorded session in place (under the lock, so a concurrent `session remove` is not
 * undone); does nothing when the session is no longer recorded.
 */
export async function updateSession(name: string, change: (rec: SessionRecord) => SessionRecord, opts: RegistryOptions = {}): Promise<void> {
  await modify(opts, (records) => {
    const i = records.findIndex((r) => r.name.toLowerCase() === name.toLowerCase());
    if (i < 0) return undefined;
    const next = [...records];
    next[i] = clean(change(records[i]!));
    return next;
  });
}

/** Drops a session record (nothing remote); dropping one that is not there does nothing. */
export async function removeSession(name: string, opts: RegistryOptions = {}): Promise<void> {
  await modify(opts, (records) => {
    const next = records.filter((r) => r.name.toLowerCase() !== name.toLowerCase());
    return next.length === records.length ? undefined : next;
  });
}
