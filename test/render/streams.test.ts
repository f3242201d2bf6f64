import { describe, expect, it } from 'vitest';
import { PSObject } from '../../src/psrp/clixml/index.js';
import { createStyle, debugText, hostCallText, informationText, verboseText, warningText } from '../../src/render/index.js';
import { enumValue } from './objects.js';

const plain = createStyle(false);
const color = createStyle(true);
const YELLOW = (t: string): string => `\u001b[1m\u001b[33m${t}\u001b[39m\u001b[22m`;

function informational(message: string): PSObject {
  return new PSObject({
    typeNames: ['System.Management.Automation.WarningRecord', 'System.Management.Automation.InformationalRecord', 'System.Object'],
    toStringText: message,
    extended: [['InformationalRecord_Message', message], ['InformationalRecord_SerializeInvocationInfo', false]],
  });
}

function hostMessage(message: string, fg: number | null, bg: number | null, noNewLine = false): PSObject {
  const color = (n: number | null): PSObject | null => (n === null ? null : enumValue('System.ConsoleColor', ['Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray', 'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White'][n] ?? '', n));
  return new PSObject({
    typeNames: ['System.Management.Automation.InformationRecord', 'System.Object'],
    extended: [
      ['MessageData', new PSObject({
        typeNames: ['System.Management.Automation.HostInformationMessage', 'System.Object'],
        toStringText: message,
        extended: [['Message', message], ['ForegroundColor', color(fg)], ['BackgroundColor', color(bg)], ['NoNewLine', noNewLine]],
      })],
      ['Source', 'Write-Host'], ['Tags', null],
    ],
  });
}

describe('warning, verbose and debug lines', () => {
  it('prefixes the message, from the record object or from text', () => {
    expect(warningText(informational('disk low'), plain)).toBe('WARNING: disk low');
    expect(verboseText('step 2', plain)).toBe('VERBOSE: step 2');
    expect(debugText(informational('x=1'), plain)).toBe('DEBUG: x=1');
  });

  it('paints the whole line bold yellow only when colour is on ($PSStyle.Formatting defaults ESC[33;1m)', () => {
    expect(warningText('w', color)).toBe(YELLOW('WARNING: w'));
    expect(verboseText('v', color)).toBe(YELLOW('VERBOSE: v'));
    expect(debugText('d', color)).toBe(YELLOW('DEBUG: d'));
    for (const t of [warningText('w', plain), verboseText('v', plain), debugText('d', plain)]) expect(t).not.toContain('\u001b');
  });
});

describe('information records', () => {
  it('shows Write-Host text in its console colours, and honours NoNewLine', () => {
    expect(informationText(hostMessage('red on yellow', 12, 14), color)).toEqual({ text: '\u001b[91m\u001b[103mred on yellow\u001b[49m\u001b[39m', newline: true });
    expect(informationText(hostMessage('partial', null, null, true), color)).toEqual({ text: 'partial', newline: false });
    expect(informationText(hostMessage('red on yellow', 12, 14), plain)).toEqual({ text: 'red on yellow', newline: true });
  });

  it('shows other MessageData as plain text', () => {
    const rec = new PSObject({ extended: [['MessageData', 'information stream'], ['Source', 'Write-Information']] });
    expect(informationText(rec, color)).toEqual({ text: 'information stream', newline: true });
    expect(informationText(42, plain)).toEqual({ text: '42', newline: true });
  });
});

describe('host calls', () => {
  it('maps the PSHost Write methods (MS-PSRP §2.2.3.17) onto text', () => {
    const call = (methodName: string, ...parameters: Array<string | number>) => hostCallText({ methodName, parameters }, color);
    expect(call('Write1', 'no newline')).toEqual({ text: 'no newline', newline: false });
    expect(call('WriteLine1')).toEqual({ text: '', newline: true });
    expect(call('WriteLine2', 'hello')).toEqual({ text: 'hello', newline: true });
    expect(call('WriteLine3', 10, 0, 'green on black')).toEqual({ text: '\u001b[92m\u001b[40mgreen on black\u001b[49m\u001b[39m', newline: true });
    expect(call('Write2', 6, -1, 'dark yellow')).toEqual({ text: '\u001b[33mdark yellow\u001b[39m', newline: false });
    expect(call('WriteWarningLine', 'careful')).toEqual({ text: YELLOW('WARNING: careful'), newline: true });
    expect(call('WriteErrorLine', 'bad')).toEqual({ text: '\u001b[1m\u001b[31mbad\u001b[39m\u001b[22m', newline: true });
    expect(call('SetForegroundColor', 3)).toBeUndefined();
  });
});
