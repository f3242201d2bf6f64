/**
 * Client requests of the WinRS remote shell (MS-WSMV §3.1.4.5-3.1.4.15): Create, Command, Send,
 * Receive, Signal, Delete, plus PSRP's Disconnect / Reconnect / Connect (MS-PSRP §3.1.5.3).
 * The same operations carry PSRP: only the resource URI, the creationXml and the base64 payloads
 * differ. Element order follows what pypsrp sends to Windows (fixtures test_winrs_*.yml).
 */
import { InvalidArgumentError } from '../errors.js';
import { toBase64 } from '../util/bytes.js';
import { newOperationId } from './robust.js';
import { buildRequestEnvelope, type BuiltRequest, type Options, type WSManContext } from './envelope.js';
import { formatDuration } from './duration.js';
import { ACTION, OPTION, RESOURCE_URI } from './namespaces.js';
import { type Base64Text, el, elementText, escapeAttr, escapeText } from './xml.js';

/** Namespace of PSRP's creationXml / connectXml elements (MS-PSRP §3.1.5.3.1). */
const PS_NS = 'http://schemas.microsoft.com/powershell';

/** Options of a shell Create (MS-WSMV §2.2.4.37 ShellType). */
export interface ShellCreateOptions {
  /** Default: the cmd shell. */
  resourceUri?: string;
  /** Space-separated stream names (default 'stdin'; PSRP uses 'stdin pr'). */
  inputStreams?: string;
  /** Default 'stdout stderr'; PSRP uses 'stdout'. */
  outputStreams?: string;
  /** Variables; give pairs to keep an order JS objects would not (integer-like names sort first). */
  environment?: Record<string, string> | [string, string][];
  workingDirectory?: string;
  /** WINRS_CODEPAGE option (65001 = UTF-8 output). */
  codepage?: number;
  /** WINRS_NOPROFILE option: do not load the user profile. */
  noProfile?: boolean;
  idleTimeoutSec?: number;
  /** rsp:Lifetime in seconds. */
  lifetimeSec?: number;
  name?: string;
  /** The ShellId attribute PSRP sets to its RunspacePool id. */
  shellId?: string;
  /** base64 PSRP opening fragments (MS-PSRP §3.1.5.1.1). */
  creationXml?: string | Base64Text;
  /** Extra OptionSet entries, written first (PSRP's protocolversion). */
  options?: Options;
}

/** Options of rsp:Command (MS-WSMV §2.2.4.7 CommandLine). */
export interface CommandOptions {
  /** Program or command line; '' for PSRP, whose payload travels in arguments. */
  command: string;
  arguments?: (string | Base64Text)[];
  /** The CommandId attribute PSRP sets to its pipeline id. */
  commandId?: string;
  /** WINRS_SKIP_CMD_SHELL (default false: run through cmd.exe /c). */
  skipCmdShell?: boolean;
  /** WINRS_CONSOLEMODE_STDIN: stdin is a console, not a pipe. */
  consoleModeStdin?: boolean;
  resourceUri?: string;
}

/** Options of rsp:Send (MS-WSMV §2.2.4.33). */
export interface SendOptions {
  commandId?: string;
  /** Default 'stdin' (PSRP: 'stdin' or 'pr'). */
  stream?: string;
  data: Uint8Array;
  /** End="true" closes the stream; false writes End="false"; undefined leaves the attribute out. */
  end?: boolean;
  resourceUri?: string;
}

/** Options of rsp:Receive (MS-WSMV §2.2.4.26). */
export interface ReceiveOptions {
  commandId?: string;
  /** Default 'stdout stderr'. */
  streams?: string;
  /** WSMAN_CMDSHELL_OPTION_KEEPALIVE (default true, as pypsrp and winrs send it). */
  keepAlive?: boolean;
  resourceUri?: string;
  /** Overrides OperationTimeout for this long-poll. */
  operationTimeoutSec?: number;
}

/** Options of rsp:Signal (MS-WSMV §2.2.4.34). */
export interface SignalOptions {
  commandId?: string;
  /** A SIGNAL URI. */
  code: string;
  resourceUri?: string;
}

const shellSelectors = (shellId: string): Record<string, string> => {
  if (!shellId) throw new InvalidArgumentError('a ShellId is required');
  return { ShellId: shellId };
};

/** Create a remote shell (WS-Transfer Create of an rsp:Shell). */
export function buildShellCreate(ctx: WSManContext, opts: ShellCreateOptions = {}): BuiltRequest {
  let body = el('rsp:InputStreams', {}, escapeText(opts.inputStreams ?? 'stdin'));
  body += el('rsp:OutputStreams', {}, escapeText(opts.outputStreams ?? 'stdout stderr'));
  if (opts.idleTimeoutSec !== undefined) body += el('rsp:IdleTimeOut', {}, formatDuration(opts.idleTimeoutSec));
  if (opts.lifetimeSec !== undefined) body += el('rsp:Lifetime', {}, formatDuration(opts.lifetimeSec));
  if (opts.name !== undefined) body += el('rsp:Name', {}, escapeText(opts.name));
  if (opts.workingDirectory !== undefined) body += el('rsp:WorkingDirectory', {}, escapeText(opts.workingDirectory));
  const env = Array.isArray(opts.environment) ? opts.environment : Object.entries(opts.environment ?? {});
  if (env.length > 0) {
    body += `<rsp:Environment>${env.map(([k, v]) => `<rsp:Variable Name="${escapeAttr(k)}">${escapeText(v)}</rsp:Variable>`).join('')}</rsp:Environment>`;
  }
  if (opts.creationXml !== undefined) body += `<creationXml xmlns="${PS_NS}">${elementText(opts.creationXml)}</creationXml>`;

  const options: Options = { ...opts.options };
  if (opts.noProfile) options[OPTION.WINRS_NOPROFILE] = { value: true, mustComply: true };
  if (opts.codepage !== undefined) options[OPTION.WINRS_CODEPAGE] = opts.codepage;
  const shellAttr = opts.shellId === undefined ? '' : ` ShellId="${escapeAttr(opts.shellId)}"`;
  return buildRequestEnvelope(ctx, {
    action: ACTION.Create,
    operationId: newOperationId(),
    resourceUri: opts.resourceUri ?? RESOURCE_URI.cmd,
    options,
    body: `<rsp:Shell${shellAttr}>${body}</rsp:Shell>`,
    bodyPrefixes: ['rsp'],
  });
}

/** Start a command in a shell (rsp:CommandLine). */
export function buildCommand(ctx: WSManContext, shellId: string, opts: CommandOptions): BuiltRequest {
  const options: Options = {};
  if (opts.consoleModeStdin !== undefined) options[OPTION.WINRS_CONSOLEMODE_STDIN] = opts.consoleModeStdin;
  options[OPTION.WINRS_SKIP_CMD_SHELL] = opts.skipCmdShell ?? false;
  let body = el('rsp:Command', {}, escapeText(opts.command));
  for (const a of opts.arguments ?? []) body += `<rsp:Arguments>${elementText(a)}</rsp:Arguments>`;
  return buildRequestEnvelope(ctx, {
    action: ACTION.Command,
    operationId: newOperationId(),
    resourceUri: opts.resourceUri ?? RESOURCE_URI.cmd,
    selectors: shellSelectors(shellId),
    options,
    body: el('rsp:CommandLine', { CommandId: opts.commandId }, body),
    bodyPrefixes: ['rsp'],
  });
}

/** Send input bytes to a command's (or, without commandId, the shell's) input stream. */
export function buildSend(ctx: WSManContext, shellId: string, opts: SendOptions): BuiltRequest {
  const attrs = {
    Name: opts.stream ?? 'stdin',
    CommandId: opts.commandId,
    End: opts.end === undefined ? undefined : String(opts.end),
  };
  const data = toBase64(opts.data);
  // An empty End="true" must still be an element with (empty) content, not self-closing noise.
  const stream = data === '' ? `<rsp:Stream${attrString(attrs)}></rsp:Stream>` : el('rsp:Stream', attrs, data);
  return buildRequestEnvelope(ctx, {
    action: ACTION.Send,
    operationId: newOperationId(),
    resourceUri: opts.resourceUri ?? RESOURCE_URI.cmd,
    selectors: shellSelectors(shellId),
    body: `<rsp:Send>${stream}</rsp:Send>`,
    bodyPrefixes: ['rsp'],
  });
}

function attrString(attrs: Record<string, string | undefined>): string {
  let a = '';
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a += ` ${k}="${escapeAttr(v)}"`;
  return a;
}

/** Ask for output (a long-poll: the server answers when output exists or OperationTimeout passes). */
export function buildReceive(ctx: WSManContext, shellId: string, opts: ReceiveOptions = {}): BuiltRequest {
  const options: Options = {};
  if (opts.keepAlive ?? true) options[OPTION.WSMAN_CMDSHELL_OPTION_KEEPALIVE] = true;
  return buildRequestEnvelope(ctx, {
    action: ACTION.Receive,
    operationId: newOperationId(),
    resourceUri: opts.resourceUri ?? RESOURCE_URI.cmd,
    selectors: shellSelectors(shellId),
    options,
    body: `<rsp:Receive>${el('rsp:DesiredStream', { CommandId: opts.commandId }, escapeText(opts.streams ?? 'stdout stderr'))}</rsp:Receive>`,
    bodyPrefixes: ['rsp'],
    operationTimeoutSec: opts.operationTimeoutSec,
  });
}

/** Signal a command: terminate, ctrl_c, or PSRP's stop (SIGNAL.ps_ctrl_c). */
export function buildSignal(ctx: WSManContext, shellId: string, opts: SignalOptions): BuiltRequest {
  return buildRequestEnvelope(ctx, {
    action: ACTION.Signal,
    operationId: newOperationId(),
    resourceUri: opts.resourceUri ?? RESOURCE_URI.cmd,
    selectors: shellSelectors(shellId),
    body: el('rsp:Signal', { CommandId: opts.commandId }, el('rsp:Code', {}, escapeText(opts.code))),
    bodyPrefixes: ['rsp'],
  });
}

/** Delete (close) a shell. */
export function buildShellDelete(ctx: WSManContext, shellId: string, resourceUri?: string): BuiltRequest {
  return buildRequestEnvelope(ctx, {
    action: ACTION.Delete,
    operationId: newOperationId(),
    resourceUri: resourceUri ?? RESOURCE_URI.cmd,
    selectors: shellSelectors(shellId),
    body: '',
  });
}

/** PSRP Disconnect of a shell (MS-PSRP §3.1.5.3.11; MS-WSMV §3.1.4.16). */
export function buildDisconnect(ctx: WSManContext, shellId: string, resourceUri: string, idleTimeoutSec?: number): BuiltRequest {
  const inner = idleTimeoutSec === undefined ? '' : el('rsp:IdleTimeOut', {}, formatDuration(idleTimeoutSec));
  return buildRequestEnvelope(ctx, {
    action: ACTION.Disconnect,
    resourceUri,
    selectors: shellSelectors(shellId),
    body: el('rsp:Disconnect', {}, inner),
    bodyPrefixes: ['rsp'],
  });
}

/** PSRP Reconnect of a shell this client disconnected (MS-PSRP §3.1.5.3.12). */
export function buildReconnect(ctx: WSManContext, shellId: string, resourceUri: string): BuiltRequest {
  return buildRequestEnvelope(ctx, {
    action: ACTION.Reconnect,
    resourceUri,
    selectors: shellSelectors(shellId),
    body: '',
  });
}

/** Options of a PSRP Connect (MS-PSRP §3.1.5.3.13, MS-WSMV §3.1.4.18). */
export interface ConnectOptions {
  resourceUri: string;
  /** base64 SESSION_CAPABILITY + CONNECT_RUNSPACEPOOL fragments (shell connect). */
  connectXml?: string | Base64Text;
  /** Connect to one disconnected pipeline instead (no connectXml then). */
  commandId?: string;
  options?: Options;
}

/** PSRP Connect to a disconnected shell, or to one of its commands, from a new client. */
export function buildConnect(ctx: WSManContext, shellId: string, opts: ConnectOptions): BuiltRequest {
  const inner = opts.connectXml === undefined ? '' : `<connectXml xmlns="${PS_NS}">${elementText(opts.connectXml)}</connectXml>`;
  return buildRequestEnvelope(ctx, {
    action: ACTION.Connect,
    resourceUri: opts.resourceUri,
    selectors: shellSelectors(shellId),
    options: opts.options,
    body: el('rsp:Connect', { CommandId: opts.commandId }, inner),
    bodyPrefixes: ['rsp'],
  });
}
