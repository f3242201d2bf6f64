/**
 * Robust-connection headers (MS-WSMV 3.1.4.1.39; issue 7 contract 2): every shell request carries a
 * fresh p:OperationID, a retransmission repeats it with mustUnderstand="true" and a new MessageID,
 * and the id a response echoes is read back.
 */
import { describe, expect, it } from 'vitest';
import {
  NS, buildCommand, buildGet, buildReceive, buildSend, buildShellCreate, buildShellDelete, buildSignal, defaultContext,
  parseResponse, parseXml, child, textOf, attr,
} from '../../src/wsman/index.js';
import { asRetransmission, echoedOperationId } from '../../src/wsman/robust.js';

const ctx = defaultContext('http://h:5985/wsman', { operationIds: true });

function header(xml: string): { operationId: string; mustUnderstand: string | undefined; messageId: string } {
  const env = parseXml(xml);
  const h = child(env, NS.s, 'Header');
  const op = child(h, NS.wsmv, 'OperationID');
  return { operationId: textOf(op), mustUnderstand: attr(op, 'mustUnderstand', NS.s), messageId: textOf(child(h, NS.wsa, 'MessageID')) };
}

describe('OperationID on shell requests', () => {
  const shellRequests = {
    create: buildShellCreate(ctx),
    command: buildCommand(ctx, 'S1', { command: 'echo' }),
    send: buildSend(ctx, 'S1', { commandId: 'C1', data: new Uint8Array([1]) }),
    receive: buildReceive(ctx, 'S1', { commandId: 'C1' }),
    signal: buildSignal(ctx, 'S1', { commandId: 'C1', code: 'x' }),
    delete: buildShellDelete(ctx, 'S1'),
  };

  it.each(Object.entries(shellRequests))('%s carries a fresh OperationID with mustUnderstand="false"', (_op, req) => {
    const h = header(req.xml);
    expect(h.operationId).toMatch(/^uuid:[0-9A-F-]{36}$/);
    expect(h.operationId).toBe(req.operationId);
    expect(h.mustUnderstand).toBe('false');
  });

  it('gives each operation its own id', () => {
    const ids = new Set(Object.values(shellRequests).map((r) => r.operationId));
    expect(ids.size).toBe(6);
  });

  it('is left out unless the context asks for OperationIDs (requests then match pypsrp recordings exactly)', () => {
    const plain = buildReceive(defaultContext('http://h:5985/wsman'), 'S1');
    expect(plain.operationId).toBeUndefined();
    expect(plain.xml).not.toContain('OperationID');
  });

  it('leaves non-shell requests (Get) without one', () => {
    const get = buildGet(ctx, 'http://schemas.microsoft.com/wbem/wsman/1/config');
    expect(get.operationId).toBeUndefined();
    expect(get.xml).not.toContain('OperationID');
  });
});

describe('asRetransmission', () => {
  it('repeats the same OperationID with mustUnderstand="true" under a new MessageID, the rest unchanged', () => {
    const first = buildReceive(ctx, 'S1', { commandId: 'C1' });
    const again = asRetransmission(first);
    const h = header(again.xml);
    expect(h.operationId).toBe(first.operationId);
    expect(h.mustUnderstand).toBe('true');
    expect(h.messageId).toBe(again.messageId);
    expect(again.messageId).not.toBe(first.messageId);
    const strip = (x: string): string => x.replace(/uuid:[0-9A-F-]{36}/g, 'ID').replace('mustUnderstand="true">ID</wsmv:OperationID', 'mustUnderstand="false">ID</wsmv:OperationID');
    expect(strip(again.xml)).toBe(strip(first.xml));
  });

  it('a second retransmission is again mustUnderstand="true" with yet another MessageID', () => {
    const first = buildShellCreate(ctx);
    const a = asRetransmission(first);
    const b = asRetransmission(first);
    expect(new Set([first.messageId, a.messageId, b.messageId]).size).toBe(3);
    expect(header(b.xml).mustUnderstand).toBe('true');
  });

  it('refuses a request without an OperationID', () => {
    expect(() => asRetransmission(buildGet(ctx, 'http://x/y'))).toThrow(/OperationID/);
  });
});

describe('echoedOperationId', () => {
  const response = (extra: string): string =>
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.wsa}" xmlns:p="${NS.wsmv}"><s:Header><a:Action>x</a:Action>${extra}</s:Header><s:Body/></s:Envelope>`;

  it('reads the id a Windows-style response echoes (p:OperationID + p:SequenceId)', () => {
    const resp = parseResponse(response('<p:OperationID s:mustUnderstand="false">uuid:AB</p:OperationID><p:SequenceId>1</p:SequenceId>'));
    expect(echoedOperationId(resp)).toBe('uuid:AB');
  });

  it('is undefined when the server echoes nothing', () => {
    expect(echoedOperationId(parseResponse(response('')))).toBeUndefined();
  });
});
