/**
 * What went wrong in a Kerberos logon, read from GSSAPI's status text (MIT's com_err messages as the
 * `kerberos` package reports them), as typed errors with a fix. Negotiate uses the kind to decide
 * whether NTLM may still be tried.
 */
import { AuthError } from '../errors.js';

export type KerberosFailureKind =
  /** The KDC has no such service principal: the SPN is wrong (the most common field failure). */
  | 'unknown-server'
  /** No usable TGT: no ccache, an empty one, or expired tickets. */
  | 'no-credentials'
  /** The KDC does not know the user principal. */
  | 'unknown-client'
  /** No KDC for the realm could be found or reached. */
  | 'kdc-unreachable'
  | 'clock-skew'
  | 'other';

const PATTERNS: ReadonlyArray<readonly [KerberosFailureKind, RegExp]> = [
  ['unknown-server', /server (?:\S+ )?not found in kerberos database|server not found/i],
  ['unknown-client', /client (?:\S+ )?not found in kerberos database/i],
  ['no-credentials', /no kerberos credentials|no credentials (?:cache|were supplied)|credentials cache .*not found|ticket expired|credentials? (?:have|has) expired|can't find client principal/i],
  ['kdc-unreachable', /cannot (?:contact|find) (?:any )?kdc|cannot resolve network address for kdc/i],
  ['clock-skew', /clock skew/i],
];

/** The kind of a GSSAPI failure message. */
export function classifyKerberosFailure(message: string): KerberosFailureKind {
  for (const [kind, pattern] of PATTERNS) if (pattern.test(message)) return kind;
  return 'other';
}

/** The last, most specific part of a GSSAPI status text (`…: Server not found in Kerberos database`). */
export function gssReason(message: string): string {
  const parts = message.split(/:\s+/).map((p) => p.trim()).filter((p) => p !== '');
  const reason = parts.at(-1) ?? message;
  return reason.replace(/\.$/, '');
}

/** An AuthError carrying the failure kind, so Negotiate can decide on a fallback. */
export class KerberosError extends AuthError {
  readonly kind: KerberosFailureKind;

  constructor(kind: KerberosFailureKind, message: string, options: ConstructorParameters<typeof AuthError>[2] = {}) {
    super(kind === 'no-credentials' || kind === 'unknown-client' ? 'ETSR_CREDENTIALS' : 'ETSR_AUTH_REJECTED', message, options);
    this.name = 'KerberosError';
    this.kind = kind;
  }
}

/**
 * The error for a failed `gss_init_sec_context` while asking for a ticket to `spn`.
 * @param spn `HTTP/host`, as the hint should show it.
 */
export function ticketFailure(spn: string, cause: unknown, host?: string): KerberosError {
  const text = cause instanceof Error ? cause.message : String(cause);
  const kind = classifyKerberosFailure(text);
  const reason = gssReason(text);
  const base = { cause, ...(host === undefined ? {} : { host }) };
  switch (kind) {
    case 'unknown-server':
      return new KerberosError(kind, `Kerberos: the KDC knows no service principal ${spn} (${reason})`, {
        ...base,
        hint: `the SPN must be registered on the host's account (setspn -Q ${spn}); give the name it is registered under with --spn-hostname (and --spn-service), or use the host's DNS name instead of an IP address or alias`,
      });
    case 'no-credentials':
      return new KerberosError(kind, `Kerberos: no usable ticket-granting ticket for ${spn} (${reason})`, {
        ...base,
        hint: 'run kinit user@REALM first, or give -u user@REALM and a password (--password-stdin, TSREMOTE_PASSWORD or the prompt) so tsremote runs kinit',
      });
    case 'unknown-client':
      return new KerberosError(kind, `Kerberos: the KDC does not know the user (${reason})`, {
        ...base,
        hint: 'check -u user@REALM (the realm is usually the AD domain in capitals)',
      });
    case 'kdc-unreachable':
      return new KerberosError(kind, `Kerberos: no KDC could be reached for ${spn} (${reason})`, {
        ...base,
        hint: 'check the [realms] and [domain_realm] sections of krb5.conf (KRB5_CONFIG), DNS SRV records, and that the KDC port (88) is reachable',
      });
    case 'clock-skew':
      return new KerberosError(kind, `Kerberos: the clocks of this machine and the KDC differ too much (${reason})`, {
        ...base,
        hint: 'synchronise the clock (NTP); Kerberos allows 5 minutes of skew',
      });
    default:
      return new KerberosError(kind, `Kerberos logon to ${spn} failed: ${reason}`, {
        ...base,
        hint: 'run with KRB5_TRACE=/dev/stderr to see what GSSAPI did, and check the SPN with --spn-hostname/--spn-service',
      });
  }
}
