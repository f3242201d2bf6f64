/**
 * TLS client-certificate authentication on the server side (DSP0226's `https/mutual` profile).
 *
 * The proof happens in the TLS handshake: the listener asks every client for a certificate
 * (requestCert, but rejectUnauthorized false so Basic and NTLM clients without one still connect)
 * and Node verifies it against the configured client CA. The request then only carries the marker
 * `Authorization: http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual`; this
 * acceptor checks that the socket's certificate verified and maps it to a configured user, the way
 * WinRM's certmapping does with the certificate's UPN:
 *
 * - a UPN in subjectAltName (otherName 1.3.6.1.4.1.311.20.2.3) equal to the user name, or whose
 *   part before the last '@' is (`vagrant@localhost` -> `vagrant`); otherwise
 * - a subject CN equal to the user name;
 * both compared case-insensitively. The certificate holds no password, so there is nothing to seal
 * with; it is never offered over plain HTTP, and there is no `WWW-Authenticate` challenge for it
 * (it is not an HTTP auth-scheme token).
 */
import { WSMAN_MUTUAL_TLS } from '../../auth/certificate.js';
import { securityProfile, splitAccount, type AcceptResult, type Acceptor, type AuthConnection, type ServeUser } from './types.js';

export class CertificateAcceptor implements Acceptor {
  readonly schemes = [WSMAN_MUTUAL_TLS];
  readonly #users: readonly ServeUser[];

  constructor(users: readonly ServeUser[]) {
    this.#users = users;
  }

  offered(conn: AuthConnection): boolean {
    return conn.secure;
  }

  challenges(): string[] {
    return [];
  }

  accept(_scheme: string, _credentials: string, conn: AuthConnection): AcceptResult {
    if (!conn.secure) return { kind: 'rejected', reason: 'certificate authentication needs HTTPS' };
    const cert = conn.clientCertificate;
    if (cert === undefined) return { kind: 'rejected', reason: 'certificate authentication asked for, but the client sent no certificate' };
    const subject = cert.commonName === undefined ? 'a certificate without CN' : `certificate CN=${cert.commonName}`;
    if (!cert.authorized) return { kind: 'rejected', reason: `${subject} does not chain to the client CA (${cert.error ?? 'unverified'})` };
    const names = [...upns(cert.subjectAltName), ...(cert.commonName === undefined ? [] : [cert.commonName])];
    const user = this.#users.find((u) => names.some((n) => matches(n, u.username)));
    if (user === undefined) {
      return { kind: 'rejected', reason: `${subject} (UPN ${upns(cert.subjectAltName).join(', ') || 'none'}) maps to no configured user` };
    }
    return { kind: 'accepted', username: user.username, profile: securityProfile(true, 'mutual') };
  }
}

/** The UPNs in Node's subjectAltName text: `othername:UPN:user@domain` (quoted when it has commas). */
export function upns(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  const out: string[] = [];
  for (const m of subjectAltName.matchAll(/othername:UPN:("(?:[^"\\]|\\.)*"|[^,]*)/gi)) {
    const raw = (m[1] ?? '').trim();
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/** A certificate name against a configured account (`user` or `DOMAIN\user`: the user part counts). */
function matches(name: string, configured: string): boolean {
  const wanted = splitAccount(configured).user;
  const lower = name.toLowerCase();
  if (lower === wanted) return true;
  const at = lower.lastIndexOf('@');
  return at > 0 && lower.slice(0, at) === wanted;
}
