/**
 * How `--auth oauth` settings become an msal-node plan (authority, protocol mode, flow), the
 * config-file keys that carry them, the certificate credential, and the token cache file.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, describe, expect, it } from 'vitest';
import type { TokenCacheContext } from '@azure/msal-node';
import { parseConfig } from '../../../src/cli/config.js';
import { resolveSettings } from '../../../src/cli/config-resolve.js';
import { readConnectionOptions } from '../../../src/cli/connection-options.js';
import { certificateOf, fileCachePlugin, planOAuth, splitScopes, tokenCachePath } from '../../../src/oauth/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-oauth-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noEnv = {};

describe('planOAuth', () => {
  it('defaults to Entra ID, tenant organizations, device code', () => {
    const plan = planOAuth({ clientId: 'app', scopes: ['https://outlook.office365.com/.default'] }, noEnv);
    expect(plan).toEqual({
      authority: 'https://login.microsoftonline.com/organizations', protocolMode: 'AAD', clientId: 'app',
      scopes: ['https://outlook.office365.com/.default'], credential: undefined, caFile: undefined,
    });
  });

  it('uses OIDC mode for other authorities, appends the tenant, and takes the secret from the environment', () => {
    const plan = planOAuth({ authority: 'https://sts.example:8443/', tenant: 'corp', clientId: 'ci', scopes: ['api://x/.default'] }, { TSREMOTE_OAUTH_CLIENT_SECRET: 's3' });
    expect([plan.authority, plan.protocolMode, plan.credential]).toEqual(['https://sts.example:8443/corp', 'OIDC', { kind: 'secret', secret: 's3' }]);
  });

  it('reads the secret from the first line of a file when the environment has none', () => {
    const file = path.join(dir, 'secret');
    writeFileSync(file, 'file-secret\nignored\n');
    expect(planOAuth({ authority: 'https://sts.example', clientId: 'ci', scopes: ['a'], secretFile: file }, noEnv).credential).toEqual({ kind: 'secret', secret: 'file-secret' });
  });

  it('refuses what cannot work, with the fix in the hint', () => {
    const fails = (s: Parameters<typeof planOAuth>[0], env: NodeJS.ProcessEnv = noEnv): string => {
      try {
        planOAuth(s, env);
        return 'no error';
      } catch (err) {
        return `${(err as { code: string }).code}: ${(err as Error).message}`;
      }
    };
    expect(fails({ scopes: ['a'] })).toBe('ETSR_CREDENTIALS: --auth oauth needs --client-id');
    expect(fails({ clientId: 'c' })).toBe('ETSR_CREDENTIALS: --auth oauth needs --scope');
    expect(fails({ clientId: 'c', scopes: ['a'], authority: 'http://sts.example' })).toMatch(/^ETSR_INVALID_ARGUMENT: --authority must be an https URL/);
    expect(fails({ clientId: 'c', scopes: ['a'] }, { TSREMOTE_OAUTH_CLIENT_SECRET: 'x' })).toMatch(/client credentials need a tenant/);
    expect(fails({ clientId: 'c', scopes: ['a'], authority: 'https://sts.example', certFile: 'x.pem' })).toMatch(/--oauth-cert-file and --oauth-key-file go together/);
  });

  it('splits comma and space separated scopes, once each', () => {
    expect(splitScopes(['a,b', 'c d', 'a'])).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('OAuth settings on the command line and in the config file', () => {
  it('flags land in the command-line layer; --scope repeats', () => {
    const conn = readConnectionOptions({
      computerName: ['h'], auth: 'oauth', authority: 'https://sts.example', tenant: 't', clientId: 'c', scope: ['a', 'b,c'],
      oauthCertFile: 'c.pem', oauthKeyFile: 'k.pem', oauthBasic: true,
    }, [], {});
    expect(conn.settings).toMatchObject({ auth: 'oauth', authority: 'https://sts.example', tenant: 't', clientId: 'c', scopes: ['a', 'b,c'], oauthCertFile: 'c.pem', oauthKeyFile: 'k.pem', oauthBasic: true });
  });

  it('profile keys fill what the command line leaves out; paths are relative to the file', () => {
    const file = path.join(dir, 'config.json');
    const config = parseConfig(file, JSON.stringify({
      profiles: {
        exo: { auth: 'oauth', authority: 'https://login.microsoftonline.com', tenant: 'contoso.onmicrosoft.com', clientId: 'app-id',
          scopes: ['https://outlook.office365.com/.default'], oauthCertFile: 'app.pem', oauthKeyFile: 'app.key', oauthBasic: true },
      },
      hosts: { 'lab*': { scopes: 'api://lab/.default', oauthSecretFile: '~/lab-secret' } },
    }));
    const exo = resolveSettings('outlook.office365.com', { tenant: 'override' }, config, { name: 'exo', settings: config.profiles.get('exo')! });
    expect(exo.auth).toBe('oauth');
    expect(exo.oauth).toEqual({
      authority: 'https://login.microsoftonline.com', tenant: 'override', clientId: 'app-id', scopes: ['https://outlook.office365.com/.default'],
      certFile: path.join(dir, 'app.pem'), keyFile: path.join(dir, 'app.key'), secretFile: undefined, basic: true,
    });
    const lab = resolveSettings('lab1', {}, config, undefined);
    expect([lab.oauth.scopes, lab.oauth.secretFile?.endsWith('lab-secret'), lab.oauth.basic]).toEqual([['api://lab/.default'], true, false]);
  });

  it('a wrong type names the file and key', () => {
    expect(() => parseConfig('/c.json', JSON.stringify({ defaults: { scopes: 5 } }))).toThrow('/c.json: defaults.scopes: expected a scope string or an array of them, got number 5');
    expect(() => parseConfig('/c.json', JSON.stringify({ defaults: { oauthBasic: 'yes' } }))).toThrow(/defaults\.oauthBasic: expected true or false/);
  });
});

describe('certificateOf', () => {
  it('gives the SHA-256 thumbprint, the key as PKCS#8 and the certificate; refuses a key of another certificate', async () => {
    const made = await generate([{ name: 'commonName', value: 'app' }], { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' });
    const cred = certificateOf(made.cert, made.private);
    expect(cred.thumbprintSha256).toBe(new X509Certificate(made.cert).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(cred.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cred.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(() => certificateOf(made.cert, other)).toThrow('--oauth-key-file is not the private key of --oauth-cert-file');
  });
});

describe('the token cache file', () => {
  it('lives in the state directory and is written whole, mode 0600, only when the cache changed', async () => {
    const state = path.join(dir, 'state');
    const file = tokenCachePath({ TSREMOTE_STATE_DIR: state });
    expect(file).toBe(path.join(state, 'oauth-token-cache.json'));
    const plugin = fileCachePlugin(file);
    let stored = '';
    const context = (changed: boolean, serialized: string): TokenCacheContext =>
      ({ cacheHasChanged: changed, tokenCache: { serialize: () => serialized, deserialize: (s: string) => void (stored = s) } }) as unknown as TokenCacheContext;
    await plugin.beforeCacheAccess(context(false, ''));
    expect(stored).toBe(''); // no file yet: nothing to load
    await plugin.afterCacheAccess(context(true, '{"AccessToken":{}}'));
    expect([readFileSync(file, 'utf8'), statSync(file).mode & 0o777, statSync(state).mode & 0o777]).toEqual(['{"AccessToken":{}}', 0o600, 0o700]);
    await plugin.afterCacheAccess(context(false, 'not written'));
    await plugin.beforeCacheAccess(context(false, ''));
    expect(stored).toBe('{"AccessToken":{}}');
  });
});
