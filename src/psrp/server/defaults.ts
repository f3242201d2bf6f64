/**
 * The APPLICATION_PRIVATE_DATA a server sends (§2.2.2.13): { PSVersionTable = … }, the keys
 * Windows PowerShell 5.1 sends (recorded in pypsrp's test_psrp_open_runspace.yml), our values.
 */
import { PSObject, ps } from '../clixml/index.js';
import { PROTOCOL_VERSION, SERIALIZATION_VERSION } from '../constants.js';
import { primitiveDictionary } from '../client/defaults.js';

/** What our server's PSVersionTable claims. */
export interface ServerVersionInfo {
  psVersion?: string;
  psEdition?: string;
  buildVersion?: string;
}

/** The ApplicationPrivateData dictionary: { PSVersionTable = { PSVersion, PSEdition, … } }. */
export function defaultApplicationPrivateData(info: ServerVersionInfo = {}): PSObject {
  const version = info.psVersion ?? '5.1.0.0';
  const compatible = ['1.0', '2.0', '3.0', '4.0', '5.0', version].map((v) => ps.version(v));
  const table = primitiveDictionary([
    ['PSVersion', ps.version(version)],
    ['PSEdition', info.psEdition ?? 'Desktop'],
    ['PSCompatibleVersions', new PSObject({ typeNames: ['System.Version[]', 'System.Array', 'System.Object'], value: ps.list(compatible) })],
    ['CLRVersion', ps.version('4.0.30319.42000')],
    ['BuildVersion', ps.version(info.buildVersion ?? '10.0.0.0')],
    ['WSManStackVersion', ps.version('3.0')],
    ['PSRemotingProtocolVersion', ps.version(PROTOCOL_VERSION)],
    ['SerializationVersion', ps.version(SERIALIZATION_VERSION)],
  ]);
  return primitiveDictionary([['PSVersionTable', table]]);
}
