/**
 * Gets access tokens from the authority with msal-node: silently from the token cache when it can,
 * else through the client-credentials grant (secret or certificate) or the device-code flow.
 *
 * msal-node is imported here only, and this module only when `--auth oauth` is used, so `--help`
 * and every other mechanism start without it.
 *
 * Authorities other than Microsoft's clouds (ADFS, Keycloak, our tests' loopback one) run in
 * msal's OIDC protocol mode, with their host in `knownAuthorities`: msal then reads
 * `<authority>/.well-known/openid-configuration` and trusts the endpoints it names instead of asking
 * Entra ID's instance discovery about a host it has never heard of.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type {
  AuthenticationResult, ConfidentialClientApplication, Configuration, PublicClientApplication,
} from '@azure/msal-node';
import { AuthError } from '../auth/errors.js';
import { fileCachePlugin } from './cache-plugin.js';
import { AuthorityHttpClient } from './network-client.js';
import type { OAuthPlan } from './settings.js';

/** An access token and when it expires. */
export interface AcquiredToken {
  token: string;
  expiresOn: Date | null;
  /** True when msal answered from its cache rather than asking the authority. */
  fromCache: boolean;
}

export interface AcquireHooks {
  /** The token cache file (see cache-plugin.ts). */
  cacheFile: string;
  /** Where the device-code flow's "open this page, enter this code" goes (stderr). */
  showDeviceCode: (message: string) => void;
  /** `--debug` lines; never tokens or secrets. */
  debug?: ((line: string) => void) | undefined;
  /** The account to pick among cached ones for the device-code flow (`-u`). */
  username?: string | undefined;
}

/** Gets tokens for one plan; `acquire(true)` skips the cache (the server refused the cached token). */
export class TokenAcquirer {
  readonly #plan: OAuthPlan;
  readonly #hooks: AcquireHooks;
  readonly #http: AuthorityHttpClient;
  #app: Promise<ConfidentialClientApplication | PublicClientApplication> | undefined;

  constructor(plan: OAuthPlan, hooks: AcquireHooks) {
    this.#plan = plan;
    this.#hooks = hooks;
    this.#http = new AuthorityHttpClient(plan.caFile);
  }

  /**
   * A token for the plan's scopes.
   * @throws AuthError (ETSR_CREDENTIALS) naming the authority when none can be had.
   */
  async acquire(skipCache: boolean): Promise<AcquiredToken> {
    try {
      const app = await this.#application();
      const result = 'acquireTokenByClientCredential' in app
        ? await app.acquireTokenByClientCredential({ scopes: this.#plan.scopes, skipCache })
        : await this.#userToken(app, skipCache);
      if (!result?.accessToken) throw new Error('the authority returned no access token');
      this.#debug(`${result.fromCache ? 'token from the cache' : 'token from the authority'}${expiry(result)}`);
      return { token: result.accessToken, expiresOn: result.expiresOn ?? null, fromCache: result.fromCache };
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Closes the connections to the authority. */
  close(): Promise<void> {
    return this.#http.close();
  }

  async #userToken(app: PublicClientApplication, forceRefresh: boolean): Promise<AuthenticationResult | null> {
    const accounts = await app.getTokenCache().getAllAccounts();
    const wanted = this.#hooks.username?.toLowerCase();
    const account = accounts.find((a) => wanted === undefined || a.username.toLowerCase() === wanted);
    if (account) {
      try {
        return await app.acquireTokenSilent({ account, scopes: this.#plan.scopes, forceRefresh });
      } catch (err) {
        // An expired refresh token or a consent change: the person signs in again.
        this.#debug(`no silent token (${errorCode(err)}); starting the device-code flow`);
      }
    }
    return app.acquireTokenByDeviceCode({
      scopes: this.#plan.scopes,
      deviceCodeCallback: (r) => this.#hooks.showDeviceCode(r.message),
    });
  }

  #application(): Promise<ConfidentialClientApplication | PublicClientApplication> {
    this.#app ??= (async () => {
      const msal = await import('@azure/msal-node');
      const plan = this.#plan;
      const host = new URL(plan.authority).host;
      const config: Configuration = {
        auth: {
          clientId: plan.clientId,
          authority: plan.authority,
          ...(plan.protocolMode === 'OIDC' ? { knownAuthorities: [host] } : {}),
        },
        cache: { cachePlugin: fileCachePlugin(this.#hooks.cacheFile) },
        system: {
          networkClient: this.#http,
          protocolMode: plan.protocolMode === 'OIDC' ? msal.ProtocolMode.OIDC : msal.ProtocolMode.AAD,
          loggerOptions: {
            // Never PII; only warnings and errors, and only under --debug.
            piiLoggingEnabled: false,
            logLevel: msal.LogLevel.Warning,
            loggerCallback: (_level, message, containsPii) => {
              if (!containsPii) this.#debug(`msal: ${message}`);
            },
          },
        },
      };
      const credential = plan.credential;
      if (credential === undefined) return new msal.PublicClientApplication(config);
      if (credential.kind === 'secret') {
        return new msal.ConfidentialClientApplication({ ...config, auth: { ...config.auth, clientSecret: credential.secret } });
      }
      return new msal.ConfidentialClientApplication({
        ...config,
        auth: { ...config.auth, clientCertificate: certificateOf(credential.certPem, credential.keyPem) },
      });
    })();
    return this.#app;
  }

  #failure(err: unknown): AuthError {
    if (err instanceof AuthError) return err;
    const authority = this.#plan.authority;
    const code = errorCode(err);
    const detail = firstLine(err instanceof Error ? err.message : String(err));
    const hint = code === 'invalid_client' || code === 'unauthorized_client'
      ? 'check --client-id and the client secret or certificate registered for it'
      : code === 'invalid_scope'
        ? 'check --scope: client credentials take <resource>/.default'
        : `check --authority/--tenant and that ${new URL(authority).host} is reachable (--ca-file for a private CA)`;
    return new AuthError('ETSR_CREDENTIALS', `OAuth: no token from ${authority}: ${detail}`, { hint, cause: err });
  }

  #debug(line: string): void {
    this.#hooks.debug?.(`oauth: ${line}`);
  }
}

/**
 * msal's certificate credential: the SHA-256 thumbprint (the assertion's `x5t#S256`), the key as
 * PKCS#8 PEM (what msal's signer takes, whatever form the file has), and the certificate itself
 * (`x5c`, which lets Entra ID accept certificate rollover by subject name).
 */
export function certificateOf(certPem: string, keyPem: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  if (!cert.checkPrivateKey(key)) {
    throw new AuthError('ETSR_CREDENTIALS', '--oauth-key-file is not the private key of --oauth-cert-file');
  }
  return {
    thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    x5c: cert.toString(),
  };
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'errorCode' in err && typeof err.errorCode === 'string') return err.errorCode;
  return err instanceof Error ? err.name : 'error';
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function expiry(result: AuthenticationResult): string {
  if (!result.expiresOn) return '';
  return ` (expires in ${Math.round((result.expiresOn.getTime() - Date.now()) / 1000)} s)`;
}
