/**
 * Where `enable` puts serve's files and service (src/enable/layout.ts), the unit and plist it
 * writes (src/enable/service.ts), and the verb's flag checks (src/cli/enable.ts).
 */
import { describe, expect, it } from 'vitest';
import { enableCommand, type EnableOptions } from '../../src/cli/enable.js';
import { launchdPlist, loadCommands, resolveLayout, shellLine, systemdUnit, systemdWord, type ServeCommand } from '../../src/enable/index.js';

describe('layout', () => {
  it('Linux user scope: XDG config dir and a systemd user unit', () => {
    const l = resolveLayout({ platform: 'linux', root: false, env: { XDG_CONFIG_HOME: '/x/cfg' }, home: '/home/me' });
    expect(l).toEqual({
      manager: 'systemd',
      scope: 'user',
      dir: '/x/cfg/tsremote/serve',
      usersFile: '/x/cfg/tsremote/serve/users.json',
      certFile: '/x/cfg/tsremote/serve/cert.pem',
      keyFile: '/x/cfg/tsremote/serve/key.pem',
      serviceFile: '/x/cfg/systemd/user/tsremote-serve.service',
      serviceName: 'tsremote-serve.service',
    });
    expect(resolveLayout({ platform: 'linux', root: false, env: {}, home: '/home/me' }).dir).toBe('/home/me/.config/tsremote/serve');
  });

  it('root: /etc/tsremote/serve and a system unit; macOS: LaunchAgents or LaunchDaemons; --dir moves only the files', () => {
    const root = resolveLayout({ platform: 'linux', root: true, env: {}, home: '/root' });
    expect([root.scope, root.dir, root.serviceFile]).toEqual(['system', '/etc/tsremote/serve', '/etc/systemd/system/tsremote-serve.service']);
    const mac = resolveLayout({ platform: 'darwin', root: false, env: {}, home: '/Users/me', dir: '/tmp/d' });
    expect([mac.manager, mac.dir, mac.usersFile, mac.serviceFile, mac.serviceName]).toEqual([
      'launchd',
      '/tmp/d',
      '/tmp/d/users.json',
      '/Users/me/Library/LaunchAgents/org.tsremote.serve.plist',
      'org.tsremote.serve',
    ]);
    expect(resolveLayout({ platform: 'darwin', root: true, env: {}, home: '/var/root' }).serviceFile).toBe('/Library/LaunchDaemons/org.tsremote.serve.plist');
  });
});

const layout = resolveLayout({ platform: 'linux', root: false, env: {}, home: '/home/me', dir: '/srv/my tsr' });
const command: ServeCommand = { node: '/usr/bin/node', script: '/opt/tsremote/bin/tsremote.js', layout, https: true, listen: '127.0.0.1:5986' };

describe('the systemd unit', () => {
  it('escapes % and $ and quotes words with spaces or quotes', () => {
    expect([systemdWord('/a/b.pem'), systemdWord('100%'), systemdWord('$HOME'), systemdWord('a b"c\\')]).toEqual([
      '/a/b.pem',
      '100%%',
      '$$HOME',
      '"a b\\"c\\\\"',
    ]);
  });

  it('runs serve with the users file, certificate and address, as a user service', () => {
    expect(systemdUnit(command)).toBe(
      [
        '# Written by `tsremote enable`: run it again to regenerate this unit.',
        '[Unit]',
        'Description=tsremote serve (WinRM / PowerShell remoting endpoint)',
        'After=network-online.target',
        'Wants=network-online.target',
        '',
        '[Service]',
        'Type=simple',
        'ExecStart=/usr/bin/node /opt/tsremote/bin/tsremote.js serve --users "/srv/my tsr/users.json" --https --cert "/srv/my tsr/cert.pem" --key "/srv/my tsr/key.pem" --listen 127.0.0.1:5986',
        'Restart=on-failure',
        'RestartSec=5',
        'UMask=0077',
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
      ].join('\n'),
    );
    expect(systemdUnit({ ...command, https: false, listen: '127.0.0.1:5985' })).toContain(
      'ExecStart=/usr/bin/node /opt/tsremote/bin/tsremote.js serve --users "/srv/my tsr/users.json" --listen 127.0.0.1:5985\n',
    );
  });

  it('is loaded with systemctl --user for a user, plain systemctl for root', () => {
    expect(loadCommands(layout).map((c) => shellLine(c.argv))).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable tsremote-serve.service',
      'systemctl --user restart tsremote-serve.service',
    ]);
    const root = resolveLayout({ platform: 'linux', root: true, env: {}, home: '/root' });
    expect(loadCommands(root)[1]!.argv).toEqual(['systemctl', 'enable', 'tsremote-serve.service']);
  });
});

describe('the launchd plist', () => {
  it('lists serve\'s arguments one per <string>, XML-escaped, and reloads with launchctl', () => {
    const mac = resolveLayout({ platform: 'darwin', root: false, env: {}, home: '/Users/me', dir: '/tmp/a&b' });
    const plist = launchdPlist({ ...command, layout: mac });
    expect(plist).toContain(
      [
        '  <key>ProgramArguments</key>',
        '  <array>',
        '    <string>/usr/bin/node</string>',
        '    <string>/opt/tsremote/bin/tsremote.js</string>',
        '    <string>serve</string>',
        '    <string>--users</string>',
        '    <string>/tmp/a&amp;b/users.json</string>',
        '    <string>--https</string>',
        '    <string>--cert</string>',
        '    <string>/tmp/a&amp;b/cert.pem</string>',
        '    <string>--key</string>',
        '    <string>/tmp/a&amp;b/key.pem</string>',
        '    <string>--listen</string>',
        '    <string>127.0.0.1:5986</string>',
        '  </array>',
      ].join('\n'),
    );
    expect(plist).toContain('  <key>Label</key>\n  <string>org.tsremote.serve</string>\n');
    expect(loadCommands(mac)).toEqual([
      { argv: ['launchctl', 'unload', '/Users/me/Library/LaunchAgents/org.tsremote.serve.plist'], mayFail: true },
      { argv: ['launchctl', 'load', '-w', '/Users/me/Library/LaunchAgents/org.tsremote.serve.plist'] },
    ]);
  });
});

describe('enable flags', () => {
  async function parse(args: string[]): Promise<EnableOptions> {
    let seen: EnableOptions | undefined;
    const cmd = enableCommand({ code: 0 }, async (o) => {
      seen = o;
      return 0;
    });
    cmd.exitOverride();
    await cmd.parseAsync(args, { from: 'user' });
    if (seen === undefined) throw new Error('enable did not run');
    return seen;
  }

  it('maps flags to options', async () => {
    expect(await parse(['--https', '--dir', 'D', '--listen', '0.0.0.0:5986', '--add-user', 'me', '--no-ntlm', '--password-stdin', '--install'])).toEqual({
      https: true,
      listen: '0.0.0.0:5986',
      dir: 'D',
      install: true,
      addUser: 'me',
      ntlm: false,
      passwordStdin: true,
      script: false,
      localAccountTokenFilter: false,
      debug: false,
    });
    expect(await parse(['--script', '--local-account-token-filter'])).toMatchObject({ script: true, localAccountTokenFilter: true, ntlm: true, https: false });
  });

  it('refuses flags that cannot go together', async () => {
    await expect(parse(['--script', '--install', '--dir', 'x'])).rejects.toThrow('--script only prints the Windows script');
    await expect(parse(['--no-ntlm'])).rejects.toThrow('--no-ntlm goes with --add-user NAME');
    await expect(parse(['--password-stdin'])).rejects.toThrow('--password-stdin goes with --add-user NAME');
  });
});
