/**
 * RunspacePool messages (MS-PSRP §2.2.2.6–§2.2.2.9, §2.2.2.11–§2.2.2.14, §2.2.2.31).
 * Call ids (`ci`) are Signed longs; we keep them as bigint.
 */
import { ps, type PSObject, type PSValue } from '../clixml/index.js';
import { MessageType, RunspacePoolState } from '../constants.js';
import { enumObject, listObject, msObject, parseObject, write } from './fields.js';

/** §2.2.2.6 SET_MAX_RUNSPACES / §2.2.2.7 SET_MIN_RUNSPACES. */
export interface SetRunspaces {
  count: number;
  ci: bigint;
}

export const encodeSetMaxRunspaces = (m: SetRunspaces): string =>
  write(msObject([['MaxRunspaces', m.count], ['ci', ps.i64(m.ci)]]));
export const encodeSetMinRunspaces = (m: SetRunspaces): string =>
  write(msObject([['MinRunspaces', m.count], ['ci', ps.i64(m.ci)]]));

export function decodeSetMaxRunspaces(data: string): SetRunspaces {
  const p = parseObject(MessageType.SET_MAX_RUNSPACES, data);
  return { count: p.int('MaxRunspaces'), ci: p.long('ci') };
}

export function decodeSetMinRunspaces(data: string): SetRunspaces {
  const p = parseObject(MessageType.SET_MIN_RUNSPACES, data);
  return { count: p.int('MinRunspaces'), ci: p.long('ci') };
}

/**
 * §2.2.2.8 RUNSPACE_AVAILABILITY. `response` is a boolean for SET_MAX/MIN_RUNSPACES and
 * RESET_RUNSPACE_STATE, a count for GET_AVAILABLE_RUNSPACES (the spec says Signed long; Windows
 * also sends I32, which we accept).
 */
export interface RunspaceAvailability {
  ci: bigint;
  response: boolean | bigint;
}

export const encodeRunspaceAvailability = (m: RunspaceAvailability): string =>
  write(
    msObject([
      ['SetMinMaxRunspacesResponse', typeof m.response === 'boolean' ? m.response : ps.i64(m.response)],
      ['ci', ps.i64(m.ci)],
    ]),
  );

export function decodeRunspaceAvailability(data: string): RunspaceAvailability {
  const p = parseObject(MessageType.RUNSPACE_AVAILABILITY, data);
  const raw = p.raw('SetMinMaxRunspacesResponse');
  return { ci: p.long('ci'), response: typeof raw === 'boolean' ? raw : p.long('SetMinMaxRunspacesResponse') };
}

/** §2.2.2.9 RUNSPACEPOOL_STATE, with the ErrorRecord when the pool broke. */
export interface RunspacePoolStateInfo {
  state: RunspacePoolState;
  error?: PSObject;
}

export function encodeRunspacePoolState(m: RunspacePoolStateInfo): string {
  const props: [string, PSValue][] = [['RunspaceState', m.state]];
  if (m.error !== undefined) props.push(['ExceptionAsErrorRecord', m.error]);
  return write(msObject(props));
}

export function decodeRunspacePoolState(data: string): RunspacePoolStateInfo {
  const p = parseObject(MessageType.RUNSPACEPOOL_STATE, data);
  const out: RunspacePoolStateInfo = { state: p.int('RunspaceState') };
  const error = p.objectOrNull('ExceptionAsErrorRecord');
  if (error !== null) out.error = error;
  return out;
}

/** §2.2.2.11 GET_AVAILABLE_RUNSPACES and §2.2.2.31 RESET_RUNSPACE_STATE: just a call id. */
export interface CallId {
  ci: bigint;
}

export const encodeCallId = (m: CallId): string => write(msObject([['ci', ps.i64(m.ci)]]));
export const decodeGetAvailableRunspaces = (data: string): CallId => ({
  ci: parseObject(MessageType.GET_AVAILABLE_RUNSPACES, data).long('ci'),
});
export const decodeResetRunspaceState = (data: string): CallId => ({
  ci: parseObject(MessageType.RESET_RUNSPACE_STATE, data).long('ci'),
});

/** §2.2.2.12 USER_EVENT: a PowerShell event forwarded from the server. */
export interface UserEvent {
  eventIdentifier: number;
  sourceIdentifier: string;
  timeGenerated: PSValue;
  sender: PSValue;
  sourceArgs: PSValue;
  messageData: PSValue;
  computerName: string | null;
  runspaceId: PSValue;
}

const EV = 'PSEventArgs.';

export const encodeUserEvent = (m: UserEvent): string =>
  write(
    msObject([
      [`${EV}EventIdentifier`, m.eventIdentifier],
      [`${EV}SourceIdentifier`, m.sourceIdentifier],
      [`${EV}TimeGenerated`, m.timeGenerated],
      [`${EV}Sender`, m.sender],
      [`${EV}SourceArgs`, m.sourceArgs],
      [`${EV}MessageData`, m.messageData],
      [`${EV}ComputerName`, m.computerName],
      [`${EV}RunspaceId`, m.runspaceId],
    ]),
  );

export function decodeUserEvent(data: string): UserEvent {
  const p = parseObject(MessageType.USER_EVENT, data);
  return {
    eventIdentifier: p.int(`${EV}EventIdentifier`),
    sourceIdentifier: p.string(`${EV}SourceIdentifier`),
    timeGenerated: p.raw(`${EV}TimeGenerated`) ?? null,
    sender: p.raw(`${EV}Sender`) ?? null,
    sourceArgs: p.raw(`${EV}SourceArgs`) ?? null,
    messageData: p.raw(`${EV}MessageData`) ?? null,
    computerName: p.stringOrNull(`${EV}ComputerName`),
    runspaceId: p.raw(`${EV}RunspaceId`) ?? null,
  };
}

/** §2.2.2.13 APPLICATION_PRIVATE_DATA: a Primitive Dictionary (holds PSVersionTable) or null. */
export interface ApplicationPrivateData {
  applicationPrivateData: PSValue;
}

export const encodeApplicationPrivateData = (m: ApplicationPrivateData): string =>
  write(msObject([['ApplicationPrivateData', m.applicationPrivateData]]));
export const decodeApplicationPrivateData = (data: string): ApplicationPrivateData => ({
  applicationPrivateData: parseObject(MessageType.APPLICATION_PRIVATE_DATA, data).raw('ApplicationPrivateData') ?? null,
});

/** §2.2.2.14 GET_COMMAND_METADATA. Null name/namespace mean ["*"] / [""] (§2.2.2.14). */
export interface GetCommandMetadata {
  name: string[] | null;
  /** CommandTypes flags (§2.2.3.19). */
  commandType: number;
  namespace: string[] | null;
  argumentList: PSValue[] | null;
}

const STRING_ARRAY = ['System.String[]', 'System.Array', 'System.Object'];

export function encodeGetCommandMetadata(m: GetCommandMetadata): string {
  const strings = (v: string[] | null): PSValue => (v === null ? null : listObject(STRING_ARRAY, v));
  return write(
    msObject([
      ['Name', strings(m.name)],
      ['CommandType', enumObject('System.Management.Automation.CommandTypes', String(m.commandType), m.commandType)],
      ['Namespace', strings(m.namespace)],
      ['ArgumentList', m.argumentList === null ? null : listObject(['System.Object[]', 'System.Array', 'System.Object'], m.argumentList)],
    ]),
  );
}

export function decodeGetCommandMetadata(data: string): GetCommandMetadata {
  const p = parseObject(MessageType.GET_COMMAND_METADATA, data);
  const strings = (name: string): string[] | null => {
    const items = p.listOrNull(name);
    if (items === null) return null;
    return items.map((s) => {
      if (typeof s !== 'string') throw p.fail(name, 'a list of strings');
      return s;
    });
  };
  return {
    name: strings('Name'),
    commandType: p.int('CommandType'),
    namespace: strings('Namespace'),
    argumentList: p.listOrNull('ArgumentList'),
  };
}
