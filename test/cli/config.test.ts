/** The config file: finding it, checking it, its permissions, and which setting wins for a host. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configPath, loadConfig, parseConfig, type Config } from '../../src/cli/config.js';
import { hostMatches, resolveSettings, selectedProfile, settingsResolver } from '../../src/cli/config-resolve.js';
import { TsrError } from '../../src/errors.js';
import { AUTH_NAMES } from '../../src/cli/connection-options.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = '/etc/tsr/config.json';

/** The TsrError a call throws, as [code, message, hint]. */
function failure(fn: () => unknown): [string, string, string | undefined] {
  try {
    fn();
  } catch (err) {
    if (err instanceof TsrError) return [err.code, err.message, err.hint];
    throw err;
  }
  throw new Error('did not throw');
}

const parse = (value: unknown): Config => parseConfig(FILE, JSON.stringify(value));

function writeConfig(name: string, value: unknown, mode: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  chmodSync(file, mode);
  return file;
}

describe('configPath', () => {
  it('is $TSREMOTE_CONFIG when set, else config.json in the XDG config directory (Linux)', () => {
    expect(configPath({ TSREMOTE_CONFIG: '/x/y.json' })).toBe('/x/y.json');
    if (process.platform === 'linux') {
      expect(configPath({})).toBe(path.join(process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'tsremote', 'config.json'));
    }
  });
});

describe('parseConfig', () => {
  it('reads defaults, profiles and hosts; paths are relative to the file, ~ is home', () => {
    const c = parse({
      defaults: { profile: 'prod', operationTimeout: 45 },
      profiles: { prod: { username: 'CORP\\admin', auth: 'ntlm', caFile: 'ca.pem', passwordCommand: 'pass show x' } },
      hosts: { '*.lab.example': { https: true, port: 15986, certFile: '~/c.pem', keyFile: '/abs/k.pem', skipCertCheck: true } },
    });
    expect(c.defaults).toEqual({ operationTimeout: 45 });
    expect(c.defaultProfile).toBe('prod');
    expect(c.profiles.get('prod')).toEqual({ username: 'CORP\\admin', auth: 'ntlm', caFile: '/etc/tsr/ca.pem', passwordCommand: 'pass show x' });
    expect(c.hosts).toEqual([
      {
        pattern: '*.lab.example',
        settings: { https: true, port: 15986, certFile: path.join(homedir(), 'c.pem'), keyFile: '/abs/k.pem', skipCertCheck: true },
      },
    ]);
  });

  it.each([
    [{ users: {} }, `${FILE}: unknown key users`, 'the top level takes defaults, profiles, hosts'],
    [{ profiles: { prod: { user: 'x' } } }, `${FILE}: unknown key profiles.prod.user`, expect.stringMatching(/^allowed: username, auth, /)],
    [{ hosts: { 'web1.corp': { port: '5986' } } }, `${FILE}: hosts."web1.corp".port: expected a port number 1-65535, got a string`, undefined],
    [{ defaults: { https: 'yes' } }, `${FILE}: defaults.https: expected true or false, got a string`, undefined],
    [{ defaults: { auth: 'digest' } }, `${FILE}: defaults.auth: expected one of ${AUTH_NAMES.join(', ')}, got 'digest'`, undefined],
    [{ defaults: { connectTimeout: 0 } }, `${FILE}: defaults.connectTimeout: expected a positive number of seconds, got number 0`, undefined],
    [{ defaults: { profile: 'nope' }, profiles: { a: {}, b: {} } }, `${FILE}: defaults.profile: no profile named 'nope'`, 'profiles are: a, b'],
    [{ hosts: { 'web 1': {} } }, `${FILE}: hosts."web 1": not a host name or glob`, 'use names like web1.corp.example or *.corp.example'],
    [{ hosts: [] }, `${FILE}: hosts: expected an object of named entries`, undefined],
    [[1], `${FILE}: expected a JSON object at the top`, undefined],
  ])('refuses %j with a message naming the file and key', (value, message, hint) => {
    expect(failure(() => parse(value))).toEqual(['ETSR_CONFIG', message, hint]);
  });

  it('reports a JSON syntax error by line and column, never quoting the text', () => {
    const [code, message] = failure(() => parseConfig(FILE, '{\n  "defaults": { "passwordCommand": "echo s3cret" },,\n}'));
    expect(code).toBe('ETSR_CONFIG');
    expect(message).toBe(`${FILE}: not valid JSON at line 2, column 52`);
    expect(message).not.toContain('s3cret');
  });
});

describe('loadConfig', () => {
  it('is undefined when the default file does not exist', () => {
    expect(loadConfig({ env: { XDG_CONFIG_HOME: path.join(dir, 'none'), HOME: path.join(dir, 'none') } })).toBeUndefined();
  });

  it('refuses a missing file named by TSREMOTE_CONFIG', () => {
    const file = path.join(dir, 'missing.json');
    expect(failure(() => loadConfig({ env: { TSREMOTE_CONFIG: file } }))).toEqual([
      'ETSR_CONFIG', `${file}: no such file (named by TSREMOTE_CONFIG)`, 'create it, or unset TSREMOTE_CONFIG',
    ]);
  });

  it.skipIf(process.platform === 'win32')('refuses a passwordCommand file that group or others can read, with the chmod fix', () => {
    const file = writeConfig('open.json', { defaults: { passwordCommand: 'pass show a' } }, 0o644);
    expect(failure(() => loadConfig({ env: { TSREMOTE_CONFIG: file } }))).toEqual([
      'ETSR_CONFIG',
      `${file}: holds a passwordCommand but group or others may read or write it (mode 644)`,
      `chmod 600 '${file}'`,
    ]);
    chmodSync(file, 0o620);
    expect(failure(() => loadConfig({ env: { TSREMOTE_CONFIG: file } }))[1]).toMatch(/\(mode 620\)$/);
  });

  it.skipIf(process.platform === 'win32')('refuses a passwordCommand file owned by another user', () => {
    const file = writeConfig('owned.json', { defaults: { passwordCommand: 'pass show a' } }, 0o600);
    const [code, message] = failure(() => loadConfig({ env: { TSREMOTE_CONFIG: file }, uid: 4242 }));
    expect([code, message]).toEqual(['ETSR_CONFIG', `${file}: holds a passwordCommand but belongs to another user (uid ${process.getuid?.()})`]);
  });

  it('reads a 0600 passwordCommand file, a 0644 file without one, and skips the mode check on Windows', () => {
    const secret = writeConfig('ok.json', { profiles: { p: { passwordCommand: 'pass show a' } } }, 0o600);
    expect(loadConfig({ env: { TSREMOTE_CONFIG: secret } })?.profiles.get('p')).toEqual({ passwordCommand: 'pass show a' });
    const plain = writeConfig('plain.json', { defaults: { username: 'bob' } }, 0o644);
    expect(loadConfig({ env: { TSREMOTE_CONFIG: plain } })?.defaults).toEqual({ username: 'bob' });
    const open = writeConfig('win.json', { defaults: { passwordCommand: 'x' } }, 0o666);
    expect(loadConfig({ env: { TSREMOTE_CONFIG: open }, platform: 'win32' })?.defaults).toEqual({ passwordCommand: 'x' });
  });
});

describe('hostMatches', () => {
  it.each([
    ['*.corp.example', 'web1.corp.example', true],
    ['*.corp.example', 'WEB1.Corp.Example', true],
    ['*.corp.example', 'corp.example', false],
    ['*.corp.example', 'web1.corp.example.evil', false],
    ['web?', 'web1', true],
    ['web?', 'web10', false],
    ['10.0.0.*', '10.0.0.7', true],
    ['10.0.0.*', '10.0.1.7', false],
    ['web1', 'web1x', false],
  ])('%s vs %s -> %s', (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});

describe('resolveSettings: flags > host entry > profile > defaults > built-in', () => {
  const config = parse({
    defaults: { profile: 'corp', port: 1001, operationTimeout: 40, connectTimeout: 9, username: 'dflt' },
    profiles: {
      corp: { port: 1002, username: 'CORP\\admin', passwordCommand: 'pass show corp', configurationName: 'JEA' },
      lab: { auth: 'basic', username: 'labuser' },
    },
    hosts: {
      '*.example': { https: true, caFile: '/glob-ca.pem', port: 1004 },
      'web1.corp.example': { port: 1003 },
      '*.corp.example': { port: 1005, skipCertCheck: true, caFile: '/corp-ca.pem' },
    },
  });
  const corp = selectedProfile(config, undefined, FILE);

  it('defaults.profile applies when --profile is not given', () => {
    expect(corp?.name).toBe('corp');
  });

  it('an exact host entry beats globs; globs apply in file order; then profile, defaults, built-in', () => {
    const s = resolveSettings('WEB1.corp.example', {}, config, corp);
    expect(s).toEqual({
      username: 'CORP\\admin',
      auth: 'negotiate',
      port: 1003,
      https: true,
      caFile: '/glob-ca.pem',
      certFile: undefined,
      keyFile: undefined,
      configurationName: 'JEA',
      passwordCommand: 'pass show corp',
      skipCertCheck: true,
      operationTimeoutSec: 40,
      connectTimeoutSec: 9,
      oauth: {
        authority: undefined, tenant: undefined, clientId: undefined, scopes: undefined,
        certFile: undefined, keyFile: undefined, secretFile: undefined, basic: false,
      },
      kerberos: { spnService: undefined, spnHostname: undefined, delegate: false },
      origin: {
        username: 'profiles."corp"',
        port: 'hosts."web1.corp.example"',
        https: 'hosts."*.example"',
        caFile: 'hosts."*.example"',
        configurationName: 'profiles."corp"',
        passwordCommand: 'profiles."corp"',
        skipCertCheck: 'hosts."*.corp.example"',
        operationTimeout: 'defaults',
        connectTimeout: 'defaults',
      },
    });
  });

  it('the command line beats everything', () => {
    const s = resolveSettings('web1.corp.example', { port: 1, auth: 'ntlm', operationTimeout: 5 }, config, corp);
    expect([s.port, s.auth, s.operationTimeoutSec, s.origin.port]).toEqual([1, 'ntlm', 5, 'command line']);
  });

  it('--profile replaces defaults.profile; a host that matches nothing gets profile, defaults, built-ins', () => {
    const lab = selectedProfile(config, 'lab', FILE);
    const s = resolveSettings('db9.other', {}, config, lab);
    expect([s.username, s.auth, s.port, s.https, s.passwordCommand, s.skipCertCheck]).toEqual(['labuser', 'basic', 1001, false, undefined, false]);
  });

  it('without a config file only the flags and built-ins count', () => {
    const s = resolveSettings('web1', { username: 'u' }, undefined, undefined);
    expect([s.username, s.auth, s.https, s.operationTimeoutSec, s.connectTimeoutSec, s.skipCertCheck]).toEqual(['u', 'negotiate', false, 20, 30, false]);
  });

  it('settingsResolver: the same answer as resolveSettings, shared (and frozen) between hosts that match the same entries', () => {
    const settingsOf = settingsResolver({ username: 'bob' }, config, corp);
    const hosts = ['WEB1.corp.example', 'web2.corp.example', 'db9.other', 'web1.corp.example', 'WEB3.CORP.example', 'x.example', 'db8.other'];
    for (const host of hosts) expect(settingsOf(host)).toEqual(resolveSettings(host, { username: 'bob' }, config, corp));
    // web1 matches its exact entry and both globs; web2 and WEB3 only the globs; db8 and db9 nothing.
    expect(settingsOf('web2.corp.example')).toBe(settingsOf('WEB3.CORP.example'));
    expect(settingsOf('db9.other')).toBe(settingsOf('db8.other'));
    expect(settingsOf('web1.corp.example')).not.toBe(settingsOf('web2.corp.example'));
    expect(settingsOf('x.example')).not.toBe(settingsOf('web2.corp.example'));
    const shared = settingsOf('db9.other');
    expect(() => {
      (shared as { port: number | undefined }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (shared.origin as Record<string, string>).port = 'x';
    }).toThrow(TypeError);
    expect(Object.isFrozen(shared.oauth) && Object.isFrozen(shared.kerberos)).toBe(true);
    // Without a config file every host shares one answer.
    const bare = settingsResolver({ username: 'u' }, undefined, undefined);
    expect(bare('a')).toBe(bare('b'));
    expect(bare('a')).toEqual(resolveSettings('a', { username: 'u' }, undefined, undefined));
  });

  it('a passwordCommand is dropped when a more specific layer names another user', () => {
    expect(resolveSettings('db9.other', { username: 'bob' }, config, corp).passwordCommand).toBeUndefined();
    expect(resolveSettings('db9.other', {}, config, corp).passwordCommand).toBe('pass show corp');
  });

  it('an unknown profile, or --profile without a config file, is an ETSR_CONFIG error', () => {
    expect(failure(() => selectedProfile(config, 'nope', FILE))).toEqual(['ETSR_CONFIG', `${FILE}: no profile named 'nope'`, 'profiles are: corp, lab']);
    expect(failure(() => selectedProfile(undefined, 'prod', '/home/u/.config/tsremote/config.json'))).toEqual([
      'ETSR_CONFIG',
      '--profile prod: there is no config file (/home/u/.config/tsremote/config.json)',
      'create it, or point TSREMOTE_CONFIG at one',
    ]);
    expect(selectedProfile(undefined, undefined, FILE)).toBeUndefined();
  });
});
