/**
 * Typed message bodies (§2.2.2) against everything real servers and pypsrp sent.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { isPSObject, type PSValue } from '../../src/psrp/clixml/index.js';
import {
  ApartmentState,
  HostMethodIdentifier,
  MESSAGE_TYPES,
  MessageType,
  messageTypeName,
  PROTOCOL_VERSION,
  PS_VERSION,
  PSInvocationState,
  PSThreadOptions,
  RemoteStreamOptions,
  RunspacePoolState,
  SERIALIZATION_VERSION,
} from '../../src/psrp/constants.js';
import { PsrpProtocolError } from '../../src/psrp/errors.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeMessage, type PsrpMessage } from '../../src/psrp/message.js';
import { BODY_CODECS, decodeBody, encodeBody, type BodyOf, type PsrpMessageBody } from '../../src/psrp/message-body.js';
import { NO_HOST } from '../../src/psrp/messages/host-info.js';
import { newCommand } from '../../src/psrp/messages/pipeline.js';
import { errorRecordInfo } from '../../src/psrp/messages/records.js';
import { pypsrpFiles, pypsrpPayloads } from './fragment-fixtures.js';

interface Recorded {
  file: string;
  direction: 'client' | 'server';
  message: PsrpMessage;
}

function recorded(dir: string): Recorded[] {
  const out: Recorded[] = [];
  for (const file of pypsrpFiles(dir)) {
    const defrags = new Map<string, Defragmenter>();
    for (const p of pypsrpPayloads(file)) {
      const key = `${p.direction}/${p.shell}`;
      const d = defrags.get(key) ?? new Defragmenter();
      defrags.set(key, d);
      for (const bytes of d.add(p.bytes)) out.push({ file: path.basename(file), direction: p.direction, message: decodeMessage(bytes) });
    }
  }
  return out;
}

function only<K extends MessageType>(all: Recorded[], type: K, file?: string): { r: Recorded; body: BodyOf<K> }[] {
  return all
    .filter((r) => r.message.type === type && (file === undefined || r.file === file))
    .map((r) => ({ r, body: decodeBody(r.message) as BodyOf<K> }));
}

/** Tag and N of every named element, in document order: the shape of a message, ids and values aside. */
function skeleton(xml: string): string[] {
  return [...xml.matchAll(/<(\w+)\b[^>]*?\bN="([^"]*)"/g)].map((m) => `${m[1]}:${m[2]}`);
}

function dictGet(v: PSValue | undefined, key: string): PSValue | undefined {
  const inner = isPSObject(v) ? v.value : v;
  if (inner === null || inner === undefined || typeof inner !== 'object' || !('kind' in inner) || inner.kind !== 'DCT') return undefined;
  return inner.entries.get(key);
}

describe('message body codecs', () => {
  it('has a codec for each of the 31 types', () => {
    expect(Object.keys(BODY_CODECS)).toHaveLength(31);
  });

  it('encodes the client opening messages as Windows expects', () => {
    const cap = encodeBody({
      type: MessageType.SESSION_CAPABILITY,
      protocolVersion: PROTOCOL_VERSION,
      psVersion: PS_VERSION,
      serializationVersion: SERIALIZATION_VERSION,
    });
    expect(cap).toBe(
      '<Obj RefId="0"><MS><Version N="protocolversion">2.3</Version><Version N="PSVersion">2.0</Version>' +
        '<Version N="SerializationVersion">1.1.0.1</Version></MS></Obj>',
    );
    expect(encodeBody({ type: MessageType.PUBLIC_KEY_REQUEST })).toBe('<S />');
    expect(encodeBody({ type: MessageType.END_OF_PIPELINE_INPUT })).toBe('');
    expect(encodeBody({ type: MessageType.CONNECT_RUNSPACEPOOL })).toBe('<S />');
    expect(encodeBody({ type: MessageType.SET_MAX_RUNSPACES, count: 3, ci: 1n })).toBe(
      '<Obj RefId="0"><MS><I32 N="MaxRunspaces">3</I32><I64 N="ci">1</I64></MS></Obj>',
    );
  });

  it('round trips hand-made bodies of the types the recordings lack', () => {
    const bodies: PsrpMessageBody[] = [
      { type: MessageType.PUBLIC_KEY_REQUEST },
      { type: MessageType.RUNSPACEPOOL_INIT_DATA, minRunspaces: 1, maxRunspaces: 5 },
      { type: MessageType.CONNECT_RUNSPACEPOOL, minRunspaces: 1, maxRunspaces: 5 },
      {
        type: MessageType.USER_EVENT,
        eventIdentifier: 1,
        sourceIdentifier: 'ae6245f2',
        timeGenerated: null,
        sender: 'timer',
        sourceArgs: null,
        messageData: null,
        computerName: null,
        runspaceId: { kind: 'G', value: 'fb9c87e8-1190-40a7-a681-6fc9b9f84a17' },
      },
      { type: MessageType.RUNSPACEPOOL_HOST_CALL, ci: 1n, methodId: HostMethodIdentifier.ReadLine, methodName: 'ReadLine', parameters: [] },
      { type: MessageType.RUNSPACEPOOL_HOST_RESPONSE, ci: 1n, methodId: HostMethodIdentifier.ReadLine, methodName: 'ReadLine', result: 'line' },
      { type: MessageType.RUNSPACE_AVAILABILITY, ci: 3n, response: 2n },
      { type: MessageType.RUNSPACEPOOL_STATE, state: RunspacePoolState.Broken },
      {
        type: MessageType.PROGRESS_RECORD,
        activity: 'a', activityId: 4, statusDescription: 'Good', currentOperation: null,
        parentActivityId: -1, percentComplete: 20, recordType: 0, secondsRemaining: 30,
      },
      {
        type: MessageType.INIT_RUNSPACEPOOL,
        minRunspaces: 1, maxRunspaces: 2, threadOptions: PSThreadOptions.Default, apartmentState: ApartmentState.Unknown,
        hostInfo: { ...NO_HOST, isHostNull: false, hostDefaultData: [{ key: 9, typeName: 'System.String', value: 'title' }] },
        applicationArguments: null,
      },
      {
        type: MessageType.CREATE_PIPELINE,
        noInput: true, apartmentState: ApartmentState.Unknown, remoteStreamOptions: RemoteStreamOptions.AddInvocationInfo,
        addToHistory: false, hostInfo: NO_HOST, isNested: false,
        powerShell: {
          isNested: false, history: null, redirectShellErrorOutputPipe: false,
          cmds: [newCommand('Get-Item', false, [{ name: 'Path', value: 'C:\\' }, { name: null, value: 5 }])],
          extraCmds: [[newCommand('echo hi', true)]],
        },
      },
    ];
    for (const body of bodies) expect(decodeBody({ type: body.type, data: encodeBody(body) })).toEqual(body);
  });

  it('rejects bodies that do not match their type with PsrpProtocolError', () => {
    const bad: [MessageType, string][] = [
      [MessageType.SESSION_CAPABILITY, '<S>nope</S>'],
      [MessageType.SESSION_CAPABILITY, '<Obj RefId="0"><MS><S N="protocolversion">2.3</S></MS></Obj>'],
      [MessageType.RUNSPACEPOOL_STATE, '<Obj RefId="0"><MS></MS></Obj>'],
      [MessageType.PIPELINE_STATE, '<Obj RefId="0"><MS><S N="PipelineState">x</S></MS></Obj>'],
      [MessageType.PIPELINE_OUTPUT, '<Obj RefId="0"><MS>'],
      [MessageType.PUBLIC_KEY_REQUEST, '<S>x</S>'],
      [MessageType.PIPELINE_HOST_CALL, '<Obj RefId="0"><MS><I64 N="ci">1</I64></MS></Obj>'],
    ];
    for (const [type, data] of bad) {
      expect(() => decodeBody({ type, data }), `${messageTypeName(type)} ${data}`).toThrow(PsrpProtocolError);
    }
    expect(() => decodeBody({ type: MessageType.RUNSPACEPOOL_STATE, data: '<Obj RefId="0"><MS></MS></Obj>' })).toThrow(
      /RUNSPACEPOOL_STATE: property RunspaceState must be an integer, got nothing/,
    );
  });
});

describe('hostile bodies (fast-check)', () => {
  it('any text under any type decodes or throws PsrpProtocolError, nothing else', () => {
    const clixmlish = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('<Obj RefId="0"><MS>', '<Obj RefId="0"><MS><I32 N="ci">1</I32></MS></Obj>', '<Ref RefId="9" />', '<S />', ''),
    );
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_TYPES), clixmlish, (type, data) => {
        try {
          decodeBody({ type, data });
        } catch (err) {
          if (!(err instanceof PsrpProtocolError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describeFixtures('message bodies recorded from Windows 2008 R2 … 2025 and pypsrp', (dir) => {
  const all = recorded(dir);

  it('decodes every one of the 701 bodies through its typed decoder', () => {
    const failures: string[] = [];
    for (const r of all) {
      try {
        decodeBody(r.message);
      } catch (err) {
        failures.push(`${r.file} ${messageTypeName(r.message.type)}: ${(err as Error).message}`);
      }
    }
    expect(all).toHaveLength(701);
    expect(failures).toEqual([]);
  });

  it('re-encodes every body to CLIXML that decodes to the same fields', () => {
    const differ: string[] = [];
    for (const r of all) {
      const body = decodeBody(r.message);
      const again = decodeBody({ type: body.type, data: encodeBody(body) });
      try {
        expect(again).toEqual(body);
      } catch {
        differ.push(`${r.file} ${messageTypeName(body.type)}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('SESSION_CAPABILITY: versions of client and server', () => {
    const caps = only(all, MessageType.SESSION_CAPABILITY, 'test_psrp_open_runspace.yml').map(({ r, body }) => [
      r.direction, body.protocolVersion, body.psVersion, body.serializationVersion,
    ]);
    expect(caps).toEqual([
      ['client', '2.3', '2.0', '1.1.0.1'],
      ['server', '2.3', '2.0', '1.1.0.1'],
    ]);
    const old = only(all, MessageType.SESSION_CAPABILITY, 'test_psrp_run_protocol_version_2.1.yml').map(({ r, body }) => [r.direction, body.protocolVersion]);
    // A 2.3 client talking to Windows 2008 R2, which answers 2.1.
    expect(old).toEqual([['client', '2.3'], ['server', '2.1']]);
  });

  it('our SESSION_CAPABILITY, INIT_RUNSPACEPOOL and CREATE_PIPELINE have the recorded shape', () => {
    for (const type of [MessageType.SESSION_CAPABILITY, MessageType.INIT_RUNSPACEPOOL, MessageType.CREATE_PIPELINE]) {
      const samples = all.filter((r) => r.direction === 'client' && r.message.type === type);
      expect(samples.length).toBeGreaterThan(0);
      for (const r of samples) {
        const ours = encodeBody(decodeBody(r.message));
        expect(skeleton(ours), `${r.file} ${messageTypeName(type)}`).toEqual(skeleton(r.message.data));
      }
    }
  });

  it('RUNSPACEPOOL_STATE says Opened', () => {
    const states = only(all, MessageType.RUNSPACEPOOL_STATE, 'test_psrp_open_runspace.yml').map(({ body }) => body.state);
    expect(states).toEqual([RunspacePoolState.Opened]);
  });

  it('PIPELINE_STATE: Completed, and Failed with its ErrorRecord', () => {
    const states = only(all, MessageType.PIPELINE_STATE).map(({ body }) => PSInvocationState[body.state]);
    expect(new Set(states)).toEqual(new Set(['Completed', 'Failed']));
    const failed = only(all, MessageType.PIPELINE_STATE, 'test_psrp_error_failed.yml').map(({ body }) => body);
    expect(failed.map((b) => b.state)).toEqual([PSInvocationState.Failed]);
    const error = failed[0]?.error;
    if (error === undefined) throw new Error('no ErrorRecord');
    const info = errorRecordInfo(error, MessageType.PIPELINE_STATE);
    // Windows puts the failing command's own ErrorRecord here, not the spec's RemotePSInvocationStateInfoReason.
    expect([info.fullyQualifiedErrorId, info.exceptionType]).toEqual([
      'Microsoft.PowerShell.Commands.WriteErrorException',
      'Microsoft.PowerShell.Commands.WriteErrorException',
    ]);
    expect(info.message).toBe('error');
  });

  it('APPLICATION_PRIVATE_DATA carries the PSVersionTable (2008 R2 = PS 2.0 … 2019 = 5.1)', () => {
    const versions = new Set(
      only(all, MessageType.APPLICATION_PRIVATE_DATA).map(({ body }) => {
        const v = dictGet(dictGet(body.applicationPrivateData, 'PSVersionTable'), 'PSVersion');
        return v !== null && typeof v === 'object' && 'kind' in v && v.kind === 'Version' ? v.value : String(v);
      }),
    );
    expect([...versions].sort()).toEqual(['2.0', '5.1.14393.2248', '5.1.14393.2879', '5.1.17134.1', '5.1.17763.1971', '5.1.17763.771', '5.1.26236.5000']);
  });

  it('PIPELINE_HOST_CALL: method ids and parameters', () => {
    const calls = only(all, MessageType.PIPELINE_HOST_CALL, 'test_psrp_pshost_methods.yml').map(({ body }) => [
      body.ci, body.methodId, body.methodName, body.parameters,
    ]);
    expect(calls).toEqual([[-100n, HostMethodIdentifier.SetShouldExit, 'SetShouldExit', [1]]]);
    const names = new Set(only(all, MessageType.PIPELINE_HOST_CALL).map(({ body }) => body.methodName));
    for (const name of names) expect(HostMethodIdentifier[name as keyof typeof HostMethodIdentifier], name).toBeDefined();
    expect(names.size).toBeGreaterThan(20);
  });

  it('PIPELINE_HOST_RESPONSE: results of ReadLine and ReadKey', () => {
    const responses = only(all, MessageType.PIPELINE_HOST_RESPONSE).map(({ body }) => body);
    const readLine = responses.find((b) => b.methodId === HostMethodIdentifier.ReadLine);
    expect(readLine?.result).toBe('ReadLine response');
    const readKey = responses.find((b) => b.methodId === HostMethodIdentifier.ReadKey);
    expect(isPSObject(readKey?.result) ? readKey?.result.get('virtualKeyCode') : undefined).toBe(65);
  });

  it('stream records: messages of warning, verbose, debug, progress, information, error', () => {
    const f = 'test_psrp_merge_commands.yml';
    expect(only(all, MessageType.WARNING_RECORD, f).map(({ body }) => body.message)).toEqual(['warning stream']);
    expect(only(all, MessageType.VERBOSE_RECORD, f).map(({ body }) => body.message)).toEqual(['verbose stream']);
    expect(only(all, MessageType.DEBUG_RECORD, f).map(({ body }) => body.message)).toEqual(['debug stream']);
    expect(only(all, MessageType.INFORMATION_RECORD, f).map(({ body }) => [body.messageData, body.source])).toEqual([
      ['information stream', 'Write-Information'],
    ]);
    expect(only(all, MessageType.ERROR_RECORD, f).map(({ body }) => [body.message, body.fullyQualifiedErrorId])).toEqual([
      ['error stream', 'Microsoft.PowerShell.Commands.WriteErrorException'],
    ]);
    const progress = only(all, MessageType.PROGRESS_RECORD).map(({ body }) => body)[0];
    expect(progress).toEqual({
      type: MessageType.PROGRESS_RECORD,
      activity: 'Preparing modules for first use.', activityId: 0, statusDescription: ' ', currentOperation: null,
      parentActivityId: -1, percentComplete: -1, recordType: 1, secondsRemaining: -1,
    });
  });

  it('pool messages: SET_MAX/MIN (pypsrp writes CI), RUNSPACE_AVAILABILITY as B or I32, GET_COMMAND_METADATA', () => {
    const f = 'test_psrp_set_runspaces.yml';
    expect(only(all, MessageType.SET_MAX_RUNSPACES, f).map(({ body }) => [body.count, body.ci])).toEqual([[5, 1n], [-1, 5n]]);
    expect(only(all, MessageType.SET_MIN_RUNSPACES, f).map(({ body }) => [body.count, body.ci])).toEqual([[2, 3n], [-1, 4n]]);
    const avail = only(all, MessageType.RUNSPACE_AVAILABILITY).map(({ body }) => typeof body.response);
    expect(new Set(avail)).toEqual(new Set(['boolean', 'bigint']));
    expect(only(all, MessageType.GET_COMMAND_METADATA).map(({ body }) => [body.name, body.commandType])[0]).toEqual([['new-pssession*'], 511]);
  });
});
