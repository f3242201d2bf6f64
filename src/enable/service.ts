/**
 * The service definition that keeps `tsremote serve` running: a systemd unit (Linux) or a launchd
 * property list (macOS), and the commands that load it.
 *
 * The command line is absolute (this Node and this tsremote's bin script), so the service keeps
 * working whatever PATH the service manager gives it. systemd splits ExecStart itself and expands
 * `%` specifiers and `$VARS` (systemd.service(5) "Command lines", systemd.unit(5) "Specifiers"), so
 * each argument is escaped for that; launchd takes an argument array and needs only XML escaping.
 */
import type { Layout } from './layout.js';

export interface ServeCommand {
  /** Absolute path of the Node executable. */
  node: string;
  /** Absolute path of tsremote's bin script. */
  script: string;
  layout: Layout;
  https: boolean;
  listen: string;
}

/** The argv that runs serve: node, script, `serve`, then its flags. */
export function serveArgv(c: ServeCommand): string[] {
  const tls = c.https ? ['--https', '--cert', c.layout.certFile, '--key', c.layout.keyFile] : [];
  return [c.node, c.script, 'serve', '--users', c.layout.usersFile, ...tls, '--listen', c.listen];
}

/** One ExecStart word: `%` and `$` doubled, quoted when it holds anything but plain characters. */
export function systemdWord(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The systemd unit text. */
export function systemdUnit(c: ServeCommand): string {
  return [
    '# Written by `tsremote enable`: run it again to regenerate this unit.',
    '[Unit]',
    'Description=tsremote serve (WinRM / PowerShell remoting endpoint)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${serveArgv(c).map(systemdWord).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    // Files serve's commands create are private unless they say otherwise.
    'UMask=0077',
    '',
    '[Install]',
    `WantedBy=${c.layout.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The launchd property list text. */
export function launchdPlist(c: ServeCommand): string {
  const args = serveArgv(c).map((a) => `    <string>${xml(a)}</string>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `tsremote enable`: run it again to regenerate. -->',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${xml(c.layout.serviceName)}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>Umask</key>',
    '  <integer>63</integer>',
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(`${c.layout.dir}/serve.log`)}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** The service file's text for the layout's manager. */
export function serviceText(c: ServeCommand): string {
  return c.layout.manager === 'launchd' ? launchdPlist(c) : systemdUnit(c);
}

/** One command that loads the service; `mayFail` ones only clear an earlier state. */
export interface LoadCommand {
  argv: string[];
  mayFail?: true;
}

/** The commands that load and (re)start the installed service. */
export function loadCommands(layout: Layout): LoadCommand[] {
  if (layout.manager === 'launchd') {
    // load refuses a label that is already loaded: unload first, so a second enable picks up changes.
    return [{ argv: ['launchctl', 'unload', layout.serviceFile], mayFail: true }, { argv: ['launchctl', 'load', '-w', layout.serviceFile] }];
  }
  const user = layout.scope === 'user' ? ['--user'] : [];
  return [
    { argv: ['systemctl', ...user, 'daemon-reload'] },
    { argv: ['systemctl', ...user, 'enable', layout.serviceName] },
    // restart, not start: a unit that already runs must pick up a new command line and new users.
    { argv: ['systemctl', ...user, 'restart', layout.serviceName] },
  ];
}

/** A command as one shell line, for printing (POSIX single quotes where needed). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
