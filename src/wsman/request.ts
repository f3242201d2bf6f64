import type { XmlElement, XmlLimits } from './xml.js';
const ni = (): never => { throw new Error('not implemented'); };
export interface WSManRequest {
  action: string; to?: string; messageId: string; resourceUri?: string; sessionId?: string;
  selectors: Record<string, string>; options: Record<string, string>;
  operationTimeoutMs?: number; maxEnvelopeSize?: number; locale?: string; dataLocale?: string;
  body: XmlElement; header: XmlElement;
}
export interface ShellCreateRequest {
  inputStreams: string[]; outputStreams: string[]; environment: Record<string, string>;
  workingDirectory?: string; noProfile?: boolean; codepage?: number; idleTimeoutSec?: number;
  creationXml?: string; name?: string; shellId?: string;
}
export interface CommandRequest { command: string; arguments: string[]; commandId?: string; skipCmdShell?: boolean; consoleModeStdin?: boolean }
export interface SendRequest { streams: { name: string; commandId?: string; end: boolean; data: Uint8Array }[] }
export interface ReceiveRequest { commandId?: string; streams: string[]; sequenceId?: number; keepAlive?: boolean }
export interface SignalRequest { commandId?: string; code: string }
export interface EnumerateRequest { optimize: boolean; maxElements?: number; filter?: { dialect: string; query: string }; mode?: string }
export interface PullRequest { enumerationContext: string; maxElements?: number }
export function parseRequest(xml: string, limits?: XmlLimits): WSManRequest { void xml; void limits; return ni(); }
export function readShellCreateRequest(req: WSManRequest): ShellCreateRequest { void req; return ni(); }
export function readCommandRequest(req: WSManRequest): CommandRequest { void req; return ni(); }
export function readSendRequest(req: WSManRequest): SendRequest { void req; return ni(); }
export function readReceiveRequest(req: WSManRequest): ReceiveRequest { void req; return ni(); }
export function readSignalRequest(req: WSManRequest): SignalRequest { void req; return ni(); }
export function readEnumerateRequest(req: WSManRequest): EnumerateRequest { void req; return ni(); }
export function readPullRequest(req: WSManRequest): PullRequest { void req; return ni(); }
