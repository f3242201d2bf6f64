/**
 * Typed bodies for all 31 message types (MS-PSRP §2.2.2), one codec per type.
 *
 * `BODY_CODECS` is a `{ [K in MessageType]: … }` table, so adding a MessageType without a codec
 * is a compile error. `decodeBody` turns a PsrpMessage into the discriminated union
 * `PsrpMessageBody` (switch on `type`); `encodeBody` goes the other way.
 */
import { memoizedEncoder } from './body-memo.js';
import { MessageType, messageTypeName } from './constants.js';
import { PsrpProtocolError } from './errors.js';
import type { PsrpMessage } from './message.js';
import * as host from './messages/host.js';
import * as pipeline from './messages/pipeline.js';
import * as pool from './messages/pool.js';
import * as records from './messages/records.js';
import * as session from './messages/session.js';

/** The typed fields of each message type. */
export interface MessageBodies {
  [MessageType.SESSION_CAPABILITY]: session.SessionCapability;
  [MessageType.INIT_RUNSPACEPOOL]: session.InitRunspacePool;
  [MessageType.PUBLIC_KEY]: session.PublicKey;
  [MessageType.ENCRYPTED_SESSION_KEY]: session.EncryptedSessionKey;
  [MessageType.PUBLIC_KEY_REQUEST]: session.PublicKeyRequest;
  [MessageType.CONNECT_RUNSPACEPOOL]: session.ConnectRunspacePool;
  [MessageType.RUNSPACEPOOL_INIT_DATA]: session.RunspacePoolInitData;
  [MessageType.SET_MAX_RUNSPACES]: pool.SetRunspaces;
  [MessageType.SET_MIN_RUNSPACES]: pool.SetRunspaces;
  [MessageType.RUNSPACE_AVAILABILITY]: pool.RunspaceAvailability;
  [MessageType.RUNSPACEPOOL_STATE]: pool.RunspacePoolStateInfo;
  [MessageType.GET_AVAILABLE_RUNSPACES]: pool.CallId;
  [MessageType.RESET_RUNSPACE_STATE]: pool.CallId;
  [MessageType.USER_EVENT]: pool.UserEvent;
  [MessageType.APPLICATION_PRIVATE_DATA]: pool.ApplicationPrivateData;
  [MessageType.GET_COMMAND_METADATA]: pool.GetCommandMetadata;
  [MessageType.RUNSPACEPOOL_HOST_CALL]: host.HostCall;
  [MessageType.RUNSPACEPOOL_HOST_RESPONSE]: host.HostResponse;
  [MessageType.CREATE_PIPELINE]: pipeline.CreatePipeline;
  [MessageType.PIPELINE_INPUT]: pipeline.PipelineObject;
  [MessageType.END_OF_PIPELINE_INPUT]: pipeline.EndOfPipelineInput;
  [MessageType.PIPELINE_OUTPUT]: pipeline.PipelineObject;
  [MessageType.PIPELINE_STATE]: pipeline.PipelineStateInfo;
  [MessageType.ERROR_RECORD]: records.ErrorRecordMessage;
  [MessageType.DEBUG_RECORD]: records.InformationalRecord;
  [MessageType.VERBOSE_RECORD]: records.InformationalRecord;
  [MessageType.WARNING_RECORD]: records.InformationalRecord;
  [MessageType.PROGRESS_RECORD]: records.ProgressRecord;
  [MessageType.INFORMATION_RECORD]: records.InformationRecord;
  [MessageType.PIPELINE_HOST_CALL]: host.HostCall;
  [MessageType.PIPELINE_HOST_RESPONSE]: host.HostResponse;
}

/** A decoded body: `{ type, ...fields }`, discriminated by `type`. */
export type PsrpMessageBody = { [K in MessageType]: { type: K } & MessageBodies[K] }[MessageType];

/** The body of message type K. */
export type BodyOf<K extends MessageType> = { type: K } & MessageBodies[K];

interface Codec<T> {
  decode(data: string): T;
  encode(body: T): string;
}

/** One codec per message type; a missing entry does not compile. */
export const BODY_CODECS: { [K in MessageType]: Codec<MessageBodies[K]> } = {
  [MessageType.SESSION_CAPABILITY]: { decode: session.decodeSessionCapability, encode: session.encodeSessionCapability },
  [MessageType.INIT_RUNSPACEPOOL]: { decode: session.decodeInitRunspacePool, encode: session.encodeInitRunspacePool },
  [MessageType.PUBLIC_KEY]: { decode: session.decodePublicKey, encode: session.encodePublicKey },
  [MessageType.ENCRYPTED_SESSION_KEY]: { decode: session.decodeEncryptedSessionKey, encode: session.encodeEncryptedSessionKey },
  [MessageType.PUBLIC_KEY_REQUEST]: { decode: session.decodePublicKeyRequest, encode: session.encodePublicKeyRequest },
  [MessageType.CONNECT_RUNSPACEPOOL]: { decode: session.decodeConnectRunspacePool, encode: session.encodeConnectRunspacePool },
  [MessageType.RUNSPACEPOOL_INIT_DATA]: { decode: session.decodeRunspacePoolInitData, encode: session.encodeRunspacePoolInitData },
  [MessageType.SET_MAX_RUNSPACES]: { decode: pool.decodeSetMaxRunspaces, encode: pool.encodeSetMaxRunspaces },
  [MessageType.SET_MIN_RUNSPACES]: { decode: pool.decodeSetMinRunspaces, encode: pool.encodeSetMinRunspaces },
  [MessageType.RUNSPACE_AVAILABILITY]: { decode: pool.decodeRunspaceAvailability, encode: pool.encodeRunspaceAvailability },
  [MessageType.RUNSPACEPOOL_STATE]: { decode: pool.decodeRunspacePoolState, encode: pool.encodeRunspacePoolState },
  [MessageType.GET_AVAILABLE_RUNSPACES]: { decode: pool.decodeGetAvailableRunspaces, encode: pool.encodeCallId },
  [MessageType.RESET_RUNSPACE_STATE]: { decode: pool.decodeResetRunspaceState, encode: pool.encodeCallId },
  [MessageType.USER_EVENT]: { decode: pool.decodeUserEvent, encode: pool.encodeUserEvent },
  [MessageType.APPLICATION_PRIVATE_DATA]: { decode: pool.decodeApplicationPrivateData, encode: pool.encodeApplicationPrivateData },
  [MessageType.GET_COMMAND_METADATA]: { decode: pool.decodeGetCommandMetadata, encode: pool.encodeGetCommandMetadata },
  [MessageType.RUNSPACEPOOL_HOST_CALL]: { decode: host.decodeRunspacePoolHostCall, encode: host.encodeHostCall },
  [MessageType.RUNSPACEPOOL_HOST_RESPONSE]: { decode: host.decodeRunspacePoolHostResponse, encode: host.encodeHostResponse },
  [MessageType.CREATE_PIPELINE]: { decode: pipeline.decodeCreatePipeline, encode: pipeline.encodeCreatePipeline },
  [MessageType.PIPELINE_INPUT]: { decode: pipeline.decodePipelineInput, encode: pipeline.encodePipelineObject },
  [MessageType.END_OF_PIPELINE_INPUT]: { decode: pipeline.decodeEndOfPipelineInput, encode: pipeline.encodeEndOfPipelineInput },
  [MessageType.PIPELINE_OUTPUT]: { decode: pipeline.decodePipelineOutput, encode: pipeline.encodePipelineObject },
  [MessageType.PIPELINE_STATE]: { decode: pipeline.decodePipelineState, encode: pipeline.encodePipelineState },
  [MessageType.ERROR_RECORD]: { decode: records.decodeErrorRecord, encode: records.encodeErrorRecord },
  [MessageType.DEBUG_RECORD]: { decode: records.decodeDebugRecord, encode: records.encodeInformationalRecord },
  [MessageType.VERBOSE_RECORD]: { decode: records.decodeVerboseRecord, encode: records.encodeInformationalRecord },
  [MessageType.WARNING_RECORD]: { decode: records.decodeWarningRecord, encode: records.encodeInformationalRecord },
  [MessageType.PROGRESS_RECORD]: { decode: records.decodeProgressRecord, encode: records.encodeProgressRecord },
  [MessageType.INFORMATION_RECORD]: { decode: records.decodeInformationRecord, encode: records.encodeInformationRecord },
  [MessageType.PIPELINE_HOST_CALL]: { decode: host.decodePipelineHostCall, encode: host.encodeHostCall },
  [MessageType.PIPELINE_HOST_RESPONSE]: { decode: host.decodePipelineHostResponse, encode: host.encodeHostResponse },
};

/**
 * Decodes the CLIXML of a message into its typed body.
 * @throws PsrpProtocolError when the data does not match what §2.2.2 requires for its type.
 */
export function decodeBody(message: Pick<PsrpMessage, 'type' | 'data'>): PsrpMessageBody {
  const codec = BODY_CODECS[message.type] as Codec<MessageBodies[MessageType]> | undefined;
  if (codec === undefined) throw new PsrpProtocolError(`no decoder for ${messageTypeName(message.type)}`);
  return { type: message.type, ...codec.decode(message.data) } as PsrpMessageBody;
}

/**
 * The types a fan-out sends alike to every host (the pool's opening, the same command) or serve
 * answers alike to every pool: encoded once per distinct content (body-memo.ts). Output, input,
 * records and host calls differ from one message to the next and are not kept.
 */
const ENCODED_ONCE: ReadonlyMap<MessageType, (body: PsrpMessageBody) => string> = new Map(
  [
    MessageType.SESSION_CAPABILITY,
    MessageType.INIT_RUNSPACEPOOL,
    MessageType.APPLICATION_PRIVATE_DATA,
    MessageType.RUNSPACEPOOL_STATE,
    MessageType.CREATE_PIPELINE,
    MessageType.PIPELINE_STATE,
  ].map((type) => [type, memoizedEncoder(encodeFresh)]),
);

/** Encodes a typed body to the CLIXML of its message's Data field. */
export function encodeBody(body: PsrpMessageBody): string {
  const once = ENCODED_ONCE.get(body.type);
  return once === undefined ? encodeFresh(body) : once(body);
}

function encodeFresh(body: PsrpMessageBody): string {
  const codec = BODY_CODECS[body.type] as Codec<MessageBodies[MessageType]>;
  return codec.encode(body as MessageBodies[MessageType]);
}
