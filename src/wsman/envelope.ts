/**
 * Client request envelopes: the WS-Addressing / WS-Management header block every request carries
 * (DSP0226 §5-6, MS-WSMV §3.1.4.1). Header order and attributes follow the requests pypsrp sends
 * to real Windows hosts (fixtures pypsrp/responses/*.yml):
 *
 *   Action(mustUnderstand) DataLocale Locale MaxEnvelopeSize(mU) MessageID OperationTimeout
 *   ReplyTo/Address(mU) ResourceURI(mU) SessionId To OptionSet(mU) SelectorSet
 *
 * Envelopes are written as strings: fast, and byte-for-byte predictable for size budgeting.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { formatDuration } from './duration.js';
import { ANONYMOUS, NS } from './namespaces.js';
import { operationIdHeader } from './robust.js';
import { escapeAttr, escapeText } from './xml.js';

/** Per-connection values every client request carries. */
export interface WSManContext {
  /** The endpoint URL (wsa:To), e.g. `http://host:5985/wsman`. */
  to: string;
  /** `uuid:…` sent as wsmv:SessionId so the server can correlate requests (MS-WSMV §2.2.4.40). */
  sessionId?: string;
  /** wsman:MaxEnvelopeSize in bytes (default 153600). */
  maxEnvelopeSize: number;
  /** wsman:OperationTimeout in seconds (default 20). */
  operationTimeoutSec: number;
  /** wsman:Locale xml:lang (default 'en-US'). */
  locale?: string;
  /** wsmv:DataLocale xml:lang (default: locale). */
  dataLocale?: string;
  /**
   * Put a fresh p:OperationID on every shell operation (robust connections, robust.ts). Off unless
   * set, so requests stay exactly what the recorded pypsrp exchanges show; session/connect turns it on.
   */
  operationIds?: boolean;
}

/** A request ready to POST, with the MessageID its response will relate to. */
export interface BuiltRequest {
  xml: string;
  messageId: string;
  /** p:OperationID of a shell operation (robust.ts); undefined for other requests. */
  operationId?: string;
}

/** wsman:SelectorSet entries (e.g. `{ ShellId }`). */
export type Selectors = Record<string, string>;

/** A wsman:Option value; booleans are written TRUE/FALSE as MS-WSMV's examples do. */
export type OptionValue = string | number | boolean | { value: string | number | boolean; mustComply?: boolean };

/** wsman:OptionSet entries, written in insertion order. */
export type Options = Record<string, OptionValue>;

/** A context with the defaults filled in. */
export function defaultContext(to: string, overrides: Partial<WSManContext> = {}): WSManContext {
  return { to, maxEnvelopeSize: 153600, operationTimeoutSec: 20, locale: 'en-US', ...overrides };
}

/** A fresh `uuid:UPPERCASE-GUID`, the MessageID / SessionId form Windows uses. */
export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

/** Prefixes client requests use (pypsrp's). */
export const REQUEST_PREFIXES: Readonly<Record<string, string>> = {
  s: NS.s,
  wsa: NS.wsa,
  wsman: NS.wsman,
  wsmv: NS.wsmv,
  rsp: NS.rsp,
  wsen: NS.wsen,
  wst: NS.wst,
  wsmid: NS.wsmid,
};

/** What buildRequestEnvelope puts in one request. */
export interface RequestSpec {
  action: string;
  resourceUri?: string;
  selectors?: Selectors;
  options?: Options;
  /** Already-escaped body content; '' gives `<s:Body />`. */
  body: string;
  /** Prefixes the body uses beyond s/wsa/wsman/wsmv (e.g. ['rsp']). */
  bodyPrefixes?: readonly string[];
  /** Override the timeout for this request (e.g. a long Receive). */
  operationTimeoutSec?: number;
  /** p:OperationID of a shell operation (robust.ts), written with mustUnderstand="false" when the context asks for them. */
  operationId?: string;
}

/**
 * Writes a complete request envelope.
 * @throws InvalidArgumentError for an unusable context (empty To, bad timeout or envelope size).
 */
export function buildRequestEnvelope(ctx: WSManContext, spec: RequestSpec): BuiltRequest {
  checkContext(ctx);
  const messageId = newMessageId();
  const locale = escapeAttr(ctx.locale ?? 'en-US');
  const dataLocale = escapeAttr(ctx.dataLocale ?? ctx.locale ?? 'en-US');
  const decl = namespaceDeclarations(spec.bodyPrefixes);
  let h =
    `<wsa:Action s:mustUnderstand="true">${escapeText(spec.action)}</wsa:Action>` +
    `<wsmv:DataLocale s:mustUnderstand="false" xml:lang="${dataLocale}" />` +
    `<wsman:Locale s:mustUnderstand="false" xml:lang="${locale}" />` +
    `<wsman:MaxEnvelopeSize s:mustUnderstand="true">${ctx.maxEnvelopeSize}</wsman:MaxEnvelopeSize>` +
    `<wsa:MessageID>${messageId}</wsa:MessageID>` +
    `<wsman:OperationTimeout>${formatDuration(spec.operationTimeoutSec ?? ctx.operationTimeoutSec)}</wsman:OperationTimeout>` +
    `<wsa:ReplyTo><wsa:Address s:mustUnderstand="true">${ANONYMOUS}</wsa:Address></wsa:ReplyTo>`;
  if (spec.resourceUri !== undefined) {
    h += `<wsman:ResourceURI s:mustUnderstand="true">${escapeText(spec.resourceUri)}</wsman:ResourceURI>`;
  }
  if (ctx.sessionId !== undefined) h += `<wsmv:SessionId s:mustUnderstand="false">${escapeText(ctx.sessionId)}</wsmv:SessionId>`;
  const operationId = ctx.operationIds === true ? spec.operationId : undefined;
  if (operationId !== undefined) h += operationIdHeader(escapeText(operationId), false);
  h += `<wsa:To>${escapeText(ctx.to)}</wsa:To>`;
  h += optionSetXml(spec.options);
  h += selectorSetXml(spec.selectors);
  const body = spec.body === '' ? '<s:Body />' : `<s:Body>${spec.body}</s:Body>`;
  const xml = `<s:Envelope${decl}><s:Header>${h}</s:Header>${body}</s:Envelope>`;
  return operationId === undefined ? { xml, messageId } : { xml, messageId, operationId };
}

/** The root's xmlns declarations by the body's extra prefixes, joined: a handful of sets, each written once. */
const declarations = new Map<string, string>();
const MAX_DECLARATION_SETS = 64;

/** ` xmlns:s="…"` for s, wsa, wsman, wsmv and each of `bodyPrefixes` not among them, in that order. */
function namespaceDeclarations(bodyPrefixes: readonly string[] | undefined): string {
  const key = bodyPrefixes === undefined ? '' : bodyPrefixes.join(' ');
  let decl = declarations.get(key);
  if (decl !== undefined) return decl;
  decl = '';
  for (const p of new Set(['s', 'wsa', 'wsman', 'wsmv', ...(bodyPrefixes ?? [])])) {
    decl += ` xmlns:${p}="${REQUEST_PREFIXES[p] ?? ''}"`;
  }
  if (declarations.size < MAX_DECLARATION_SETS) declarations.set(key, decl);
  return decl;
}

function checkContext(ctx: WSManContext): void {
  if (!ctx.to) throw new InvalidArgumentError('WS-Management request needs a To address');
  if (!Number.isInteger(ctx.maxEnvelopeSize) || ctx.maxEnvelopeSize < 8192) {
    throw new InvalidArgumentError(`invalid MaxEnvelopeSize ${ctx.maxEnvelopeSize} (need an integer >= 8192)`);
  }
  if (!Number.isFinite(ctx.operationTimeoutSec) || ctx.operationTimeoutSec <= 0) {
    throw new InvalidArgumentError(`invalid OperationTimeout ${ctx.operationTimeoutSec} s`);
  }
}

function optionText(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
}

/** `<wsman:OptionSet s:mustUnderstand="true">…` or '' when there are no options. */
export function optionSetXml(options: Options | undefined): string {
  // for…in over own keys rather than Object.entries: no array of pairs per request.
  let x = '';
  for (const name in options) {
    if (!Object.hasOwn(options, name)) continue;
    const v = options[name] as Options[string];
    const isObj = typeof v === 'object';
    const must = isObj && v.mustComply ? ' MustComply="true"' : '';
    x += `<wsman:Option${must} Name="${escapeAttr(name)}">${escapeText(optionText(isObj ? v.value : v))}</wsman:Option>`;
  }
  return x === '' ? '' : `<wsman:OptionSet s:mustUnderstand="true">${x}</wsman:OptionSet>`;
}

/** `<wsman:SelectorSet>…` or '' when there are no selectors. */
export function selectorSetXml(selectors: Selectors | undefined): string {
  let x = '';
  for (const name in selectors) {
    if (!Object.hasOwn(selectors, name)) continue;
    x += `<wsman:Selector Name="${escapeAttr(name)}">${escapeText(selectors[name] as string)}</wsman:Selector>`;
  }
  return x === '' ? '' : `<wsman:SelectorSet>${x}</wsman:SelectorSet>`;
}
