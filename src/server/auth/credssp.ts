/**
 * CredSSP on serve's side (MS-CSSP over WinRM, `Authorization: CredSSP <base64 TLS records>`):
 * a TLS server in memory per connection, NTLM inside it, then the delegated password checked
 * against serve's users, and the TLS channel sealing bodies for the rest of the connection.
 * ```
 *   POST  CredSSP ClientHello                 -> 401  CredSSP ServerHello … ServerHelloDone
 *   POST  CredSSP ClientKeyExchange … Finished -> 401  CredSSP ChangeCipherSpec, Finished
 *   POST  CredSSP TLS[NEGOTIATE]               -> 401  CredSSP TLS[CHALLENGE]
 *   POST  CredSSP TLS[AUTHENTICATE, pubKeyAuth] -> 401 CredSSP TLS[server pubKeyAuth]
 *   POST  CredSSP TLS[authInfo] + the body      -> served; the connection is logged on
 * ```
 * A ClientHello always starts over, as a NEGOTIATE does for NTLM. The certificate is serve's own on
 * HTTPS; on plain HTTP a self-signed RSA one is made at start-up, like WinRM's CredSSP certificate.
 * Login throttling cannot see the user before the TLS channel opens the token, so this acceptor
 * counts failures per address + user itself, once NTLM's AUTHENTICATE names the user.
 */
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { SecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { CREDSSP_ENCRYPTED_PROTOCOL } from '../../auth/credssp/context.js';
import { CredSspServer, decodeTsRequest, subjectPublicKey, tlsTrailerLength, type TsPasswordCreds } from '../../auth/credssp/index.js';
import { decodeAuthenticate, isNtlmToken } from '../../auth/ntlm/index.js';
import { MemoryTlsChannel } from '../../transport/credssp-tls.js';
import { LoginThrottle, type ThrottleOptions } from './throttle.js';
import { LocalAccounts, ntlmCredentialOf } from './local-accounts.js';
import { concatBytes } from '../../util/bytes.js';
import { peerAddressOf, securityProfile, splitAccount, type AcceptResult, type Acceptor, type AuthConnection, type ServeUser, type SessionSecurity } from './types.js';

export interface CredSspAcceptorOptions {
  users: readonly ServeUser[];
  /** PEM certificate and key the inner TLS server presents. */
  cert: string;
  key: string;
  /** NetBIOS computer name announced by NTLM; default from the host name. */
  netbiosComputer?: string;
  /** Failed logons per address + user before a lock-out (see throttle.ts); `false` turns it off. */
  throttle?: ThrottleOptions | false;
}

/** A CredSSP exchange between its legs, per connection. */
interface Pending {
  tls: MemoryTlsChannel;
  server: CredSspServer;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class CredSspAcceptor implements Acceptor {
  readonly schemes = ['CredSSP'];
  readonly #users: readonly ServeUser[];
  /** The inner TLS server's context, made once. */
  readonly #tlsContext: SecureContext;
  readonly #publicKey: Uint8Array;
  readonly #accounts: LocalAccounts;
  readonly #throttle: LoginThrottle | undefined;
  readonly #pending = new WeakMap<object, Pending>();

  /** @throws Error when `cert` is not a PEM certificate. */
  constructor(options: CredSspAcceptorOptions) {
    this.#users = options.users;
    this.#tlsContext = MemoryTlsChannel.serverContext(options.cert, options.key);
    this.#publicKey = subjectPublicKey(new Uint8Array(new X509Certificate(options.cert).raw));
    this.#accounts = new LocalAccounts(options.users, options.netbiosComputer);
    this.#throttle = options.throttle === false ? undefined : new LoginThrottle(options.throttle);
  }

  /**
   * A self-signed RSA certificate for the inner TLS of plain-HTTP CredSSP, named as WinRM names its
   * own (CN=CREDSSP-<host>); RSA because Python peers read the key as PKCS#1.
   */
  static async generateCertificate(): Promise<{ cert: string; key: string }> {
    const now = new Date();
    const made = await generate([{ name: 'commonName', value: `CREDSSP-${hostname().split('.')[0] || 'tsremote'}` }], {
      keyType: 'rsa',
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now.getTime() - 60_000),
      notAfterDate: new Date(now.getTime() + 365 * 24 * 3600_000),
    });
    return { cert: made.cert, key: made.private };
  }

  /** Offered everywhere: on plain HTTP the TLS channel seals the bodies. */
  offered(): boolean {
    return true;
  }

  challenges(): string[] {
    return ['CredSSP'];
  }

  abandon(conn: AuthConnection): void {
    this.#drop(conn);
  }

  async accept(_scheme: string, credentials: string, conn: AuthConnection): Promise<AcceptResult> {
    const token = new Uint8Array(Buffer.from(credentials.trim(), 'base64'));
    let pending = this.#pending.get(conn.connection);
    if (isClientHello(token)) {
      this.#drop(conn);
      pending = { tls: MemoryTlsChannel.server({ secureContext: this.#tlsContext }), server: this.#newServer() };
      this.#pending.set(conn.connection, pending);
    } else if (pending === undefined) {
      return { kind: 'rejected', reason: 'CredSSP token without a TLS ClientHello on this connection' };
    }
    try {
      return await this.#step(pending, token, conn);
    } catch (err) {
      this.#drop(conn);
      return { kind: 'rejected', reason: `CredSSP: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async #step(pending: Pending, token: Uint8Array, conn: AuthConnection): Promise<AcceptResult> {
    const { tls } = pending;
    let handshake: Uint8Array = new Uint8Array(0);
    let plain: Uint8Array;
    if (!tls.secure) {
      handshake = await tls.handshake(token);
      // The client sends whole flights; TLS with nothing to say and no handshake done is stuck.
      if (!tls.secure && handshake.length === 0) throw new Error('incomplete TLS handshake records');
      if (!tls.secure) return continueWith(handshake);
      plain = await tls.unwrap(new Uint8Array(0));
      if (plain.length === 0) return continueWith(handshake);
    } else {
      plain = await tls.unwrap(token);
    }
    const claimed = claimedUser(plain);
    const address = peerAddressOf(conn);
    if (claimed !== undefined && this.#throttle?.lockedFor(address, claimed) !== undefined) {
      this.#drop(conn);
      return { kind: 'rejected', reason: `'${claimed.slice(0, 80)}' locked out after repeated failed logons (credentials not checked)` };
    }
    const step = pending.server.next(plain);
    switch (step.kind) {
      case 'reply':
        if (claimed !== undefined) this.#throttle?.succeeded(address, claimed);
        return continueWith(concatBytes([handshake, await tls.wrap(step.token)]));
      case 'rejected':
        if (claimed !== undefined) this.#throttle?.failed(address, claimed);
        this.#drop(conn);
        return { kind: 'rejected', reason: `CredSSP: ${step.reason}` };
      case 'accepted': {
        this.#pending.delete(conn.connection);
        return {
          kind: 'accepted',
          username: step.username,
          profile: securityProfile(conn.secure, 'spnego-kerberos'),
          security: sealingOf(tls),
        };
      }
    }
  }

  #newServer(): CredSspServer {
    return new CredSspServer({
      publicKey: this.#publicKey,
      ntlm: {
        lookup: (user, domain) => ntlmCredentialOf(this.#accounts.find(user, domain)),
        netbiosComputer: this.#accounts.netbios,
        dnsComputer: this.#accounts.dns,
      },
      checkPassword: (username, creds) => this.#checkPassword(username, creds),
    });
  }

  /** The delegated password against the account NTLM logged on; constant-time for plain passwords. */
  #checkPassword(username: string, creds: TsPasswordCreds): boolean {
    const user = this.#users.find((u) => u.username === username);
    if (user === undefined) return false;
    if ('password' in user) return timingSafeEqual(sha256(creds.password), sha256(user.password));
    return user.verifyPassword(creds.password);
  }



  #drop(conn: AuthConnection): void {
    this.#pending.get(conn.connection)?.tls.destroy();
    this.#pending.delete(conn.connection);
  }
}

/** The TLS channel as the connection's session security (MS-WSMV 2.2.9.1.3). */
function sealingOf(tls: MemoryTlsChannel): SessionSecurity {
  return {
    scheme: 'CredSSP',
    encryptionProtocol: CREDSSP_ENCRYPTED_PROTOCOL,
    wrap: async (data) => {
      const record = await tls.wrap(data);
      const trailer = Math.min(tlsTrailerLength(tls.protocol, tls.cipherSuite, data.length), record.length);
      return { header: record.subarray(0, trailer), data: record.subarray(trailer) };
    },
    unwrap: (header, data) => tls.unwrap(concatBytes([header, data])),
  };
}

/** A TLS handshake record (22) holding a ClientHello (1): a new CredSSP exchange. */
function isClientHello(token: Uint8Array): boolean {
  return token.length > 5 && token[0] === 22 && token[1] === 3 && token[5] === 1;
}

/** The user an NTLM AUTHENTICATE inside a TSRequest names, for throttling; undefined otherwise. */
function claimedUser(plain: Uint8Array): string | undefined {
  try {
    const token = decodeTsRequest(plain).negoTokens?.[0];
    if (token === undefined || !isNtlmToken(token) || token[8] !== 3) return undefined;
    return splitAccount(decodeAuthenticate(token).user).user;
  } catch {
    // A malformed TSRequest is refused by the state machine; it names no one to count against.
    return undefined;
  }
}

function continueWith(token: Uint8Array): AcceptResult {
  return { kind: 'continue', challenge: `CredSSP ${Buffer.from(token).toString('base64')}` };
}



