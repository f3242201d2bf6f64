/**
 * The envelope a WS-Management service answers with, shaped like Windows' own (recorded in the
 * pypsrp and winrmsharp fixtures):
 *
 *   <s:Envelope xml:lang="en-US" xmlns:s=… xmlns:a=… xmlns:x=… xmlns:w=… xmlns:rsp=… xmlns:p=…>
 *     <s:Header><a:Action/><a:MessageID/><a:To>anonymous</a:To><a:RelatesTo/></s:Header>
 *     <s:Body>…</s:Body></s:Envelope>
 *
 * Windows picks the prefix set per response kind (faults add e: and n:, enumeration drops x:);
 * callers pass the prefixes their body uses.
 */
import { newMessageId } from './envelope.js';
import { ANONYMOUS, NS } from './namespaces.js';
import { escapeAttr, escapeText } from './xml.js';

/** Prefix -> namespace for the prefixes Windows uses in responses. */
export const RESPONSE_PREFIXES: Readonly<Record<string, string>> = {
  s: NS.s,
  a: NS.wsa,
  x: NS.wst,
  e: NS.wse,
  n: NS.wsen,
  w: NS.wsman,
  rsp: NS.rsp,
  p: NS.wsmv,
  f: NS.wsmanfault,
  b: NS.wsmb,
  cfg: NS.cfg,
  xsi: NS.xsi,
  wsmid: NS.wsmid,
};

/** The default prefix set of a Windows shell response (s a x w rsp p). */
export const SHELL_RESPONSE_PREFIXES = ['s', 'a', 'x', 'w', 'rsp', 'p'] as const;

/** Options of buildResponse beyond its positional arguments. */
export interface ResponseEnvelopeOptions {
  /** Prefixes to declare on the Envelope, in order (default: s a x w rsp p). */
  prefixes?: readonly string[];
  /** Extra `prefix -> namespace` declarations (added after `prefixes`). */
  extraNs?: Record<string, string>;
  /** The MessageID to send (default: a fresh `uuid:`). */
  messageId?: string;
  /** Extra header XML placed after a:MessageID (e.g. `<p:ActivityId>` or PSRP's SequenceId). */
  extraHeaderXml?: string;
}

/**
 * Wraps a body in a response envelope.
 * @param action the response action URI (ACTION.CommandResponse …)
 * @param relatesTo the request's MessageID; omitted when the request could not be read
 * @param bodyXml the already-escaped body content ('' gives `<s:Body />`)
 */
export function buildResponse(
  action: string,
  relatesTo: string | undefined,
  bodyXml: string,
  extraNs?: Record<string, string>,
  options: ResponseEnvelopeOptions = {},
): string {
  const prefixes = options.prefixes ?? SHELL_RESPONSE_PREFIXES;
  let decl = '';
  for (const p of prefixes) decl += ` xmlns:${p}="${RESPONSE_PREFIXES[p] ?? ''}"`;
  for (const [p, uri] of Object.entries({ ...options.extraNs, ...extraNs })) decl += ` xmlns:${p}="${escapeAttr(uri)}"`;
  const messageId = options.messageId ?? newMessageId();
  const relates = relatesTo === undefined ? '' : `<a:RelatesTo>${escapeText(relatesTo)}</a:RelatesTo>`;
  const body = bodyXml === '' ? '<s:Body />' : `<s:Body>${bodyXml}</s:Body>`;
  return (
    `<s:Envelope xml:lang="en-US"${decl}><s:Header>` +
    `<a:Action>${escapeText(action)}</a:Action><a:MessageID>${escapeText(messageId)}</a:MessageID>` +
    (options.extraHeaderXml ?? '') +
    `<a:To>${ANONYMOUS}</a:To>${relates}</s:Header>${body}</s:Envelope>`
  );
}

/**
 * The robust-connection headers a Windows endpoint echoes for a request that carried
 * p:OperationID (MS-WSMV 3.1.4.1.39; ironposh's receive_response.xml recording). p: is declared on
 * the elements themselves so they fit any of our envelopes, whatever prefixes it declares.
 */
export function operationIdHeaderXml(operationId: string): string {
  return (
    `<p:OperationID xmlns:p="${NS.wsmv}" s:mustUnderstand="false">${escapeText(operationId)}</p:OperationID>` +
    `<p:SequenceId xmlns:p="${NS.wsmv}">1</p:SequenceId>`
  );
}

/**
 * Adds {@link operationIdHeaderXml} to an envelope built here (before a:RelatesTo, where Windows
 * puts it; else at the end of the header). An envelope without s:Header comes back unchanged.
 */
export function withOperationId(envelope: string, operationId: string): string {
  const headers = operationIdHeaderXml(operationId);
  const relates = envelope.indexOf('<a:RelatesTo>');
  if (relates >= 0) return envelope.slice(0, relates) + headers + envelope.slice(relates);
  const end = envelope.indexOf('</s:Header>');
  if (end >= 0) return envelope.slice(0, end) + headers + envelope.slice(end);
  const empty = envelope.indexOf('<s:Header />');
  if (empty >= 0) return `${envelope.slice(0, empty)}<s:Header>${headers}</s:Header>${envelope.slice(empty + '<s:Header />'.length)}`;
  return envelope;
}

/** Points a built envelope's a:RelatesTo at `messageId` (a cached response sent again to a retransmission). */
export function withRelatesTo(envelope: string, messageId: string): string {
  return envelope.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, `<a:RelatesTo>${escapeText(messageId)}</a:RelatesTo>`);
}
