/**
 * SOAP faults as WS-Management services send them, read into WSManFault and written back out.
 *
 * Wire shape (SOAP 1.2 §5.4, DSP0226 §14, MS-WSMV §2.2.4.42 for f:WSManFault):
 *
 *   <s:Fault>
 *     <s:Code><s:Value>s:Sender|s:Receiver</s:Value>
 *       <s:Subcode><s:Value>w:InvalidSelectors</s:Value></s:Subcode></s:Code>   QName as text
 *     <s:Reason><s:Text xml:lang="en-US">…</s:Text></s:Reason>
 *     <s:Detail>
 *       <w:FaultDetail>…/faultDetail/UnexpectedSelectors</w:FaultDetail>          optional
 *       <f:WSManFault Code="2150858843" Machine="host">
 *         <f:Message>text | <f:ProviderFault provider=… path=…>text | nested f:WSManFault</f:ProviderFault></f:Message>
 *       </f:WSManFault>
 *     </s:Detail></s:Fault>
 *
 * Where servers differ: OMI uses `SOAP-ENV:`/`wsman:` prefixes and no Detail; the WMI plugin puts a
 * `p:MSFT_WmiError` (with `error_Code`) in Detail instead of f:WSManFault (winrb wmi_error_v2.xml);
 * old Windows writes `Machine=''`; the ironposh recording pads every text with whitespace.
 */
import { TsrError, type TsrErrorOptions } from '../errors.js';
import { ACTION, NS } from './namespaces.js';
import { buildResponse } from './response-envelope.js';
import { attr, child, childrenOf, deepText, descendant, escapeAttr, escapeText, parseXml, resolveQName, textOf, type XmlElement } from './xml.js';

/** What a fault says, as plain data: input of buildFault and of the WSManFault constructor. */
export interface FaultSpec {
  /** SOAP code as a QName: 's:Sender' or 's:Receiver'. */
  soapCode: string;
  /** Subcode local name ('TimedOut') or QName ('w:TimedOut'). */
  subcode: string;
  /** Subcode namespace (default: the WS-Management namespace). */
  subcodeNs?: string;
  /** s:Reason/s:Text. */
  reason: string;
  /** f:WSManFault Code: an HRESULT like 2150858793 or a Win32 error like 5. */
  wsmanFaultCode?: number;
  /** f:WSManFault Machine. */
  machine?: string;
  /** f:WSManFault/f:Message text (default: reason). */
  message?: string;
  /** The fault's wsa:Action (default: the WS-Management fault action). */
  action?: string;
  /** w:FaultDetail URI. */
  faultDetail?: string;
  /** When set, the message is wrapped in f:ProviderFault, as plugin errors are. */
  provider?: { name: string; path: string; nested?: boolean };
}

/** A SOAP fault returned by a WS-Management service. Match on `subcode` / `wsmanFaultCode`. */
export class WSManFault extends TsrError {
  /** 's:Sender' / 's:Receiver' (normalised to the `s:` prefix whatever the server wrote). */
  readonly soapCode: string;
  /** Local name of the subcode, e.g. 'TimedOut', 'InvalidSelectors', 'AccessDenied'. */
  readonly subcode: string;
  /** Namespace of the subcode (WS-Management, WS-Addressing, WS-Enumeration …). */
  readonly subcodeNs: string | undefined;
  readonly wsmanFaultCode: number | undefined;
  readonly machine: string | undefined;
  /** s:Reason/s:Text, trimmed. */
  readonly reason: string;
  /** The f:WSManFault message (provider faults flattened), or the reason when there is none. */
  readonly faultMessage: string;
  readonly faultDetail: string | undefined;
  readonly provider: string | undefined;
  /** The fault envelope's wsa:Action and wsa:RelatesTo, when known. */
  readonly action: string | undefined;
  readonly relatesTo: string | undefined;

  constructor(spec: FaultSpec & { relatesTo?: string }, options: TsrErrorOptions = {}) {
    const subcode = spec.subcode.includes(':') ? spec.subcode.slice(spec.subcode.indexOf(':') + 1) : spec.subcode;
    const faultMessage = collapse(spec.message ?? '') || collapse(spec.reason);
    const code = spec.wsmanFaultCode === undefined ? '' : ` ${spec.wsmanFaultCode}`;
    super('ETSR_WSMAN_FAULT', `${faultMessage || 'WS-Management fault'} (${subcode}${code})`, {
      ...options,
      hint: options.hint ?? hintFor(subcode, spec.wsmanFaultCode),
    });
    this.name = 'WSManFault';
    this.soapCode = spec.soapCode;
    this.subcode = subcode;
    this.subcodeNs = spec.subcodeNs;
    this.wsmanFaultCode = spec.wsmanFaultCode;
    this.machine = spec.machine === '' ? undefined : spec.machine;
    this.reason = collapse(spec.reason);
    this.faultMessage = faultMessage;
    this.faultDetail = spec.faultDetail;
    this.provider = spec.provider?.name;
    this.action = spec.action;
    this.relatesTo = spec.relatesTo;
  }

  /**
   * True for the operation timeout (w:TimedOut, 2150858793): a Receive that found no output within
   * OperationTimeout. Not an error — the caller sends Receive again (MS-WSMV §3.1.4.14).
   */
  get isOperationTimeout(): boolean {
    return this.wsmanFaultCode === 2150858793 || (this.subcode === 'TimedOut' && this.subcodeNs !== NS.wsen);
  }
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** What to tell the user, keyed by subcode local name; numbers override below. */
const HINTS_BY_SUBCODE: Record<string, string> = {
  QuotaLimit: 'too many shells open for this user (MaxShellsPerUser); close some or wait for them to idle out',
  AccessDenied: 'the account lacks rights on this endpoint; use an administrator or a member of Remote Management Users',
  InvalidSelectors: 'the shell or command no longer exists (it may have idled out or been closed)',
  TimedOut: 'the operation did not finish within OperationTimeout; raise the operation timeout or retry',
  SchemaValidationError: 'the server rejected the request XML; this is a tsremote bug, please report it with --debug',
  CannotProcessFilter: 'the enumeration filter is invalid or names a class that does not exist',
  InternalError: 'the server failed internally; check the command line and the server event log',
  ActionNotSupported: 'the endpoint does not support this operation (wrong resource URI or configuration?)',
  DestinationUnreachable: 'the resource URI or configuration name does not exist on the server',
  InvalidMessageInformationHeader: 'the server rejected a SOAP header (bad timeout or envelope size?)',
  EncodingLimit: 'the message exceeds the server MaxEnvelopeSizekb; lower the envelope size',
  InvalidParameter: 'the server rejected a parameter of the request',
};

const HINTS_BY_CODE: Record<number, string> = {
  2150859173: HINTS_BY_SUBCODE.QuotaLimit as string,
  5: HINTS_BY_SUBCODE.AccessDenied as string,
  2150858843: HINTS_BY_SUBCODE.InvalidSelectors as string,
  2147942402: 'the server cannot find the program or file named in the command',
};

function hintFor(subcode: string, code: number | undefined): string | undefined {
  return (code !== undefined ? HINTS_BY_CODE[code] : undefined) ?? HINTS_BY_SUBCODE[subcode];
}

/**
 * Reads an `s:Fault` element into a WSManFault.
 * @param envelope the Envelope, when known, for the fault's Action and RelatesTo.
 */
export function faultFromElement(fault: XmlElement, envelope?: XmlElement): WSManFault {
  const code = child(fault, NS.s, 'Code');
  const value = child(code, NS.s, 'Value');
  const subValue = child(child(code, NS.s, 'Subcode'), NS.s, 'Value');
  const soap = value ? resolveQName(value, textOf(value)) : { ns: undefined, local: '' };
  const sub = subValue ? resolveQName(subValue, textOf(subValue)) : { ns: undefined, local: '' };
  const reasonTexts = childrenOf(child(fault, NS.s, 'Reason'), NS.s, 'Text');
  const reason = textOf(reasonTexts.find((t) => attr(t, 'lang', NS.xml)?.startsWith('en')) ?? reasonTexts[0]);

  const detail = child(fault, NS.s, 'Detail');
  const wsf = child(detail, NS.wsmanfault, 'WSManFault');
  const wmi = detail?.children.find((c) => c.local === 'MSFT_WmiError');
  let wsmanFaultCode = numberOrUndefined(attr(wsf, 'Code'));
  let message = '';
  let providerName: string | undefined;
  if (wsf) {
    const msg = child(wsf, NS.wsmanfault, 'Message');
    message = collapse(flattenMessage(msg));
    const pf = descendant(msg, NS.wsmanfault, 'ProviderFault');
    providerName = attr(pf, 'provider')?.trim();
  } else if (wmi) {
    // WMI plugin faults: p:MSFT_WmiError (winrb wmi_error_v2.xml).
    message = collapse(textOf(wmi.children.find((c) => c.local === 'Message')));
    wsmanFaultCode = numberOrUndefined(textOf(wmi.children.find((c) => c.local === 'error_Code')));
  } else if (detail) {
    // DSP0226 allows free text in Detail (e.g. s:Text); w:FaultDetail alone is only a URI.
    message = collapse(detail.children.filter((c) => c.local !== 'FaultDetail').map(deepText).join(' '));
  }
  const header = envelope ? child(envelope, NS.s, 'Header') : undefined;
  const soapCode = soap.local === '' ? '' : soap.ns === NS.s ? `s:${soap.local}` : textOf(value);
  return new WSManFault({
    soapCode,
    subcode: sub.local,
    subcodeNs: sub.ns,
    reason,
    wsmanFaultCode,
    machine: attr(wsf, 'Machine'),
    message,
    faultDetail: textOf(child(detail, NS.wsman, 'FaultDetail')) || undefined,
    provider: providerName === undefined ? undefined : { name: providerName, path: '' },
    action: textOf(child(header, NS.wsa, 'Action')) || undefined,
    relatesTo: textOf(child(header, NS.wsa, 'RelatesTo')) || undefined,
  });
}

/**
 * The readable text of an f:Message: its own text, a ProviderFault's text and the messages of any
 * WSManFault nested in it; f:ExtendedError (WMI's __ExtendedStatus dump) is left out.
 */
function flattenMessage(msg: XmlElement | undefined): string {
  if (!msg) return '';
  let out = msg.text;
  for (const c of msg.children) {
    if (c.ns !== NS.wsmanfault) continue;
    if (c.local === 'ProviderFault') out += ` ${flattenMessage(c)}`;
    else if (c.local === 'WSManFault') out += ` ${flattenMessage(child(c, NS.wsmanfault, 'Message'))}`;
  }
  return out;
}

function numberOrUndefined(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*-?\d+\s*$/.test(s)) return undefined;
  const n = Number(s);
  // Some stacks print HRESULTs signed (-2144108503); normalise to the unsigned form Windows sends.
  return n < 0 ? n + 2 ** 32 : n;
}

/**
 * Reads a response body that may be a fault (the transport calls this on HTTP 500).
 * @returns the fault, or null when the text is not a SOAP envelope carrying a s:Fault.
 *   Never throws: unparseable text is "not a fault" and the caller reports the HTTP status.
 */
export function parseFault(xml: string): WSManFault | null {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return null;
  }
  if (root.ns !== NS.s || root.local !== 'Envelope') return null;
  const fault = child(child(root, NS.s, 'Body'), NS.s, 'Fault');
  return fault ? faultFromElement(fault, root) : null;
}

const SUBCODE_PREFIX: Record<string, string> = { [NS.wsman]: 'w', [NS.wsa]: 'a', [NS.wsen]: 'n', [NS.wst]: 'x', [NS.s]: 's' };

/**
 * Writes a fault envelope shaped like Windows' (prefixes s a x e n w p, WSManFault in f:).
 * @param relatesTo the request's MessageID, when it could be read.
 */
export function buildFault(relatesTo: string | undefined, spec: FaultSpec): string {
  const subNs = spec.subcodeNs ?? NS.wsman;
  // The prefix follows the namespace (a written `x:Foo` with a foreign namespace must not bind x:).
  const subLocal = spec.subcode.slice(spec.subcode.indexOf(':') + 1);
  const subPrefix = SUBCODE_PREFIX[subNs] ?? 'q';
  const subQName = `${subPrefix}:${subLocal}`;
  const extraNs: Record<string, string> = subPrefix === 'q' ? { q: subNs } : {};
  const message = spec.message ?? spec.reason;
  const open = `<f:WSManFault xmlns:f="${NS.wsmanfault}" Code="${spec.wsmanFaultCode}" Machine="${escapeAttr(spec.machine ?? '')}">`;
  // The shell provider wraps a whole inner WSManFault (pypsrp test_psrp_is_alive_invalid_selectors).
  const providerText = spec.provider?.nested ? `${open}<f:Message>${escapeText(message)}</f:Message></f:WSManFault>` : escapeText(message);
  const inner = spec.provider
    ? `<f:ProviderFault provider="${escapeAttr(spec.provider.name)}" path="${escapeAttr(spec.provider.path)}">${providerText}</f:ProviderFault>`
    : escapeText(message);
  const wsmanFault = spec.wsmanFaultCode === undefined ? '' : `${open}<f:Message>${inner}</f:Message></f:WSManFault>`;
  const detail = spec.faultDetail ? `<w:FaultDetail>${escapeText(spec.faultDetail)}</w:FaultDetail>` : '';
  const body =
    `<s:Fault><s:Code><s:Value>${escapeText(spec.soapCode)}</s:Value><s:Subcode><s:Value>${escapeText(subQName)}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeText(spec.reason)}</s:Text></s:Reason>` +
    (detail || wsmanFault ? `<s:Detail>${detail}${wsmanFault}</s:Detail>` : '') +
    `</s:Fault>`;
  return buildResponse(spec.action ?? ACTION.WSManFault, relatesTo, body, extraNs, {
    prefixes: ['s', 'a', 'x', 'e', 'n', 'w', 'p'],
  });
}
