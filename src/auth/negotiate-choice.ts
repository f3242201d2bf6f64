/**
 * What `--auth negotiate` uses, decided before any connection from facts the CLI gathered, and the
 * Kerberos reading of a user name. Pure and light: the common NTLM path reaches its answer here
 * without loading the Kerberos modules (negotiate.ts re-exports all of it).
 */

/** What the CLI found out before connecting. */
export interface NegotiateFacts {
  /** The `kerberos` package can be found. */
  bindingInstalled: boolean;
  /** A TGT for the wanted principal (or, with no user named, any) is in the ticket cache. */
  ticket: boolean;
  /** The user name, as typed (`user@REALM`, `DOMAIN\user`, `user`), if any. */
  username?: string | undefined;
  /** A password is at hand (so kinit, and NTLM, are possible). */
  password: boolean;
}

export type NegotiateChoice =
  | { mechanism: 'kerberos'; kinit: boolean; why: string }
  | { mechanism: 'ntlm'; why: string };

/** The realm of `user@REALM` (not of `DOMAIN\user`), or undefined. */
export function realmOf(username: string | undefined): string | undefined {
  if (username === undefined || username.includes('\\')) return undefined;
  const at = username.lastIndexOf('@');
  return at > 0 && at < username.length - 1 ? username.slice(at + 1) : undefined;
}

/**
 * The Kerberos principal of a user name: `user@REALM` with the realm in capitals (AD realms are the
 * DNS domain in capitals, and users type UPNs in lower case); a bare `user` stays bare (the default
 * realm of krb5.conf applies); `DOMAIN\user` has no principal (undefined).
 */
export function principalOf(username: string | undefined): string | undefined {
  if (username === undefined || username.includes('\\')) return undefined;
  const realm = realmOf(username);
  return realm === undefined ? username : `${username.slice(0, username.lastIndexOf('@'))}@${realm.toUpperCase()}`;
}

/**
 * Decides what `--auth negotiate` uses. Kerberos needs the binding and either a TGT or a password
 * with a realm in the user name (`user@REALM`: kinit needs to know which KDC to ask); a bare `user`
 * or `DOMAIN\user` names an NTLM account (a local one, or a NetBIOS domain), so it stays NTLM.
 */
export function chooseNegotiate(facts: NegotiateFacts): NegotiateChoice {
  if (!facts.bindingInstalled) return { mechanism: 'ntlm', why: 'the optional "kerberos" package is not installed' };
  const realm = realmOf(facts.username);
  if (facts.username !== undefined && realm === undefined) {
    return { mechanism: 'ntlm', why: `${facts.username} names no Kerberos realm (user@REALM)` };
  }
  if (facts.ticket) return { mechanism: 'kerberos', kinit: false, why: 'a ticket-granting ticket is in the ticket cache' };
  if (facts.password && realm !== undefined) return { mechanism: 'kerberos', kinit: true, why: `kinit with the password for realm ${realm}` };
  return { mechanism: 'ntlm', why: 'no ticket-granting ticket in the ticket cache and no password to get one' };
}
