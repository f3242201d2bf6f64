import { describe, expect, it } from 'vitest';
import { PSObject, ps } from '../../src/psrp/clixml/index.js';
import { ndjsonEnd, ndjsonRecord, RecordRenderer } from '../../src/render/index.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { captureTerminal, customObject, recordedErrors } from './objects.js';

describe('NDJSON records', () => {
  it('writes one line per record with host, stream, seq, types and the JSON projection', () => {
    expect(ndjsonRecord({ host: 'web1', stream: 'output', seq: 1, value: customObject([['Name', 'a'], ['Size', ps.i64(10)]]) }))
      .toBe('{"host":"web1","stream":"output","seq":1,"types":["System.Management.Automation.PSCustomObject","System.Object"],"value":{"Name":"a","Size":10}}\n');
    expect(ndjsonRecord({ host: 'web1', stream: 'output', seq: 2, value: 'text' }))
      .toBe('{"host":"web1","stream":"output","seq":2,"types":["System.String"],"value":"text"}\n');
    expect(ndjsonRecord({ host: 'web1', stream: 'output', seq: 3, value: ps.double(1.5) }))
      .toBe('{"host":"web1","stream":"output","seq":3,"types":["System.Double"],"value":1.5}\n');
  });

  it('adds the displayed message to warning, information and host records', () => {
    const warning = new PSObject({ typeNames: ['System.Management.Automation.WarningRecord'], extended: [['InformationalRecord_Message', 'careful']] });
    expect(JSON.parse(ndjsonRecord({ host: 'h', stream: 'warning', seq: 4, value: warning }))).toEqual({
      host: 'h', stream: 'warning', seq: 4, types: ['System.Management.Automation.WarningRecord'],
      value: { InformationalRecord_Message: 'careful' }, message: 'careful',
    });
    expect(JSON.parse(ndjsonRecord({ host: 'h', stream: 'host', seq: 5, value: { methodName: 'WriteLine3', parameters: [12, 0, 'hi'] } }))).toEqual({
      host: 'h', stream: 'host', seq: 5, types: [], value: { methodName: 'WriteLine3', parameters: [12, 0, 'hi'] }, message: 'hi',
    });
  });

  it('projects progress records to the ProgressRecord member names', () => {
    const line = ndjsonRecord({ host: 'h', stream: 'progress', seq: 6, value: { activity: 'Copy', activityId: 1, statusDescription: 's', percentComplete: 50, recordType: 0 } });
    expect(JSON.parse(line)).toEqual({
      host: 'h', stream: 'progress', seq: 6, types: ['System.Management.Automation.ProgressRecord'],
      value: { Activity: 'Copy', ActivityId: 1, StatusDescription: 's', CurrentOperation: null, ParentActivityId: -1, PercentComplete: 50, RecordType: 'Processing', SecondsRemaining: -1 },
    });
  });

  it('ends each host with a status line', () => {
    expect(ndjsonEnd('web1', 'ok')).toBe('{"host":"web1","stream":"end","status":"ok","error":null}\n');
    expect(ndjsonEnd('web2', 'unreachable', { code: 'ETSR_CONNECT', message: 'connection refused', hint: 'is WinRM listening?' }))
      .toBe('{"host":"web2","stream":"end","status":"unreachable","error":{"code":"ETSR_CONNECT","message":"connection refused","hint":"is WinRM listening?"}}\n');
    expect(ndjsonEnd('web3', 'failed', 'pipeline failed')).toBe('{"host":"web3","stream":"end","status":"failed","error":"pipeline failed"}\n');
  });

  it('makes the record renderer write only NDJSON in json mode', () => {
    const term = captureTerminal({ isTTY: true, color: true });
    const r = new RecordRenderer({ terminal: term, json: true });
    r.render({ host: 'a', stream: 'output', seq: 1, value: 1 });
    r.render({ host: 'a', stream: 'progress', seq: 2, value: { activity: 'x', percentComplete: 5 } });
    r.hostEnd('a', 'ok');
    r.close();
    expect(term.writes.map((w) => JSON.parse(w).stream)).toEqual(['output', 'progress', 'end']);
    expect(term.text()).not.toContain('\u001b');
  });
});

describeFixtures('NDJSON of recorded errors', (dir) => {
  it('carries the concise error text, without colour, as message', () => {
    const { ironposh } = recordedErrors(dir);
    const line = JSON.parse(ndjsonRecord({ host: 'dc', stream: 'error', seq: 1, value: ironposh })) as { types: string[]; message: string; value: { FullyQualifiedErrorId: string } };
    expect(line.types).toEqual(['System.Management.Automation.ErrorRecord', 'System.Object']);
    expect(line.value.FullyQualifiedErrorId).toBe('CommandNotFoundException');
    expect(line.message).toMatch(/^ed: The term 'ed' is not recognized/);
  });
});
