/**
 * What the RunspacePool state machines hand out from `nextEvent()`: one event per PSRP message
 * received, as a discriminated union on `type` (STYLE.md "Events are values").
 *
 * {@link PsrpEvent} is what a client pool yields (messages from the server), {@link ServerEvent}
 * what a server pool yields (messages from the client).
 */
import type { PSObject, PSValue } from './clixml/index.js';
import type { HostMethodIdentifier, PSInvocationState, RunspacePoolState } from './constants.js';
import type { HostInfo } from './messages/host-info.js';
import type { GetCommandMetadata, UserEvent } from './messages/pool.js';
import type { CreatePipeline } from './messages/pipeline.js';
import type { ErrorRecordInfo, ProgressRecord } from './messages/records.js';
import type { ApartmentState, PSThreadOptions } from './constants.js';
import type { ServerPipeline } from './server/pipeline.js';

/** A host method call from the server (§2.2.2.15 / §2.2.2.27). */
export interface HostCallFields {
  /** Call id; negative (-100) for void methods, which get no response (§3.1.5.4.15). */
  ci: bigint;
  methodId: HostMethodIdentifier;
  methodName: string;
  parameters: PSValue[];
}

export interface RunspacePoolHostCallEvent extends HostCallFields {
  type: 'RunspacePoolHostCall';
  pipelineId?: undefined;
}

export interface PipelineHostCallEvent extends HostCallFields {
  type: 'PipelineHostCall';
  pipelineId: string;
}

/** Either host call; answer it with `pool.hostResponse(event, result)` or host/'s `answerHostCall`. */
export type HostCallEvent = RunspacePoolHostCallEvent | PipelineHostCallEvent;

/** Which request a RUNSPACE_AVAILABILITY answers. */
export type AvailabilityRequest = 'SetMaxRunspaces' | 'SetMinRunspaces' | 'GetAvailableRunspaces' | 'ResetRunspaceState';

/** Events of a client RunspacePool (messages from the server). */
export type PsrpEvent =
  | { type: 'SessionCapability'; protocolVersion: string; psVersion: string; serializationVersion: string }
  | { type: 'ApplicationPrivateData'; data: PSValue }
  | { type: 'RunspacePoolInitData'; minRunspaces: number; maxRunspaces: number }
  | { type: 'RunspacePoolState'; state: RunspacePoolState; previous: RunspacePoolState; error?: PSObject; errorInfo?: ErrorRecordInfo }
  | { type: 'EncryptedSessionKey' }
  | { type: 'PublicKeyRequest' }
  | {
      type: 'RunspaceAvailability';
      callId: bigint;
      request: AvailabilityRequest;
      /** true/false for the set and reset requests, the count for GetAvailableRunspaces. */
      value: boolean | bigint;
    }
  | ({ type: 'UserEvent' } & UserEvent)
  | RunspacePoolHostCallEvent
  | { type: 'PipelineOutput'; pipelineId: string; value: PSValue }
  | { type: 'ErrorRecord'; pipelineId: string; value: PSObject; info: ErrorRecordInfo }
  | { type: 'WarningRecord' | 'VerboseRecord' | 'DebugRecord'; pipelineId: string; message: string; value: PSObject }
  | { type: 'InformationRecord'; pipelineId: string; messageData: PSValue; source: string | null; tags: string[]; value: PSObject }
  | ({ type: 'ProgressRecord'; pipelineId: string } & ProgressRecord)
  | {
      type: 'PipelineState';
      pipelineId: string;
      state: PSInvocationState;
      previous: PSInvocationState;
      /** The ErrorRecord of a Failed (or Stopped) pipeline. */
      error?: PSObject;
      errorInfo?: ErrorRecordInfo;
    }
  | PipelineHostCallEvent;

/** Every `type` of a client event. */
export type PsrpEventType = PsrpEvent['type'];

/** A host response from the client (§2.2.2.16 / §2.2.2.28). */
export interface HostResponseFields {
  ci: bigint;
  methodId: HostMethodIdentifier;
  methodName: string;
  result?: PSValue;
  error?: PSObject;
}

/** Events of a server RunspacePool (messages from the client). */
export type ServerEvent =
  | { type: 'SessionCapability'; protocolVersion: string; psVersion: string; serializationVersion: string }
  | {
      type: 'InitRunspacePool';
      minRunspaces: number;
      maxRunspaces: number;
      threadOptions: PSThreadOptions;
      apartmentState: ApartmentState;
      hostInfo: HostInfo;
      applicationArguments: PSValue;
    }
  | { type: 'ConnectRunspacePool'; minRunspaces?: number; maxRunspaces?: number }
  /** The client's PUBLIC_KEY arrived; the pool has answered ENCRYPTED_SESSION_KEY already. */
  | { type: 'PublicKey' }
  /** SET_MAX/MIN_RUNSPACES; answered already (`accepted`), the pool's counts updated if so. */
  | { type: 'SetMaxRunspaces' | 'SetMinRunspaces'; callId: bigint; count: number; accepted: boolean }
  /** GET_AVAILABLE_RUNSPACES; answered already with `available`. */
  | { type: 'GetAvailableRunspaces'; callId: bigint; available: number }
  /** RESET_RUNSPACE_STATE: reset, then call `pool.answerResetRunspaceState(callId, ok)`. */
  | { type: 'ResetRunspaceState'; callId: bigint }
  /** A new pipeline: run `pipeline.commands`, write to it, then complete/fail it. */
  | { type: 'CreatePipeline'; pipelineId: string; pipeline: ServerPipeline; request: CreatePipeline }
  /** GET_COMMAND_METADATA: write the metadata objects to `pipeline`, then complete it (§3.2.5.4.14). */
  | { type: 'GetCommandMetadata'; pipelineId: string; pipeline: ServerPipeline; request: GetCommandMetadata }
  | { type: 'PipelineInput'; pipelineId: string; value: PSValue }
  | { type: 'EndOfPipelineInput'; pipelineId: string }
  | ({ type: 'RunspacePoolHostResponse'; pipelineId?: undefined } & HostResponseFields)
  | ({ type: 'PipelineHostResponse'; pipelineId: string } & HostResponseFields);

/** Every `type` of a server event. */
export type ServerEventType = ServerEvent['type'];
