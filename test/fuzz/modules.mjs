/**
 * Which modules the fuzz targets call, by path relative to src/ (or dist/), and how to collect
 * their exports into the one `lib` object the harness takes. The vitest suite imports them from
 * src/, scripts/fuzz.mjs from the built dist/.
 */
export const MODULES = [
  'errors.js',
  'wsman/xml.js',
  'wsman/response.js',
  'wsman/request.js',
  'wsman/fault.js',
  'psrp/wsman/responses.js',
  'psrp/clixml/index.js',
  'psrp/clixml/deserialize.js',
  'psrp/clixml/project.js',
  'psrp/clixml/text.js',
  'psrp/fragment.js',
  'psrp/fragment-defragmenter.js',
  'psrp/message.js',
  'psrp/message-body.js',
  'auth/ntlm/messages.js',
  'auth/ntlm/av-pairs.js',
  'auth/ntlm/seal.js',
  'auth/ntlm/client.js',
  'auth/ntlm/server.js',
  'auth/credential.js',
  'transport/encrypted-body.js',
  'render/value-text.js',
];

/**
 * Imports every module with `importer` and merges their exports.
 * @param importer e.g. `(rel) => import(\`../dist/${rel}\`)`
 */
export async function loadLib(importer) {
  const lib = {};
  for (const rel of MODULES) Object.assign(lib, await importer(rel));
  // seal.ts and encrypted-body.ts both export a SessionSecurity: keep the NTLM class by name.
  lib.NtlmSessionSecurity = (await importer('auth/ntlm/seal.js')).SessionSecurity;
  return lib;
}
