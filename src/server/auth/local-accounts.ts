/**
 * How serve's configured accounts answer to the names a Windows logon carries (NTLM's, and the
 * one CredSSP delegates): a configured `user` is a local account, which the client may name with
 * no domain, `.`, `localhost` or our computer name; a configured `DOMAIN\user` needs that domain.
 */
import { hostname } from 'node:os';
import { splitAccount, type ServeUser } from './types.js';

export class LocalAccounts {
  /** NetBIOS computer name (upper case, at most 15 characters), as NTLM's CHALLENGE announces it. */
  readonly netbios: string;
  /** DNS computer name (lower case). */
  readonly dns: string;
  readonly #users: readonly ServeUser[];

  constructor(users: readonly ServeUser[], netbiosComputer?: string) {
    this.#users = users;
    const host = hostname().toLowerCase();
    this.netbios = (netbiosComputer ?? (host.split('.')[0] || 'tsremote')).toUpperCase().slice(0, 15);
    this.dns = host || this.netbios.toLowerCase();
  }

  /** The account `domain\user` logs on as, if any. */
  find(user: string, domain: string): ServeUser | undefined {
    const d = domain.toLowerCase();
    const local = d === '' || d === '.' || d === 'localhost' || d === this.netbios.toLowerCase() || d === this.dns;
    for (const u of this.#users) {
      const account = splitAccount(u.username);
      if (account.user !== user.toLowerCase()) continue;
      if (account.domain === undefined ? local : account.domain === d) return u;
    }
    return undefined;
  }
}

/** What NTLM needs of an account: its password, or the NT hash a users file keeps. */
export function ntlmCredentialOf(u: ServeUser | undefined): { username: string; password: string } | { username: string; ntHash: Uint8Array } | undefined {
  if (u === undefined) return undefined;
  if ('password' in u) return u;
  return u.ntHash === undefined ? undefined : { username: u.username, ntHash: u.ntHash };
}
