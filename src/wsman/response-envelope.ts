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
