/**
 * Server side: response envelopes shaped like the ones Windows sends (same prefixes, element order,
 * xml:lang on the Envelope, empty End="true" streams, CommandState with ExitCode), so a client
 * that works against our loopback server has seen the real thing. Shapes are taken from the
 * pypsrp and winrmsharp recordings; the test suite compares them structurally.
 */
import { buildResponse, withOperationId } from './response-envelope.js';
import { formatDurationDHMS, formatDurationMillis } from './duration.js';
import { ACTION, COMMAND_STATE, NS } from './namespaces.js';
import { el, escapeAttr, escapeText } from './xml.js';
import { toBase64 } from '../util/bytes.js';

/** What Identify reports. */
export interface IdentifyInfo {
  productVendor: string;
  productVersion: string;
  /** Default: the WS-Management 1.x namespace, as Windows reports it. */
  protocolVersion?: string;
  securityProfiles: string[];
}

/** What a CreateResponse says about a new shell. Optional fields appear only when set. */
export interface ShellCreatedInfo {
  /** The endpoint URL (a:Address). */
  address: string;
  resourceUri: string;
  shellId: string;
  owner: string;
  clientIp: string;
  idleTimeoutSec: number;
  inputStreams: string[];
  outputStreams: string[];
  name?: string;
  processId?: number;
  shellRunTimeSec?: number;
  shellInactivitySec?: number;
  /** PSRP shells carry these too (pypsrp test_psrp_open_runspace). */
  maxIdleTimeoutSec?: number;
  locale?: string;
  dataLocale?: string;
  compressionMode?: string;
  profileLoaded?: string;
  encoding?: string;
  bufferMode?: string;
  state?: string;
}

/** What a ReceiveResponse carries. */
export interface ReceiveResponseInfo {
  /** In order; an `end` stream with no data is written as Windows does, `<rsp:Stream … End="true"></rsp:Stream>`. */
  streams: { name: string; commandId?: string; data?: Uint8Array; end?: boolean }[];
  commandState?: { commandId?: string; state: 'Done' | 'Pending' | 'Running' | string; exitCode?: number };
  /** PSRP SequenceID attribute on rsp:ReceiveResponse, when the client sent one. */
  sequenceId?: number;
}

/** Items (already-escaped XML) of an EnumerateResponse or PullResponse. */
export interface EnumerationResponseInfo {
  items: string[];
  endOfSequence: boolean;
  context?: string;
}

/** wsmid:IdentifyResponse: no addressing headers, as Windows answers (DSP0226 §11). */
export function buildIdentifyResponse(info: IdentifyInfo): string {
  const profiles = info.securityProfiles
    .map((p) => `<wsmid:SecurityProfileName>${escapeText(p)}</wsmid:SecurityProfileName>`)
    .join('');
  return (
    `<s:Envelope xmlns:s="${NS.s}" xml:lang="en-US"><s:Header /><s:Body>` +
    `<wsmid:IdentifyResponse xmlns:wsmid="${NS.wsmid}">` +
    `<wsmid:ProtocolVersion>${escapeText(info.protocolVersion ?? NS.wsman)}</wsmid:ProtocolVersion>` +
    `<wsmid:ProductVendor>${escapeText(info.productVendor)}</wsmid:ProductVendor>` +
    `<wsmid:ProductVersion>${escapeText(info.productVersion)}</wsmid:ProductVersion>` +
    (profiles ? `<wsmid:SecurityProfiles>${profiles}</wsmid:SecurityProfiles>` : '') +
    `</wsmid:IdentifyResponse></s:Body></s:Envelope>`
  );
}

const rspEl = (local: string, value: string | number | undefined): string =>
  value === undefined ? '' : `<rsp:${local}>${escapeText(String(value))}</rsp:${local}>`;

/** The rsp:Shell element as Windows writes it in CreateResponse, GetResponse and Enumerate items. */
export function shellXml(info: Omit<ShellCreatedInfo, 'address'>): string {
  return (
    `<rsp:Shell xmlns:rsp="${NS.rsp}">` +
    rspEl('ShellId', info.shellId) +
    rspEl('Name', info.name) +
    rspEl('ResourceUri', info.resourceUri) +
    rspEl('Owner', info.owner) +
    rspEl('ClientIP', info.clientIp) +
    rspEl('ProcessId', info.processId) +
    rspEl('IdleTimeOut', formatDurationMillis(info.idleTimeoutSec)) +
    rspEl('InputStreams', info.inputStreams.join(' ')) +
    rspEl('OutputStreams', info.outputStreams.join(' ')) +
    rspEl('MaxIdleTimeOut', info.maxIdleTimeoutSec === undefined ? undefined : formatDurationMillis(info.maxIdleTimeoutSec)) +
    rspEl('Locale', info.locale) +
    rspEl('DataLocale', info.dataLocale) +
    rspEl('CompressionMode', info.compressionMode) +
    rspEl('ProfileLoaded', info.profileLoaded) +
    rspEl('Encoding', info.encoding) +
    rspEl('BufferMode', info.bufferMode) +
    rspEl('State', info.state) +
    rspEl('ShellRunTime', formatDurationDHMS(info.shellRunTimeSec ?? 0)) +
    rspEl('ShellInactivity', formatDurationDHMS(info.shellInactivitySec ?? 0)) +
    `</rsp:Shell>`
  );
}

/** CreateResponse of a shell: x:ResourceCreated (EPR with the ShellId selector) then rsp:Shell. */
export function buildShellCreatedResponse(relatesTo: string, info: ShellCreatedInfo): string {
  const body =
    `<x:ResourceCreated><a:Address>${escapeText(info.address)}</a:Address><a:ReferenceParameters>` +
    `<w:ResourceURI>${escapeText(info.resourceUri)}</w:ResourceURI>` +
    `<w:SelectorSet><w:Selector Name="ShellId">${escapeText(info.shellId)}</w:Selector></w:SelectorSet>` +
    `</a:ReferenceParameters></x:ResourceCreated>` +
    shellXml(info);
  return buildResponse(ACTION.CreateResponse, relatesTo, body);
}

/** CommandResponse carrying the new CommandId. */
export function buildCommandResponse(relatesTo: string, commandId: string): string {
  return buildResponse(ACTION.CommandResponse, relatesTo, `<rsp:CommandResponse><rsp:CommandId>${escapeText(commandId)}</rsp:CommandId></rsp:CommandResponse>`);
}

/** SendResponse (empty rsp:SendResponse). */
export function buildSendResponse(relatesTo: string): string {
  return buildResponse(ACTION.SendResponse, relatesTo, '<rsp:SendResponse />');
}

function stateUri(state: string): string {
  return (COMMAND_STATE as Record<string, string>)[state] ?? state;
}

/** Stands for the Body while the header is edited: `<` never survives escaping, so no header holds it. */
const BODY_SLOT = '<tsremote:body-slot/>';

/**
 * buildResponse, with the robust-connection headers of `operationId` (withOperationId's place and
 * text) when given. They are added to the small envelope before the body goes in: adding them to
 * a finished 200 KB envelope would copy it twice more (flattening the string to search it, then
 * again to send it).
 */
function responseWithOperationId(action: string, relatesTo: string, bodyXml: string, operationId: string | undefined): string {
  if (operationId === undefined) return buildResponse(action, relatesTo, bodyXml);
  const frame = withOperationId(buildResponse(action, relatesTo, BODY_SLOT), operationId);
  const at = frame.indexOf(BODY_SLOT);
  return frame.slice(0, at) + bodyXml + frame.slice(at + BODY_SLOT.length);
}

/**
 * ReceiveResponse with streams (base64) and, when the command changed state, rsp:CommandState.
 * @param operationId the request's p:OperationID, to echo in the header (see withOperationId)
 */
export function buildReceiveResponse(relatesTo: string, info: ReceiveResponseInfo, operationId?: string): string {
  let body = '';
  for (const s of info.streams) {
    const data = s.data && s.data.byteLength > 0 ? toBase64(s.data) : '';
    const cmd = s.commandId === undefined ? '' : ` CommandId="${escapeAttr(s.commandId)}"`;
    const end = s.end ? ' End="true"' : '';
    body += `<rsp:Stream Name="${escapeAttr(s.name)}"${cmd}${end}>${data}</rsp:Stream>`;
  }
  const cs = info.commandState;
  if (cs) {
    const exit = cs.exitCode === undefined ? '' : `<rsp:ExitCode>${cs.exitCode}</rsp:ExitCode>`;
    body += el('rsp:CommandState', { CommandId: cs.commandId, State: stateUri(cs.state) }, exit);
  }
  const seq = info.sequenceId === undefined ? '' : ` SequenceID="${info.sequenceId}"`;
  return responseWithOperationId(ACTION.ReceiveResponse, relatesTo, `<rsp:ReceiveResponse${seq}>${body}</rsp:ReceiveResponse>`, operationId);
}

/** SignalResponse (empty rsp:SignalResponse). */
export function buildSignalResponse(relatesTo: string): string {
  return buildResponse(ACTION.SignalResponse, relatesTo, '<rsp:SignalResponse />');
}

/** DeleteResponse: an empty Body, with the s a w p prefix set Windows uses for it. */
export function buildDeleteResponse(relatesTo: string): string {
  return buildResponse(ACTION.DeleteResponse, relatesTo, '', undefined, { prefixes: ['s', 'a', 'w', 'p'] });
}

function enumerationBody(info: EnumerationResponseInfo, itemsNs: 'w' | 'n'): string {
  const ctx = `<n:EnumerationContext>${escapeText(info.context ?? '')}</n:EnumerationContext>`;
  const items = info.items.length > 0 ? `<${itemsNs}:Items>${info.items.join('')}</${itemsNs}:Items>` : '';
  const end = info.endOfSequence ? `<${itemsNs}:EndOfSequence />` : '';
  return `${info.endOfSequence && info.context === undefined && itemsNs === 'n' ? '' : ctx}${items}${end}`;
}

/** EnumerateResponse with optimized-enumeration items (w:Items, w:EndOfSequence; DSP0226 §8.7). */
export function buildEnumerateResponse(relatesTo: string, info: EnumerationResponseInfo): string {
  return buildResponse(ACTION.EnumerateResponse, relatesTo, `<n:EnumerateResponse>${enumerationBody(info, 'w')}</n:EnumerateResponse>`, undefined, {
    prefixes: ['s', 'a', 'n', 'w', 'p'],
  });
}

/** PullResponse (n:Items, n:EndOfSequence; WS-Enumeration §3.2). */
export function buildPullResponse(relatesTo: string, info: EnumerationResponseInfo): string {
  return buildResponse(ACTION.PullResponse, relatesTo, `<n:PullResponse>${enumerationBody(info, 'n')}</n:PullResponse>`, undefined, {
    prefixes: ['s', 'a', 'n', 'w', 'p'],
  });
}

/** GetResponse with the resource representation (already-escaped XML) as the Body. */
export function buildGetResponse(relatesTo: string, bodyXml: string): string {
  return buildResponse(ACTION.GetResponse, relatesTo, bodyXml, undefined, { prefixes: ['s', 'a', 'x', 'w', 'p'] });
}

/** PutResponse, optionally echoing the new representation. */
export function buildPutResponse(relatesTo: string, bodyXml = ''): string {
  return buildResponse(ACTION.PutResponse, relatesTo, bodyXml, undefined, { prefixes: ['s', 'a', 'x', 'w', 'p'] });
}

/** DisconnectResponse for PSRP shells (MS-WSMV §3.1.4.16): an empty Body, as recorded by pypsrp. */
export function buildDisconnectResponse(relatesTo: string): string {
  return buildResponse(ACTION.DisconnectResponse, relatesTo, '', undefined, { prefixes: ['s', 'a', 'w', 'p'] });
}

/** ReconnectResponse (empty body, as pypsrp's recordings show). */
export function buildReconnectResponse(relatesTo: string): string {
  return buildResponse(ACTION.ReconnectResponse, relatesTo, '', undefined, { prefixes: ['s', 'a', 'w', 'p'] });
}
