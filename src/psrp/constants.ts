/**
 * Numbers taken from MS-PSRP: message types (§2.2.1), destinations, the RunspacePool and pipeline
 * state enums (§2.2.3.4, §2.2.3.5), host method identifiers (§2.2.3.17) and the versions we announce
 * in SESSION_CAPABILITY (§2.2.2.1).
 */

/** §2.2.1 MessageType: the 31 PSRP message types. */
export enum MessageType {
  SESSION_CAPABILITY = 0x00010002,
  INIT_RUNSPACEPOOL = 0x00010004,
  PUBLIC_KEY = 0x00010005,
  ENCRYPTED_SESSION_KEY = 0x00010006,
  PUBLIC_KEY_REQUEST = 0x00010007,
  CONNECT_RUNSPACEPOOL = 0x00010008,
  SET_MAX_RUNSPACES = 0x00021002,
  SET_MIN_RUNSPACES = 0x00021003,
  RUNSPACE_AVAILABILITY = 0x00021004,
  RUNSPACEPOOL_STATE = 0x00021005,
  CREATE_PIPELINE = 0x00021006,
  GET_AVAILABLE_RUNSPACES = 0x00021007,
  USER_EVENT = 0x00021008,
  APPLICATION_PRIVATE_DATA = 0x00021009,
  GET_COMMAND_METADATA = 0x0002100a,
  RUNSPACEPOOL_INIT_DATA = 0x0002100b,
  RESET_RUNSPACE_STATE = 0x0002100c,
  RUNSPACEPOOL_HOST_CALL = 0x00021100,
  RUNSPACEPOOL_HOST_RESPONSE = 0x00021101,
  PIPELINE_INPUT = 0x00041002,
  END_OF_PIPELINE_INPUT = 0x00041003,
  PIPELINE_OUTPUT = 0x00041004,
  ERROR_RECORD = 0x00041005,
  PIPELINE_STATE = 0x00041006,
  DEBUG_RECORD = 0x00041007,
  VERBOSE_RECORD = 0x00041008,
  WARNING_RECORD = 0x00041009,
  PROGRESS_RECORD = 0x00041010,
  INFORMATION_RECORD = 0x00041011,
  PIPELINE_HOST_CALL = 0x00041100,
  PIPELINE_HOST_RESPONSE = 0x00041101,
}

/** Every message type, in spec order of value. */
export const MESSAGE_TYPES: readonly MessageType[] = Object.values(MessageType).filter(
  (v): v is MessageType => typeof v === 'number',
);

const KNOWN_TYPES = new Set<number>(MESSAGE_TYPES);

/** True when `value` is one of the 31 message types of §2.2.1. */
export function isMessageType(value: number): value is MessageType {
  return KNOWN_TYPES.has(value);
}

/** The spec name of a message type ('PIPELINE_OUTPUT'), or hex for an unknown value. */
export function messageTypeName(value: number): string {
  return isMessageType(value) ? MessageType[value] : `0x${value.toString(16).padStart(8, '0')}`;
}

/** §2.2.1 Destination: who the message is for. */
export enum Destination {
  Client = 1,
  Server = 2,
}

/** §2.2.3.4 RunspacePoolState. */
export enum RunspacePoolState {
  BeforeOpen = 0,
  Opening = 1,
  Opened = 2,
  Closed = 3,
  Closing = 4,
  Broken = 5,
  NegotiationSent = 6,
  NegotiationSucceeded = 7,
  Connecting = 8,
  Disconnected = 9,
}

/** §2.2.3.5 PSInvocationState. */
export enum PSInvocationState {
  NotStarted = 0,
  Running = 1,
  Stopping = 2,
  Stopped = 3,
  Completed = 4,
  Failed = 5,
  Disconnected = 6,
}

/** §2.2.3.6 PSThreadOptions. */
export enum PSThreadOptions {
  Default = 0,
  UseNewThread = 1,
  ReuseThread = 2,
  UseCurrentThread = 3,
}

/** §2.2.3.7 ApartmentState. */
export enum ApartmentState {
  STA = 0,
  MTA = 1,
  Unknown = 2,
}

/** §2.2.3.8 RemoteStreamOptions (flags). */
export enum RemoteStreamOptions {
  None = 0,
  AddInvocationInfoToErrorRecord = 1,
  AddInvocationInfoToWarningRecord = 2,
  AddInvocationInfoToDebugRecord = 4,
  AddInvocationInfoToVerboseRecord = 8,
  AddInvocationInfo = 15,
}

/** §2.2.3.31 PipelineResultTypes, used by a command's Merge* properties. */
export enum PipelineResultTypes {
  None = 0,
  Output = 1,
  Error = 2,
  Warning = 3,
  Verbose = 4,
  Debug = 5,
  Information = 6,
  All = 7,
  Null = 8,
}

/** §2.2.3.30 CommandOrigin. */
export enum CommandOrigin {
  Runspace = 0,
  Internal = 1,
}

/** §2.2.3.17 Host method identifier (System.Management.Automation.Remoting.RemoteHostMethodId). */
export enum HostMethodIdentifier {
  GetName = 1,
  GetVersion = 2,
  GetInstanceId = 3,
  GetCurrentCulture = 4,
  GetCurrentUICulture = 5,
  SetShouldExit = 6,
  EnterNestedPrompt = 7,
  ExitNestedPrompt = 8,
  NotifyBeginApplication = 9,
  NotifyEndApplication = 10,
  ReadLine = 11,
  ReadLineAsSecureString = 12,
  Write1 = 13,
  Write2 = 14,
  WriteLine1 = 15,
  WriteLine2 = 16,
  WriteLine3 = 17,
  WriteErrorLine = 18,
  WriteDebugLine = 19,
  WriteProgress = 20,
  WriteVerboseLine = 21,
  WriteWarningLine = 22,
  Prompt = 23,
  PromptForCredential1 = 24,
  PromptForCredential2 = 25,
  PromptForChoice = 26,
  GetForegroundColor = 27,
  SetForegroundColor = 28,
  GetBackgroundColor = 29,
  SetBackgroundColor = 30,
  GetCursorPosition = 31,
  SetCursorPosition = 32,
  GetWindowPosition = 33,
  SetWindowPosition = 34,
  GetCursorSize = 35,
  SetCursorSize = 36,
  GetBufferSize = 37,
  SetBufferSize = 38,
  GetWindowSize = 39,
  SetWindowSize = 40,
  GetWindowTitle = 41,
  SetWindowTitle = 42,
  GetMaxWindowSize = 43,
  GetMaxPhysicalWindowSize = 44,
  GetKeyAvailable = 45,
  ReadKey = 46,
  FlushInputBuffer = 47,
  SetBufferContents1 = 48,
  SetBufferContents2 = 49,
  GetBufferContents = 50,
  ScrollBufferContents = 51,
  PushRunspace = 52,
  PopRunspace = 53,
  GetIsRunspacePushed = 54,
  GetRunspace = 55,
  PromptForChoiceMultipleSelection = 56,
}

/**
 * Versions a client announces in SESSION_CAPABILITY (§2.2.2.1, §3.1.5.4.1).
 * protocolversion 2.0 was PowerShell 2.0 pre-release, 2.1 Windows 7 / 2008 R2, 2.2 Windows 8 /
 * 2012 (PowerShell 3.0), 2.3 PowerShell 5.1 and later. We announce 2.3 as modern clients do.
 */
export const PROTOCOL_VERSION = '2.3';
export const PS_VERSION = '2.0';
export const SERIALIZATION_VERSION = '1.1.0.1';

/** §2.2.4: ObjectId (8) + FragmentId (8) + flags (1) + BlobLength (4). */
export const FRAGMENT_HEADER_SIZE = 21;

/** §2.2.1: Destination (4) + MessageType (4) + RPID (16) + PID (16). */
export const MESSAGE_HEADER_SIZE = 40;
