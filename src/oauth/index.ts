/**
 * tsremote oauth — tokens for `--auth oauth` from an OAuth 2.0 / OpenID Connect authority with
 * msal-node (device code, client credentials with a secret or a certificate), a token cache in the
 * user's state directory, and the bearer AuthContext built around them.
 *
 * Import this module lazily: it pulls in msal-node.
 */
import type { AuthContext } from '../auth/context.js';
import { BearerAuthContext } from '../auth/bearer.js';
import { InvalidArgumentError } from '../errors.js';
import { TokenAcquirer, type AcquireHooks } from './acquire.js';
import { tokenCachePath } from './cache-plugin.js';
import { planOAuth, type OAuthSettings } from './settings.js';
import { CachingTokenSource } from './token-source.js';

export { TokenAcquirer, certificateOf, type AcquiredToken, type AcquireHooks } from './acquire.js';
export { CachingTokenSource, RENEW_BEFORE_MS } from './token-source.js';
export { fileCachePlugin, tokenCachePath, TOKEN_CACHE_FILE } from './cache-plugin.js';
export { AuthorityHttpClient } from './network-client.js';
export { planOAuth, splitScopes, DEFAULT_AUTHORITY, type OAuthSettings, type OAuthPlan, type ClientCredential } from './settings.js';

export interface OAuthClientOptions {
  env?: NodeJS.ProcessEnv;
  /** The device-code prompt (default: stderr). */
  showDeviceCode?: (message: string) => void;
  debug?: ((line: string) => void) | undefined;
  /** `-u`: picks the cached account (device code) and is the user of the Basic form. */
  username?: string | undefined;
  /** Default: tokenCachePath(env). */
  cacheFile?: string;
}

/** A token source and a factory of bearer contexts for one set of OAuth settings. */
export interface OAuthClient {
  /** Builds a connection's AuthContext (TransportOptions.authContext). */
  authContext: () => AuthContext;
  /** Ends the authority connections. */
  close(): Promise<void>;
}

/**
 * Checks the settings and prepares token acquisition (nothing is fetched until the first request).
 * @throws AuthError (ETSR_CREDENTIALS) for missing settings, InvalidArgumentError for bad ones.
 */
export function createOAuthClient(settings: OAuthSettings, opts: OAuthClientOptions = {}): OAuthClient {
  const env = opts.env ?? process.env;
  const plan = planOAuth(settings, env);
  if (settings.basic && opts.username === undefined) {
    throw new InvalidArgumentError('--oauth-basic needs -u USER (the account the token was issued to)');
  }
  const hooks: AcquireHooks = {
    cacheFile: opts.cacheFile ?? tokenCachePath(env),
    showDeviceCode: opts.showDeviceCode ?? ((m) => void process.stderr.write(`${m}\n`)),
    debug: opts.debug,
    username: opts.username,
  };
  const acquirer = new TokenAcquirer(plan, hooks);
  const source = new CachingTokenSource((skip) => acquirer.acquire(skip));
  const basicUser = settings.basic ? opts.username : undefined;
  return {
    authContext: () => new BearerAuthContext(source, { basicUser }),
    close: () => acquirer.close(),
  };
}
