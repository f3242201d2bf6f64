/**
 * Replays real recorded Windows conversations (pypsrp responses/*.yml) through our client
 * (RunspacePool + Pipeline + PsrpShell) and a fake transport: every request we send is compared
 * structurally with the recorded one, and every event our pool hands out with the messages the
 * recorded server sent. Where pypsrp legitimately differs from us, the difference is named in
 * KNOWN and each conversation lists exactly the ones it shows; anything else fails.
 */
import { expect, it } from 'vitest';
import { maxBlobSize } from '../../../src/psrp/fragment-size.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { differences, replayConversation, type ReplayOptions, type ReplayResult } from './conversation.js';

/** Differences between pypsrp's requests and ours that are deliberate, each with its reason. */
const KNOWN: Record<string, { why: string; match: RegExp }> = {
  apartmentState: {
    why: 'pypsrp names ApartmentState System.Management.Automation.Runspaces.ApartmentState / UNKNOWN; .NET (and we) write System.Threading.ApartmentState / Unknown',
    match: /ApartmentState" != "System\.Management\.Automation\.Runspaces\.ApartmentState"|"Unknown" != "UNKNOWN"/,
  },
  remoteStreamOptions: {
    why: 'pypsrp names RemoteStreamOptions System.Management.Automation.Runspaces.RemoteStreamOptions; the .NET type is System.Management.Automation.RemoteStreamOptions',
    match: /"System\.Management\.Automation\.RemoteStreamOptions" != "System\.Management\.Automation\.Runspaces\.RemoteStreamOptions"/,
  },
  remoteStreamOptionsNone: { why: 'pypsrp writes an empty ToString for RemoteStreamOptions 0; .NET writes None', match: /ToString: text "None" != ""/ },
  prCommandId: {
    why: 'MS-PSRP 3.1.5.3.5: a Send to a pipeline MUST carry its CommandId, also on "pr"; pypsrp leaves it out',
    match: /Send\/Stream: attributes \[\{\}CommandId="[0-9A-F-]+" \{\}Name="pr"\] != \[\{\}Name="pr"\]/,
  },
  terminateCase: {
    why: 'MS-WSMV 2.2.4.38 spells the code .../signal/terminate; pypsrp writes Terminate',
    match: /signal\/terminate" != "http:\/\/schemas\.microsoft\.com\/wbem\/wsman\/1\/windows\/shell\/signal\/Terminate"/,
  },
  stopCode: {
    why: 'MS-PSRP 3.1.5.3.9: the stop code is http://schemas.microsoft.com/powershell/signal/crtl_c; this old pypsrp sent the relative powershell/signal/ctrl_c',
    match: /"http:\/\/schemas\.microsoft\.com\/powershell\/signal\/crtl_c" != "powershell\/signal\/ctrl_c"/,
  },
  mergeToString: {
    why: 'PipelineResultTypes 3 is Warning in .NET (not a flags enum); pypsrp writes "Output, Error"',
    match: /ToString: text "Warning" != "Output, Error"/,
  },
  callIdCase: { why: 'MS-PSRP 2.2.2.8/2.2.2.9 name the call id "ci"; pypsrp wrote "CI"', match: /I64: attributes \[\{\}N="ci"\] != \[\{\}N="CI"\]/ },
  negativeTimeout: {
    why: 'pypsrp provokes a fault with OperationTimeout PT-1S; we never send a non-positive timeout',
    match: /Get wsman \/Envelope\/Header\/OperationTimeout: text "PT20S" != "PT-1S"/,
  },
  closeTimeout: {
    why: 'that pypsrp test closes with OperationTimeout PT30S; we keep the connection\'s timeout for Delete',
    match: /Delete wsman \/Envelope\/Header\/OperationTimeout: text "PT20S" != "PT30S"/,
  },
};

interface Summary {
  labels: string[];
  unexplained: string[];
}

function summarize(r: ReplayResult): Summary {
  const labels = new Set<string>();
  const unexplained: string[] = [];
  for (const d of differences(r)) {
    const hit = Object.entries(KNOWN).filter(([, k]) => k.match.test(d)).map(([label]) => label);
    if (hit.length === 0) unexplained.push(d);
    hit.forEach((l) => labels.add(l));
  }
  return { labels: [...labels].sort(), unexplained };
}

/** What our pool's events should be for the server messages the recording holds. */
const EVENT_OF: Record<string, string> = {
  SESSION_CAPABILITY: 'SessionCapability', APPLICATION_PRIVATE_DATA: 'ApplicationPrivateData', RUNSPACEPOOL_STATE: 'RunspacePoolState',
  RUNSPACEPOOL_INIT_DATA: 'RunspacePoolInitData', ENCRYPTED_SESSION_KEY: 'EncryptedSessionKey', RUNSPACE_AVAILABILITY: 'RunspaceAvailability',
  PIPELINE_OUTPUT: 'PipelineOutput', ERROR_RECORD: 'ErrorRecord', WARNING_RECORD: 'WarningRecord', VERBOSE_RECORD: 'VerboseRecord',
  DEBUG_RECORD: 'DebugRecord', INFORMATION_RECORD: 'InformationRecord', PROGRESS_RECORD: 'ProgressRecord', PIPELINE_STATE: 'PipelineState',
  PIPELINE_HOST_CALL: 'PipelineHostCall', USER_EVENT: 'UserEvent', RUNSPACEPOOL_HOST_CALL: 'RunspacePoolHostCall',
};

const BASE = ['apartmentState'];
const PIPE = ['apartmentState', 'remoteStreamOptions'];

interface Case {
  file: string;
  labels: string[];
  opts?: ReplayOptions;
  /** Where the replay must stop, and why (the reason is matched). */
  stop?: { index: number; reason: RegExp };
  check?: (r: ReplayResult) => void;
}

const pipelineStates = (r: ReplayResult): string[] =>
  [...r.events.values()].flat().flatMap((e) => (e.type === 'PipelineState' ? [String(e.state)] : []));

const CASES: Case[] = [
  { file: 'test_psrp_open_runspace.yml', labels: BASE, check: (r) => expect([...r.shells.values()].map((s) => s.phase)).toEqual(['closed']) },
  { file: 'test_client_execute_ps.yml', labels: PIPE, check: (r) => expect(pipelineStates(r)).toEqual(['4']) },
  { file: 'test_client_execute_ps_environment.yml', labels: PIPE },
  { file: 'test_client_execute_ps_failure.yml', labels: PIPE },
  { file: 'test_psrp_application_args.yml', labels: PIPE },
  { file: 'test_psrp_clear_commands.yml', labels: PIPE },
  { file: 'test_psrp_error_failed.yml', labels: PIPE, check: (r) => expect(pipelineStates(r)).toEqual(['5']) },
  { file: 'test_psrp_key_exchange_timeout.yml', labels: BASE },
  { file: 'test_psrp_long_running_cmdlet.yml', labels: PIPE, check: (r) => expect(r.steps.filter((s) => s.kind === 'receive').length).toBe(5) },
  { file: 'test_psrp_merge_commands.yml', labels: [...PIPE, 'mergeToString'].sort() },
  { file: 'test_psrp_multiple_commands.yml', labels: PIPE },
  { file: 'test_psrp_nested_command.yml', labels: [...PIPE, 'stopCode'].sort() },
  { file: 'test_psrp_no_profile.yml', labels: PIPE },
  { file: 'test_psrp_pshost_methods.yml', labels: PIPE },
  { file: 'test_psrp_pshost_raw_ui_mocked_methods.yml', labels: [...PIPE, 'prCommandId'].sort() },
  { file: 'test_psrp_pshost_ui_mocked_methods.yml', labels: [...PIPE, 'prCommandId'].sort() },
  { file: 'test_psrp_reset_runspace_state.yml', labels: PIPE },
  { file: 'test_psrp_reset_runspace_state_fail.yml', labels: BASE },
  { file: 'test_psrp_run_protocol_version_2.1.yml', labels: PIPE, check: (r) => expect([...r.shells.values()][0]?.maxEnvelopeSize).toBe(153600) },
  { file: 'test_psrp_run_protocol_version_2.2.yml', labels: PIPE, check: (r) => expect([...r.shells.values()][0]?.maxEnvelopeSize).toBe(512000) },
  { file: 'test_psrp_run_protocol_version_2.3.yml', labels: PIPE },
  { file: 'test_psrp_set_runspaces.yml', labels: [...BASE, 'callIdCase'].sort() },
  {
    file: 'test_psrp_small_msg_size.yml', labels: PIPE,
    check: (r) => {
      // pypsrp cut CREATE_PIPELINE at 23305 blob bytes, we at 23019 (2048 bytes of SOAP slack,
      // fragment-size.ts): the same two requests (Command + Send), the same message reassembled.
      const cut = r.steps.filter((s) => s.index === 4 || s.index === 5).map((s) => s.layout);
      expect(cut.map((l) => l.recorded)).toEqual(['o3f0S:23305', 'o3f1E:9092']);
      expect(cut[0]?.ours).toBe(`o3f0S:${maxBlobSize(32768)}`);
      expect(cut[1]?.ours).toMatch(/^o3f1E:\d+$/);
      expect([...r.shells.values()][0]?.maxEnvelopeSize).toBe(32768);
    },
  },
  { file: 'test_psrp_stream_no_output_invocation.yml', labels: [...PIPE, 'remoteStreamOptionsNone'].sort() },
  { file: 'test_psrp_stream_output_invocation.yml', labels: PIPE },
  { file: 'test_psrp_with_history.yml', labels: PIPE },
  { file: 'test_psrp_with_input.yml', labels: PIPE },
  { file: 'test_psrp_with_no_history.yml', labels: PIPE },
  {
    file: 'test_psrp_with_jea_configuration.yml', labels: PIPE, opts: { configurationName: 'JEARole' },
    check: (r) => expect([...r.shells.values()][0]?.resourceUri).toBe('http://schemas.microsoft.com/powershell/JEARole'),
  },
  { file: 'test_psrp_is_alive_invalid_selectors.yml', labels: BASE, check: (r) => expect(r.steps.map((s) => s.shellState).filter(Boolean)).toEqual(['Connected', 'NotFound']) },
  { file: 'test_psrp_is_alive_state_disconnected.yml', labels: BASE, check: (r) => expect(r.steps.map((s) => s.shellState).filter(Boolean)).toEqual(['Connected', 'Disconnected']) },
  { file: 'test_psrp_is_alive_http_error.yml', labels: BASE },
  { file: 'test_psrp_is_alive_other_wsman_error.yml', labels: [...BASE, 'closeTimeout', 'negativeTimeout'].sort() },
  { file: 'test_psrp_disconnect_runspaces.yml', labels: BASE, check: (r) => expect(r.notBinding.map((n) => n.index)).toEqual([11, 12, 13]) },
  {
    file: 'test_psrp_disconnected_commands.yml', labels: PIPE,
    stop: { index: 15, reason: /Running Pipeline object for an existing id/ },
  },
  { file: 'test_psrp_multiple_invocations.yml', labels: [...PIPE, 'terminateCase'].sort(), stop: { index: 6, reason: /exists already/ } },
  { file: 'test_psrp_get_command_metadata.yml', labels: BASE, stop: { index: 3, reason: /GET_COMMAND_METADATA/ } },
  { file: 'test_psrp_receive_failure.yml', labels: BASE, stop: { index: 3, reason: /nothing to send where pypsrp sent Receive/ } },
];

describeFixtures('replay of recorded pypsrp conversations (fake transport, structural compare)', (dir) => {
  for (const c of CASES) {
    const what = c.stop === undefined ? 'replays every exchange' : `replays up to exchange #${c.stop.index}`;
    it(`${c.file} ${what}, differing from pypsrp only in [${c.labels.join(', ')}]`, () => {
      const r = replayConversation(dir, c.file, c.opts);
      const summary = summarize(r);
      expect(summary.unexplained).toEqual([]);
      expect(summary.labels).toEqual(c.labels);
      if (c.stop === undefined) {
        expect(r.stoppedAt).toBeUndefined();
        expect(r.steps.length + r.notBinding.length).toBe(r.exchanges);
        expect(r.pending).toEqual([]);
      } else {
        expect(r.stoppedAt?.index).toBe(c.stop.index);
        expect(r.stoppedAt?.reason).toMatch(c.stop.reason);
      }
      // Every server message the recording holds came out of our pool as its event, in order.
      for (const [shellId, types] of r.serverMessages) {
        const events = (r.events.get(shellId) ?? []).map((e) => e.type);
        expect(events).toEqual(types.map((t) => EVENT_OF[t] ?? t).slice(0, events.length));
        if (c.stop === undefined) expect(events.length).toBe(types.length);
      }
      c.check?.(r);
    });
  }

  it('every KNOWN difference is seen in some conversation', () => {
    const used = new Set(CASES.flatMap((c) => c.labels));
    expect(Object.keys(KNOWN).filter((k) => !used.has(k))).toEqual([]);
  });
});
