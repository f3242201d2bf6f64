/**
 * What `--auth oauth` needs to get a token, after the command line, the config file and the
 * environment have had their say, and how the authority URL and flow follow from it.
 *
 * Flow: a client secret (`TSREMOTE_OAUTH_CLIENT_SECRET`, or `oauthSecretFile`) or a certificate
 * (`oauthCertFile` + `oauthKeyFile`) means the client-credentials grant (an application identity,
 * for CI); neither means the device-code flow (a person signs in in a browser). Secrets never come
 * from argv, where `ps` would show them.
 */
import { readFileSync } from 'node:fs';
import { AuthError } from '../auth/errors.js';
import { InvalidArgumentError } from '../errors.js';

/** The default authority: Microsoft Entra ID (formerly Azure AD), public cloud. */
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/** Hosts of Microsoft's clouds: msal-node's Entra ID mode; every other host is plain OIDC. */
const MICROSOFT_HOSTS = new Set([
  'login.microsoftonline.com', 'login.microsoft.com', 'sts.windows.net', 'login.windows.net',
  'login.chinacloudapi.cn', 'login.microsoftonline.us', 'login.microsoftonline.de',
]);

/** The OAuth settings of one host, as the CLI resolved them. */
export interface OAuthSettings {
  /** Authority base URL (default Entra ID); `tenant` is appended as a path segment. */
  authority?: string | undefined;
  tenant?: string | undefined;
  clientId?: string | undefined;
  /** Scopes; client credentials need exactly `<resource>/.default`. */
  scopes?: readonly string[] | undefined;
  /** File whose first line is the client secret (when the environment has none). */
  secretFile?: string | undefined;
  /** Client certificate and its private key (PEM) for the client-credentials grant. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Send `Basic base64(user:Bearer token)` (Exchange Online) instead of `Bearer token`. */
  basic?: boolean | undefined;
  /** Extra trusted CAs (PEM file) for the authority's TLS, as `--ca-file` is for the endpoint. */
  caFile?: string | undefined;
}

/** How the client proves who it is to the authority. */
export type ClientCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; certPem: string; keyPem: string };

/** Everything msal-node is given, checked. */
export interface OAuthPlan {
  /** The full authority URL (`https://host/tenant`). */
  authority: string;
  /** Entra ID (`AAD`) or any other OpenID Connect provider (`OIDC`). */
  protocolMode: 'AAD' | 'OIDC';
  clientId: string;
  scopes: string[];
  /** Absent: device code. */
  credential: ClientCredential | undefined;
  caFile: string | undefined;
}

/** Splits `--scope a,b --scope c` into scopes. */
export function splitScopes(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((v) => v.split(/[,\s]+/)).map((s) => s.trim()).filter((s) => s !== ''))];
}

/**
 * Checks the settings and decides authority, mode and flow.
 * @throws AuthError (ETSR_CREDENTIALS) when something needed is missing; InvalidArgumentError for
 *   a malformed URL or an unreadable file.
 */
export function planOAuth(s: OAuthSettings, env: NodeJS.ProcessEnv = process.env): OAuthPlan {
  if (!s.clientId) {
    throw new AuthError('ETSR_CREDENTIALS', '--auth oauth needs --client-id', {
      hint: 'the application (client) id registered with the identity provider; or oauthClientId in the config file',
    });
  }
  const scopes = splitScopes(s.scopes ?? []);
  if (scopes.length === 0) {
    throw new AuthError('ETSR_CREDENTIALS', '--auth oauth needs --scope', {
      hint: 'the API the endpoint accepts tokens for, e.g. --scope https://outlook.office365.com/.default',
    });
  }
  let base: URL;
  try {
    base = new URL(s.authority ?? DEFAULT_AUTHORITY);
  } catch (err) {
    throw new InvalidArgumentError(`--authority is not a URL: '${s.authority ?? ''}'`, { cause: err });
  }
  if (base.protocol !== 'https:') {
    throw new InvalidArgumentError(`--authority must be an https URL, got '${base.href}'`, {
      hint: 'tokens and client secrets travel to the authority: it must be TLS',
    });
  }
  const path = base.pathname.replace(/\/+$/, '');
  const microsoft = MICROSOFT_HOSTS.has(base.hostname.toLowerCase());
  const tenant = s.tenant ?? (path === '' && microsoft ? 'organizations' : undefined);
  const authority = `${base.origin}${path}${tenant === undefined ? '' : `/${encodeURIComponent(tenant)}`}`;

  const envSecret = env.TSREMOTE_OAUTH_CLIENT_SECRET;
  let credential: ClientCredential | undefined;
  if (s.certFile !== undefined || s.keyFile !== undefined) {
    if (s.certFile === undefined || s.keyFile === undefined) {
      throw new InvalidArgumentError('--oauth-cert-file and --oauth-key-file go together');
    }
    credential = { kind: 'certificate', certPem: readPem(s.certFile, '--oauth-cert-file'), keyPem: readPem(s.keyFile, '--oauth-key-file') };
  } else if (envSecret) {
    credential = { kind: 'secret', secret: envSecret };
  } else if (s.secretFile !== undefined) {
    const secret = readPem(s.secretFile, 'the OAuth secret file').split(/\r?\n/)[0]?.trim() ?? '';
    if (secret === '') throw new InvalidArgumentError(`the OAuth secret file ${s.secretFile} is empty`);
    credential = { kind: 'secret', secret };
  }
  if (credential !== undefined && microsoft && (tenant === 'organizations' || tenant === 'common')) {
    throw new AuthError('ETSR_CREDENTIALS', 'client credentials need a tenant, not organizations or common', {
      hint: 'give --tenant <tenant id or domain>',
    });
  }
  return { authority, protocolMode: microsoft ? 'AAD' : 'OIDC', clientId: s.clientId, scopes, credential, caFile: s.caFile };
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
}
