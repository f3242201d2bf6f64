/**
 * Session messages (MS-PSRP §2.2.2.1–§2.2.2.5, §2.2.2.29, §2.2.2.30): capability negotiation,
 * opening and connecting a RunspacePool, and the session key exchange.
 */
import { ps, type PSValue } from '../clixml/index.js';
import { ApartmentState, MessageType, PSThreadOptions } from '../constants.js';
import { PsrpProtocolError } from '../errors.js';
import { decodeHostInfo, encodeHostInfo, type HostInfo } from './host-info.js';
import { enumObject, msObject, parseData, parseObject, write } from './fields.js';

/** §2.2.2.1 SESSION_CAPABILITY (both directions). */
export interface SessionCapability {
  protocolVersion: string;
  psVersion: string;
  serializationVersion: string;
  /** Optional .NET-binary-serialized TimeZone (clients MAY send it; we never need it). */
  timeZone?: Uint8Array;
}

export function encodeSessionCapability(m: SessionCapability): string {
  const props: [string, PSValue][] = [
    ['protocolversion', ps.version(m.protocolVersion)],
    ['PSVersion', ps.version(m.psVersion)],
    ['SerializationVersion', ps.version(m.serializationVersion)],
  ];
  if (m.timeZone !== undefined) props.push(['TimeZone', ps.bytes(m.timeZone)]);
  return write(msObject(props));
}

export function decodeSessionCapability(data: string): SessionCapability {
  const p = parseObject(MessageType.SESSION_CAPABILITY, data);
  const out: SessionCapability = {
    protocolVersion: p.version('protocolversion'),
    psVersion: p.version('PSVersion'),
    serializationVersion: p.version('SerializationVersion'),
  };
  const tz = p.raw('TimeZone');
  if (tz !== undefined && tz !== null && typeof tz === 'object' && 'kind' in tz && tz.kind === 'BA') out.timeZone = tz.value;
  return out;
}

/** §2.2.2.2 INIT_RUNSPACEPOOL (client to server). */
export interface InitRunspacePool {
  minRunspaces: number;
  maxRunspaces: number;
  threadOptions: PSThreadOptions;
  apartmentState: ApartmentState;
  hostInfo: HostInfo;
  /** A Primitive Dictionary ($PSSenderInfo.ApplicationArguments), or null. */
  applicationArguments: PSValue;
}

const THREAD_OPTIONS_TYPE = 'System.Management.Automation.Runspaces.PSThreadOptions';
const APARTMENT_STATE_TYPE = 'System.Threading.ApartmentState';

/** The enum object of a PSThreadOptions value (§2.2.3.6). */
export const threadOptionsObject = (v: PSThreadOptions): PSValue =>
  enumObject(THREAD_OPTIONS_TYPE, PSThreadOptions[v] ?? String(v), v);
/** The enum object of an ApartmentState value (§2.2.3.7). */
export const apartmentStateObject = (v: ApartmentState): PSValue =>
  enumObject(APARTMENT_STATE_TYPE, ApartmentState[v] ?? String(v), v);

export function encodeInitRunspacePool(m: InitRunspacePool): string {
  return write(
    msObject([
      ['MinRunspaces', m.minRunspaces],
      ['MaxRunspaces', m.maxRunspaces],
      ['PSThreadOptions', threadOptionsObject(m.threadOptions)],
      ['ApartmentState', apartmentStateObject(m.apartmentState)],
      ['HostInfo', encodeHostInfo(m.hostInfo)],
      ['ApplicationArguments', m.applicationArguments],
    ]),
  );
}

export function decodeInitRunspacePool(data: string): InitRunspacePool {
  const p = parseObject(MessageType.INIT_RUNSPACEPOOL, data);
  return {
    minRunspaces: p.int('MinRunspaces'),
    maxRunspaces: p.int('MaxRunspaces'),
    threadOptions: p.int('PSThreadOptions'),
    apartmentState: p.int('ApartmentState'),
    hostInfo: decodeHostInfo(p.child(p.object('HostInfo'))),
    applicationArguments: p.raw('ApplicationArguments') ?? null,
  };
}

/** §2.2.2.3 PUBLIC_KEY: base64 PUBLICKEYBLOB (see securestring/). */
export interface PublicKey {
  publicKey: string;
}

export const encodePublicKey = (m: PublicKey): string => write(msObject([['PublicKey', m.publicKey]]));
export const decodePublicKey = (data: string): PublicKey => ({
  publicKey: parseObject(MessageType.PUBLIC_KEY, data).string('PublicKey'),
});

/** §2.2.2.4 ENCRYPTED_SESSION_KEY: base64 SIMPLEBLOB (see securestring/). */
export interface EncryptedSessionKey {
  encryptedSessionKey: string;
}

export const encodeEncryptedSessionKey = (m: EncryptedSessionKey): string =>
  write(msObject([['EncryptedSessionKey', m.encryptedSessionKey]]));
export const decodeEncryptedSessionKey = (data: string): EncryptedSessionKey => ({
  encryptedSessionKey: parseObject(MessageType.ENCRYPTED_SESSION_KEY, data).string('EncryptedSessionKey'),
});

/** §2.2.2.5 PUBLIC_KEY_REQUEST: an empty string. */
export type PublicKeyRequest = Record<never, never>;

export const encodePublicKeyRequest = (): string => '<S />';
export function decodePublicKeyRequest(data: string): PublicKeyRequest {
  const v = parseData(MessageType.PUBLIC_KEY_REQUEST, data);
  if (v !== '') throw new PsrpProtocolError('PUBLIC_KEY_REQUEST: expected an empty string');
  return {};
}

/**
 * §2.2.2.29 CONNECT_RUNSPACEPOOL. Both counts are optional; with neither, the body is an empty
 * string (what pypsrp and Windows send), meaning one runspace.
 */
export interface ConnectRunspacePool {
  minRunspaces?: number;
  maxRunspaces?: number;
}

export function encodeConnectRunspacePool(m: ConnectRunspacePool): string {
  if (m.minRunspaces === undefined && m.maxRunspaces === undefined) return '<S />';
  const props: [string, PSValue][] = [];
  if (m.minRunspaces !== undefined) props.push(['MinRunspaces', m.minRunspaces]);
  if (m.maxRunspaces !== undefined) props.push(['MaxRunspaces', m.maxRunspaces]);
  return write(msObject(props));
}

export function decodeConnectRunspacePool(data: string): ConnectRunspacePool {
  const v = parseData(MessageType.CONNECT_RUNSPACEPOOL, data);
  if (v === '') return {};
  const p = parseObject(MessageType.CONNECT_RUNSPACEPOOL, data);
  const out: ConnectRunspacePool = {};
  const min = p.optionalInt('MinRunspaces');
  const max = p.optionalInt('MaxRunspaces');
  if (min !== undefined) out.minRunspaces = min;
  if (max !== undefined) out.maxRunspaces = max;
  return out;
}

/** §2.2.2.30 RUNSPACEPOOL_INIT_DATA (server to client, after a connect). */
export interface RunspacePoolInitData {
  minRunspaces: number;
  maxRunspaces: number;
}

export const encodeRunspacePoolInitData = (m: RunspacePoolInitData): string =>
  write(msObject([['MinRunspaces', m.minRunspaces], ['MaxRunspaces', m.maxRunspaces]]));
export function decodeRunspacePoolInitData(data: string): RunspacePoolInitData {
  const p = parseObject(MessageType.RUNSPACEPOOL_INIT_DATA, data);
  return { minRunspaces: p.int('MinRunspaces'), maxRunspaces: p.int('MaxRunspaces') };
}
