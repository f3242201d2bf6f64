/**
 * An OpenSSL configuration for Python peers that need MD4.
 *
 * NTLM hashes the password with MD4 (MS-NLMP 3.3.1 NTOWFv1). OpenSSL 3 moved MD4 to its "legacy"
 * provider, which Debian does not load, so Python's `hashlib.new('md4')` (used by ntlm-auth under
 * pywinrm and requests-ntlm) fails with "unsupported hash type". Loading a config that activates
 * the default and legacy providers fixes that for one process: we set OPENSSL_CONF only in the
 * child's environment, never in ours (Node itself needs no MD4: src/auth/ntlm has its own).
 * The benchmark's peers need the same, so the one implementation lives in bench/lib.
 */
import { pythonPeerEnv } from '../../bench/lib/openssl-legacy.mjs';

/** The environment for a Python child that needs MD4: ours plus OPENSSL_CONF and NO_PROXY. */
export function legacyOpensslEnv(): NodeJS.ProcessEnv {
  return pythonPeerEnv();
}
