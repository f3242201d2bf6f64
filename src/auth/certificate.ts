/**
 * TLS client-certificate authentication (WS-Management's "HTTPS mutual" security profile).
 *
 * The proof of identity happens inside TLS: the client presents a certificate and its private key
 * signs the handshake, which the transport arranges. WinRM then maps the certificate to a local
 * account (`winrm create winrm/config/service/certmapping/...`). What reaches HTTP is only a marker:
 * every request carries `Authorization: http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual`
 * (DSP0226 security profile `wsman:secprofile/https/mutual`), the value Windows' own client,
 * pywinrm and PSWSMan send. There is no token after the scheme, so `step` returns an empty one and
 * the transport writes the scheme alone.
 *
 * Nothing secret crosses HTTP and nothing is sealed; the transport refuses this mechanism on plain
 * HTTP, where there is no TLS handshake to carry the certificate.
 */
import type { AuthContext } from './context.js';

/** The `Authorization` value that asks WinRM to use the TLS client certificate. */
export const WSMAN_MUTUAL_TLS = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';

export class CertificateAuthContext implements AuthContext {
  readonly scheme = WSMAN_MUTUAL_TLS;
  readonly complete = true;
  readonly encrypts = false;
  readonly revealsSecret = false;
  /** The marker goes with every request (PSWSMan: AlwaysAddHeaders). */
  readonly everyRequest = true;

  /** An empty token: the header is the scheme alone. */
  step(): Uint8Array {
    return new Uint8Array(0);
  }
}
