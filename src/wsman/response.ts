/**
 * Client side: reading the envelopes a WS-Management service answers with.
 *
 * parseResponse checks the SOAP frame (s:Envelope / s:Body, SOAP 1.2 namespace) and turns a
 * s:Fault into a thrown WSManFault; each read* function then checks the body it expects and
 * returns plain values. Everything is matched by (namespace, local name), and every text value is
 * trimmed, so Windows (`s:`/`a:`/`w:`), OMI (`SOAP-ENV:`/`wsa:`/`wsman:` with padded text) and
 * hand-written clients all read the same.
 */
import { WSManProtocolError } from './errors.js';
import { faultFromElement } from './fault.js';
import { parseDuration } from './duration.js';
import { COMMAND_STATE, NS } from './namespaces.js';
import { attr, child, childrenOf, parseXml, textOf, type XmlElement, type XmlLimits } from './xml.js';

/** A parsed, fault-free response envelope. */
export interface WSManResponse {
  /** wsa:Action ('' when the server sent none, as Identify responses do). */
  action: string;
  messageId: string;
  /** wsa:RelatesTo: the MessageID of the request this answers ('' when absent). */
  relatesTo: string;
  header: XmlElement;
  body: XmlElement;
}

/** wsmid:IdentifyResponse (DSP0226 §11). */
export interface IdentifyResponse {
  protocolVersion: string;
  productVendor: string;
  productVersion: string;
  securityProfiles: string[];
  raw: XmlElement;
}

/** What a shell CreateResponse says about the new shell. */
export interface ShellInfo {
  shellId: string;
  resourceUri: string;
  /** The wsa:Address of the created resource (the endpoint URL, or anonymous on old servers). */
  address?: string;
  owner?: string;
  clientIp?: string;
  /** IdleTimeOut in seconds. */
  idleTimeout?: number;
  inputStreams: string[];
  outputStreams: string[];
  name?: string;
}

/** One rsp:Stream of a ReceiveResponse, base64-decoded. */
export interface StreamChunk {
  name: string;
  commandId?: string;
  data: Uint8Array;
  /** End="true": no more data on this stream. */
  end: boolean;
}

/** rsp:CommandState of a ReceiveResponse. */
export interface CommandStateInfo {
  commandId?: string;
  /** 'Done' | 'Pending' | 'Running', or the raw State URI if unknown. */
  state: 'Done' | 'Pending' | 'Running' | string;
  exitCode?: number;
}

/** A decoded ReceiveResponse. */
export interface ReceiveResult {
  /** In document order, including empty End="true" elements. */
  streams: StreamChunk[];
  commandState?: CommandStateInfo;
}

/** A decoded EnumerateResponse or PullResponse. */
export interface EnumerationResult {
  /** The context for the next Pull; undefined (or '') when the sequence ended. */
  enumerationContext?: string;
  items: XmlElement[];
  endOfSequence: boolean;
}

/**
 * Parses a response envelope.
 * @throws WSManFault when the body is a s:Fault
 * @throws XmlParseError when the text is not (bounded, well-formed) XML
 * @throws WSManProtocolError when it is XML but not a SOAP 1.2 envelope with a Body
 */
export function parseResponse(xml: string, limits?: XmlLimits): WSManResponse {
  const root = parseXml(xml, limits);
  const { header, body } = soapParts(root);
  const fault = child(body, NS.s, 'Fault');
  if (fault) throw faultFromElement(fault, root);
  return {
    action: textOf(child(header, NS.wsa, 'Action')),
    messageId: textOf(child(header, NS.wsa, 'MessageID')),
    relatesTo: textOf(child(header, NS.wsa, 'RelatesTo')),
    header,
    body,
  };
}

/** Splits an Envelope into Header (possibly empty) and Body, checking the SOAP 1.2 frame. */
export function soapParts(root: XmlElement): { header: XmlElement; body: XmlElement } {
  if (root.local !== 'Envelope') throw new WSManProtocolError(`expected a SOAP Envelope, got <${root.local}>`);
  if (root.ns !== NS.s) {
    // SOAP 1.2 §5.4.7: an envelope in another namespace is a VersionMismatch.
    throw new WSManProtocolError(`SOAP Envelope in namespace '${root.ns}', expected SOAP 1.2 (${NS.s})`);
  }
  const body = child(root, NS.s, 'Body');
  if (!body) throw new WSManProtocolError('SOAP Envelope has no Body');
  const header = child(root, NS.s, 'Header') ?? { ns: NS.s, local: 'Header', attrs: [], children: [], text: '' };
  return { header, body };
}

function bodyChild(resp: WSManResponse, ns: string, local: string, what: string): XmlElement {
  const el = child(resp.body, ns, local);
  if (!el) throw new WSManProtocolError(`${what}: the Body has no ${local} element (action '${resp.action}')`);
  return el;
}

/** Reads wsmid:IdentifyResponse from a response (or directly from its body element). */
export function readIdentifyResponse(resp: WSManResponse | XmlElement): IdentifyResponse {
  const raw = 'body' in resp ? bodyChild(resp, NS.wsmid, 'IdentifyResponse', 'Identify') : resp;
  if (raw.ns !== NS.wsmid || raw.local !== 'IdentifyResponse') throw new WSManProtocolError('not a wsmid:IdentifyResponse');
  return {
    protocolVersion: textOf(child(raw, NS.wsmid, 'ProtocolVersion')),
    productVendor: textOf(child(raw, NS.wsmid, 'ProductVendor')),
    productVersion: textOf(child(raw, NS.wsmid, 'ProductVersion')),
    securityProfiles: childrenOf(child(raw, NS.wsmid, 'SecurityProfiles'), NS.wsmid, 'SecurityProfileName').map(textOf),
    raw,
  };
}

const splitStreams = (s: string): string[] => s.split(/\s+/).filter((x) => x !== '');

/**
 * Reads a shell CreateResponse. The ShellId comes from the ResourceCreated SelectorSet (every
 * server) or from rsp:Shell/rsp:ShellId (Windows adds the full rsp:Shell; OMI and 2008-era
 * servers send only ResourceCreated, winrb open_shell_v1/omi).
 * @throws WSManProtocolError when neither carries a ShellId
 */
export function readShellCreated(resp: WSManResponse): ShellInfo {
  const created = child(resp.body, NS.wst, 'ResourceCreated');
  const shell = child(resp.body, NS.rsp, 'Shell');
  const refs = child(created, NS.wsa, 'ReferenceParameters');
  const selector = childrenOf(child(refs, NS.wsman, 'SelectorSet'), NS.wsman, 'Selector').find((s) => attr(s, 'Name') === 'ShellId');
  const shellId = textOf(child(shell, NS.rsp, 'ShellId')) || textOf(selector);
  if (!shellId) throw new WSManProtocolError(`CreateResponse carries no ShellId (action '${resp.action}')`);
  const opt = (local: string): string | undefined => textOf(child(shell, NS.rsp, local)) || undefined;
  const idle = opt('IdleTimeOut');
  return {
    shellId,
    resourceUri: opt('ResourceUri') ?? textOf(child(refs, NS.wsman, 'ResourceURI')),
    address: textOf(child(created, NS.wsa, 'Address')) || undefined,
    owner: opt('Owner'),
    clientIp: opt('ClientIP'),
    idleTimeout: idle === undefined ? undefined : parseDuration(idle),
    inputStreams: splitStreams(opt('InputStreams') ?? ''),
    outputStreams: splitStreams(opt('OutputStreams') ?? ''),
    name: opt('Name'),
  };
}

/** Reads rsp:CommandResponse/rsp:CommandId. */
export function readCommandResponse(resp: WSManResponse): string {
  const id = textOf(child(bodyChild(resp, NS.rsp, 'CommandResponse', 'Command'), NS.rsp, 'CommandId'));
  if (!id) throw new WSManProtocolError('CommandResponse carries no CommandId');
  return id;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes base64 stream content strictly (whitespace allowed, as XML pretty-printers add it).
 *
 * Fast path, for the unbroken base64 every Receive carries: Node's decoder skips any character
 * outside its alphabet and stops at `=`, so the output comes out shorter than the length says
 * exactly when something was skipped. A length check after decoding thus proves the text strict,
 * without the two regex passes over it (a 150 KB stream: those passes cost about as much as the
 * decoding). Node also takes base64url's `-` and `_`, which strict base64 refuses: their absence
 * is checked with two native scans. Anything else (whitespace, a bad character) takes the slow
 * path, which gives the same result or the same error as before.
 */
export function decodeBase64(text: string, where: string): Uint8Array {
  if (text.length % 4 === 0 && !text.includes('-') && !text.includes('_')) {
    const buf = Buffer.from(text, 'base64');
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    if (buf.byteLength === (text.length / 4) * 3 - padding) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new WSManProtocolError(`${where}: invalid base64 content`);
  const buf = Buffer.from(compact, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** 'true'/'True'/'1' are true (pypsrp writes Python's True; xs:boolean allows 1). */
export function xsBoolean(v: string | undefined): boolean {
  const t = v?.trim().toLowerCase();
  return t === 'true' || t === '1';
}

/** 'Done' for the Done URI, etc.; an unknown State URI is returned as is. */
export function commandStateName(uri: string): string {
  for (const [name, value] of Object.entries(COMMAND_STATE)) if (value === uri) return name;
  return uri;
}

/**
 * Reads a ReceiveResponse: every rsp:Stream decoded, plus rsp:CommandState when present.
 * @throws WSManProtocolError for a missing ReceiveResponse, bad base64 or a non-integer ExitCode
 */
export function readReceiveResponse(resp: WSManResponse): ReceiveResult {
  const rr = bodyChild(resp, NS.rsp, 'ReceiveResponse', 'Receive');
  const streams = childrenOf(rr, NS.rsp, 'Stream').map((s): StreamChunk => {
    const name = attr(s, 'Name') ?? '';
    const commandId = attr(s, 'CommandId');
    return {
      name,
      ...(commandId === undefined ? {} : { commandId }),
      data: decodeBase64(s.text, `stream '${name}'`),
      end: xsBoolean(attr(s, 'End')),
    };
  });
  const cs = child(rr, NS.rsp, 'CommandState');
  if (!cs) return { streams };
  const exitText = textOf(child(cs, NS.rsp, 'ExitCode'));
  if (exitText !== '' && !/^-?\d+$/.test(exitText)) throw new WSManProtocolError(`invalid ExitCode '${exitText.slice(0, 20)}'`);
  const commandId = attr(cs, 'CommandId');
  return {
    streams,
    commandState: {
      ...(commandId === undefined ? {} : { commandId }),
      state: commandStateName((attr(cs, 'State') ?? '').trim()),
      ...(exitText === '' ? {} : { exitCode: Number(exitText) }),
    },
  };
}

function readEnumeration(resp: WSManResponse, local: 'EnumerateResponse' | 'PullResponse'): EnumerationResult {
  const er = bodyChild(resp, NS.wsen, local, local.replace('Response', ''));
  // Optimized enumeration puts items in w:Items (DSP0226 §8.7); Pull uses wsen:Items.
  const items = child(er, NS.wsman, 'Items') ?? child(er, NS.wsen, 'Items');
  const ctx = child(er, NS.wsen, 'EnumerationContext');
  const end = child(er, NS.wsman, 'EndOfSequence') ?? child(er, NS.wsen, 'EndOfSequence');
  const context = ctx ? textOf(ctx) : undefined;
  return {
    ...(context ? { enumerationContext: context } : {}),
    items: items?.children ?? [],
    endOfSequence: end !== undefined,
  };
}

/** Reads wsen:EnumerateResponse (with optimized-enumeration items, if any). */
export function readEnumerateResponse(resp: WSManResponse): EnumerationResult {
  return readEnumeration(resp, 'EnumerateResponse');
}

/** Reads wsen:PullResponse. */
export function readPullResponse(resp: WSManResponse): EnumerationResult {
  return readEnumeration(resp, 'PullResponse');
}

/**
 * Reads a GetResponse: the resource representation is the body's first element.
 * @throws WSManProtocolError for an empty body
 */
export function readGetResponse(resp: WSManResponse): XmlElement {
  const first = resp.body.children[0];
  if (!first) throw new WSManProtocolError(`GetResponse has an empty Body (action '${resp.action}')`);
  return first;
}
