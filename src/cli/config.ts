/**
 * The user's config file: connection defaults, named profiles and per-host entries.
 *
 * Where: `$TSREMOTE_CONFIG` when set, else `config.json` in the user's config directory as env-paths
 * names it (Linux `~/.config/tsremote/config.json` or `$XDG_CONFIG_HOME/tsremote/…`, macOS
 * `~/Library/Preferences/tsremote/config.json`, Windows `%APPDATA%\tsremote\Config\config.json`).
 *
 * ```json
 * {
 *   "defaults": { "profile": "corp", "operationTimeout": 30 },
 *   "profiles": { "corp": { "username": "CORP\\admin", "passwordCommand": "pass show winrm/admin" } },
 *   "hosts":    { "*.lab.example": { "auth": "basic", "https": true, "caFile": "lab-ca.pem" } }
 * }
 * ```
 *
 * Rules this file enforces, so a mistake is an error naming the file and key (ETSR_CONFIG, exit 64)
 * and never a silently ignored setting:
 * - unknown keys, wrong types, a `defaults.profile` that names no profile;
 * - relative paths (caFile, certFile, keyFile) are relative to the file's folder; `~/` is home;
 * - a file holding a `passwordCommand` runs commands as you, so, as ssh does with its config, it
 *   is refused when group or others may read or write it, or another user owns it (POSIX only:
 *   Windows has ACLs, not mode bits);
 * - a missing default file is simply no config (it is not even opened); a missing
 *   `$TSREMOTE_CONFIG` is an error, because the user asked for that file.
 * Which setting wins for a host is config-resolve.ts's business.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';
import { TsrError } from '../errors.js';
import { AUTH_NAMES, type ConnectionSettings } from './connection-options.js';

/** A parsed, checked config file. */
export interface Config {
  /** Absolute path of the file, for messages. */
  file: string;
  defaults: ConnectionSettings;
  /** `defaults.profile`: the profile used when `--profile` is not given. */
  defaultProfile: string | undefined;
  profiles: ReadonlyMap<string, ConnectionSettings>;
  /** Host entries in file order (an exact name or a glob with `*` and `?`). */
  hosts: readonly { pattern: string; settings: ConnectionSettings }[];
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The uid the file must belong to (POSIX); default the process's. */
  uid?: number | undefined;
}

const MAX_BYTES = 1024 * 1024;
const TOP_KEYS = ['defaults', 'profiles', 'hosts'] as const;

type Kind = 'string' | 'boolean' | 'port' | 'seconds' | 'auth' | 'path' | 'scopes';
const SETTING_KINDS: Record<keyof ConnectionSettings, Kind> = {
  username: 'string',
  auth: 'auth',
  port: 'port',
  https: 'boolean',
  caFile: 'path',
  certFile: 'path',
  keyFile: 'path',
  configurationName: 'string',
  passwordCommand: 'string',
  skipCertCheck: 'boolean',
  operationTimeout: 'seconds',
  connectTimeout: 'seconds',
  authority: 'string',
  tenant: 'string',
  clientId: 'string',
  scopes: 'scopes',
  oauthCertFile: 'path',
  oauthKeyFile: 'path',
  oauthSecretFile: 'path',
  oauthBasic: 'boolean',
  spnService: 'string',
  spnHostname: 'string',
  delegate: 'boolean',
};
const SETTING_KEYS = Object.keys(SETTING_KINDS) as (keyof ConnectionSettings)[];

/** The file tsremote reads: `$TSREMOTE_CONFIG`, else config.json in the user's config directory. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSREMOTE_CONFIG) return path.resolve(env.TSREMOTE_CONFIG);
  return path.join(envPaths('tsremote', { suffix: '' }).config, 'config.json');
}

function configError(file: string, message: string, hint?: string, cause?: unknown): TsrError {
  return new TsrError('ETSR_CONFIG', `${file}: ${message}`, {
    ...(hint === undefined ? {} : { hint }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads and checks the config file.
 * @returns undefined when there is none (the default path does not exist).
 * @throws TsrError ETSR_CONFIG naming the file (and key) for anything wrong with it.
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config | undefined {
  const env = opts.env ?? process.env;
  const file = configPath(env);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !env.TSREMOTE_CONFIG) return undefined;
    throw configError(file, code === 'ENOENT' ? 'no such file (named by TSREMOTE_CONFIG)' : `cannot open (${code ?? 'error'})`,
      code === 'ENOENT' ? 'create it, or unset TSREMOTE_CONFIG' : undefined, err);
  }
  let text: string;
  let mode: number;
  let owner: number;
  try {
    // fstat the open descriptor: the mode checked is the mode of the bytes read.
    const st = fstatSync(fd);
    if (!st.isFile()) throw configError(file, 'not a regular file');
    if (st.size > MAX_BYTES) throw configError(file, `larger than ${MAX_BYTES} bytes`);
    mode = st.mode;
    owner = st.uid;
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const config = parseConfig(file, text);
  const platform = opts.platform ?? process.platform;
  if (platform !== 'win32' && holdsPasswordCommand(config)) {
    if ((mode & 0o077) !== 0) {
      throw configError(
        file,
        `holds a passwordCommand but group or others may read or write it (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`,
        `chmod 600 '${file}'`,
      );
    }
    const uid = opts.uid ?? process.getuid?.();
    if (uid !== undefined && owner !== uid) {
      throw configError(file, `holds a passwordCommand but belongs to another user (uid ${owner})`, `chown ${uid} '${file}'`);
    }
  }
  return config;
}

function holdsPasswordCommand(config: Config): boolean {
  const all = [config.defaults, ...config.profiles.values(), ...config.hosts.map((h) => h.settings)];
  return all.some((s) => s.passwordCommand !== undefined);
}

/** Where `JSON.parse` stopped, as line:column; never the text itself (it may hold a command). */
function syntaxPosition(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyPath = (parent: string, key: string): string =>
  `${parent}${parent ? '.' : ''}${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}`;

/**
 * Parses and checks the text of a config file (exported for tests).
 * @throws TsrError ETSR_CONFIG naming `file` and the offending key.
 */
export function parseConfig(file: string, text: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw configError(file, `not valid JSON${syntaxPosition(text, err)}`);
  }
  if (!isObject(raw)) throw configError(file, 'expected a JSON object at the top');
  for (const key of Object.keys(raw)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      throw configError(file, `unknown key ${keyPath('', key)}`, `the top level takes ${TOP_KEYS.join(', ')}`);
    }
  }
  const dir = path.dirname(file);
  const defaultsRaw = raw.defaults ?? {};
  if (!isObject(defaultsRaw)) throw configError(file, 'defaults: expected an object');
  const { profile: defaultProfile, ...defaultsRest } = defaultsRaw;
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string') {
    throw configError(file, `defaults.profile: expected a profile name (string), got ${describe(defaultProfile)}`);
  }
  const defaults = readSettings(file, dir, 'defaults', defaultsRest, 'profile');

  const profiles = new Map<string, ConnectionSettings>();
  for (const [name, value] of Object.entries(section(file, raw, 'profiles'))) {
    profiles.set(name, readSettings(file, dir, keyPath('profiles', name), value));
  }
  if (defaultProfile !== undefined && !profiles.has(defaultProfile)) {
    throw configError(file, `defaults.profile: no profile named '${defaultProfile}'`, profileHint(profiles));
  }
  const hosts = Object.entries(section(file, raw, 'hosts')).map(([pattern, value]) => {
    if (!/^[A-Za-z0-9_.*?:[\]-]+$/.test(pattern)) {
      throw configError(file, `${keyPath('hosts', pattern)}: not a host name or glob`, 'use names like web1.corp.example or *.corp.example');
    }
    return { pattern, settings: readSettings(file, dir, keyPath('hosts', pattern), value) };
  });
  return { file, defaults, defaultProfile, profiles, hosts };
}

/** The "profiles are: …" hint for an unknown profile name. */
export function profileHint(profiles: ReadonlyMap<string, unknown>): string {
  return profiles.size ? `profiles are: ${[...profiles.keys()].join(', ')}` : 'the file defines no profiles';
}

function section(file: string, raw: Record<string, unknown>, key: 'profiles' | 'hosts'): Record<string, unknown> {
  const value = raw[key] ?? {};
  if (!isObject(value)) throw configError(file, `${key}: expected an object of named entries`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string`;
  return `${typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`}`;
}

function readSettings(file: string, dir: string, where: string, value: unknown, ...alsoAllowed: string[]): ConnectionSettings {
  if (!isObject(value)) throw configError(file, `${where}: expected an object`);
  const out: ConnectionSettings = {};
  for (const [key, v] of Object.entries(value)) {
    const at = keyPath(where, key);
    if (!(key in SETTING_KINDS)) {
      throw configError(file, `unknown key ${at}`, `allowed: ${[...alsoAllowed, ...SETTING_KEYS].join(', ')}`);
    }
    const name = key as keyof ConnectionSettings;
    (out as Record<string, unknown>)[name] = readValue(file, at, SETTING_KINDS[name], v, dir);
  }
  return out;
}

function readValue(file: string, at: string, kind: Kind, v: unknown, dir: string): string | number | boolean | string[] {
  const wrong = (expected: string): TsrError => configError(file, `${at}: expected ${expected}, got ${describe(v)}`);
  switch (kind) {
    case 'boolean':
      if (typeof v !== 'boolean') throw wrong('true or false');
      return v;
    case 'port':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw wrong('a port number 1-65535');
      return v;
    case 'seconds':
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw wrong('a positive number of seconds');
      return v;
    case 'auth':
      if (typeof v !== 'string' || !(AUTH_NAMES as readonly string[]).includes(v)) {
        throw configError(file, `${at}: expected one of ${AUTH_NAMES.join(', ')}, got ${typeof v === 'string' ? `'${v}'` : describe(v)}`);
      }
      return v;
    case 'scopes':
      // "a b", "a,b" or ["a", "b"]: the forms --scope takes.
      if (typeof v === 'string' && v.trim() !== '') return [v];
      if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '')) return v as string[];
      throw wrong('a scope string or an array of them');
    case 'string':
    case 'path':
      if (typeof v !== 'string' || v === '') throw wrong('a non-empty string');
      return kind === 'path' ? resolvePath(dir, v) : v;
  }
}

function resolvePath(dir: string, p: string): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) return path.join(homedir(), p.slice(1));
  return path.resolve(dir, p);
}
