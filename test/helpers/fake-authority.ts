/**
 * A loopback OAuth 2.0 / OpenID Connect authority for tests: real HTTPS (a self-signed certificate
 * the caller trusts), real RS256-signed JWT access tokens, and the endpoints msal-node uses:
 *
 * | path                                        | what                                                |
 * |---------------------------------------------|-----------------------------------------------------|
 * | GET  /<tenant>/.well-known/openid-configuration | discovery metadata (issuer = origin/<tenant>)    |
 * | GET  /<tenant>/discovery/v2.0/keys          | the JWK set (RSA `k1`, EC P-256 `e1`)              |
 * | POST /<tenant>/oauth2/v2.0/devicecode       | device authorization (RFC 8628)                     |
 * | POST /<tenant>/oauth2/v2.0/token            | client_credentials (secret, or a certificate's JWT assertion, RFC 7523), device_code, refresh_token |
 *
 * A device code is "approved" after one `authorization_pending` answer. Client assertions are
 * checked for real: x5t#S256 must be the registered certificate's, the signature must verify with
 * its key, aud must be the token endpoint, iss = sub = the client id, and it must not be expired.
 * `tokensIssued` counts access tokens handed out, so tests can prove a cache was used.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, verify, constants, X509Certificate, type KeyObject } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export interface FakeClient {
  id: string;
  secret?: string;
  /** PEM of the certificate the client authenticates with (client assertion). */
  certPem?: string;
}

export interface FakeAuthorityOptions {
  tenant?: string;
  /** The `aud` of access tokens, and the resource whose `/.default` scope clients ask for. */
  audience: string;
  clients: FakeClient[];
  /** The person who "signs in" on the device-code page. */
  deviceUser?: string;
  /** Access token lifetime; default 3600 s. */
  tokenLifetimeSec?: number;
}

export interface SignOptions {
  alg?: string;
  kid?: string | undefined;
  /** Default: the authority's RSA key (or EC key for ES256). */
  key?: KeyObject;
}

export interface FakeAuthority {
  /** https://127.0.0.1:PORT */
  origin: string;
  tenant: string;
  /** origin/tenant: the `iss` of its tokens and the authority URL for msal. */
  issuer: string;
  /** Its TLS certificate (PEM), to trust. */
  certPem: string;
  /** Access tokens issued so far (any grant). */
  readonly tokensIssued: number;
  /** Grants seen at the token endpoint, in order (`client_credentials`, `device_code` …, with `:pending` for refusals). */
  readonly grants: string[];
  /** JWK set downloads so far. */
  readonly jwksRequests: number;
  /** Replaces the RSA signing key (new kid); tokens signed before no longer verify. */
  rotateKey(): void;
  /** Signs arbitrary claims (for tests of the verifier). */
  sign(claims: Record<string, unknown>, opts?: SignOptions): string;
  /** Standard access-token claims for `sub`, overridable. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export async function startFakeAuthority(opts: FakeAuthorityOptions): Promise<FakeAuthority> {
  const tenant = opts.tenant ?? 'tsremote-test-tenant';
  let rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let rsaKid = 'k1';
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = (): unknown => ({
    keys: [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: rsaKid, use: 'sig', alg: 'RS256' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e1', use: 'sig', alg: 'ES256' },
    ],
  });
  let jwksRequests = 0;
  const tls = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const lifetime = opts.tokenLifetimeSec ?? 3600;
  let tokensIssued = 0;
  const grants: string[] = [];
  const deviceCodes = new Map<string, { clientId: string; scope: string; polls: number }>();
  const refreshTokens = new Map<string, { clientId: string; scope: string }>();
  let origin = '';
  const issuer = (): string => `${origin}/${tenant}`;

  const signJwt = (claims: Record<string, unknown>, o: SignOptions = {}): string => {
    const alg = o.alg ?? 'RS256';
    const kid = 'kid' in o ? o.kid : alg === 'ES256' ? 'e1' : rsaKid;
    const header = { typ: 'JWT', alg, ...(kid === undefined ? {} : { kid }) };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    let sig: Buffer;
    if (alg === 'none') sig = Buffer.alloc(0);
    else if (alg === 'ES256') sig = sign('sha256', Buffer.from(input), { key: o.key ?? ec.privateKey, dsaEncoding: 'ieee-p1363' });
    else if (alg === 'RS256') sig = sign('sha256', Buffer.from(input), o.key ?? rsa.privateKey);
    else throw new Error(`fake authority cannot sign ${alg}`);
    return `${input}.${b64url(sig)}`;
  };
  const baseClaims = (extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: issuer(), aud: opts.audience, iat: now, nbf: now, exp: now + lifetime, tid: tenant, ver: '2.0', ...extra };
  };
  const accessToken = (extra: Record<string, unknown>): string => {
    tokensIssued++;
    return signJwt(baseClaims({ jti: randomUUID(), ...extra }));
  };
  const user = opts.deviceUser ?? 'alice@example.test';
  const userTokens = (clientId: string, scope: string): Record<string, unknown> => {
    const oid = createHash('sha256').update(user).digest('hex').slice(0, 32);
    const refresh = randomUUID();
    refreshTokens.set(refresh, { clientId, scope });
    const now = Math.floor(Date.now() / 1000);
    const idToken = signJwt({
      iss: issuer(), aud: clientId, iat: now, nbf: now, exp: now + lifetime, sub: oid, oid, tid: tenant,
      preferred_username: user, name: 'Test User', ver: '2.0',
    });
    return {
      token_type: 'Bearer', scope, expires_in: lifetime, ext_expires_in: lifetime,
      access_token: accessToken({ sub: oid, oid, upn: user, preferred_username: user, azp: clientId, scp: 'user_impersonation' }),
      refresh_token: refresh, id_token: idToken,
    };
  };

  const metadata = (): Record<string, unknown> => ({
    issuer: issuer(),
    authorization_endpoint: `${issuer()}/oauth2/v2.0/authorize`,
    token_endpoint: `${issuer()}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${issuer()}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${issuer()}/oauth2/v2.0/logout`,
    jwks_uri: `${issuer()}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
    grant_types_supported: ['client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  });

  const clientOf = (form: URLSearchParams, tokenEndpoint: string): FakeClient | string => {
    const client = opts.clients.find((c) => c.id === form.get('client_id'));
    if (!client) return 'unknown client_id';
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) return client.secret !== undefined && secret === client.secret ? client : 'wrong client secret';
    if (assertion !== null) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return 'bad client_assertion_type';
      if (client.certPem === undefined) return 'client has no certificate';
      return checkAssertion(assertion, client, tokenEndpoint) ?? client;
    }
    return 'no client authentication';
  };

  const tokenEndpoint = (form: URLSearchParams): [number, Record<string, unknown>] => {
    const grant = form.get('grant_type') ?? '';
    const scope = form.get('scope') ?? '';
    const endpoint = `${issuer()}/oauth2/v2.0/token`;
    if (grant === 'client_credentials') {
      grants.push('client_credentials');
      const client = clientOf(form, endpoint);
      if (typeof client === 'string') return [401, { error: 'invalid_client', error_description: client }];
      if (scope.split(' ').filter(Boolean).join(' ') !== `${opts.audience}/.default`) {
        return [400, { error: 'invalid_scope', error_description: `scope must be ${opts.audience}/.default` }];
      }
      return [200, {
        token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime,
        access_token: accessToken({ sub: client.id, azp: client.id, appid: client.id, oid: client.id, roles: ['WinRM.Use'] }),
      }];
    }
    // RFC 8628 names the grant with a URN; msal-node sends Entra ID's short `device_code`, which Entra accepts too.
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code' || grant === 'device_code') {
      const entry = deviceCodes.get(form.get('device_code') ?? '');
      if (!entry || entry.clientId !== form.get('client_id')) {
        grants.push('device_code:bad');
        return [400, { error: 'invalid_grant', error_description: 'unknown device code' }];
      }
      if (entry.polls++ === 0) {
        grants.push('device_code:pending');
        return [400, { error: 'authorization_pending', error_description: 'the user has not signed in yet' }];
      }
      grants.push('device_code');
      deviceCodes.delete(form.get('device_code') ?? '');
      return [200, userTokens(entry.clientId, entry.scope)];
    }
    if (grant === 'refresh_token') {
      grants.push('refresh_token');
      const entry = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!entry || entry.clientId !== form.get('client_id')) return [400, { error: 'invalid_grant' }];
      return [200, userTokens(entry.clientId, entry.scope)];
    }
    grants.push(`unsupported:${grant}`);
    return [400, { error: 'unsupported_grant_type' }];
  };

  const server: Server = createServer({ cert: tls.cert, key: tls.private }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      const p = url.pathname;
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const t = `/${tenant}`;
      if (req.method === 'GET' && (p === `${t}/.well-known/openid-configuration` || p === `${t}/v2.0/.well-known/openid-configuration`)) return send(200, metadata());
      if (req.method === 'GET' && p === `${t}/discovery/v2.0/keys`) {
        jwksRequests++;
        return send(200, jwks());
      }
      if (req.method === 'POST' && p === `${t}/oauth2/v2.0/token`) {
        const [status, body] = tokenEndpoint(form);
        return send(status, body);
      }
      if (req.method === 'POST' && p === `${t}/oauth2/v2.0/devicecode`) {
        const clientId = form.get('client_id') ?? '';
        if (!opts.clients.some((c) => c.id === clientId)) return send(400, { error: 'invalid_client' });
        const deviceCode = randomUUID();
        const userCode = 'TSR-' + deviceCode.slice(0, 4).toUpperCase();
        deviceCodes.set(deviceCode, { clientId, scope: form.get('scope') ?? '', polls: 0 });
        return send(200, {
          device_code: deviceCode, user_code: userCode, verification_uri: `${origin}/device`, expires_in: 900, interval: 1,
          message: `To sign in, open ${origin}/device and enter the code ${userCode} to authenticate.`,
        });
      }
      return send(404, { error: 'not_found', error_description: p });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    tenant,
    issuer: issuer(),
    certPem: tls.cert,
    get tokensIssued() {
      return tokensIssued;
    },
    grants,
    get jwksRequests() {
      return jwksRequests;
    },
    rotateKey: () => {
      rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      rsaKid = `k${Number(rsaKid.slice(1)) + 1}`;
    },
    sign: signJwt,
    claims: baseClaims,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Checks an RFC 7523 client assertion made with the client's certificate; a reason when it fails. */
function checkAssertion(assertion: string, client: FakeClient, tokenEndpoint: string): string | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'assertion is not a JWT';
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const cert = new X509Certificate(client.certPem ?? '');
  const thumbprint = Buffer.from(cert.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');
  if (header['x5t#S256'] !== thumbprint) return 'assertion x5t#S256 is not the registered certificate';
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  let good: boolean;
  if (header.alg === 'PS256') {
    good = verify('sha256', data, { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
  } else if (header.alg === 'RS256') {
    good = verify('sha256', data, cert.publicKey, signature);
  } else return `assertion alg ${String(header.alg)} not accepted`;
  if (!good) return 'assertion signature does not verify';
  if (claims.aud !== tokenEndpoint) return `assertion aud ${String(claims.aud)} is not the token endpoint`;
  if (claims.iss !== client.id || claims.sub !== client.id) return 'assertion iss/sub is not the client id';
  if (typeof claims.exp !== 'number' || claims.exp < Date.now() / 1000) return 'assertion expired';
  return undefined;
}

/** A private key in PEM that is not the authority's (for bad-signature tests). */
export function otherRsaKey(): KeyObject {
  return createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
}
