/**
 * Where `tsremote enable` puts things on Linux and macOS, and which service manager runs serve.
 *
 * Two scopes, picked by who runs `enable` (as Enable-PSRemoting configures the machine for the
 * admin who runs it):
 *
 * | scope  | when      | config dir                                   | service file                                        |
 * |--------|-----------|----------------------------------------------|-----------------------------------------------------|
 * | user   | not root  | `<user config dir>/tsremote/serve`           | `~/.config/systemd/user/tsremote-serve.service`     |
 * |        |           | (`$XDG_CONFIG_HOME`, `~/Library/Preferences`) | `~/Library/LaunchAgents/org.tsremote.serve.plist`    |
 * | system | root      | `/etc/tsremote/serve`                        | `/etc/systemd/system/tsremote-serve.service`        |
 * |        |           |                                              | `/Library/LaunchDaemons/org.tsremote.serve.plist`   |
 *
 * serve runs its commands as the account the service runs as: the user in user scope, root in
 * system scope. `--dir` moves the config dir only.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export type ServiceManager = 'systemd' | 'launchd';
export type Scope = 'user' | 'system';

export interface Layout {
  manager: ServiceManager;
  scope: Scope;
  dir: string;
  usersFile: string;
  certFile: string;
  keyFile: string;
  /** Where `--install` writes the unit or plist. */
  serviceFile: string;
  /** systemd unit name or launchd label. */
  serviceName: string;
}

export const SYSTEMD_UNIT = 'tsremote-serve.service';
export const LAUNCHD_LABEL = 'org.tsremote.serve';

export interface LayoutInput {
  platform: NodeJS.Platform;
  /** True when running as root (uid 0). */
  root: boolean;
  /** `--dir`, when given. */
  dir?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** Resolves the layout for this machine and user; see the file comment. */
export function resolveLayout(input: LayoutInput): Layout {
  const env = input.env ?? process.env;
  const home = input.home ?? homedir();
  const manager: ServiceManager = input.platform === 'darwin' ? 'launchd' : 'systemd';
  const scope: Scope = input.root ? 'system' : 'user';
  const dir = path.resolve(input.dir ?? (input.root ? '/etc/tsremote/serve' : path.join(userConfigDir(input.platform, env, home), 'serve')));
  let serviceFile: string;
  if (manager === 'launchd') {
    serviceFile = input.root ? `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist` : path.join(home, 'Library/LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  } else {
    const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
    serviceFile = input.root ? `/etc/systemd/system/${SYSTEMD_UNIT}` : path.join(xdg, 'systemd/user', SYSTEMD_UNIT);
  }
  return {
    manager,
    scope,
    dir,
    usersFile: path.join(dir, 'users.json'),
    certFile: path.join(dir, 'cert.pem'),
    keyFile: path.join(dir, 'key.pem'),
    serviceFile,
    serviceName: manager === 'launchd' ? LAUNCHD_LABEL : SYSTEMD_UNIT,
  };
}

/** The client config's folder, by env-paths' rule (as config.ts finds config.json). */
function userConfigDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'darwin') return path.join(home, 'Library/Preferences/tsremote');
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(xdg, 'tsremote');
}
