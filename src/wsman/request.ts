/**
 * Server side: reading the requests a WS-Management client sends (our loopback `tsremote serve`).
 *
 * parseRequest reads the addressing / WS-Management headers into plain values (DSP0226 §6,
 * MS-WSMV §3.1.4.1); each read*Request reads one operation's body. Anything the client got wrong
 * is a WSManProtocolError, which the server answers with a fault (FAULTS.invalidHeader,
 * FAULTS.schemaValidation …). Matching is by namespace, so pypsrp's `wsa:`/`wsman:`, winrmsharp's
 * `env:`/`a:`/`w:` and pywinrm's prefixes all read the same.
 */
import { WSManProtocolError } from './errors.js';
import { parseDuration } from './duration.js';
import { NS, WQL_DIALECT } from './namespaces.js';
import { decodeBase64, soapParts, xsBoolean } from './response.js';
import { attr, child, childrenOf, parseXml, textOf, type XmlElement, type XmlLimits } from './xml.js';

/**
 * Identify has no wsa:Action (DSP0226 §11); parseRequest reports this synthetic one for it.
 */
export const IDENTIFY_ACTION = 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd/Identify';

/** A parsed request envelope. */
export interface WSManRequest {
  action: string;
  to?: string;
  /** wsa:MessageID ('' only for Identify, which has none). */
  messageId: string;
  resourceUri?: string;
  sessionId?: string;
  selectors: Record<string, string>;
  options: Record<string, string>;
  operationTimeoutMs?: number;
  maxEnvelopeSize?: number;
  locale?: string;
  dataLocale?: string;
  /**
   * p:OperationID of a robust-connection client (MS-WSMV 3.1.4.1.39): the id of the logical
   * operation, and whether it was marked mustUnderstand (true = a retransmission).
   */
  operationId?: { id: string; mustUnderstand: boolean };
  body: XmlElement;
  header: XmlElement;
}

/** Body of a shell Create. */
export interface ShellCreateRequest {
  inputStreams: string[];
  outputStreams: string[];
  environment: Record<string, string>;
  /** The same variables in document order. */
  environmentPairs: [string, string][];
  workingDirectory?: string;
  noProfile?: boolean;
  codepage?: number;
  idleTimeoutSec?: number;
  lifetimeSec?: number;
  /** base64 PSRP opening fragments. */
  creationXml?: string;
  name?: string;
  /** The ShellId attribute a PSRP client proposes. */
  shellId?: string;
}

/** Body of a Command. */
export interface CommandRequest {
  command: string;
  arguments: string[];
  commandId?: string;
  skipCmdShell?: boolean;
  consoleModeStdin?: boolean;
}

/** Body of a Send. */
export interface SendRequest {
  streams: { name: string; commandId?: string; end: boolean; data: Uint8Array }[];
}

/** Body of a Receive. */
export interface ReceiveRequest {
  commandId?: string;
  streams: string[];
  /** PSRP's SequenceId attribute on rsp:Receive, when present. */
  sequenceId?: number;
  keepAlive?: boolean;
}

/** Body of a Signal. */
export interface SignalRequest {
  commandId?: string;
  code: string;
}

/** Body of an Enumerate. */
export interface EnumerateRequest {
  optimize: boolean;
  maxElements?: number;
  /** `query` is the filter text; `selectors` is set for the SelectorFilter dialect. */
  filter?: { dialect: string; query: string; selectors?: Record<string, string> };
  mode?: string;
}

/** Body of a Pull. */
export interface PullRequest {
  enumerationContext: string;
  maxElements?: number;
}

function optionalText(el: XmlElement | undefined): string | undefined {
  return el ? textOf(el) : undefined;
}

function positiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new WSManProtocolError(`${what} is not a non-negative integer: '${text.slice(0, 30)}'`);
  return Number(text);
}

function nameValueMap(set: XmlElement | undefined, local: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of childrenOf(set, NS.wsman, local)) {
    const name = attr(e, 'Name');
    if (name === undefined) throw new WSManProtocolError(`wsman:${local} without a Name attribute`);
    out[name] = textOf(e);
  }
  return out;
}

/**
 * Parses a request envelope.
 * @throws XmlParseError for malformed or over-limit XML
 * @throws WSManProtocolError for a missing Action or MessageID, a bad OperationTimeout or
 *   MaxEnvelopeSize, or a non-SOAP-1.2 envelope
 */
export function parseRequest(xml: string, limits?: XmlLimits): WSManRequest {
  const root = parseXml(xml, limits);
  const { header, body } = soapParts(root);
  const h = (ns: string, local: string): XmlElement | undefined => child(header, ns, local);
  let action = optionalText(h(NS.wsa, 'Action'));
  const messageId = textOf(h(NS.wsa, 'MessageID'));
  if (!action) {
    if (child(body, NS.wsmid, 'Identify')) action = IDENTIFY_ACTION;
    else throw new WSManProtocolError('request has no wsa:Action header');
  }
  if (!messageId && action !== IDENTIFY_ACTION) throw new WSManProtocolError('request has no wsa:MessageID header');

  const timeout = optionalText(h(NS.wsman, 'OperationTimeout'));
  const maxEnv = optionalText(h(NS.wsman, 'MaxEnvelopeSize'));
  const req: WSManRequest = {
    action,
    messageId,
    selectors: nameValueMap(h(NS.wsman, 'SelectorSet'), 'Selector'),
    options: nameValueMap(h(NS.wsman, 'OptionSet'), 'Option'),
    body,
    header,
  };
  const to = optionalText(h(NS.wsa, 'To'));
  if (to !== undefined) req.to = to;
  const resourceUri = optionalText(h(NS.wsman, 'ResourceURI'));
  if (resourceUri !== undefined) req.resourceUri = resourceUri;
  const sessionId = optionalText(h(NS.wsmv, 'SessionId'));
  if (sessionId !== undefined) req.sessionId = sessionId;
  if (timeout !== undefined) req.operationTimeoutMs = Math.round(parseDuration(timeout) * 1000);
  if (maxEnv !== undefined) req.maxEnvelopeSize = positiveInt(maxEnv, 'MaxEnvelopeSize');
  const locale = attr(h(NS.wsman, 'Locale'), 'lang', NS.xml);
  if (locale !== undefined) req.locale = locale;
  const dataLocale = attr(h(NS.wsmv, 'DataLocale'), 'lang', NS.xml);
  if (dataLocale !== undefined) req.dataLocale = dataLocale;
  const operation = h(NS.wsmv, 'OperationID');
  const operationId = textOf(operation);
  if (operationId !== '') {
    const must = (attr(operation, 'mustUnderstand', NS.s) ?? 'false').trim().toLowerCase();
    req.operationId = { id: operationId, mustUnderstand: must === 'true' || must === '1' };
  }
  return req;
}

function bodyElement(req: WSManRequest, local: string): XmlElement {
  const el = child(req.body, NS.rsp, local);
  if (!el) throw new WSManProtocolError(`the request Body has no rsp:${local} element (action '${req.action}')`);
  return el;
}

const splitStreams = (s: string): string[] => s.split(/\s+/).filter((x) => x !== '');

/** Reads the rsp:Shell body of a shell Create (and the WINRS_* options of its header). */
export function readShellCreateRequest(req: WSManRequest): ShellCreateRequest {
  const shell = bodyElement(req, 'Shell');
  const text = (local: string): string | undefined => optionalText(child(shell, NS.rsp, local));
  const environment: Record<string, string> = {};
  const environmentPairs: [string, string][] = [];
  for (const v of childrenOf(child(shell, NS.rsp, 'Environment'), NS.rsp, 'Variable')) {
    const name = attr(v, 'Name');
    if (name === undefined) throw new WSManProtocolError('rsp:Variable without a Name attribute');
    environment[name] = v.text;
    environmentPairs.push([name, v.text]);
  }
  const out: ShellCreateRequest = {
    inputStreams: splitStreams(text('InputStreams') ?? ''),
    outputStreams: splitStreams(text('OutputStreams') ?? ''),
    environment,
    environmentPairs,
  };
  const wd = text('WorkingDirectory');
  if (wd !== undefined) out.workingDirectory = wd;
  const idle = text('IdleTimeOut');
  if (idle !== undefined) out.idleTimeoutSec = parseDuration(idle);
  const lifetime = text('Lifetime');
  if (lifetime !== undefined) out.lifetimeSec = parseDuration(lifetime);
  const name = text('Name');
  if (name !== undefined) out.name = name;
  const shellId = attr(shell, 'ShellId');
  if (shellId !== undefined) out.shellId = shellId;
  const creation = shell.children.find((c) => c.local === 'creationXml');
  if (creation) out.creationXml = textOf(creation);
  const noProfile = req.options.WINRS_NOPROFILE;
  if (noProfile !== undefined) out.noProfile = xsBoolean(noProfile);
  const codepage = req.options.WINRS_CODEPAGE;
  if (codepage !== undefined) out.codepage = positiveInt(codepage, 'WINRS_CODEPAGE');
  return out;
}

/** Reads rsp:CommandLine. Command and argument texts are kept verbatim (not trimmed). */
export function readCommandRequest(req: WSManRequest): CommandRequest {
  const cl = bodyElement(req, 'CommandLine');
  const out: CommandRequest = {
    command: child(cl, NS.rsp, 'Command')?.text ?? '',
    arguments: childrenOf(cl, NS.rsp, 'Arguments').map((a) => a.text),
  };
  const id = attr(cl, 'CommandId');
  if (id !== undefined) out.commandId = id;
  const skip = req.options.WINRS_SKIP_CMD_SHELL;
  if (skip !== undefined) out.skipCmdShell = xsBoolean(skip);
  const console = req.options.WINRS_CONSOLEMODE_STDIN;
  if (console !== undefined) out.consoleModeStdin = xsBoolean(console);
  return out;
}

/** Reads rsp:Send: each rsp:Stream with its bytes decoded. */
export function readSendRequest(req: WSManRequest): SendRequest {
  const send = bodyElement(req, 'Send');
  return {
    streams: childrenOf(send, NS.rsp, 'Stream').map((s) => {
      const name = attr(s, 'Name') ?? '';
      const commandId = attr(s, 'CommandId');
      return {
        name,
        ...(commandId === undefined ? {} : { commandId }),
        end: xsBoolean(attr(s, 'End')),
        data: decodeBase64(s.text, `stream '${name}'`),
      };
    }),
  };
}

/** Reads rsp:Receive/rsp:DesiredStream. */
export function readReceiveRequest(req: WSManRequest): ReceiveRequest {
  const r = bodyElement(req, 'Receive');
  const ds = child(r, NS.rsp, 'DesiredStream');
  const out: ReceiveRequest = { streams: splitStreams(textOf(ds)) };
  const id = attr(ds, 'CommandId');
  if (id !== undefined) out.commandId = id;
  const seq = attr(r, 'SequenceId');
  if (seq !== undefined) out.sequenceId = positiveInt(seq.trim(), 'SequenceId');
  const keep = req.options.WSMAN_CMDSHELL_OPTION_KEEPALIVE;
  if (keep !== undefined) out.keepAlive = xsBoolean(keep);
  return out;
}

/**
 * Reads rsp:Disconnect (MS-WSMV §3.1.4.16): its optional rsp:IdleTimeOut, which replaces the
 * Create's for the disconnected shell (WSMAN_SHELL_DISCONNECT_INFO.idleTimeoutMs).
 */
export function readDisconnectRequest(req: WSManRequest): { idleTimeoutSec?: number } {
  const d = child(req.body, NS.rsp, 'Disconnect');
  const idle = optionalText(child(d, NS.rsp, 'IdleTimeOut'));
  return idle === undefined ? {} : { idleTimeoutSec: parseDuration(idle) };
}

/** Reads rsp:Signal. */
export function readSignalRequest(req: WSManRequest): SignalRequest {
  const s = bodyElement(req, 'Signal');
  const code = textOf(child(s, NS.rsp, 'Code'));
  if (!code) throw new WSManProtocolError('rsp:Signal without a Code');
  const id = attr(s, 'CommandId');
  return id === undefined ? { code } : { commandId: id, code };
}

/** Reads wsen:Enumerate. */
export function readEnumerateRequest(req: WSManRequest): EnumerateRequest {
  const e = child(req.body, NS.wsen, 'Enumerate');
  if (!e) throw new WSManProtocolError('the request Body has no wsen:Enumerate element');
  const out: EnumerateRequest = { optimize: child(e, NS.wsman, 'OptimizeEnumeration') !== undefined };
  const max = optionalText(child(e, NS.wsman, 'MaxElements'));
  if (max !== undefined) out.maxElements = positiveInt(max, 'MaxElements');
  const filter = child(e, NS.wsman, 'Filter');
  if (filter) {
    out.filter = { dialect: attr(filter, 'Dialect') ?? WQL_DIALECT, query: textOf(filter) };
    const set = child(filter, NS.wsman, 'SelectorSet');
    if (set) out.filter.selectors = nameValueMap(set, 'Selector');
  }
  const mode = optionalText(child(e, NS.wsman, 'EnumerationMode'));
  if (mode !== undefined) out.mode = mode;
  return out;
}

/** Reads wsen:Pull. */
export function readPullRequest(req: WSManRequest): PullRequest {
  const p = child(req.body, NS.wsen, 'Pull');
  if (!p) throw new WSManProtocolError('the request Body has no wsen:Pull element');
  const out: PullRequest = { enumerationContext: textOf(child(p, NS.wsen, 'EnumerationContext')) };
  const max = optionalText(child(p, NS.wsen, 'MaxElements'));
  if (max !== undefined) out.maxElements = positiveInt(max, 'MaxElements');
  return out;
}

/** Reads wsen:Release (WS-Enumeration §3.3): the context to end. */
export function readReleaseRequest(req: WSManRequest): { enumerationContext: string } {
  const r = child(req.body, NS.wsen, 'Release');
  if (!r) throw new WSManProtocolError('the request Body has no wsen:Release element');
  return { enumerationContext: textOf(child(r, NS.wsen, 'EnumerationContext')) };
}
