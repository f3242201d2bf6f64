/**
 * Which failures count as "response lost" or "never sent", and what WSManClient does with a lost
 * response (issue 7 contract 2), through a fake transport: no network, every request recorded.
 */
import { describe, expect, it } from 'vitest';
import { TsrError } from '../../src/errors.js';
import {
  AbortedError, ConnectError, ContentTypeError, HttpStatusError, ResponseTooLargeError, TimeoutError, TlsError,
  isResponseLost, neverSent,
} from '../../src/transport/index.js';
import { classifyError } from '../../src/transport/classify.js';
import { MAX_RETRANSMISSIONS, WSManClient, type Poster, type PostOptions } from '../../src/session/wsman-client.js';
import { OutputLostError } from '../../src/session/errors.js';
import { NS, XmlParseError, WSManFault, buildCommand, buildGet, buildReceive, buildShellCreate, defaultContext, parseFault } from '../../src/wsman/index.js';

const ctx = { host: 'h1', address: 'h1:5985', connectTimeoutMs: 1000, readTimeoutMs: 2000, maxResponseBytes: 1024 };
const nodeError = (code: string): Error => Object.assign(new Error(code), { code });

describe('classification', () => {
  it.each([
    ['ECONNREFUSED', true],
    ['ETSR_HTTP_CONNECT_TIMEOUT', true],
    ['EAI_AGAIN', true],
    ['ENOTFOUND', false],
    ['ECONNRESET', false],
    ['ETSR_HTTP_CLOSED', false],
    ['ETSR_HTTP_READ_TIMEOUT', false],
  ])('%s: never sent = %s', (code, expected) => {
    expect(neverSent(classifyError(nodeError(code), ctx))).toBe(expected);
  });

  it.each([
    ['ECONNRESET', true],
    ['EPIPE', true],
    ['ETSR_HTTP_CLOSED', true],
    ['ETSR_HTTP_READ_TIMEOUT', true],
    ['ECONNREFUSED', false],
    ['ETSR_HTTP_CONNECT_TIMEOUT', false],
    ['ETSR_HTTP_TOO_LARGE', false],
    ['ETSR_HTTP_PROTOCOL', false],
    ['CERT_HAS_EXPIRED', false],
  ])('%s: response lost = %s', (code, expected) => {
    expect(isResponseLost(classifyError(nodeError(code), ctx))).toBe(expected);
  });

  it('counts a body that is not XML and a non-SOAP content type as lost, but not faults, 5xx, size or TLS errors', () => {
    expect(isResponseLost(new XmlParseError('ETSR_XML_MALFORMED', 'unclosed tag'))).toBe(true);
    expect(isResponseLost(new ContentTypeError('text/html'))).toBe(true);
    expect(isResponseLost(new XmlParseError('ETSR_XML_LIMIT', 'too deep'))).toBe(false);
    expect(isResponseLost(new HttpStatusError(502, 'HTTP 502'))).toBe(false);
    expect(isResponseLost(new ResponseTooLargeError(10))).toBe(false);
    expect(isResponseLost(new TlsError('bad cert'))).toBe(false);
    expect(isResponseLost(new AbortedError())).toBe(false);
    expect(isResponseLost(new TimeoutError('connect', 1000))).toBe(false);
    expect(isResponseLost(new Error('plain'))).toBe(false);
  });

  it('words the content-type error for a user behind a proxy', () => {
    expect(new ContentTypeError('text/html', { host: 'web1' }).message).toBe('answered with text/html, not SOAP — a proxy?');
  });
});

/** A scripted transport: each post takes the next step (a body to return or an error to throw). */
class ScriptedPoster implements Poster {
  readonly sent: string[] = [];
  readonly #steps: (string | Error)[];
  constructor(steps: (string | Error)[]) {
    this.#steps = steps;
  }
  async post(xml: string, _opts?: PostOptions): Promise<string> {
    this.sent.push(xml);
    const step = this.#steps.shift();
    if (step === undefined) throw new Error('unexpected extra request');
    if (step instanceof Error) throw step;
    return step;
  }
  async close(): Promise<void> {}
}

const reset = (): ConnectError => new ConnectError('reset', 'connection reset');
const envelope = (operationId: string | undefined, body: string): string =>
  `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.wsa}" xmlns:p="${NS.wsmv}" xmlns:rsp="${NS.rsp}"><s:Header><a:Action>x</a:Action>` +
  (operationId ? `<p:OperationID s:mustUnderstand="false">${operationId}</p:OperationID><p:SequenceId>1</p:SequenceId>` : '') +
  `</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
const created = (op: string | undefined): string => envelope(op, '<rsp:Shell><rsp:ShellId>S1</rsp:ShellId></rsp:Shell>');
const received = (op: string | undefined): string => envelope(op, '<rsp:ReceiveResponse></rsp:ReceiveResponse>');
const opIds = (xml: string): string => /<wsmv:OperationID s:mustUnderstand="(\w+)">([^<]+)</.exec(xml)?.slice(1).join(' ') ?? '';
const messageIdOf = (xml: string): string => /<wsa:MessageID>([^<]+)</.exec(xml)?.[1] ?? '';
const wsctx = defaultContext('http://h1:5985/wsman', { operationIds: true });

describe('WSManClient retransmission', () => {
  it('resends a Create whose response was lost with the same OperationID, mustUnderstand="true", a new MessageID', async () => {
    const create = buildShellCreate(wsctx);
    const poster = new ScriptedPoster([reset(), created(create.operationId)]);
    const client = new WSManClient('h1', poster, wsctx);
    await client.send(create, { retransmit: 'create' });
    expect(poster.sent.map(opIds)).toEqual([`false ${create.operationId}`, `true ${create.operationId}`]);
    expect(messageIdOf(poster.sent[1]!)).not.toBe(messageIdOf(poster.sent[0]!));
    expect(client.retransmissions).toBe(1);
    expect(client.robust).toBe(true);
  });

  it('resends a Create even to a server that has not shown robust support', async () => {
    const create = buildShellCreate(wsctx);
    const poster = new ScriptedPoster([new XmlParseError('ETSR_XML_MALFORMED', 'cut'), created(undefined)]);
    const client = new WSManClient('h1', poster, wsctx);
    await client.send(create, { retransmit: 'create' });
    expect(poster.sent).toHaveLength(2);
    expect(client.robust).toBe(false);
  });

  it('recovers a lost Receive once the server has echoed an OperationID', async () => {
    const create = buildShellCreate(wsctx);
    const receive = buildReceive(wsctx, 'S1', { commandId: 'C1' });
    const poster = new ScriptedPoster([created(create.operationId), new TimeoutError('read', 2000), reset(), received(receive.operationId)]);
    const client = new WSManClient('h1', poster, wsctx);
    await client.send(create, { retransmit: 'create' });
    await client.send(receive, { retransmit: 'receive' });
    expect(poster.sent.slice(1).map(opIds)).toEqual([`false ${receive.operationId}`, `true ${receive.operationId}`, `true ${receive.operationId}`]);
  });

  it('fails a lost Receive with ETSR_OUTPUT_LOST naming the host when the server never echoed an id (never repeated)', async () => {
    const receive = buildReceive(wsctx, 'S1', { commandId: 'C1' });
    const poster = new ScriptedPoster([reset()]);
    const client = new WSManClient('web1', poster, wsctx);
    const err = await client.send(receive, { retransmit: 'receive' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLostError);
    expect(err).toMatchObject({ code: 'ETSR_OUTPUT_LOST', host: 'web1' });
    expect((err as Error).message).toMatch(/^output may be incomplete/);
    expect(poster.sent).toHaveLength(1);
  });

  it(`gives up after ${MAX_RETRANSMISSIONS} retransmissions`, async () => {
    const create = buildShellCreate(wsctx);
    const receive = buildReceive(wsctx, 'S1');
    const poster = new ScriptedPoster([created(create.operationId), reset(), reset(), reset(), reset()]);
    const client = new WSManClient('h1', poster, wsctx);
    await client.send(create, { retransmit: 'create' });
    const err = await client.send(receive, { retransmit: 'receive' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLostError);
    expect((err as Error).message).toMatch(/after 3 retransmissions/);
    expect(poster.sent).toHaveLength(1 + 1 + MAX_RETRANSMISSIONS);
  });

  it('never resends a Command, nor a request without the option, nor after a fault', async () => {
    const command = buildCommand(wsctx, 'S1', { command: 'x' });
    const poster = new ScriptedPoster([reset()]);
    const client = new WSManClient('h1', poster, wsctx);
    await expect(client.send(command)).rejects.toBeInstanceOf(ConnectError);
    expect(poster.sent).toHaveLength(1);

    const fault = parseFault(
      `<s:Envelope xmlns:s="${NS.s}" xmlns:w="${NS.wsman}"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">boom</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`,
    );
    expect(fault).toBeInstanceOf(WSManFault);
    const faulty = new ScriptedPoster([fault!]);
    await expect(new WSManClient('h1', faulty, wsctx).send(buildShellCreate(wsctx), { retransmit: 'create' })).rejects.toBeInstanceOf(WSManFault);
    expect(faulty.sent).toHaveLength(1);
  });

  it('does not retransmit once the caller aborted', async () => {
    const controller = new AbortController();
    const poster = new ScriptedPoster([reset()]);
    controller.abort();
    const client = new WSManClient('h1', poster, wsctx);
    await expect(client.send(buildShellCreate(wsctx), { retransmit: 'create', signal: controller.signal })).rejects.toBeInstanceOf(TsrError);
    expect(poster.sent).toHaveLength(1);
  });

  it('ignores a request without an OperationID (Get) even with the option', async () => {
    const poster = new ScriptedPoster([reset()]);
    const client = new WSManClient('h1', poster, wsctx);
    await expect(client.send(buildGet(wsctx, 'http://x/y'), { retransmit: 'create' })).rejects.toBeInstanceOf(ConnectError);
    expect(poster.sent).toHaveLength(1);
  });
});
