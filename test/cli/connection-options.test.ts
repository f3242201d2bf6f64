import { describe, expect, it } from 'vitest';
import { AUTH_NAMES, expandHosts, readConnectionOptions } from '../../src/cli/connection-options.js';
import { resolveResourceUri } from '../../src/cli/resource-alias.js';

describe('expandHosts', () => {
  it('splits comma lists, trims, drops empties and duplicates, keeps order', () => {
    expect(expandHosts(['web1, web2,,db1', 'web2', '[::1]:5985'])).toEqual(['web1', 'web2', 'db1', '[::1]:5985']);
  });

  it('reads @FILE with one host per line and # comments', () => {
    const files: Record<string, string> = { 'hosts.txt': '# fleet\nweb1\n  web2  # the second\r\n\n#db9\ndb1\n' };
    expect(expandHosts(['@hosts.txt,extra'], (p) => files[p] ?? '')).toEqual(['web1', 'web2', 'db1', 'extra']);
  });

  it('names the file it cannot read', () => {
    expect(() =>
      expandHosts(['@missing.txt'], () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(/cannot read host list missing\.txt/);
  });
});

describe('readConnectionOptions', () => {
  it('leaves what was not given undefined (the config file or built-in defaults decide), with TSREMOTE_USERNAME as -u', () => {
    const o = readConnectionOptions({ computerName: ['a,b'] }, [], { TSREMOTE_USERNAME: 'me' });
    expect(o).toEqual({
      hosts: ['a', 'b'],
      settings: {
        username: 'me',
        auth: undefined,
        port: undefined,
        https: undefined,
        caFile: undefined,
        certFile: undefined,
        keyFile: undefined,
        configurationName: undefined,
        skipCertCheck: undefined,
        operationTimeout: undefined,
        connectTimeout: undefined,
      },
      profile: undefined,
      allowUnencrypted: false,
      passwordStdin: false,
      json: false,
      debug: false,
    });
  });

  it('-u wins over TSREMOTE_USERNAME; flags land in the settings as typed values', () => {
    const o = readConnectionOptions(
      { username: 'CORP\\admin', auth: 'certificate', certFile: 'c.pem', keyFile: 'k.pem', port: '5986', https: true, operationTimeout: '7.5', profile: 'prod', debug: true },
      ['h'],
      { TSREMOTE_USERNAME: 'me' },
    );
    expect(o.settings).toMatchObject({ username: 'CORP\\admin', auth: 'certificate', certFile: 'c.pem', keyFile: 'k.pem', port: 5986, https: true, operationTimeout: 7.5 });
    expect([o.profile, o.debug]).toEqual(['prod', true]);
  });

  it('treats --use-ssl as --https and validates numbers', () => {
    expect(readConnectionOptions({ useSsl: true }, ['h']).settings.https).toBe(true);
    expect(() => readConnectionOptions({ port: '70000' }, ['h'])).toThrow(/--port must be 1-65535, got '70000'/);
    expect(() => readConnectionOptions({ port: '59x' }, ['h'])).toThrow(/--port/);
    expect(() => readConnectionOptions({ operationTimeout: '-1' }, ['h'])).toThrow(/--operation-timeout must be a positive number, got '-1'/);
  });

  it('refuses an unknown --auth and --cert-file with another scheme', () => {
    expect(() => readConnectionOptions({ auth: 'digest' }, ['h'])).toThrow(`--auth must be one of ${AUTH_NAMES.join(', ')}, got 'digest'`);
    expect(() => readConnectionOptions({ auth: 'basic', certFile: 'c.pem' }, ['h'])).toThrow('--cert-file goes with --auth certificate, not --auth basic');
  });
});

describe('resolveResourceUri', () => {
  it.each([
    ['shell', 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell'],
    ['cmd', 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd'],
    ['config', 'http://schemas.microsoft.com/wbem/wsman/1/config'],
    ['wmicimv2/Win32_Service', 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'],
    ['winrm/config/listener', 'http://schemas.microsoft.com/wbem/wsman/1/config/listener'],
    ['http://example.org/x', 'http://example.org/x'],
  ])('%s -> %s', (alias, uri) => {
    expect(resolveResourceUri(alias)).toBe(uri);
  });
});
