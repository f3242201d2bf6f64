/**
 * WS-Man Connect for a PowerShell shell (MS-PSRP §3.2.5.3.17–18, MS-WSMV §3.1.4.16): a new client
 * attaches to a disconnected RunspacePool (rsp:Connect with connectXml = SESSION_CAPABILITY +
 * CONNECT_RUNSPACEPOOL) or to one of its pipelines (rsp:Connect CommandId="…", empty answer).
 *
 * The pool answers in connectResponseXml (SESSION_CAPABILITY + RUNSPACEPOOL_INIT_DATA); its
 * RUNSPACEPOOL_STATE Opened follows on the next pool Receive, as pypsrp recorded
 * (test_psrp_disconnect_runspaces.yml).
 */
import { ACTION, NS, attr, buildResponse, child, escapeText, textOf, type WSManRequest } from '../../wsman/index.js';

/** Namespace of creationXml / connectXml / connectResponseXml. */
const PS_NS = 'http://schemas.microsoft.com/powershell';

export interface ConnectRequest {
  /** Set for a pipeline connect. */
  commandId?: string;
  /** The decoded connectXml of a pool connect. */
  connectXml?: Uint8Array;
}

/** Reads rsp:Connect. */
export function readConnectRequest(req: WSManRequest): ConnectRequest {
  const connect = child(req.body, NS.rsp, 'Connect');
  const out: ConnectRequest = {};
  const commandId = connect === undefined ? undefined : attr(connect, 'CommandId');
  if (commandId !== undefined) out.commandId = commandId;
  const xml = connect === undefined ? undefined : child(connect, PS_NS, 'connectXml');
  if (xml !== undefined) out.connectXml = Buffer.from(textOf(xml), 'base64');
  return out;
}

/** rsp:ConnectResponse: with the pool's answer for a pool connect, empty for a pipeline connect. */
export function buildConnectResponse(relatesTo: string, connectResponse?: Uint8Array): string {
  if (connectResponse === undefined) return buildResponse(ACTION.ConnectResponse, relatesTo, '<rsp:ConnectResponse />');
  const b64 = Buffer.from(connectResponse).toString('base64');
  return buildResponse(
    ACTION.ConnectResponse,
    relatesTo,
    '<rsp:ConnectResponse><rsp:InputStreams>stdin pr</rsp:InputStreams><rsp:OutputStreams>stdout</rsp:OutputStreams>' +
      `<connectResponseXml xmlns="${PS_NS}">${escapeText(b64)}</connectResponseXml></rsp:ConnectResponse>`,
  );
}
