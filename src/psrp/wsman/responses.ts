/**
 * Reading the WS-Man responses PSRP cares about beyond src/wsman's readers: the ConnectResponse's
 * connectResponseXml (MS-PSRP §3.2.5.3.18), winrm/config's MaxEnvelopeSizekb, and a peek at the
 * PSRP message types inside a payload (the binding decides when to Receive on the pool by them).
 */
import { NS, WSManProtocolError, child, decodeBase64, textOf, type WSManResponse } from '../../wsman/index.js';
import { MessageType, isMessageType } from '../constants.js';
import { decodeFragments } from '../fragment.js';

const PS_NS = 'http://schemas.microsoft.com/powershell';

/**
 * The base64 payload of rsp:ConnectResponse/connectResponseXml (SESSION_CAPABILITY +
 * RUNSPACEPOOL_INIT_DATA), or undefined for a pipeline Connect, whose response is empty.
 * @throws WSManProtocolError for a response without rsp:ConnectResponse or with bad base64.
 */
export function readConnectResponse(resp: WSManResponse): Uint8Array | undefined {
  const cr = child(resp.body, NS.rsp, 'ConnectResponse');
  if (!cr) throw new WSManProtocolError(`Connect: the Body has no ConnectResponse element (action '${resp.action}')`);
  const xml = child(cr, PS_NS, 'connectResponseXml');
  return xml ? decodeBase64(textOf(xml), 'connectResponseXml') : undefined;
}

/**
 * cfg:MaxEnvelopeSizekb of a winrm/config GetResponse, in bytes; undefined when absent or not a
 * positive integer (then the caller keeps its default).
 */
export function readMaxEnvelopeSize(resp: WSManResponse): number | undefined {
  const config = child(resp.body, NS.cfg, 'Config');
  const kb = textOf(child(config, NS.cfg, 'MaxEnvelopeSizekb'));
  if (!/^\d+$/.test(kb) || Number(kb) === 0) return undefined;
  return Number(kb) * 1024;
}

/** rsp:Shell/rsp:State of a shell GetResponse ('Connected', 'Disconnected' …; '' when absent). */
export function readShellState(resp: WSManResponse): string {
  return textOf(child(child(resp.body, NS.rsp, 'Shell'), NS.rsp, 'State'));
}

/** A message start seen in a payload: its type and, when whole in this payload, its bytes. */
export interface PeekedMessage {
  type: MessageType;
  /** The whole message (header + data) when its only fragment is in this payload. */
  whole?: Uint8Array;
}

/**
 * The PSRP messages that start in a payload (fragments with S set carry the 40-byte message
 * header, §2.2.1, at the start of their blob). Malformed bytes give [] here: the pool, which is fed
 * the same bytes, reports them.
 */
export function peekMessages(payload: Uint8Array): PeekedMessage[] {
  let fragments;
  try {
    fragments = decodeFragments(payload);
  } catch {
    return [];
  }
  const out: PeekedMessage[] = [];
  for (const f of fragments) {
    if (!f.start || f.blob.length < 8) continue;
    const type = new DataView(f.blob.buffer, f.blob.byteOffset, f.blob.byteLength).getUint32(4, true);
    if (!isMessageType(type)) continue;
    out.push(f.end ? { type, whole: f.blob } : { type });
  }
  return out;
}

