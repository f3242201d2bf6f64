/**
 * Client requests for the generic WS-Management operations: Identify (DSP0226 §11), WS-Transfer
 * Get/Put/Create/Delete (§7) and WS-Enumeration Enumerate/Pull/Release (§8).
 */
import { InvalidArgumentError } from '../errors.js';
import { buildRequestEnvelope, newMessageId, selectorSetXml, type BuiltRequest, type Options, type Selectors, type WSManContext } from './envelope.js';
import { ACTION, NS, SELECTOR_FILTER_DIALECT, WQL_DIALECT } from './namespaces.js';
import { escapeAttr, escapeText } from './xml.js';

/** Options of an Enumerate request (DSP0226 §8.2, §8.7 optimized enumeration). */
export interface EnumerateOptions {
  /** Ask for the first items in the EnumerateResponse itself (wsman:OptimizeEnumeration). */
  optimize?: boolean;
  /** wsman:MaxElements (with optimize). */
  maxElements?: number;
  /**
   * wsman:Filter: a text query (dialect default WQL) or, with the SelectorFilter dialect, a
   * SelectorSet (pypsrp finds one shell this way).
   */
  filter?: { dialect?: string; query?: string; selectors?: Selectors };
  /** wsman:EnumerationMode: 'EnumerateEPR' | 'EnumerateObjectAndEPR'. */
  mode?: string;
}

/**
 * Identify (DSP0226 §11): the only request without addressing headers. Windows answers it without
 * authentication when the HTTP request carries `WSMANIDENTIFY: unauthenticated`.
 */
export function buildIdentify(): BuiltRequest {
  return {
    xml: `<s:Envelope xmlns:s="${NS.s}" xmlns:wsmid="${NS.wsmid}"><s:Header /><s:Body><wsmid:Identify /></s:Body></s:Envelope>`,
    messageId: newMessageId(),
  };
}

/** WS-Transfer Get of one resource instance. */
export function buildGet(ctx: WSManContext, resourceUri: string, selectors?: Selectors): BuiltRequest {
  return buildRequestEnvelope(ctx, { action: ACTION.Get, resourceUri, selectors, body: '' });
}

/** WS-Transfer Put: replaces a resource with `bodyXml` (already-escaped XML). */
export function buildPut(ctx: WSManContext, resourceUri: string, bodyXml: string, selectors?: Selectors): BuiltRequest {
  return buildRequestEnvelope(ctx, { action: ACTION.Put, resourceUri, selectors, body: bodyXml });
}

/** WS-Transfer Create of a resource whose representation is `bodyXml`. */
export function buildCreate(ctx: WSManContext, resourceUri: string, bodyXml: string, options?: Options): BuiltRequest {
  return buildRequestEnvelope(ctx, { action: ACTION.Create, resourceUri, options, body: bodyXml, bodyPrefixes: ['rsp'] });
}

/** WS-Transfer Delete. */
export function buildDelete(ctx: WSManContext, resourceUri: string, selectors?: Selectors): BuiltRequest {
  return buildRequestEnvelope(ctx, { action: ACTION.Delete, resourceUri, selectors, body: '' });
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive integer (got ${n})`);
  return n;
}

/** WS-Enumeration Enumerate. Element order follows DSP0226 §8.2's schema. */
export function buildEnumerate(ctx: WSManContext, resourceUri: string, opts: EnumerateOptions = {}): BuiltRequest {
  // Order as pypsrp sends it and Windows accepts it (test_psrp_disconnected_commands).
  let body = '';
  if (opts.optimize) body += '<wsman:OptimizeEnumeration />';
  if (opts.maxElements !== undefined) {
    body += `<wsman:MaxElements>${positiveInt(opts.maxElements, 'MaxElements')}</wsman:MaxElements>`;
  }
  if (opts.filter) {
    const f = opts.filter;
    const dialect = f.dialect ?? (f.selectors ? SELECTOR_FILTER_DIALECT : WQL_DIALECT);
    body += `<wsman:Filter Dialect="${escapeAttr(dialect)}">${f.selectors ? selectorSetXml(f.selectors) : escapeText(f.query ?? '')}</wsman:Filter>`;
  }
  if (opts.mode !== undefined) body += `<wsman:EnumerationMode>${escapeText(opts.mode)}</wsman:EnumerationMode>`;
  return buildRequestEnvelope(ctx, {
    action: ACTION.Enumerate,
    resourceUri,
    body: body === '' ? '<wsen:Enumerate />' : `<wsen:Enumerate>${body}</wsen:Enumerate>`,
    bodyPrefixes: ['wsen'],
  });
}

/** WS-Enumeration Pull of the next items. */
export function buildPull(ctx: WSManContext, resourceUri: string, enumerationContext: string, maxElements?: number): BuiltRequest {
  const max = maxElements === undefined ? '' : `<wsen:MaxElements>${positiveInt(maxElements, 'MaxElements')}</wsen:MaxElements>`;
  return buildRequestEnvelope(ctx, {
    action: ACTION.Pull,
    resourceUri,
    body: `<wsen:Pull><wsen:EnumerationContext>${escapeText(enumerationContext)}</wsen:EnumerationContext>${max}</wsen:Pull>`,
    bodyPrefixes: ['wsen'],
  });
}

/** WS-Enumeration Release: ends an enumeration early. */
export function buildRelease(ctx: WSManContext, resourceUri: string, enumerationContext: string): BuiltRequest {
  return buildRequestEnvelope(ctx, {
    action: ACTION.Release,
    resourceUri,
    body: `<wsen:Release><wsen:EnumerationContext>${escapeText(enumerationContext)}</wsen:EnumerationContext></wsen:Release>`,
    bodyPrefixes: ['wsen'],
  });
}
