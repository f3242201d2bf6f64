/**
 * Defaults a client sends when the caller does not choose: the ApplicationArguments of
 * INIT_RUNSPACEPOOL (§2.2.2.2) and the host defaults of HostInfo (§2.2.3.14).
 *
 * pwsh sends ApplicationArguments = { PSVersionTable = { … } } (a PSPrimitiveDictionary; seen in
 * ironPosh's recorded creationXml from pwsh 7.4), which the server exposes as
 * $PSSenderInfo.ApplicationArguments. We send the same keys with our own values.
 */
import { PSObject, ps, type PSValue } from '../clixml/index.js';
import { PROTOCOL_VERSION, SERIALIZATION_VERSION } from '../constants.js';
import type { HostDefaultDataEntry, HostInfo } from '../messages/host-info.js';
import { msObject } from '../messages/fields.js';

const PRIMITIVE_DICTIONARY = ['System.Management.Automation.PSPrimitiveDictionary', 'System.Collections.Hashtable', 'System.Object'];

/** A PSPrimitiveDictionary (what ApplicationArguments and ApplicationPrivateData are). */
export function primitiveDictionary(entries: Iterable<[string, PSValue]>): PSObject {
  return new PSObject({ typeNames: PRIMITIVE_DICTIONARY, value: ps.dict(entries) });
}

/** What our PSVersionTable says about us. */
export interface ClientVersionInfo {
  /** PSVersion / PSSemanticVersion to claim (default '7.4.0', what the server sees of pwsh). */
  psVersion?: string;
  /** OS description (default 'tsremote'). */
  os?: string;
  /** Platform (default 'Unix'). */
  platform?: string;
}

/** The ApplicationArguments pwsh sends: { PSVersionTable = … }. */
export function defaultApplicationArguments(info: ClientVersionInfo = {}): PSObject {
  const version = info.psVersion ?? '7.4.0';
  const compatible = ['1.0', '2.0', '3.0', '4.0', '5.0', '5.1', '6.0', '7.0'].map((v) => ps.version(v));
  const table = primitiveDictionary([
    ['Platform', info.platform ?? 'Unix'],
    ['SerializationVersion', ps.version(SERIALIZATION_VERSION)],
    ['PSVersion', ps.version(version)],
    ['PSCompatibleVersions', new PSObject({ typeNames: ['System.Version[]', 'System.Array', 'System.Object'], value: ps.list(compatible) })],
    ['WSManStackVersion', ps.version('3.0')],
    ['PSSemanticVersion', version],
    ['PSRemotingProtocolVersion', ps.version(PROTOCOL_VERSION)],
    ['GitCommitId', version],
    ['PSEdition', 'Core'],
    ['OS', info.os ?? 'tsremote'],
  ]);
  return primitiveDictionary([['PSVersionTable', table]]);
}

/** The raw UI a console host reports in HostInfo (§2.2.3.14 keys 0–9). */
export interface ConsoleDefaults {
  foregroundColor?: number;
  backgroundColor?: number;
  cursorPosition?: { x: number; y: number };
  windowPosition?: { x: number; y: number };
  cursorSize?: number;
  bufferSize?: { width: number; height: number };
  windowSize?: { width: number; height: number };
  maxWindowSize?: { width: number; height: number };
  maxPhysicalWindowSize?: { width: number; height: number };
  windowTitle?: string;
}

const coords = (c: { x: number; y: number }): PSValue => msObject([['x', c.x], ['y', c.y]]);
const size = (s: { width: number; height: number }): PSValue => msObject([['width', s.width], ['height', s.height]]);

/** A HostInfo for a console host with a raw UI, as pwsh sends it (keys 9 down to 0). */
export function consoleHostInfo(d: ConsoleDefaults = {}): HostInfo {
  const win = d.windowSize ?? { width: 120, height: 30 };
  const entries: HostDefaultDataEntry[] = [
    { key: 9, typeName: 'System.String', value: d.windowTitle ?? 'tsremote' },
    { key: 8, typeName: 'System.Management.Automation.Host.Size', value: size(d.maxPhysicalWindowSize ?? win) },
    { key: 7, typeName: 'System.Management.Automation.Host.Size', value: size(d.maxWindowSize ?? win) },
    { key: 6, typeName: 'System.Management.Automation.Host.Size', value: size(win) },
    { key: 5, typeName: 'System.Management.Automation.Host.Size', value: size(d.bufferSize ?? win) },
    { key: 4, typeName: 'System.Int32', value: d.cursorSize ?? 25 },
    { key: 3, typeName: 'System.Management.Automation.Host.Coordinates', value: coords(d.windowPosition ?? { x: 0, y: 0 }) },
    { key: 2, typeName: 'System.Management.Automation.Host.Coordinates', value: coords(d.cursorPosition ?? { x: 0, y: 0 }) },
    { key: 1, typeName: 'System.ConsoleColor', value: d.backgroundColor ?? 0 },
    { key: 0, typeName: 'System.ConsoleColor', value: d.foregroundColor ?? 7 },
  ];
  return { isHostNull: false, isHostUINull: false, isHostRawUINull: false, useRunspaceHost: false, hostDefaultData: entries };
}
