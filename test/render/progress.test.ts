import { describe, expect, it } from 'vitest';
import { PSObject } from '../../src/psrp/clixml/index.js';
import { createStyle, progressInfo, ProgressLine, progressText } from '../../src/render/index.js';
import { enumValue } from './objects.js';

const CLEAR = '\r\u001b[2K';
const info = (activity: string, status: string, pct: number, completed = false, id = 0) => ({
  activity, activityId: id, statusDescription: status, currentOperation: null, parentActivityId: -1,
  percentComplete: pct, secondsRemaining: -1, completed,
});

describe('progress status line', () => {
  it('draws Activity: Status [bar] N%', () => {
    expect(progressText(info('Copying', 'file 2 of 5', 40))).toBe('Copying: file 2 of 5 [########            ] 40%');
    expect(progressText(info('Waiting', ' ', -1))).toBe('Waiting');
  });

  it('rewrites the line in place on a TTY and erases it when the activity completes', () => {
    const line = new ProgressLine({ isTTY: true, columns: 80, style: createStyle(false) });
    expect(line.update('h', info('Copying', 'a', 10))).toBe(`${CLEAR}Copying: a [##                  ] 10%`);
    expect(line.update('h', info('Copying', 'b', 100))).toBe(`${CLEAR}Copying: b [####################] 100%`);
    expect(line.visible).toBe(true);
    expect(line.update('h', info('Copying', 'b', 100, true))).toBe(CLEAR);
    expect(line.visible).toBe(false);
    expect(line.clear()).toBe('');
  });

  it('shows the most recent running activity when another completes', () => {
    const line = new ProgressLine({ isTTY: true, columns: 80, style: createStyle(false) });
    line.update('h', info('Outer', 'o', -1, false, 1));
    line.update('h', info('Inner', 'i', -1, false, 2));
    expect(line.update('h', info('Inner', 'i', -1, true, 2))).toBe(`${CLEAR}Outer: o`);
  });

  it('cuts the line to the terminal width and prefixes the host when asked', () => {
    const line = new ProgressLine({ isTTY: true, columns: 20, style: createStyle(false), showHost: true });
    expect(line.update('web1', info('Installing', 'package', 50))).toBe(`${CLEAR}[web1] Installing:\u2026`);
  });

  it('draws nothing off a TTY', () => {
    const line = new ProgressLine({ isTTY: false, columns: 80, style: createStyle(false) });
    expect(line.update('h', info('Copying', 'a', 10))).toBe('');
    expect(line.visible).toBe(false);
    expect(line.clear()).toBe('');
  });

  it('reads ProgressRecord objects, <PR> values and ProgressRecord events', () => {
    const obj = new PSObject({ extended: [
      ['Activity', 'Preparing modules for first use.'], ['ActivityId', 0], ['StatusDescription', ' '], ['CurrentOperation', null],
      ['ParentActivityId', -1], ['PercentComplete', -1], ['Type', enumValue('System.Management.Automation.ProgressRecordType', 'Completed', 1)],
      ['SecondsRemaining', -1],
    ] });
    expect(progressInfo(obj)).toEqual({ ...info('Preparing modules for first use.', ' ', -1, true), currentOperation: null });
    expect(progressInfo({ kind: 'PR', activity: 'A', activityId: 3, currentOperation: null, parentActivityId: -1, percentComplete: 5, recordType: 'Processing', secondsRemaining: 9, statusDescription: 's' }))
      .toEqual({ ...info('A', 's', 5, false, 3), secondsRemaining: 9 });
    expect(progressInfo({ type: 'ProgressRecord', pipelineId: 'X', activity: 'B', activityId: 1, statusDescription: 't', currentOperation: null, parentActivityId: -1, percentComplete: 20, recordType: 1, secondsRemaining: -1 }))
      .toEqual(info('B', 't', 20, true, 1));
    expect(progressInfo('not progress')).toBeUndefined();
  });
});
