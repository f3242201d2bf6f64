/**
 * tsremote/psrp — the PowerShell Remoting Protocol (MS-PSRP) as a sans-IO library: CLIXML values,
 * fragments, the 31 message types, SecureString key exchange, RunspacePool and Pipeline state
 * machines for both ends, and their binding to WinRM shells. No I/O: bring your own transport.
 */
export * from './clixml/index.js';
export * from './securestring/index.js';
export { PsrpProtocolError, InvalidStateError, type InvalidStateDetails } from './errors.js';
export {
  MessageType, MESSAGE_TYPES, isMessageType, messageTypeName, Destination, RunspacePoolState, PSInvocationState,
  PSThreadOptions, ApartmentState, RemoteStreamOptions, PipelineResultTypes, CommandOrigin, HostMethodIdentifier,
  PROTOCOL_VERSION, PS_VERSION, SERIALIZATION_VERSION,
} from './constants.js';
export { type Fragment, encodeFragment, decodeFragments, fragmentMessage, Fragmenter, FragmentQueue } from './fragment.js';
export { Defragmenter, type DefragmenterOptions } from './fragment-defragmenter.js';
export {
  maxEnvelopeSizeFor, maxPayloadSize, maxBlobSize, DEFAULT_MAX_ENVELOPE_SIZE, MODERN_MAX_ENVELOPE_SIZE,
} from './fragment-size.js';
export { type PsrpMessage, encodeMessage, decodeMessage, NIL_GUID } from './message.js';
export { type PsrpMessageBody, type BodyOf, type MessageBodies, BODY_CODECS, decodeBody, encodeBody } from './message-body.js';
export * from './client/index.js';
export * from './server/index.js';
export * from './host/index.js';
export * from './wsman/index.js';
export type * from './events.js';
export {
  CLIENT_POOL_TRANSITIONS, SERVER_POOL_TRANSITIONS, CLIENT_PIPELINE_TRANSITIONS, SERVER_PIPELINE_TRANSITIONS,
  type Transition, type PoolTransition, type PipelineTransition,
} from './state.js';
