/**
 * Which setting wins for one host.
 *
 * Layers, most specific first; for each setting the first layer that gives it wins:
 *   1. the command line (and TSREMOTE_USERNAME, which counts as `-u`);
 *   2. the config's host entries that match the host name: an exact name first, then the globs
 *      in file order (ssh_config's "first obtained value" rule);
 *   3. the profile: `--profile NAME`, else `defaults.profile`;
 *   4. the config's `defaults`;
 *   5. the built-in defaults (BUILT_IN below).
 *
 * One exception keeps a secret from going to the wrong account: a `passwordCommand` is used only
 * when its layer is at least as specific as the layer that gave the user name. `-u bob` with a
 * profile whose command prints admin's password must prompt for bob's, not send admin's as bob.
 */
import { TsrError } from '../errors.js';
import type { AuthName, ConnectionSettings } from './connection-options.js';
import { profileHint, type Config } from './config.js';

/** Every setting decided for one host. */
export interface ResolvedSettings {
  username: string | undefined;
  auth: AuthName;
  port: number | undefined;
  https: boolean;
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
  configurationName: string | undefined;
  passwordCommand: string | undefined;
  skipCertCheck: boolean;
  operationTimeoutSec: number;
  connectTimeoutSec: number;
  /** The `--auth oauth` settings (each from its own layer, like the rest). */
  oauth: {
    authority: string | undefined;
    tenant: string | undefined;
    clientId: string | undefined;
    scopes: string[] | undefined;
    certFile: string | undefined;
    keyFile: string | undefined;
    secretFile: string | undefined;
    basic: boolean;
  };
  /** Kerberos: SPN overrides and delegation (`--spn-service`, `--spn-hostname`, `--delegate`). */
  kerberos: { spnService: string | undefined; spnHostname: string | undefined; delegate: boolean };
  /** Where each setting that was given came from (`command line`, `hosts."*.corp"`, `profiles.prod`, `defaults`). */
  origin: Partial<Record<keyof ConnectionSettings, string>>;
}

/** What holds when nobody says otherwise. */
export const BUILT_IN = {
  auth: 'negotiate',
  https: false,
  skipCertCheck: false,
  operationTimeout: 20,
  connectTimeout: 30,
} as const satisfies ConnectionSettings;

/** Matches a host name against an exact name or a glob (`*` any run, `?` one character), ignoring case. */
export function hostMatches(pattern: string, host: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(host.toLowerCase());
}

const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

/** Where in `config.hosts` the entries that apply to `host` are, most specific first: the exact one, then globs in file order. */
function matchingHostIndexes(config: Config, host: string): number[] {
  const name = host.toLowerCase();
  const exact: number[] = [];
  const globs: number[] = [];
  config.hosts.forEach((h, i) => {
    if (!isGlob(h.pattern)) {
      if (h.pattern.toLowerCase() === name) exact.push(i);
    } else if (hostMatches(h.pattern, name)) globs.push(i);
  });
  return [...exact, ...globs];
}

function hostLayer(config: Config, index: number): { where: string; settings: ConnectionSettings } {
  const h = config.hosts[index] as Config['hosts'][number];
  return { where: `hosts.${JSON.stringify(h.pattern)}`, settings: h.settings };
}

/**
 * The profile in force: `--profile NAME`, else the config's `defaults.profile`, else none.
 * @throws TsrError ETSR_CONFIG when the profile does not exist (or there is no config file).
 */
export function selectedProfile(
  config: Config | undefined,
  requested: string | undefined,
  configFile: string,
): { name: string; settings: ConnectionSettings } | undefined {
  const name = requested ?? config?.defaultProfile;
  if (name === undefined) return undefined;
  if (!config) {
    throw new TsrError('ETSR_CONFIG', `--profile ${name}: there is no config file (${configFile})`, {
      hint: 'create it, or point TSREMOTE_CONFIG at one',
    });
  }
  const settings = config.profiles.get(name);
  if (!settings) {
    throw new TsrError('ETSR_CONFIG', `${config.file}: no profile named '${name}'`, { hint: profileHint(config.profiles) });
  }
  return { name, settings };
}

type Profile = { name: string; settings: ConnectionSettings } | undefined;

/**
 * Decides every setting for one host (its bare host name, without port or scheme).
 * @param profile the result of selectedProfile (checked once, not per host).
 */
export function resolveSettings(hostName: string, commandLine: ConnectionSettings, config: Config | undefined, profile: Profile): ResolvedSettings {
  return resolveLayers(commandLine, config, config ? matchingHostIndexes(config, hostName) : [], profile);
}

/**
 * resolveSettings for many hosts: hosts that match the same host entries get the same settings,
 * so those are decided once per set of entries and shared, frozen so that no host's plan can
 * change another's. A fan-out over 1,000 hosts with no host entries decides once instead of
 * 1,000 times (and V8 no longer compiles the loop that did it, about 40 ms; issue 8).
 */
export function settingsResolver(commandLine: ConnectionSettings, config: Config | undefined, profile: Profile): (hostName: string) => ResolvedSettings {
  const decided = new Map<string, ResolvedSettings>();
  return (hostName) => {
    const indexes = config ? matchingHostIndexes(config, hostName) : [];
    const key = indexes.join(',');
    let settings = decided.get(key);
    if (settings === undefined) {
      settings = deepFreeze(resolveLayers(commandLine, config, indexes, profile));
      decided.set(key, settings);
    }
    return settings;
  };
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(value);
}

function resolveLayers(commandLine: ConnectionSettings, config: Config | undefined, hostIndexes: readonly number[], profile: Profile): ResolvedSettings {
  const layers: { where: string; settings: ConnectionSettings }[] = [
    { where: 'command line', settings: commandLine },
    ...(config ? hostIndexes.map((i) => hostLayer(config, i)) : []),
    ...(profile ? [{ where: `profiles.${JSON.stringify(profile.name)}`, settings: profile.settings }] : []),
    ...(config ? [{ where: 'defaults', settings: config.defaults }] : []),
  ];
  const origin: ResolvedSettings['origin'] = {};
  const rank: Partial<Record<keyof ConnectionSettings, number>> = {};
  const pick = <K extends keyof ConnectionSettings>(key: K): ConnectionSettings[K] => {
    for (const [i, layer] of layers.entries()) {
      const value = layer.settings[key];
      if (value !== undefined) {
        origin[key] = layer.where;
        rank[key] = i;
        return value;
      }
    }
    return undefined;
  };
  const username = pick('username');
  let passwordCommand = pick('passwordCommand');
  if (passwordCommand !== undefined && username !== undefined && (rank.passwordCommand ?? 0) > (rank.username ?? 0)) {
    passwordCommand = undefined;
    delete origin.passwordCommand;
  }
  return {
    username,
    auth: pick('auth') ?? BUILT_IN.auth,
    port: pick('port'),
    https: pick('https') ?? BUILT_IN.https,
    caFile: pick('caFile'),
    certFile: pick('certFile'),
    keyFile: pick('keyFile'),
    configurationName: pick('configurationName'),
    passwordCommand,
    skipCertCheck: pick('skipCertCheck') ?? BUILT_IN.skipCertCheck,
    operationTimeoutSec: pick('operationTimeout') ?? BUILT_IN.operationTimeout,
    connectTimeoutSec: pick('connectTimeout') ?? BUILT_IN.connectTimeout,
    oauth: {
      authority: pick('authority'),
      tenant: pick('tenant'),
      clientId: pick('clientId'),
      scopes: pick('scopes'),
      certFile: pick('oauthCertFile'),
      keyFile: pick('oauthKeyFile'),
      secretFile: pick('oauthSecretFile'),
      basic: pick('oauthBasic') ?? false,
    },
    kerberos: { spnService: pick('spnService'), spnHostname: pick('spnHostname'), delegate: pick('delegate') ?? false },
    origin,
  };
}
