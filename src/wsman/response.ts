import type { XmlElement, XmlLimits } from './xml.js';
const ni = (): never => { throw new Error('not implemented'); };
export interface WSManResponse { action: string; messageId: string; relatesTo: string; header: XmlElement; body: XmlElement }
export interface IdentifyResponse { protocolVersion: string; productVendor: string; productVersion: string; securityProfiles: string[]; raw: XmlElement }
export interface ShellInfo {
  shellId: string; resourceUri: string; owner?: string; clientIp?: string;
  /** seconds */
  idleTimeout?: number; inputStreams: string[]; outputStreams: string[]; name?: string;
}
export interface StreamChunk { name: string; commandId?: string; data: Uint8Array; end: boolean }
export interface CommandStateInfo { commandId?: string; state: 'Done' | 'Pending' | 'Running' | string; exitCode?: number }
export interface ReceiveResult { streams: StreamChunk[]; commandState?: CommandStateInfo }
export interface EnumerationResult { enumerationContext?: string; items: XmlElement[]; endOfSequence: boolean }
export function parseResponse(xml: string, limits?: XmlLimits): WSManResponse { void xml; void limits; return ni(); }
export function readIdentifyResponse(resp: WSManResponse | XmlElement): IdentifyResponse { void resp; return ni(); }
export function readShellCreated(resp: WSManResponse): ShellInfo { void resp; return ni(); }
export function readCommandResponse(resp: WSManResponse): string { void resp; return ni(); }
export function readReceiveResponse(resp: WSManResponse): ReceiveResult { void resp; return ni(); }
export function readEnumerateResponse(resp: WSManResponse): EnumerationResult { void resp; return ni(); }
export function readPullResponse(resp: WSManResponse): EnumerationResult { void resp; return ni(); }
export function readGetResponse(resp: WSManResponse): XmlElement { void resp; return ni(); }
