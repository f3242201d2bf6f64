/**
 * Our ServerRunspacePool fed the client traffic pypsrp recorded (what a real client sends), and
 * answering it: the events it raises and the messages it queues.
 */
import { expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { toJSON, type PSValue } from '../../src/psrp/clixml/index.js';
import { HostMethodIdentifier as M, MessageType, RunspacePoolState as RS } from '../../src/psrp/constants.js';
import type { ServerEvent } from '../../src/psrp/events.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeMessage } from '../../src/psrp/message.js';
import { ServerRunspacePool, type ServerPipeline } from '../../src/psrp/server/index.js';
import { pypsrpPayloads } from './fragment-fixtures.js';
import { fixtureFile } from './client-replay.js';

interface Fed {
  server: ServerRunspacePool;
  events: ServerEvent[];
  /** Message types the server queued, in order. */
  answers: string[];
}

/** Feeds every recorded client payload; `react` plays the server application. */
function feed(dir: string, name: string, react: (e: ServerEvent, s: ServerRunspacePool) => void = () => {}): Fed {
  const server = new ServerRunspacePool();
  const events: ServerEvent[] = [];
  const answers: string[] = [];
  const own = new Defragmenter();
  for (const p of pypsrpPayloads(fixtureFile(dir, name))) {
    if (p.direction !== 'client') continue;
    server.receiveData(p.bytes);
    for (let e = server.nextEvent(); e !== null; e = server.nextEvent()) {
      events.push(e);
      react(e, server);
    }
    for (let out = server.dataToSend(); out !== null; out = server.dataToSend()) {
      for (const m of own.add(out.data)) answers.push(MessageType[decodeMessage(m).type]);
    }
  }
  return { server, events, answers };
}

/** A server application that opens the pool and completes every pipeline at once. */
function simple(e: ServerEvent, s: ServerRunspacePool): void {
  if (e.type === 'InitRunspacePool') s.open();
  if (e.type === 'CreatePipeline' && e.request.noInput) e.pipeline.complete();
  if (e.type === 'EndOfPipelineInput') s.pipelines.get(e.pipelineId)?.complete();
}

describeFixtures('server RunspacePool fed recorded client traffic (pypsrp)', (dir) => {
  it('test_psrp_open_runspace: answers SESSION_CAPABILITY, APPLICATION_PRIVATE_DATA, RUNSPACEPOOL_STATE', () => {
    const f = feed(dir, 'test_psrp_open_runspace', simple);
    expect(f.events.map((e) => e.type)).toEqual(['SessionCapability', 'InitRunspacePool']);
    const init = f.events[1];
    expect(init?.type === 'InitRunspacePool' ? [init.minRunspaces, init.maxRunspaces, init.hostInfo.isHostNull, init.applicationArguments] : null).toEqual([1, 1, true, null]);
    expect(f.answers).toEqual(['SESSION_CAPABILITY', 'APPLICATION_PRIVATE_DATA', 'RUNSPACEPOOL_STATE']);
    expect(f.server.state).toBe(RS.Opened);
    expect(f.server.clientProtocolVersion).toBe('2.3');
  });

  it('test_psrp_with_input: CREATE_PIPELINE, each PIPELINE_INPUT, END_OF_PIPELINE_INPUT', () => {
    const inputs: PSValue[] = [];
    const f = feed(dir, 'test_psrp_with_input', (e, s) => {
      simple(e, s);
      if (e.type === 'PipelineInput') inputs.push(e.value);
    });
    expect(f.events.map((e) => e.type)).toEqual([
      'SessionCapability', 'InitRunspacePool', 'CreatePipeline', 'PipelineInput', 'PipelineInput', 'PipelineInput', 'PipelineInput',
      'EndOfPipelineInput',
    ]);
    expect(inputs.map((v) => toJSON(v))).toEqual(['1', 2, { a: 'b' }, ['a', 'b']]);
    expect(f.answers.slice(3)).toEqual(['PIPELINE_STATE']);
  });

  it('test_psrp_multiple_commands: ExtraCmds holds every statement; PUBLIC_KEY is answered with a key', () => {
    let pipeline: ServerPipeline | undefined;
    const f = feed(dir, 'test_psrp_multiple_commands', (e, s) => {
      if (e.type === 'CreatePipeline') pipeline = e.pipeline;
      simple(e, s);
    });
    expect(f.events.map((e) => e.type)).toEqual(['SessionCapability', 'InitRunspacePool', 'PublicKey', 'CreatePipeline']);
    expect(pipeline?.commands.map((st) => st.map((c) => c.cmd))).toEqual([
      ['Set-Variable'],
      ['[System.Runtime.InteropServices.marshal]::PtrToStringAuto([System.Runtime.InteropServices.marshal]::SecureStringToBSTR($sec_string))'],
      ['ConvertTo-SecureString'], ['Set-Variable'], ['$unicode_string'], ['cmd.exe'], ['whoami.exe'], ['Set-Variable'], ['$integer'], ['Get-Service'],
    ]);
    expect(f.answers).toContain('ENCRYPTED_SESSION_KEY');
    expect(f.server.hasSessionKey).toBe(true);
  });

  it('test_psrp_set_runspaces: answers availability and refuses bad counts', () => {
    const f = feed(dir, 'test_psrp_set_runspaces', simple);
    expect(f.events.slice(2).map((e) => (e.type === 'SetMaxRunspaces' || e.type === 'SetMinRunspaces' ? `${e.type} ${e.count} ${e.accepted}` : e.type === 'GetAvailableRunspaces' ? `${e.type} ${e.available}` : e.type))).toEqual([
      'GetAvailableRunspaces 1', 'SetMaxRunspaces 5 true', 'GetAvailableRunspaces 5', 'SetMinRunspaces 2 true',
      'SetMinRunspaces -1 false', 'SetMaxRunspaces -1 false',
    ]);
    expect([f.server.minRunspaces, f.server.maxRunspaces]).toEqual([2, 5]);
  });

  it('test_psrp_get_command_metadata: each call gets its own pipeline', () => {
    const f = feed(dir, 'test_psrp_get_command_metadata', (e, s) => {
      simple(e, s);
      if (e.type === 'GetCommandMetadata') e.pipeline.complete();
    });
    const calls = f.events.filter((e) => e.type === 'GetCommandMetadata');
    expect(calls.map((e) => (e.type === 'GetCommandMetadata' ? [e.request.name, e.request.commandType] : null))).toEqual([
      [['new-pssession*'], 511], [['new-*'], 2], [['Get-*'], 511],
    ]);
  });

  it('test_psrp_pshost_ui_mocked_methods: host responses are matched to our calls and <SS> decrypts', () => {
    const responses: ServerEvent[] = [];
    const f = feed(dir, 'test_psrp_pshost_ui_mocked_methods', (e, s) => {
      if (e.type === 'InitRunspacePool') s.open();
      if (e.type === 'CreatePipeline') {
        // Ask what the recorded server asked, in order; ci 1..5 as Windows numbered them.
        for (const m of [M.ReadLine, M.ReadLineAsSecureString, M.Prompt, M.PromptForCredential2, M.PromptForChoice]) e.pipeline.hostCall(m, []);
      }
      if (e.type === 'PipelineHostResponse') responses.push(e);
    });
    expect(f.events.map((e) => e.type).slice(0, 4)).toEqual(['SessionCapability', 'InitRunspacePool', 'PublicKey', 'CreatePipeline']);
    expect(responses.map((r) => (r.type === 'PipelineHostResponse' ? [r.ci, M[r.methodId]] : null))).toEqual([
      [1n, 'ReadLine'], [2n, 'ReadLineAsSecureString'], [3n, 'Prompt'], [4n, 'PromptForCredential2'], [5n, 'PromptForChoice'],
    ]);
    // The session key is a fresh one of ours, not the recorded server's: the <SS> cannot decrypt.
    const ss = responses[1];
    expect(() => f.server.decryptSecureString(ss?.type === 'PipelineHostResponse' ? ss.result ?? null : null)).toThrow(/cannot be decrypted/);
  });

  it('test_psrp_disconnect_runspaces: a connecting client is answered SESSION_CAPABILITY + RUNSPACEPOOL_INIT_DATA', () => {
    const server = new ServerRunspacePool();
    const answers: string[] = [];
    const own = new Defragmenter();
    let shell = '';
    for (const p of pypsrpPayloads(fixtureFile(dir, 'test_psrp_disconnect_runspaces'))) {
      if (p.direction !== 'client') continue;
      if (shell === '') shell = p.shell;
      if (p.shell !== shell) continue; // the recording's second pool
      if (p.source === 'connectXml' && server.state === RS.Opened) server.disconnect();
      server.receiveData(p.bytes);
      for (let e = server.nextEvent(); e !== null; e = server.nextEvent()) if (e.type === 'InitRunspacePool') server.open();
      for (let out = server.dataToSend(); out !== null; out = server.dataToSend()) {
        for (const m of own.add(out.data)) answers.push(MessageType[decodeMessage(m).type]);
      }
    }
    expect(answers).toEqual([
      'SESSION_CAPABILITY', 'APPLICATION_PRIVATE_DATA', 'RUNSPACEPOOL_STATE',
      'SESSION_CAPABILITY', 'RUNSPACEPOOL_INIT_DATA', 'RUNSPACEPOOL_STATE',
    ]);
    expect(server.state).toBe(RS.Opened);
  });
});
