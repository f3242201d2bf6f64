/**
 * Host calls and the session key exchange, client against server through memory.
 */
import { describe, expect, it } from 'vitest';
import { isPSObject, PSObject, ps, toJSON } from '../../src/psrp/clixml/index.js';
import { HostMethodIdentifier as M, MessageType } from '../../src/psrp/constants.js';
import type { HostCallEvent, PsrpEvent, ServerEvent } from '../../src/psrp/events.js';
import { respondToHostCall, ScriptedHost, type HostScript } from '../../src/psrp/host/index.js';
import { msObject, listObject } from '../../src/psrp/messages/fields.js';
import type { ServerPipeline } from '../../src/psrp/server/index.js';
import { clientEvents, makePair, openPair, roundTrip, serverEvents, toClient, toServer, type Pair } from './pair-helpers.js';

function runningPipeline(p: Pair): ServerPipeline {
  p.client.createPipeline().addScript('host stuff').invoke();
  let server: ServerPipeline | undefined;
  roundTrip(p, (e) => {
    if (e.type === 'CreatePipeline') server = e.pipeline;
  });
  if (server === undefined) throw new Error('no pipeline');
  return server;
}

/** Sends the server's queued host calls, answers them with a ScriptedHost, returns the server's events. */
async function answerAll(p: Pair, host: ScriptedHost): Promise<{ calls: HostCallEvent[]; server: ServerEvent[] }> {
  toClient(p);
  const calls = clientEvents(p).filter((e): e is HostCallEvent => e.type === 'PipelineHostCall' || e.type === 'RunspacePoolHostCall');
  for (const c of calls) await respondToHostCall(p.client, c, host);
  // A held SecureString answer may need the key exchange first: loop until quiet.
  const server: ServerEvent[] = [];
  for (let i = 0; i < 4; i++) {
    toServer(p);
    server.push(...serverEvents(p));
    toClient(p);
    clientEvents(p);
  }
  return { calls, server };
}

function setup(script: HostScript = {}): { p: Pair; s: ServerPipeline; host: ScriptedHost } {
  const p = makePair();
  openPair(p);
  return { p, s: runningPipeline(p), host: new ScriptedHost(script) };
}

describe('host calls', () => {
  it('ReadLine: the answer comes back as PIPELINE_HOST_RESPONSE on the pr stream', async () => {
    const { p, s, host } = setup({ readLines: ['typed text'] });
    const ci = s.hostCall(M.ReadLine);
    toClient(p);
    const [call] = clientEvents(p);
    expect(call).toMatchObject({ type: 'PipelineHostCall', pipelineId: s.pipelineId, ci, methodId: M.ReadLine, methodName: 'ReadLine', parameters: [] });
    await respondToHostCall(p.client, call as HostCallEvent, host);
    const sent = toServer(p);
    expect(sent.map((x) => [x.stream, x.pipelineId, x.messageTypes])).toEqual([['pr', s.pipelineId, [MessageType.PIPELINE_HOST_RESPONSE]]]);
    expect(serverEvents(p)).toMatchObject([{ type: 'PipelineHostResponse', pipelineId: s.pipelineId, ci, methodId: M.ReadLine, result: 'typed text' }]);
    expect(host.calls).toEqual([['ReadLine']]);
  });

  it('void methods (Write*, WriteProgress, SetShouldExit) reach the host and get no response', async () => {
    const { p, s, host } = setup();
    expect(s.hostCall(M.WriteLine3, [7, 10, 'coloured'])).toBeNull();
    s.hostCall(M.Write1, ['no newline']);
    s.hostCall(M.WriteErrorLine, ['bad']);
    s.hostCall(M.WriteProgress, [ps.i64(1n), msObject([
      ['Activity', 'act'], ['ActivityId', 2], ['StatusDescription', 'desc'], ['CurrentOperation', null],
      ['ParentActivityId', -1], ['PercentComplete', 30], ['Type', 0], ['SecondsRemaining', -1],
    ])]);
    s.hostCall(M.SetShouldExit, [3]);
    const { calls, server } = await answerAll(p, host);
    expect(calls.map((c) => c.ci)).toEqual([-100n, -100n, -100n, -100n, -100n]);
    expect(server).toEqual([]);
    expect(p.sent.filter((x) => x.stream === 'pr')).toEqual([]);
    expect(host.calls).toEqual([
      ['WriteLine', 'coloured', { foreground: 7, background: 10 }],
      ['Write', 'no newline', undefined],
      ['WriteErrorLine', 'bad'],
      ['WriteProgress', 1n, { activity: 'act', activityId: 2, statusDescription: 'desc', currentOperation: null, parentActivityId: -1, percentComplete: 30, recordType: 0, secondsRemaining: -1 }],
      ['SetShouldExit', 3],
    ]);
    expect(host.exitCode).toBe(3);
    expect(() => p.client.hostResponse(calls[0] as HostCallEvent, { value: null })).toThrow(/void host method/);
  });

  it('ReadLineAsSecureString before any key exchange: the client exchanges keys, then answers with <SS>', async () => {
    const { p, s, host } = setup({ secureLines: ['s3cret'] });
    expect(p.client.hasSessionKey).toBe(false);
    const ci = s.hostCall(M.ReadLineAsSecureString);
    const { server } = await answerAll(p, host);
    expect(server.map((e) => e.type)).toEqual(['PublicKey', 'PipelineHostResponse']);
    const response = server[1];
    if (response?.type !== 'PipelineHostResponse') throw new Error('no response');
    expect(response.ci).toBe(ci);
    expect(response.result).toMatchObject({ kind: 'SS' });
    expect(p.server.decryptSecureString(response.result ?? null)).toBe('s3cret');
    expect(p.client.hasSessionKey).toBe(true);
    // PUBLIC_KEY went to the pool (stdin), the response to the pipeline's pr stream.
    expect(p.sent.slice(-2).map((x) => [x.pipelineId, x.stream, x.messageTypes])).toEqual([
      [undefined, 'default', [MessageType.PUBLIC_KEY]],
      [s.pipelineId, 'pr', [MessageType.PIPELINE_HOST_RESPONSE]],
    ]);
  });

  it('PromptForCredential returns a PSCredential whose password is encrypted', async () => {
    const { p, s, host } = setup({ credentials: [{ userName: 'DOMAIN\\me', password: 'pa55' }] });
    p.client.exchangeKey();
    roundTrip(p);
    s.hostCall(M.PromptForCredential2, ['caption', 'message', 'me', 'target', 3, 1]);
    const { server } = await answerAll(p, host);
    const r = server[0];
    if (r?.type !== 'PipelineHostResponse' || !isPSObject(r.result)) throw new Error('no credential');
    expect(r.result.typeNames[0]).toBe('System.Management.Automation.PSCredential');
    expect(r.result.get('UserName')).toBe('DOMAIN\\me');
    expect(p.server.decryptSecureString(r.result.get('Password') ?? null)).toBe('pa55');
    expect(host.calls).toEqual([['PromptForCredential', { caption: 'caption', message: 'message', userName: 'me', targetName: 'target', allowedCredentialTypes: 3, options: 1 }]]);
  });

  it('Prompt and PromptForChoice: dictionary and index answers', async () => {
    const { p, s, host } = setup({ prompts: [{ name: 'Bob', pin: '1234' }], choices: [1] });
    p.client.exchangeKey();
    roundTrip(p);
    const field = (name: string, type: string): PSObject => msObject([
      ['name', name], ['label', name], ['parameterTypeName', type.split('.').pop() ?? type], ['parameterTypeFullName', type],
      ['helpMessage', ''], ['isMandatory', true],
    ]);
    const list = (items: PSObject[]): PSObject => listObject(['System.Collections.ArrayList', 'System.Object'], items);
    s.hostCall(M.Prompt, ['cap', 'msg', list([field('name', 'System.String'), field('pin', 'System.Security.SecureString')])]);
    s.hostCall(M.PromptForChoice, ['cap', 'msg', list([msObject([['label', '&Yes'], ['helpMessage', 'y']]), msObject([['label', '&No'], ['helpMessage', 'n']])]), 0]);
    const { server } = await answerAll(p, host);
    const [prompt, choice] = server;
    if (prompt?.type !== 'PipelineHostResponse' || !isPSObject(prompt.result)) throw new Error('no prompt answer');
    const entries = prompt.result.value !== null && typeof prompt.result.value === 'object' && 'entries' in prompt.result.value ? prompt.result.value.entries : new Map();
    expect(entries.get('name')).toBe('Bob');
    expect(p.server.decryptSecureString(entries.get('pin') ?? null)).toBe('1234');
    expect(choice).toMatchObject({ type: 'PipelineHostResponse', result: 1 });
    expect(host.calls[1]).toEqual(['PromptForChoice', 'cap', 'msg', [{ label: '&Yes', helpMessage: 'y' }, { label: '&No', helpMessage: 'n' }], 0]);
  });

  it('a RunspacePool host call (raw UI getter) is answered on the pool', async () => {
    const { p, host } = setup();
    const ci = p.server.hostCall(M.GetWindowSize);
    toClient(p);
    const [call] = clientEvents(p);
    expect(call).toMatchObject({ type: 'RunspacePoolHostCall', ci, methodId: M.GetWindowSize });
    await respondToHostCall(p.client, call as HostCallEvent, host);
    expect(toServer(p).map((x) => [x.pipelineId, x.stream, x.messageTypes])).toEqual([[undefined, 'pr', [MessageType.RUNSPACEPOOL_HOST_RESPONSE]]]);
    const [r] = serverEvents(p);
    expect(r?.type).toBe('RunspacePoolHostResponse');
    expect(r?.type === 'RunspacePoolHostResponse' ? toJSON(r.result ?? null) : null).toEqual({ width: 120, height: 30 });
  });

  it('a method the host lacks, or one that throws, answers with a RemoteHostExecutionException record', async () => {
    const { p, s } = setup();
    s.hostCall(M.ReadLine);
    s.hostCall(M.ReadLine);
    toClient(p);
    const [lacking, throwing] = clientEvents(p) as HostCallEvent[];
    await respondToHostCall(p.client, lacking as HostCallEvent, { ui: {} });
    await respondToHostCall(p.client, throwing as HostCallEvent, new ScriptedHost());
    toServer(p);
    const answers = serverEvents(p).map((r) => {
      if (r.type !== 'PipelineHostResponse') return r.type;
      const exception = r.error?.get('Exception');
      return [r.result, r.error?.get('FullyQualifiedErrorId'), isPSObject(exception) ? exception.get('Message') : null];
    });
    expect(answers).toEqual([
      [undefined, 'RemoteHostExecutionException', "the client's host does not implement ReadLine"],
      [undefined, 'RemoteHostExecutionException', 'scripted host has no ReadLine answer left'],
    ]);
  });
});

describe('key exchange', () => {
  it('PUBLIC_KEY -> ENCRYPTED_SESSION_KEY, then <SS> both ways', () => {
    const p = makePair();
    openPair(p);
    p.client.exchangeKey();
    const sent = toServer(p);
    expect(sent.map((x) => x.messageTypes)).toEqual([[MessageType.PUBLIC_KEY]]);
    expect(serverEvents(p)).toEqual([{ type: 'PublicKey' }]);
    toClient(p);
    expect(clientEvents(p)).toEqual([{ type: 'EncryptedSessionKey' }]);
    const ss = p.client.encryptSecureString('to server');
    expect(p.server.decryptSecureString(ss)).toBe('to server');
    expect(p.client.decryptSecureString(p.server.encryptSecureString('to client'))).toBe('to client');
    p.client.exchangeKey(); // once per pool: a second call queues nothing
    expect(p.client.dataToSend()).toBeNull();
  });

  it('the server may ask first with PUBLIC_KEY_REQUEST; the client answers on its own', () => {
    const p = makePair();
    openPair(p);
    p.server.requestKey();
    toClient(p);
    expect(clientEvents(p)).toEqual([{ type: 'PublicKeyRequest' }]);
    toServer(p);
    expect(serverEvents(p)).toEqual([{ type: 'PublicKey' }]);
    toClient(p);
    const ev: PsrpEvent[] = clientEvents(p);
    expect(ev).toEqual([{ type: 'EncryptedSessionKey' }]);
    expect(p.client.hasSessionKey && p.server.hasSessionKey).toBe(true);
  });

  it('encrypting before the key exists is a local error', () => {
    const p = makePair();
    openPair(p);
    expect(() => p.client.encryptSecureString('x')).toThrow(/exchangeKey/);
  });
});
