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

/** The host entries that apply to `host`, most specific first: the exact one, then globs in file order. */
export function matchingHostEntries(config: Config, host: string): { where: string; settings: ConnectionSettings }[] {
  const name = host.toLowerCase();
  const exact = config.hosts.filter((h) => !isGlob(h.pattern) && h.pattern.toLowerCase() === name);
  const globs = config.hosts.filter((h) => isGlob(h.pattern) && hostMatches(h.pattern, name));
  return [...exact, ...globs].map((h) => ({ where: `hosts.${JSON.stringify(h.pattern)}`, settings: h.settings }));
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

/**
 * Decides every setting for one host (its bare host name, without port or scheme).
 * @param profile the result of selectedProfile (checked once, not per host).
 */
export function resolveSettings(
  hostName: string,
  commandLine: ConnectionSettings,
  config: Config | undefined,
  profile: { name: string; settings: ConnectionSettings } | undefined,
): ResolvedSettings {
  const layers: { where: string; settings: ConnectionSettings }[] = [
    { where: 'command line', settings: commandLine },
    ...(config ? matchingHostEntries(config, hostName) : []),
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
