/**
 * Replaying recorded WinRM conversations (pypsrp responses/*.yml) against our client.
 *
 * - `loadConversation` reads a file into exchanges (request, response, WS-Man action, ids).
 * - `compareRequest` compares one request we built with the recorded one STRUCTURALLY: same
 *   elements, attributes and texts, prefixes and whitespace ignored; only wsa:MessageID is ignored
 *   outright (the replay reuses the recording's To, SessionId, ShellId and — byte-swapped, see
 *   `swapGuid` — CommandIds). The PSRP payloads (creationXml, connectXml, Arguments, Send/Stream)
 *   are not compared as base64 text: `PayloadLog` reassembles both sides' fragments and compares
 *   the decoded messages (type, destination, CLIXML tree), ignoring RPID/PID.
 *
 * Why swapGuid: pypsrp writes the RPID/PID of each PSRP message in RFC byte order, .NET writes
 * Guid.ToByteArray() order, and Windows echoes what the client used. To route the recorded server
 * messages to our pipelines, each pipeline we create gets the id whose .NET bytes equal pypsrp's
 * RFC bytes: swapGuid(recorded CommandId). The recorded requests are rewritten the same way before
 * comparing, so the CommandId attributes are still compared exactly.
 */
import { readFileSync } from 'node:fs';
import { parseXml, type XmlElement } from '../../src/wsman/index.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeFragments } from '../../src/psrp/fragment.js';
import { decodeMessage } from '../../src/psrp/message.js';
import { MessageType } from '../../src/psrp/constants.js';
import { parse as parseYaml } from 'yaml';
import { diffXml, type CompareOptions } from './xml-compare.js';

const NS_WSA = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
const NS_WSMAN = 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd';
const NS_RSP = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const NS_PS = 'http://schemas.microsoft.com/powershell';

/** One recorded request/response pair. */
export interface Exchange {
  index: number;
  request: string;
  response: string;
  /** Last segment of the request's wsa:Action (Create, Receive, Send …). */
  action: string;
  /** ShellId selector, or the rsp:Shell ShellId attribute of a Create ('' when none). */
  shellId: string;
  /** The CommandId the request addresses, if any. */
  commandId?: string;
  /** The response is a SOAP fault (w:TimedOut …). */
  fault: boolean;
  /** The recording marks an HTTP 500 carrying the fault. */
  transportError: boolean;
}

const attrOf = (el: XmlElement | undefined, local: string): string | undefined => el?.attrs.find((a) => a.local === local)?.value;
const find = (el: XmlElement | undefined, local: string): XmlElement | undefined => {
  if (el === undefined) return undefined;
  if (el.local === local) return el;
  for (const c of el.children) {
    const f = find(c, local);
    if (f !== undefined) return f;
  }
  return undefined;
};
const findAll = (el: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] => {
  if (el.local === local) out.push(el);
  for (const c of el.children) findAll(c, local, out);
  return out;
};

/** The exchanges of one pypsrp responses/*.yml file. */
export function loadConversation(file: string): Exchange[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { messages: Record<string, unknown>[] };
  return doc.messages.map((m, index) => {
    const request = String(m.request);
    const response = String(m.response ?? '');
    const root = parseXml(request);
    const action = (find(root, 'Action')?.text.trim() ?? '').split('/').pop() ?? '';
    const selector = findAll(root, 'Selector').find((s) => attrOf(s, 'Name') === 'ShellId');
    const shellId = selector?.text.trim() ?? attrOf(find(root, 'Shell'), 'ShellId') ?? '';
    const cmdEl = find(root, 'CommandLine') ?? find(root, 'DesiredStream') ?? find(root, 'Signal') ?? find(root, 'Connect') ?? find(root, 'Stream');
    const commandId = attrOf(cmdEl, 'CommandId');
    return {
      index, request, response, action, shellId, fault: /<s:Fault>/.test(response), transportError: m.transport_error !== undefined,
      ...(commandId === undefined ? {} : { commandId }),
    };
  });
}

/** The GUID whose .NET byte order (Guid.ToByteArray) equals `guid`'s RFC byte order. */
export function swapGuid(guid: string): string {
  const h = guid.replace(/-/g, '').toUpperCase();
  const rev = (s: string): string => s.match(/../g)?.reverse().join('') ?? '';
  const x = rev(h.slice(0, 8)) + rev(h.slice(8, 12)) + rev(h.slice(12, 16)) + h.slice(16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Replaces each id in `map` (recorded -> ours) in `xml`. */
export function rewriteIds(xml: string, map: ReadonlyMap<string, string>): string {
  let out = xml;
  for (const [from, to] of map) out = out.split(from).join(to);
  return out;
}

/** Elements whose text is a base64 PSRP payload. */
const isPayload = (el: XmlElement): boolean =>
  (el.ns === NS_PS && (el.local === 'creationXml' || el.local === 'connectXml')) ||
  (el.ns === NS_RSP && (el.local === 'Arguments' || el.local === 'Stream'));

/** The base64-decoded PSRP payloads of a request, in document order. */
export function payloadsOf(xml: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (el: XmlElement): void => {
    if (isPayload(el) && el.text.trim() !== '') out.push(new Uint8Array(Buffer.from(el.text.trim(), 'base64')));
    el.children.forEach(walk);
  };
  walk(parseXml(xml));
  return out;
}

/** Lower-cases booleans: pypsrp writes Python's True/False, we write TRUE/FALSE (xs:boolean allows both cases on Windows). */
const normalize = (value: string): string => (/^(true|false)$/i.test(value) ? value.toLowerCase() : value);

const WSMAN_COMPARE: CompareOptions = {
  ignoreText: (el) => (el.ns === NS_WSA && el.local === 'MessageID') || isPayload(el),
  normalize,
};

/** Structural differences between our request and the recorded one (payload texts excluded). */
export function compareRequest(ours: string, recorded: string): string[] {
  return diffXml(parseXml(ours), parseXml(recorded), WSMAN_COMPARE);
}

/** One reassembled client->server PSRP message, for comparison. */
export interface LoggedMessage {
  type: string;
  destination: number;
  data: string;
}

/** Fragment layout of a payload: "o3f0S:1234 o3f1E:99" (ObjectId, FragmentId, flags, blob length). */
export function fragmentLayout(payload: Uint8Array): string {
  return decodeFragments(payload)
    .map((f) => `o${f.objectId}f${f.fragmentId}${f.start ? 'S' : ''}${f.end ? 'E' : ''}:${f.blob.length}`)
    .join(' ');
}

/** Reassembles one side's client->server payloads into messages. */
export class PayloadLog {
  readonly #defrag = new Defragmenter();
  readonly messages: LoggedMessage[] = [];

  /** Adds a request's payloads; returns the messages they completed. */
  add(payloads: Uint8Array[]): LoggedMessage[] {
    const done: LoggedMessage[] = [];
    for (const p of payloads) {
      for (const bytes of this.#defrag.add(p)) {
        const m = decodeMessage(bytes);
        done.push({ type: MessageType[m.type] ?? String(m.type), destination: m.destination, data: m.data });
      }
    }
    this.messages.push(...done);
    return done;
  }
}

/** Options for comparing CLIXML message bodies. */
export interface ClixmlCompareOptions {
  /** Property names (N="…") whose text is not compared, e.g. PublicKey with a random key. */
  ignoreProperties?: readonly string[];
}

/**
 * Differences between two CLIXML bodies: elements, attributes and texts, except RefId (an id: the
 * numbering of shared objects and type names is the serializer's choice), and the order of
 * properties inside <MS> / <Props> (a property bag: PowerShell's own order differs from pypsrp's).
 */
export function compareClixml(ours: string, recorded: string, opts: ClixmlCompareOptions = {}): string[] {
  if (ours === '' || recorded === '') return ours === recorded ? [] : [`body '${ours.slice(0, 40)}' != '${recorded.slice(0, 40)}'`];
  const ignored = new Set(opts.ignoreProperties ?? []);
  return diffXml(sortProperties(parseXml(ours)), sortProperties(parseXml(recorded)), {
    ignoreText: (el) => ignored.has(attrOf(el, 'N') ?? ''),
    ignoreAttr: (_el, a) => a.local === 'RefId',
  });
}

/** A copy with the children of every <MS> / <Props> sorted by property name (N). */
function sortProperties(el: XmlElement): XmlElement {
  const children = el.children.map(sortProperties);
  if (el.local === 'MS' || el.local === 'Props') {
    children.sort((a, b) => (attrOf(a, 'N') ?? '').localeCompare(attrOf(b, 'N') ?? '') || a.local.localeCompare(b.local));
  }
  return { ...el, children };
}

/** Differences between the messages two sides completed in one request. */
export function compareMessages(ours: LoggedMessage[], recorded: LoggedMessage[], opts: ClixmlCompareOptions = {}): string[] {
  const out: string[] = [];
  const a = ours.map((m) => m.type).join(',');
  const b = recorded.map((m) => m.type).join(',');
  if (a !== b) return [`messages [${a}] != [${b}]`];
  ours.forEach((m, i) => {
    const r = recorded[i] as LoggedMessage;
    if (m.destination !== r.destination) out.push(`${m.type}: destination ${m.destination} != ${r.destination}`);
    for (const d of compareClixml(m.data, r.data, opts)) out.push(`${m.type}${d}`);
  });
  return out;
}

/** The protocol element names of a request body, for messages: e.g. "Send(stdin)". */
export function describeRequest(xml: string): string {
  const root = parseXml(xml);
  const action = (find(root, 'Action')?.text.trim() ?? '').split('/').pop() ?? '?';
  const stream = attrOf(find(root, 'Stream'), 'Name');
  return stream === undefined ? action : `${action}(${stream})`;
}

export { NS_WSMAN };
