/** Client readers, checked value by value against recorded responses. */
import { expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { fixtureText, IRONPOSH, MASTERZEN, PYWINRM, pypsrp, WINRB, winrmsharp } from './corpus.js';
import {
  ACTION,
  NS,
  WSManProtocolError,
  child,
  parseResponse,
  readCommandResponse,
  readEnumerateResponse,
  readGetResponse,
  readReceiveResponse,
  readShellCreated,
  textOf,
  type ReceiveResult,
} from '../../src/wsman/index.js';

const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Concatenated text of one stream across a ReceiveResult. */
const streamText = (r: ReceiveResult, name: string): string =>
  r.streams
    .filter((s) => s.name === name)
    .map((s) => utf8(s.data))
    .join('');

describeFixtures('client readers on recorded responses', (dir) => {
  it('pypsrp test_winrs_standard: shell, command, output, exit code', () => {
    const m = pypsrp(dir, 'test_winrs_standard.yml');
    const created = parseResponse(m[0]!.response);
    expect(created.action).toBe(ACTION.CreateResponse);
    expect(created.relatesTo).toBe('uuid:FC40E3CD-53E9-4315-B486-6D538B25D1F5');
    expect(readShellCreated(created)).toEqual({
      shellId: '4283CBDC-3706-415B-88BD-B385F3E51A53',
      resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd',
      address: 'http://192.168.56.11:5985/wsman',
      owner: 'vagrant',
      clientIp: '192.168.56.1',
      idleTimeout: 7200,
      inputStreams: ['stdin'],
      outputStreams: ['stdout', 'stderr'],
      name: undefined,
    });
    expect(readCommandResponse(parseResponse(m[1]!.response))).toBe('CF84C20A-0A35-43FA-AF78-0B4711DA5F30');
    const out = readReceiveResponse(parseResponse(m[2]!.response));
    const id = 'CF84C20A-0A35-43FA-AF78-0B4711DA5F30';
    expect(out.streams.map((s) => [s.name, s.commandId, utf8(s.data), s.end])).toEqual([
      ['stdout', id, 'hi\r\n', false],
      ['stdout', id, '', true],
      ['stderr', id, '', true],
    ]);
    expect(out.commandState).toEqual({ commandId: id, state: 'Done', exitCode: 0 });
  });

  it('pypsrp test_winrs_stderr_rc: stdout, stderr and exit code 1', () => {
    const out = readReceiveResponse(parseResponse(pypsrp(dir, 'test_winrs_stderr_rc.yml')[2]!.response));
    expect(streamText(out, 'stdout')).toBe('out \r\n');
    expect(streamText(out, 'stderr')).toBe('err \r\n');
    expect(out.commandState?.exitCode).toBe(1);
    expect(out.commandState?.state).toBe('Done');
  });

  it('pypsrp test_winrs_unicode and winrmsharp ProtocolRunCommandWithUnicode: UTF-8 Japanese stdout', () => {
    const a = readReceiveResponse(parseResponse(pypsrp(dir, 'test_winrs_unicode.yml')[2]!.response));
    expect(streamText(a, 'stdout')).toBe('こんにちは\n');
    expect(a.streams[0]?.data).toEqual(new Uint8Array(Buffer.from('こんにちは', 'utf8')));
    const b = readReceiveResponse(parseResponse(winrmsharp(dir, 'ProtocolRunCommandWithUnicode.yml')[2]!.response));
    expect(streamText(b, 'stdout')).toBe('こんにちは\n');
    expect(b.commandState?.exitCode).toBe(0);
  });

  it('masterzen: exit code 123, newline-separated OutputStreams, running state', () => {
    const done = readReceiveResponse(parseResponse(fixtureText(dir, MASTERZEN, 'doneCommandResponse.xml')));
    expect(done).toEqual({
      streams: [],
      commandState: { commandId: '4531DAA3-60C2-4CAD-9FCA-F433101DAC8A', state: 'Done', exitCode: 123 },
    });
    const shell = readShellCreated(parseResponse(fixtureText(dir, MASTERZEN, 'createShellResponse.xml')));
    expect(shell.shellId).toBe('67A74734-DD32-4F10-89DE-49A060483810');
    expect(shell.outputStreams).toEqual(['stdout', 'stderr']);
    expect(shell.owner).toBe('Administrator');
    const running = readReceiveResponse(parseResponse(fixtureText(dir, MASTERZEN, 'outputResponse.xml')));
    expect(running.streams.length).toBeGreaterThan(0);
    expect(running.commandState?.state).toBe('Running');
    expect(running.commandState?.exitCode).toBeUndefined();
  });

  it('pywinrm get_cmd_output_response: real ipconfig /all stdout, self-closing End streams', () => {
    const out = readReceiveResponse(parseResponse(fixtureText(dir, PYWINRM, 'get_cmd_output_response.xml')));
    const text = streamText(out, 'stdout');
    expect(text.startsWith('\r\nWindows IP Configuration\r\n\r\n')).toBe(true);
    expect(text).toContain('Host Name . . . . . . . . . . . . : WINDOWS-HOST');
    expect(out.streams.filter((s) => s.end).map((s) => [s.name, s.data.length])).toEqual([
      ['stdout', 0],
      ['stderr', 0],
    ]);
    expect(out.commandState).toEqual({ commandId: '11111111-1111-1111-1111-111111111114', state: 'Done', exitCode: 0 });
    // The %s placeholder file still parses; the placeholder sits inside its CommandId.
    const ps = parseResponse(fixtureText(dir, PYWINRM, 'run_cmd_ps_response.xml'));
    expect(readCommandResponse(ps)).toBe('11111111-1111-1111-1111-1111111111%s4');
  });

  it('ShellId from the SelectorSet only (winrb v1, OMI with padded text) and from rsp:Shell (ironposh PSRP)', () => {
    const v1 = readShellCreated(parseResponse(fixtureText(dir, WINRB, 'open_shell_v1.xml')));
    expect([v1.shellId, v1.resourceUri, v1.owner, v1.inputStreams]).toEqual([
      'uuid:739990FF-1492-4CDD-80BB-6E07ADB06D85',
      'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd',
      undefined,
      [],
    ]);
    const omiResp = parseResponse(fixtureText(dir, WINRB, 'open_shell_omi.xml'));
    expect(omiResp.action).toBe(ACTION.CreateResponse);
    expect(omiResp.relatesTo).toBe('uuid:C872AD16-50F1-4CD3-908B-35AED7E485B7');
    const omi = readShellCreated(omiResp);
    expect([omi.shellId, omi.resourceUri]).toEqual([
      '74142DC5-E14D-4FCC-86ED-63DA3EE8407E',
      'http://schemas.microsoft.com/powershell/Microsoft.PowerShell',
    ]);
    const ps = readShellCreated(parseResponse(fixtureText(dir, IRONPOSH, 'resource_created.xml')));
    expect(ps).toEqual({
      shellId: '07936B27-7752-4325-8B0D-E7A1E9448320',
      resourceUri: 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell',
      address: 'http://10.10.0.3:5985/wsman?PSVersion=7.4.10',
      owner: 'Administrator',
      clientIp: '10.10.0.1',
      idleTimeout: 7200,
      inputStreams: ['stdin', 'pr'],
      outputStreams: ['stdout'],
      name: 'Runspace1',
    });
  });

  it('ironposh receive_response: one PSRP fragment on stdout without CommandId', () => {
    const out = readReceiveResponse(parseResponse(fixtureText(dir, IRONPOSH, 'receive_response.xml')));
    expect(out.streams).toHaveLength(1);
    const s = out.streams[0]!;
    expect([s.name, s.commandId, s.end, s.data.length]).toEqual(['stdout', undefined, false, 21 + 103]);
    // Fragment header: ObjectId 3, FragmentId 0, flags 3 (start|end), blob length 0x67.
    expect(Buffer.from(s.data.subarray(0, 21)).toString('hex')).toBe('0000000000000003' + '0000000000000000' + '03' + '00000067');
    expect(out.commandState).toBeUndefined();
  });

  it('pypsrp Enumerate of the shell collection: optimized items and EndOfSequence', () => {
    const m = pypsrp(dir, 'test_psrp_disconnect_runspaces.yml');
    const enumResp = m.map((x) => x.response).find((r) => r.includes('EnumerateResponse<'))!;
    const res = readEnumerateResponse(parseResponse(enumResp));
    expect(res.endOfSequence).toBe(true);
    expect(res.enumerationContext).toBeUndefined();
    expect(res.items.map((i) => [i.local, textOf(child(i, NS.rsp, 'State'))])).toEqual([
      ['Shell', 'Disconnected'],
      ['Shell', 'Disconnected'],
    ]);
    expect(textOf(child(res.items[0], NS.rsp, 'ShellId'))).toBe('B6631D8E-65A0-49F2-9053-A1B156C95777');
  });

  it('pypsrp winrm/config Get: MaxEnvelopeSizekb', () => {
    for (const [file, kb] of [
      ['test_wsman_update_envelope_size_150.yml', '150'],
      ['test_wsman_update_envelope_size_500.yml', '500'],
      ['test_wsman_update_envelope_size_4096.yml', '4096'],
    ] as const) {
      const get = pypsrp(dir, file).find((x) => x.response.includes('GetResponse<'))!;
      const cfg = readGetResponse(parseResponse(get.response));
      expect([cfg.ns, cfg.local]).toEqual([NS.cfg, 'Config']);
      expect(textOf(child(cfg, NS.cfg, 'MaxEnvelopeSizekb'))).toBe(kb);
    }
  });

  it('readers refuse bodies that are not theirs with WSManProtocolError', () => {
    const created = parseResponse(pypsrp(dir, 'test_winrs_standard.yml')[0]!.response);
    expect(() => readReceiveResponse(created)).toThrow(WSManProtocolError);
    expect(() => readCommandResponse(created)).toThrow(WSManProtocolError);
    expect(() => readEnumerateResponse(created)).toThrow(WSManProtocolError);
    const cmd = parseResponse(pypsrp(dir, 'test_winrs_standard.yml')[1]!.response);
    expect(() => readShellCreated(cmd)).toThrow(WSManProtocolError);
  });
});
