/**
 * Our client RunspacePool driven by real server traffic (pypsrp's recordings against Windows
 * Server 2008 R2 … 2022): it accepts every recorded server message, produces the events a caller
 * expects, and queues client messages structurally equal to the ones pypsrp sent (see
 * client-replay.ts for the comparison rules).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { toJSON } from '../../src/psrp/clixml/index.js';
import { HostMethodIdentifier as M, PSInvocationState as PI, RunspacePoolState as RS } from '../../src/psrp/constants.js';
import { PsrpProtocolError } from '../../src/psrp/errors.js';
import type { PsrpEvent } from '../../src/psrp/events.js';
import { ScriptedHost } from '../../src/psrp/host/index.js';
import { pypsrpFiles, pypsrpPayloads } from './fragment-fixtures.js';
import { replayClient, type ReplayResult } from './client-replay.js';

/** A compact line per event. */
function brief(e: PsrpEvent): string {
  switch (e.type) {
    case 'PipelineOutput':
      return `out ${JSON.stringify(toJSON(e.value))}`;
    case 'RunspacePoolState':
      return `pool ${RS[e.state]}`;
    case 'PipelineState':
      return `pipeline ${PI[e.state]}${e.errorInfo === undefined ? '' : `: ${e.errorInfo.message}`}`;
    case 'PipelineHostCall':
      return `host ${M[e.methodId]}`;
    case 'RunspaceAvailability':
      return `${e.request} ${String(e.value)}`;
    case 'ErrorRecord':
      return `error ${e.info.message}`;
    case 'WarningRecord':
    case 'VerboseRecord':
    case 'DebugRecord':
      return `${e.type} ${e.message}`;
    default:
      return e.type;
  }
}

const OPEN = ['SessionCapability', 'ApplicationPrivateData', 'pool Opened'];

function uiHost(): ScriptedHost {
  return new ScriptedHost({
    readLines: ['ReadLine response'],
    secureLines: ['ReadLineAsSecureString response'],
    prompts: [{ 'prompt field': 'prompt response' }],
    credentials: [{ userName: 'username', password: 'password' }],
    choices: [1],
    rawUI: { readKey: () => ({ virtualKeyCode: 65, character: 'a', controlKeyState: 128, keyDown: true }) },
  });
}

describeFixtures('client RunspacePool against recorded Windows traffic (pypsrp)', (dir) => {
  const run = (name: string, host?: ScriptedHost): Promise<ReplayResult> => replayClient(dir, name, host ?? uiHost());

  it('test_psrp_open_runspace: opens, learns protocol 2.3 and the server PSVersionTable', async () => {
    const r = await run('test_psrp_open_runspace');
    expect(r.events.map(brief)).toEqual(OPEN);
    expect(r.pool.state).toBe(RS.Opened);
    expect(r.pool.protocolVersion).toBe('2.3');
    const table = (toJSON(r.pool.applicationPrivateData ?? null) as { PSVersionTable: { PSVersion: string; PSEdition: string } }).PSVersionTable;
    expect([table.PSVersion, table.PSEdition]).toEqual(['5.1.14393.2248', 'Desktop']);
    expect(r.ours.map((m) => m.type)).toEqual(['SESSION_CAPABILITY', 'INIT_RUNSPACEPOOL']);
    expect(r.ours).toEqual(r.recorded);
  });

  it.each([
    ['2.1', '2.1'],
    ['2.2', '2.2'],
    ['2.3', '2.3'],
  ])('test_psrp_run_protocol_version_%s: input, merged errors and debug records', async (version) => {
    const r = await run(`test_psrp_run_protocol_version_${version}`);
    expect(r.pool.protocolVersion).toBe(version);
    const lines = r.events.map(brief);
    expect(lines.slice(0, 3)).toEqual(OPEN);
    // Write-Error merged into output (MergeMyResult Error -> Output) arrives as an ErrorRecord object.
    const merged = r.events.find((e) => e.type === 'PipelineOutput' && typeof e.value === 'object');
    expect((toJSON(merged?.type === 'PipelineOutput' ? merged.value : null) as { Exception: { Message: string } }).Exception.Message).toBe('error');
    expect(lines.slice(3).filter((l) => !l.startsWith('out {') && l !== 'ProgressRecord')).toEqual([
      'DebugRecord Start Block', 'out "message 1"', 'out 2', 'out ["3",3]', 'DebugRecord End Block', 'pipeline Completed',
    ]);
    // Our CREATE_PIPELINE leaves out the Merge* fields a 2.1/2.2 server does not know, as pypsrp does.
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_multiple_commands: several statements, a SecureString both ways', async () => {
    const r = await run('test_psrp_multiple_commands');
    const outs = r.events.filter((e) => e.type === 'PipelineOutput');
    expect(outs.slice(0, 2).map(brief)).toEqual(['out "Hello World"', 'out "<SecureString>"']);
    const ss = outs[1];
    expect(r.pool.decryptSecureString(ss?.type === 'PipelineOutput' ? ss.value : null)).toBe('abc');
    expect(outs.slice(2, 6).map(brief)).toEqual([
      'out "こんにちは - actual_x000A_string\\nnewline: 𐐷"',
      'out "hi\\""',
      'out "win-nnmu24vvkj0\\\\vagrant"',
      'out 123',
    ]);
    expect(r.events.map(brief).slice(-1)).toEqual(['pipeline Completed']);
    expect(r.ours.map((m) => m.type)).toEqual(['SESSION_CAPABILITY', 'INIT_RUNSPACEPOOL', 'PUBLIC_KEY', 'CREATE_PIPELINE']);
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_pshost_ui_mocked_methods: every host call, answered byte-compatibly (same <SS> ciphertext)', async () => {
    const host = uiHost();
    const r = await run('test_psrp_pshost_ui_mocked_methods', host);
    expect(r.events.filter((e) => e.type === 'PipelineHostCall').map(brief)).toEqual([
      'host ReadLine', 'host ReadLineAsSecureString', 'host Write1', 'host Write2', 'host WriteLine1', 'host WriteLine2',
      'host WriteLine3', 'host WriteErrorLine', 'host WriteDebugLine', 'host WriteProgress', 'host WriteProgress',
      'host WriteVerboseLine', 'host WriteWarningLine', 'host Prompt', 'host PromptForCredential2', 'host PromptForChoice',
    ]);
    expect(host.calls.map((c) => c[0])).toEqual([
      'ReadLine', 'ReadLineAsSecureString', 'Write', 'Write', 'WriteLine', 'WriteLine', 'WriteLine', 'WriteErrorLine',
      'WriteDebugLine', 'WriteProgress', 'WriteProgress', 'WriteVerboseLine', 'WriteWarningLine', 'Prompt',
      'PromptForCredential', 'PromptForChoice',
    ]);
    expect(host.calls[3]).toEqual(['Write', 'Write2', { foreground: 9, background: 15 }]);
    const outs = r.events.filter((e) => e.type === 'PipelineOutput').map((e) => (e.type === 'PipelineOutput' ? e.value : null));
    expect(toJSON(outs[0] ?? null)).toBe('ReadLine response');
    expect(r.pool.decryptSecureString(outs[1] ?? null)).toBe('ReadLineAsSecureString response');
    expect(r.events.map(brief).slice(-2)).toEqual(['out 1', 'pipeline Completed']);
    expect(r.ours.filter((m) => m.type === 'PIPELINE_HOST_RESPONSE')).toHaveLength(5);
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_pshost_raw_ui_mocked_methods: raw UI setters reach the host, ReadKey answers a KeyInfo', async () => {
    const host = uiHost();
    const r = await run('test_psrp_pshost_raw_ui_mocked_methods', host);
    const raw = host.ui.rawUI;
    expect([raw?.foregroundColor, raw?.backgroundColor, raw?.cursorPosition, raw?.windowPosition, raw?.cursorSize]).toEqual([
      10, 12, { x: 11, y: 12 }, { x: 13, y: 14 }, 25,
    ]);
    expect([raw?.bufferSize, raw?.windowSize, raw?.windowTitle]).toEqual([{ width: 8, height: 9 }, { width: 8, height: 9 }, 'New Window Title']);
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_error_failed: PipelineState Failed carries the ErrorRecord', async () => {
    const r = await run('test_psrp_error_failed');
    expect(r.events.map(brief)).toEqual([...OPEN, 'ProgressRecord', 'out "before"', 'pipeline Failed: error']);
    const last = r.events[r.events.length - 1];
    expect(last?.type === 'PipelineState' ? last.errorInfo?.fullyQualifiedErrorId : null).toBe('Microsoft.PowerShell.Commands.WriteErrorException');
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_client_execute_ps_failure: a CommandNotFoundException fails the pipeline', async () => {
    const r = await run('test_client_execute_ps_failure');
    const last = r.events[r.events.length - 1];
    expect(last?.type === 'PipelineState' ? [PI[last.state], last.errorInfo?.exceptionType] : null).toEqual([
      'Failed', 'System.Management.Automation.CommandNotFoundException',
    ]);
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_set_runspaces: availability answers, the server refusing bad counts', async () => {
    const r = await run('test_psrp_set_runspaces');
    expect(r.events.map(brief).slice(3)).toEqual([
      'GetAvailableRunspaces 1', 'SetMaxRunspaces true', 'GetAvailableRunspaces 5', 'SetMinRunspaces true',
      'SetMinRunspaces false', 'SetMaxRunspaces false',
    ]);
    expect([r.pool.minRunspaces, r.pool.maxRunspaces]).toEqual([2, 5]);
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_disconnected_commands: connect to a disconnected pool and attach to its pipeline', async () => {
    const r = await run('test_psrp_disconnected_commands');
    const tail = r.events.map(brief).slice(6);
    expect(tail).toEqual([
      'SessionCapability', 'RunspacePoolInitData', 'ApplicationPrivateData', 'ProgressRecord', 'out "a"', 'out "b"', 'pipeline Completed',
      'SessionCapability', 'RunspacePoolInitData', 'ApplicationPrivateData', 'ProgressRecord', 'out "a"', 'out "b"', 'pipeline Completed',
    ]);
    expect(r.pool.state).toBe(RS.Opened);
    expect(r.ours).toEqual(r.recorded);
  });

  it('test_psrp_multiple_invocations: one PowerShell invoked twice with the same PID', async () => {
    const r = await run('test_psrp_multiple_invocations');
    expect(r.events.map(brief).slice(3)).toEqual(['out 2', 'pipeline Completed', 'out 2', 'pipeline Completed']);
    expect(r.ours).toEqual(r.recorded);
  });

  it('every PSRP recording: accepted whole, and our client messages equal pypsrp\'s', async () => {
    // test_client_copy_file_warning was hand-edited to inject a WARNING_RECORD from another session.
    const names = pypsrpFiles(dir)
      .filter((f) => pypsrpPayloads(f).length > 0)
      .map((f) => path.basename(f, '.yml'))
      .filter((n) => n !== 'test_client_copy_file_warning');
    expect(names).toHaveLength(48);
    const mismatched: string[] = [];
    let messages = 0;
    for (const name of names) {
      const r = await run(name);
      messages += r.ours.length;
      if (JSON.stringify(r.ours) !== JSON.stringify(r.recorded)) mismatched.push(name);
    }
    expect(mismatched).toEqual([]);
    // All 230 recorded client messages but the 6 of the excluded file.
    expect(messages).toBe(224);
  });

  it('a message for a pipeline it never made breaks the pool (test_client_copy_file_warning\'s injected record)', async () => {
    await expect(run('test_client_copy_file_warning')).rejects.toThrow(PsrpProtocolError);
  });
});
