/**
 * The WS-Man requests of PSRP over WinRM (MS-PSRP §3.1.5.3), built with src/wsman's WinRS shell
 * builders. Each function is one row of the mapping table in docs/psrp.md; shapes follow the
 * requests pypsrp sends to real Windows hosts (fixtures pypsrp/responses/test_psrp_*.yml).
 */
import {
  Base64Text, OPTION, RESOURCE_URI, SIGNAL, buildCommand, buildConnect, buildDisconnect, buildGet, buildReceive, buildReconnect,
  buildSend, buildShellCreate, buildShellDelete, buildSignal, powershellResourceUri, type BuiltRequest, type Options,
  type WSManContext,
} from '../../wsman/index.js';
import { PROTOCOL_VERSION } from '../constants.js';

/** The default session configuration (MS-PSRP §3.1.5.1.1). */
export const DEFAULT_CONFIGURATION_NAME = 'Microsoft.PowerShell';

/**
 * The resource URI for a session configuration: a bare name (`Microsoft.PowerShell`, a JEA
 * endpoint's name) goes under `http://schemas.microsoft.com/powershell/`; a full URI is kept.
 */
export function configurationResourceUri(configurationName = DEFAULT_CONFIGURATION_NAME): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(configurationName) ? configurationName : powershellResourceUri(configurationName);
}


/**
 * The OptionSet of Create and Connect: our protocolversion, MustComply as Windows clients and
 * pypsrp send it (MS-PSRP §3.1.5.3.1; fixtures test_psrp_open_runspace.yml, _disconnect_runspaces).
 */
function protocolOptions(extra: Options = {}): Options {
  return { [OPTION.protocolversion]: { value: PROTOCOL_VERSION, mustComply: true }, ...extra };
}

/** Options of the shell Create beyond what PSRP fixes. */
export interface PsrpCreateOptions {
  /** rsp:IdleTimeOut in seconds (default: the server's, 2 h on Windows). */
  idleTimeoutSec?: number;
  /** WINRS_NOPROFILE (test_psrp_no_profile.yml). */
  noProfile?: boolean;
  /** rsp:Name, shown by Get-PSSession. */
  name?: string;
}

/** Create (§3.1.5.3.1): the shell is the RunspacePool; creationXml carries its opening fragments. */
export function psrpCreate(ctx: WSManContext, resourceUri: string, shellId: string, payload: Uint8Array, opts: PsrpCreateOptions = {}): BuiltRequest {
  const extra: Options = {};
  if (opts.noProfile) extra[OPTION.WINRS_NOPROFILE] = { value: true, mustComply: true };
  return buildShellCreate(ctx, {
    resourceUri,
    shellId,
    inputStreams: 'stdin pr',
    outputStreams: 'stdout',
    creationXml: Base64Text.of(payload),
    options: protocolOptions(extra),
    ...(opts.idleTimeoutSec === undefined ? {} : { idleTimeoutSec: opts.idleTimeoutSec }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
  });
}

/** Command (§3.1.5.3.3): CommandId = PipelineId; Arguments = the first fragment(s) of CREATE_PIPELINE. */
export function psrpCommand(ctx: WSManContext, resourceUri: string, shellId: string, pipelineId: string, payload: Uint8Array): BuiltRequest {
  return buildCommand(ctx, shellId, { resourceUri, command: '', arguments: [Base64Text.of(payload)], commandId: pipelineId });
}

/** Send (§3.1.5.3.5): 'stdin' for ordinary messages, 'pr' for host responses; CommandId for a pipeline. */
export function psrpSend(ctx: WSManContext, resourceUri: string, shellId: string, stream: 'stdin' | 'pr', payload: Uint8Array, pipelineId?: string): BuiltRequest {
  return buildSend(ctx, shellId, { resourceUri, stream, data: payload, ...(pipelineId === undefined ? {} : { commandId: pipelineId }) });
}

/**
 * Receive (§3.1.5.3.7): DesiredStream 'stdout', CommandId for a pipeline, none for the pool; always
 * with WSMAN_CMDSHELL_OPTION_KEEPALIVE=TRUE (buildReceive's default). `operationTimeoutSec`
 * shortens the long-poll (a keep-alive).
 */
export function psrpReceive(
  ctx: WSManContext, resourceUri: string, shellId: string, pipelineId?: string, opts: { operationTimeoutSec?: number } = {},
): BuiltRequest {
  return buildReceive(ctx, shellId, {
    resourceUri,
    streams: 'stdout',
    ...(pipelineId === undefined ? {} : { commandId: pipelineId }),
    ...(opts.operationTimeoutSec === undefined ? {} : { operationTimeoutSec: opts.operationTimeoutSec }),
  });
}

/**
 * Signal (§3.1.5.3.9): 'stop' is PSRP's `powershell/signal/crtl_c` (Microsoft's spelling);
 * 'terminate' is WinRS's terminate, which releases a finished command (WSManCloseCommand does it).
 */
export function psrpSignal(ctx: WSManContext, resourceUri: string, shellId: string, pipelineId: string, code: 'stop' | 'terminate'): BuiltRequest {
  return buildSignal(ctx, shellId, { resourceUri, commandId: pipelineId, code: code === 'stop' ? SIGNAL.ps_ctrl_c : SIGNAL.terminate });
}

/** Delete (§3.1.5.3.11): closes the RunspacePool. */
export function psrpDelete(ctx: WSManContext, resourceUri: string, shellId: string): BuiltRequest {
  return buildShellDelete(ctx, shellId, resourceUri);
}

/** Disconnect (§3.1.5.3.13), optionally with the IdleTimeOut the server keeps the pool for. */
export function psrpDisconnect(ctx: WSManContext, resourceUri: string, shellId: string, idleTimeoutSec?: number): BuiltRequest {
  return buildDisconnect(ctx, shellId, resourceUri, idleTimeoutSec);
}

/** Reconnect (§3.1.5.3.15): the client that disconnected resumes. */
export function psrpReconnect(ctx: WSManContext, resourceUri: string, shellId: string): BuiltRequest {
  return buildReconnect(ctx, shellId, resourceUri);
}

/** Connect to a disconnected pool from a new client (§3.1.5.3.17): connectXml = SESSION_CAPABILITY + CONNECT_RUNSPACEPOOL. */
export function psrpConnect(ctx: WSManContext, resourceUri: string, shellId: string, payload: Uint8Array): BuiltRequest {
  return buildConnect(ctx, shellId, { resourceUri, connectXml: Base64Text.of(payload), options: protocolOptions() });
}

/** Connect to one disconnected pipeline of a connected pool (no connectXml, no options). */
export function psrpConnectCommand(ctx: WSManContext, resourceUri: string, shellId: string, pipelineId: string): BuiltRequest {
  return buildConnect(ctx, shellId, { resourceUri, commandId: pipelineId });
}

/** Get of winrm/config, whose cfg:MaxEnvelopeSizekb sets the envelope budget (test_wsman_update_envelope_size_*). */
export function configGet(ctx: WSManContext): BuiltRequest {
  return buildGet(ctx, RESOURCE_URI.config);
}

/** Get of one shell from the shell collection (its rsp:State tells Connected / Disconnected). */
export function shellGet(ctx: WSManContext, shellId: string): BuiltRequest {
  return buildGet(ctx, RESOURCE_URI.shell, { ShellId: shellId });
}
