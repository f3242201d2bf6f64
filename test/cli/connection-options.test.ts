import { describe, expect, it } from 'vitest';
import { expandHosts, readConnectionOptions } from '../../src/cli/connection-options.js';
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
  it('applies defaults and the TSREMOTE_USERNAME fallback', () => {
    const o = readConnectionOptions({ computerName: ['a,b'] }, [], { TSREMOTE_USERNAME: 'me' });
    expect(o).toMatchObject({
      hosts: ['a', 'b'],
      username: 'me',
      auth: 'basic',
      https: false,
      port: undefined,
      operationTimeoutSec: 20,
      connectTimeoutSec: 30,
      allowUnencrypted: false,
      skipCertCheck: false,
    });
  });

  it('treats --use-ssl as --https and validates numbers', () => {
    expect(readConnectionOptions({ useSsl: true } as never, ['h']).https).toBe(true);
    expect(() => readConnectionOptions({ port: '70000' }, ['h'])).toThrow(/--port/);
    expect(() => readConnectionOptions({ operationTimeout: '-1' }, ['h'])).toThrow(/--operation-timeout/);
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
