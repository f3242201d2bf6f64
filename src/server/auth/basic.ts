/**
 * HTTP Basic (RFC 7617) on the server side. Offered only over TLS unless AllowUnencrypted, as
 * WinRM's `Service/Auth/Basic` + `Service/AllowUnencrypted` do: on plain HTTP the password would
 * cross the wire base64-encoded.
 *
 * Never log or keep passwords: only their SHA-256 digests live here, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { securityProfile, splitAccount, type AcceptResult, type Acceptor, type AuthConnection, type ServeUser } from './types.js';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Usernames compare case-insensitively as Windows account names do; a `.\user` or
 * `localhost\user` prefix is accepted for the local machine.
 */
export class BasicAcceptor implements Acceptor {
  readonly schemes = ['Basic'];
  readonly #users = new Map<string, { name: string; digest: Buffer } | { name: string; verify: (password: string) => boolean }>();
  readonly #allowUnencrypted: boolean;
  /** Compared against when the user is unknown, so both paths cost the same. */
  readonly #decoy = sha256('\u0000tsremote-decoy');

  constructor(users: readonly ServeUser[], allowUnencrypted: boolean) {
    for (const u of users) {
      const entry = 'password' in u ? { name: u.username, digest: sha256(u.password) } : { name: u.username, verify: (p: string) => u.verifyPassword(p) };
      this.#users.set(normaliseUser(u.username), entry);
    }
    this.#allowUnencrypted = allowUnencrypted;
  }

  offered(conn: AuthConnection): boolean {
    return conn.secure || this.#allowUnencrypted;
  }

  challenges(): string[] {
    return ['Basic realm="WSMAN"'];
  }

  claimedUser(_scheme: string, credentials: string): string | undefined {
    const decoded = Buffer.from(credentials.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : splitAccount(decoded.slice(0, colon)).user;
  }

  accept(_scheme: string, credentials: string, conn: AuthConnection): AcceptResult {
    if (!this.offered(conn)) return { kind: 'rejected', reason: 'Basic over plain HTTP needs allowUnencrypted' };
    const decoded = Buffer.from(credentials.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'rejected', reason: 'malformed Basic credentials' };
    const username = decoded.slice(0, colon);
    const user = this.#users.get(normaliseUser(username));
    const password = decoded.slice(colon + 1);
    // A stored user's verifier (scrypt) is constant-time itself.
    const ok = user !== undefined && 'verify' in user ? user.verify(password) : timingSafeEqual(sha256(password), user?.digest ?? this.#decoy);
    if (user === undefined) return { kind: 'rejected', reason: `unknown user '${username}'` };
    if (!ok) return { kind: 'rejected', reason: `wrong password for '${user.name}'` };
    return { kind: 'accepted', username: user.name, profile: securityProfile(conn.secure, 'basic') };
  }
}

function normaliseUser(name: string): string {
  const lower = name.toLowerCase();
  for (const prefix of ['.\\', 'localhost\\']) if (lower.startsWith(prefix)) return lower.slice(prefix.length);
  return lower;
}
