/**
 * Server side: recorded client requests read through parseRequest + body readers; our response
 * builders read back through the client readers, and structurally equal to Windows' own responses.
 */
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { diffXml, type CompareOptions } from '../helpers/xml-compare.js';
import { pypsrp, winrmsharp } from './corpus.js';
import {
  ACTION,
  COMMAND_STATE,
  IDENTIFY_ACTION,
  NS,
  RESOURCE_URI,
  SIGNAL,
  WSManProtocolError,
  buildCommandResponse,
  buildDeleteResponse,
  buildEnumerateResponse,
  buildGetResponse,
  buildIdentify,
  buildIdentifyResponse,
  buildPullResponse,
  buildReceiveResponse,
  buildSendResponse,
  buildShellCreatedResponse,
  buildSignalResponse,
  child,
  defaultContext,
  buildPull,
  buildRelease,
  readReleaseRequest,
  parseRequest,
  parseResponse,
  parseXml,
  readCommandRequest,
  readCommandResponse,
  readEnumerateResponse,
  readGetResponse,
  readIdentifyResponse,
  readPullRequest,
  readPullResponse,
  readReceiveRequest,
  readReceiveResponse,
  readSendRequest,
  readShellCreateRequest,
  readShellCreated,
  readSignalRequest,
  shellXml,
  textOf,
  type XmlElement,
} from '../../src/wsman/index.js';

const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describeFixtures('parseRequest on recorded client requests', (dir) => {
  it('pypsrp test_winrs_standard: headers and every body', () => {
    const m = pypsrp(dir, 'test_winrs_standard.yml');
    const create = parseRequest(m[0]!.request);
    expect({ ...create, body: undefined, header: undefined }).toEqual({
      action: ACTION.Create,
      to: 'http://192.168.56.11:5985/wsman',
      messageId: 'uuid:FC40E3CD-53E9-4315-B486-6D538B25D1F5',
      resourceUri: RESOURCE_URI.cmd,
      sessionId: 'uuid:A635D444-7E75-4E46-9A68-2FFF53AF45CA',
      selectors: {},
      options: {},
      operationTimeoutMs: 20000,
      maxEnvelopeSize: 153600,
      locale: 'en-US',
      dataLocale: 'en-US',
      body: undefined,
      header: undefined,
    });
    expect(readShellCreateRequest(create)).toEqual({ inputStreams: ['stdin'], outputStreams: ['stdout', 'stderr'], environment: {}, environmentPairs: [] });
    const cmd = parseRequest(m[1]!.request);
    expect(cmd.selectors).toEqual({ ShellId: '4283CBDC-3706-415B-88BD-B385F3E51A53' });
    expect(readCommandRequest(cmd)).toEqual({ command: 'cmd.exe', arguments: ['/c', 'echo', 'hi'], skipCmdShell: false });
    const recv = parseRequest(m[2]!.request);
    expect(readReceiveRequest(recv)).toEqual({ commandId: 'CF84C20A-0A35-43FA-AF78-0B4711DA5F30', streams: ['stdout', 'stderr'], keepAlive: true });
    expect(readSignalRequest(parseRequest(m[3]!.request))).toEqual({ commandId: 'CF84C20A-0A35-43FA-AF78-0B4711DA5F30', code: SIGNAL.ctrl_c });
    const del = parseRequest(m[4]!.request);
    expect([del.action, del.selectors.ShellId, del.body.children.length]).toEqual([ACTION.Delete, '4283CBDC-3706-415B-88BD-B385F3E51A53', 0]);
  });

  it('pypsrp shell options, environment (with XML-special names) and extras', () => {
    const env = readShellCreateRequest(parseRequest(pypsrp(dir, 'test_winrs_environment.yml')[0]!.request));
    const weird = '_-(){}[]<>*+-/\\?"!@#$^&|;:i,.`~0';
    expect(env.environmentPairs).toEqual([['env1', 'var1'], ['1234', '5678'], [weird, weird]]);
    expect(readShellCreateRequest(parseRequest(pypsrp(dir, 'test_winrs_noprofile.yml')[0]!.request)).noProfile).toBe(true);
    expect(readShellCreateRequest(parseRequest(pypsrp(dir, 'test_winrs_unicode.yml')[0]!.request)).codepage).toBe(65001);
    const extra = readShellCreateRequest(parseRequest(pypsrp(dir, 'test_winrs_extra_opts.yml')[0]!.request));
    expect([extra.idleTimeoutSec, extra.lifetimeSec, extra.name, extra.workingDirectory]).toEqual([60, 60, 'shell 1', 'C:\\Windows']);
    const noCmd = readCommandRequest(parseRequest(pypsrp(dir, 'test_winrs_no_cmd_shell.yml')[1]!.request));
    expect(noCmd).toEqual({ command: 'powershell.exe', arguments: ['Write-Host', 'hi'], skipCmdShell: true });
  });

  it('pypsrp test_winrs_send: stdin bytes and End flags', () => {
    const sends = pypsrp(dir, 'test_winrs_send.yml').filter((x) => x.request.includes('shell/Send<'));
    const got = sends.map((x) => readSendRequest(parseRequest(x.request)).streams.map((s) => [s.name, s.commandId, s.end, utf8(s.data)]));
    expect(got).toEqual([
      [['stdin', 'B0973E54-434E-4D99-B4BE-ADE584CE3BFB', false, 'Write-Host "output 1";']],
      [['stdin', 'B0973E54-434E-4D99-B4BE-ADE584CE3BFB', true, 'Write-Host "output 2";']],
    ]);
  });

  it('pypsrp PSRP: Create with ShellId attribute, creationXml and protocolversion; Command with CommandId', () => {
    const m = pypsrp(dir, 'test_psrp_open_runspace.yml');
    const create = parseRequest(m[0]!.request);
    expect(create.options).toEqual({ protocolversion: '2.3' });
    const c = readShellCreateRequest(create);
    expect([c.shellId, c.inputStreams, c.outputStreams]).toEqual(['76056A84-51DC-4F24-9262-CA2A55464B2B', ['stdin', 'pr'], ['stdout']]);
    // SESSION_CAPABILITY first: ObjectId 1, FragmentId 0, start|end.
    expect(Buffer.from(c.creationXml!, 'base64').subarray(0, 17).toString('hex')).toBe('0000000000000001000000000000000003');
    const cmd = m.map((x) => x.request).find((r) => r.includes('shell/Command<'));
    if (cmd) {
      const cr = readCommandRequest(parseRequest(cmd));
      expect(cr.command).toBe('');
      expect(cr.commandId).toMatch(/^[0-9A-F-]{36}$/);
      expect(cr.arguments).toHaveLength(1);
    }
  });

  it('winrmsharp requests (env:/a:/w: prefixes, pretty-printed, utf-16 prologue)', () => {
    const x = winrmsharp(dir, 'ProtocolRunCommandWithEnv.yml');
    const create = parseRequest(x[0]!.request);
    expect([create.operationTimeoutMs, create.maxEnvelopeSize, create.locale]).toEqual([5000, 153600, 'en-US']);
    expect(readShellCreateRequest(create).environment).toEqual({ TESTENV1: 'hi mom', TESTENV2: 'another var' });
    const cmd = parseRequest(x[1]!.request);
    expect(readCommandRequest(cmd)).toEqual({ command: 'echo', arguments: ['%TESTENV1% %TESTENV2%'], skipCmdShell: false, consoleModeStdin: true });
  });

  it('Identify (no Action) gets the synthetic IDENTIFY_ACTION; a missing Action or MessageID is refused', () => {
    expect(parseRequest(buildIdentify().xml).action).toBe(IDENTIFY_ACTION);
    const good = pypsrp(dir, 'test_winrs_standard.yml')[0]!.request;
    expect(() => parseRequest(good.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, ''))).toThrow(WSManProtocolError);
    expect(() => parseRequest(good.replace(/<wsa:MessageID>[^<]*<\/wsa:MessageID>/, ''))).toThrow(WSManProtocolError);
    expect(() => parseRequest(good.replace('>153600<', '>big<'))).toThrow(WSManProtocolError);
  });
});

/** What legitimately differs between two responses of one kind: ids and Windows' ActivityId. */
const RESPONSE_COMPARE: CompareOptions = {
  skip: (e: XmlElement) => e.local === 'ActivityId',
  ignoreText: (e: XmlElement) => e.local === 'MessageID',
};

describeFixtures('response builders == recorded Windows responses', (dir) => {
  const m = pypsrp(dir, 'test_winrs_standard.yml');
  const relates = (i: number): string => parseRequest(m[i]!.request).messageId;
  const same = (ours: string, recorded: string): string[] => diffXml(parseXml(ours), parseXml(recorded), RESPONSE_COMPARE);
  const shellId = '4283CBDC-3706-415B-88BD-B385F3E51A53';
  const commandId = 'CF84C20A-0A35-43FA-AF78-0B4711DA5F30';

  it('CreateResponse (cmd shell)', () => {
    const ours = buildShellCreatedResponse(relates(0), {
      address: 'http://192.168.56.11:5985/wsman',
      resourceUri: RESOURCE_URI.cmd,
      shellId,
      owner: 'vagrant',
      clientIp: '192.168.56.1',
      idleTimeoutSec: 7200,
      inputStreams: ['stdin'],
      outputStreams: ['stdout', 'stderr'],
    });
    expect(same(ours, m[0]!.response)).toEqual([]);
    expect(readShellCreated(parseResponse(ours))).toEqual(readShellCreated(parseResponse(m[0]!.response)));
  });

  it('CreateResponse (PSRP shell with the extra rsp:Shell fields)', () => {
    const ps = pypsrp(dir, 'test_psrp_open_runspace.yml');
    const ours = buildShellCreatedResponse(parseRequest(ps[0]!.request).messageId, {
      address: 'https://127.0.0.1:55986/wsman',
      resourceUri: RESOURCE_URI.powershell,
      shellId: '76056A84-51DC-4F24-9262-CA2A55464B2B',
      owner: 'WIN-NNMU24VVKJ0\\vagrant',
      clientIp: '10.0.2.2',
      processId: 1868,
      idleTimeoutSec: 7200,
      inputStreams: ['stdin', 'pr'],
      outputStreams: ['stdout'],
      maxIdleTimeoutSec: 2147483.647,
      locale: 'en-US',
      dataLocale: 'en-US',
      compressionMode: 'NoCompression',
      profileLoaded: 'Yes',
      encoding: 'UTF8',
      bufferMode: 'Block',
      state: 'Connected',
    });
    expect(same(ours, ps[0]!.response)).toEqual([]);
  });

  it('CommandResponse, ReceiveResponse (empty End streams, CommandState+ExitCode), SignalResponse, DeleteResponse', () => {
    expect(same(buildCommandResponse(relates(1), commandId), m[1]!.response)).toEqual([]);
    const recv = buildReceiveResponse(relates(2), {
      streams: [
        { name: 'stdout', commandId, data: Buffer.from('hi\r\n') },
        { name: 'stdout', commandId, end: true },
        { name: 'stderr', commandId, end: true },
      ],
      commandState: { commandId, state: 'Done', exitCode: 0 },
    });
    expect(same(recv, m[2]!.response)).toEqual([]);
    expect(readReceiveResponse(parseResponse(recv))).toEqual(readReceiveResponse(parseResponse(m[2]!.response)));
    expect(same(buildSignalResponse(relates(3)), m[3]!.response)).toEqual([]);
    expect(same(buildDeleteResponse(relates(4)), m[4]!.response)).toEqual([]);
  });

  it('SendResponse (pypsrp test_winrs_send)', () => {
    const s = pypsrp(dir, 'test_winrs_send.yml').find((x) => x.request.includes('shell/Send<'))!;
    expect(same(buildSendResponse(parseRequest(s.request).messageId), s.response)).toEqual([]);
  });

  it('ReceiveResponse of a PSRP shell (streams without CommandId, no CommandState)', () => {
    const ps = pypsrp(dir, 'test_psrp_open_runspace.yml');
    const r = ps.find((x) => x.response.includes('ReceiveResponse<'))!;
    const recorded = readReceiveResponse(parseResponse(r.response));
    const ours = buildReceiveResponse(parseRequest(r.request).messageId, {
      streams: recorded.streams.map((s) => ({ name: s.name, commandId: s.commandId, data: s.data, end: s.end })),
      commandState: recorded.commandState,
    });
    expect(same(ours, r.response)).toEqual([]);
  });
});

describe('response builders round-trip through the client readers', () => {
  it('Identify', () => {
    const xml = buildIdentifyResponse({
      productVendor: 'tsremote',
      productVersion: 'OS: 0.0.0 SP: 0.0 Stack: 3.0',
      securityProfiles: ['http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic'],
    });
    const r = readIdentifyResponse(parseResponse(xml));
    expect({ ...r, raw: undefined }).toEqual({
      protocolVersion: NS.wsman,
      productVendor: 'tsremote',
      productVersion: 'OS: 0.0.0 SP: 0.0 Stack: 3.0',
      securityProfiles: ['http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic'],
      raw: undefined,
    });
  });

  it('Receive with every state, binary data and escaping in ids', () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    for (const state of ['Done', 'Pending', 'Running', 'http://example/Other']) {
      const xml = buildReceiveResponse('uuid:R', {
        streams: [{ name: 'stdout', commandId: 'a"<b', data: bytes }, { name: 'stderr', end: true }],
        commandState: { commandId: 'a"<b', state, ...(state === 'Done' ? { exitCode: -1 } : {}) },
        sequenceId: 3,
      });
      const resp = parseResponse(xml);
      expect(resp.relatesTo).toBe('uuid:R');
      const r = readReceiveResponse(resp);
      expect(r.streams).toEqual([
        { name: 'stdout', commandId: 'a"<b', data: bytes, end: false },
        { name: 'stderr', data: new Uint8Array(0), end: true },
      ]);
      expect(r.commandState).toEqual({ commandId: 'a"<b', state, ...(state === 'Done' ? { exitCode: -1 } : {}) });
    }
    expect(COMMAND_STATE.Done).toMatch(/CommandState\/Done$/);
  });

  it('Enumerate, Pull and Get', () => {
    const item = shellXml({
      shellId: 'S1',
      resourceUri: RESOURCE_URI.cmd,
      owner: 'me',
      clientIp: '::1',
      idleTimeoutSec: 60,
      inputStreams: ['stdin'],
      outputStreams: ['stdout', 'stderr'],
    });
    const e = readEnumerateResponse(parseResponse(buildEnumerateResponse('uuid:E', { items: [item, item], endOfSequence: true })));
    expect([e.items.length, textOf(child(e.items[0], NS.rsp, 'ShellId')), e.endOfSequence, e.enumerationContext]).toEqual([2, 'S1', true, undefined]);
    const p = readPullResponse(parseResponse(buildPullResponse('uuid:P', { items: [item], endOfSequence: false, context: 'uuid:CTX' })));
    expect([p.items.length, p.endOfSequence, p.enumerationContext]).toEqual([1, false, 'uuid:CTX']);
    const g = readGetResponse(parseResponse(buildGetResponse('uuid:G', item)));
    expect([g.local, textOf(child(g, NS.rsp, 'IdleTimeOut'))]).toEqual(['Shell', 'PT60.000S']);
    const pull = parseRequest(buildPull(defaultContext('http://h/wsman'), RESOURCE_URI.shell, 'uuid:CTX', 5).xml);
    expect(readPullRequest(pull)).toEqual({ enumerationContext: 'uuid:CTX', maxElements: 5 });
    const release = parseRequest(buildRelease(defaultContext('http://h/wsman'), RESOURCE_URI.shell, 'uuid:CTX').xml);
    expect(readReleaseRequest(release)).toEqual({ enumerationContext: 'uuid:CTX' });
    expect(() => readReleaseRequest(pull)).toThrow(WSManProtocolError);
    expect(readCommandResponse(parseResponse(buildCommandResponse('uuid:C', 'CID')))).toBe('CID');
  });
});
