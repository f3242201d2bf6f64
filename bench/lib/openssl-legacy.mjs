// The environment for Python peers that use NTLM. ntlm-auth (under pywinrm) hashes the password
// with MD4, which OpenSSL 3 keeps in its "legacy" provider and Debian does not load: a config that
// activates the default and legacy providers, set as OPENSSL_CONF for the child only, fixes that.
// NO_PROXY: requests honours *_PROXY variables, and loopback must not go through a proxy.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CONFIG = `# written by tsremote (bench and tests): default + legacy providers (MD4 for NTLM)
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

let written;

/** process.env plus OPENSSL_CONF (a file written once per process) and NO_PROXY='*'. */
export function pythonPeerEnv() {
  if (written === undefined) {
    written = path.join(mkdtempSync(path.join(tmpdir(), 'tsremote-bench-openssl-')), 'openssl.cnf');
    writeFileSync(written, CONFIG);
  }
  return { ...process.env, OPENSSL_CONF: written, NO_PROXY: '*', no_proxy: '*' };
}
