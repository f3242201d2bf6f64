import type { BuiltRequest, Options, WSManContext } from './envelope.js';
const ni = (): never => { throw new Error('not implemented'); };
export interface ShellCreateOptions {
  resourceUri?: string;
  inputStreams?: string; outputStreams?: string;
  environment?: Record<string, string>;
  workingDirectory?: string;
  codepage?: number; noProfile?: boolean;
  idleTimeoutSec?: number;
  name?: string; shellId?: string;
  /** base64 PSRP opening fragments (MS-PSRP §3.1.5.1.1). */
  creationXml?: string;
  options?: Options;
}
export interface CommandOptions { command: string; arguments?: string[]; commandId?: string; skipCmdShell?: boolean; consoleModeStdin?: boolean; resourceUri?: string }
export interface SendOptions { commandId?: string; stream?: string; data: Uint8Array; end?: boolean; resourceUri?: string }
export interface ReceiveOptions { commandId?: string; streams?: string; keepAlive?: boolean; resourceUri?: string }
export interface SignalOptions { commandId?: string; code: string; resourceUri?: string }
export function buildShellCreate(ctx: WSManContext, opts?: ShellCreateOptions): BuiltRequest { void ctx; void opts; return ni(); }
export function buildCommand(ctx: WSManContext, shellId: string, opts: CommandOptions): BuiltRequest { void ctx; void shellId; void opts; return ni(); }
export function buildSend(ctx: WSManContext, shellId: string, opts: SendOptions): BuiltRequest { void ctx; void shellId; void opts; return ni(); }
export function buildReceive(ctx: WSManContext, shellId: string, opts?: ReceiveOptions): BuiltRequest { void ctx; void shellId; void opts; return ni(); }
export function buildSignal(ctx: WSManContext, shellId: string, opts: SignalOptions): BuiltRequest { void ctx; void shellId; void opts; return ni(); }
export function buildShellDelete(ctx: WSManContext, shellId: string, resourceUri?: string): BuiltRequest { void ctx; void shellId; void resourceUri; return ni(); }
