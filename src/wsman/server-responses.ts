const ni = (): never => { throw new Error('not implemented'); };
export interface IdentifyInfo { productVendor: string; productVersion: string; protocolVersion: string; securityProfiles: string[] }
export interface ShellCreatedInfo {
  address: string; resourceUri: string; shellId: string; owner: string; clientIp: string;
  idleTimeoutSec: number; inputStreams: string[]; outputStreams: string[];
  shellRunTimeSec?: number; shellInactivitySec?: number; name?: string;
  /** Extra raw XML appended inside rsp:Shell (e.g. PSRP's creationXml echo). */
  extraShellXml?: string;
}
export interface ReceiveResponseInfo {
  streams: { name: string; commandId?: string; data?: Uint8Array; end?: boolean }[];
  commandState?: { commandId?: string; state: string; exitCode?: number };
  sequenceId?: number;
}
export interface EnumerationResponseInfo { items: string[]; endOfSequence: boolean; context?: string }
export function buildResponse(action: string, relatesTo: string, bodyXml: string, extraNs?: Record<string, string>): string { void action; void relatesTo; void bodyXml; void extraNs; return ni(); }
export function buildIdentifyResponse(info: IdentifyInfo): string { void info; return ni(); }
export function buildShellCreatedResponse(relatesTo: string, info: ShellCreatedInfo): string { void relatesTo; void info; return ni(); }
export function buildCommandResponse(relatesTo: string, commandId: string): string { void relatesTo; void commandId; return ni(); }
export function buildSendResponse(relatesTo: string): string { void relatesTo; return ni(); }
export function buildReceiveResponse(relatesTo: string, info: ReceiveResponseInfo): string { void relatesTo; void info; return ni(); }
export function buildSignalResponse(relatesTo: string): string { void relatesTo; return ni(); }
export function buildDeleteResponse(relatesTo: string): string { void relatesTo; return ni(); }
export function buildEnumerateResponse(relatesTo: string, info: EnumerationResponseInfo): string { void relatesTo; void info; return ni(); }
export function buildPullResponse(relatesTo: string, info: EnumerationResponseInfo): string { void relatesTo; void info; return ni(); }
export function buildGetResponse(relatesTo: string, bodyXml: string): string { void relatesTo; void bodyXml; return ni(); }
export function buildPutResponse(relatesTo: string, bodyXml?: string): string { void relatesTo; void bodyXml; return ni(); }
