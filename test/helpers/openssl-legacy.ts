/**
 * An OpenSSL configuration for Python peers that need MD4.
 *
 * NTLM hashes the password with MD4 (MS-NLMP 3.3.1 NTOWFv1). OpenSSL 3 moved MD4 to its "legacy"
 * provider, which Debian does not load, so Python's `hashlib.new('md4')` (used by ntlm-auth under
 * pywinrm and requests-ntlm) fails with "unsupported hash type". Loading a config that activates
 * the default and legacy providers fixes that for one process: we set OPENSSL_CONF only in the
 * child's environment, never in ours (Node itself needs no MD4: src/auth/ntlm has its own).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CONFIG = `# written by tsremote's tests: default + legacy providers (MD4 for NTLM)
openssl_conf = openssl_init

[openssl_init]
providers = provider_sect

[provider_sect]
default = default_sect
legacy = legacy_sect

[default_sect]
activate = 1

[legacy_sect]
activate = 1
`;

let written: string | undefined;

/** The environment for a Python child that needs MD4: ours plus OPENSSL_CONF (file written once). */
export function legacyOpensslEnv(): NodeJS.ProcessEnv {
  if (written === undefined) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tsremote-openssl-')), 'openssl.cnf');
    writeFileSync(file, CONFIG);
    written = file;
  }
  return { ...process.env, OPENSSL_CONF: written };
}
