/**
 * Robust connections (MS-WSMV §3.1.4.1.39, the subset PowerShell 7.4 and Windows use): each logical
 * shell operation carries a `p:OperationID`. When the response to a Create or Receive is lost on
 * the way back (socket reset mid-response, read timeout, a body cut short), the client sends the
 * same operation again with the SAME OperationID, now with s:mustUnderstand="true", and a new
 * MessageID. A server that keeps responses by OperationID answers from its cache instead of
 * running the operation twice; one that does not know the id handles it as new.
 *
 *   first send:      <p:OperationID s:mustUnderstand="false">uuid:A</p:OperationID>  MessageID M1
 *   retransmission:  <p:OperationID s:mustUnderstand="true">uuid:A</p:OperationID>   MessageID M2
 *   server answer:   <p:OperationID s:mustUnderstand="false">uuid:A</p:OperationID><p:SequenceId>1</p:SequenceId>
 *
 * A server that echoes OperationID in its answers shows it supports this; the session layer only
 * retransmits a Receive to such a server (a Receive replayed by a server without the cache would
 * lose the output it had already handed out).
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { BuiltRequest } from './envelope.js';
import { NS } from './namespaces.js';
import type { WSManResponse } from './response.js';
import { child, textOf } from './xml.js';

/** A fresh `uuid:UPPERCASE-GUID` naming one logical operation. */
export function newOperationId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

/** The header element as the client writes it (prefix wsmv = MS-WSMV's `p:` namespace). */
export function operationIdHeader(operationId: string, mustUnderstand: boolean): string {
  return `<wsmv:OperationID s:mustUnderstand="${mustUnderstand}">${operationId}</wsmv:OperationID>`;
}

/**
 * The same operation, to send again after its response was lost: same OperationID, now
 * mustUnderstand="true", and a new MessageID (the request is a new message).
 * @throws InvalidArgumentError when `req` carries no OperationID.
 */
export function asRetransmission(req: BuiltRequest): BuiltRequest {
  const operationId = req.operationId;
  if (operationId === undefined) throw new InvalidArgumentError('only a request with an OperationID can be retransmitted');
  const first = operationIdHeader(operationId, false);
  const again = operationIdHeader(operationId, true);
  const messageId = `uuid:${randomUUID().toUpperCase()}`;
  // Both strings were written by buildRequestEnvelope, so exact replacement is safe.
  const xml = req.xml
    .replace(`<wsa:MessageID>${req.messageId}</wsa:MessageID>`, `<wsa:MessageID>${messageId}</wsa:MessageID>`)
    .replace(first, again);
  if (!xml.includes(again) || !xml.includes(messageId)) {
    throw new InvalidArgumentError('request envelope was not built by buildRequestEnvelope; cannot retransmit it');
  }
  return { xml, messageId, operationId };
}

/** The OperationID a response echoes in its header, or undefined when the server sent none. */
export function echoedOperationId(resp: Pick<WSManResponse, 'header'>): string | undefined {
  const id = textOf(child(resp.header, NS.wsmv, 'OperationID'));
  return id === '' ? undefined : id;
}
