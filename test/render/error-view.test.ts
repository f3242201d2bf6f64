import { describe, expect, it } from 'vitest';
import { PSObject } from '../../src/psrp/clixml/index.js';
import { conciseErrorView, createStyle } from '../../src/render/index.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { recordedErrors } from './objects.js';

const plain = { style: createStyle(false) };
const color = { style: createStyle(true) };
const RED = '\u001b[1m\u001b[31m';
const RED_END = '\u001b[39m\u001b[22m';
const CYAN = '\u001b[1m\u001b[36m';

const NOT_RECOGNIZED = 'is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.';

describeFixtures('concise error view of recorded ErrorRecords', (dir) => {
  const errors = recordedErrors(dir);

  it('labels a pwsh 7.4 CommandNotFoundException with the invocation name (ironposh error_record.xml)', () => {
    expect(conciseErrorView(errors.ironposh, plain)).toBe(`ed: The term 'ed' ${NOT_RECOGNIZED}`);
  });

  it('uses Exception.Message, not the record ToString (which has a doubled comma in that recording)', () => {
    expect(errors.ironposh.toString()).toContain('cmdlet,,');
    expect(conciseErrorView(errors.ironposh, plain)).not.toContain(',,');
  });

  it('labels the 5.1 CommandNotFoundException of a failed pipeline with its command (pypsrp test_client_execute_ps_failure)', () => {
    expect(conciseErrorView(errors.commandNotFound, plain)).toBe(`Invoke-Expression: The term 'Get-ServiceTypo' ${NOT_RECOGNIZED}`);
  });

  it('labels a Write-Error record with its activity (pypsrp test_psrp_merge_commands)', () => {
    expect(conciseErrorView(errors.writeError, plain)).toBe('Write-Error: error stream');
  });

  it('labels a provider error with its cmdlet (pypsrp test_psrp_with_jea_configuration)', () => {
    expect(conciseErrorView(errors.providerNotFound, plain)).toBe("Get-Item: Cannot find a provider with the name 'FileSystem'.");
  });

  it('paints the whole line bold red only when colour is on', () => {
    expect(conciseErrorView(errors.writeError, color)).toBe(`${RED}Write-Error: error stream${RED_END}`);
    expect(conciseErrorView(errors.writeError, plain)).not.toContain('\u001b');
  });
});

function errorRecord(fields: {
  message: string; activity?: string; invocationName?: string; line?: number; scriptName?: string; position?: string;
  details?: string; recommendation?: string; thrown?: boolean; fqid?: string; category?: number; reason?: string;
}): PSObject {
  const exception = new PSObject({
    typeNames: ['System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
    adapted: [['Message', fields.message], ['WasThrownFromThrowStatement', fields.thrown ?? false]],
  });
  const inv = new PSObject({
    typeNames: ['System.Management.Automation.InvocationInfo', 'System.Object'],
    adapted: [
      ['MyCommand', null], ['ScriptLineNumber', fields.line ?? 1], ['OffsetInLine', 1], ['ScriptName', fields.scriptName ?? ''],
      ['PositionMessage', fields.position ?? ''], ['InvocationName', fields.invocationName ?? ''],
    ],
  });
  return new PSObject({
    typeNames: ['System.Management.Automation.ErrorRecord', 'System.Object'],
    toStringText: fields.message,
    extended: [
      ['Exception', exception], ['FullyQualifiedErrorId', fields.fqid ?? 'Some.Error'], ['InvocationInfo', inv],
      ['ErrorCategory_Category', fields.category ?? 0], ['ErrorCategory_Activity', fields.activity ?? ''],
      ['ErrorCategory_Reason', fields.reason ?? 'RuntimeException'],
      ...(fields.details ? [['ErrorDetails_Message', fields.details] as [string, string]] : []),
      ...(fields.recommendation ? [['ErrorDetails_RecommendedAction', fields.recommendation] as [string, string]] : []),
    ],
  });
}

describe('concise error view rules', () => {
  it('shows the failing line of a multi-line script between Line | markers', () => {
    const rec = errorRecord({
      message: "The term 'Get-Foo' is not recognized as a name of a cmdlet.", invocationName: 'Get-Foo', line: 3,
      position: 'At line:3 char:5\r\n+     Get-Foo\r\n+     ~~~~~~~',
    });
    expect(conciseErrorView(rec, plain)).toBe([
      'Get-Foo: ',
      'Line |',
      '   3 |      Get-Foo',
      '     |      ~~~~~~~',
      "     | The term 'Get-Foo' is not recognized as a name of a cmdlet.",
    ].join('\n'));
  });

  it('accents the line number and the failing part, and paints the message red', () => {
    const rec = errorRecord({ message: 'boom', invocationName: 'Get-Foo', line: 12, position: 'At line:12 char:1\n+ Get-Foo -x\n+ ~~~~~~~' });
    expect(conciseErrorView(rec, color)).toBe([
      `${RED}Get-Foo: ${RED_END}`,
      `${CYAN}Line |${RED_END}`,
      `${CYAN}  12 | ${RED_END} ${CYAN}Get-Foo${RED_END} -x`,
      `${CYAN}     | ${RED_END}${RED} ~~~~~~~${RED_END}`,
      `${CYAN}     | ${RED_END}${RED}boom${RED_END}`,
    ].join('\n'));
  });

  // Get-TruncatedString always drops the word its cut went through, even a whole one.
  it('names the script file and wraps the message to the window', () => {
    const rec = errorRecord({
      message: 'one two three four five six seven', invocationName: 'x', line: 2, scriptName: 'C:\\s.ps1',
      position: 'At C:\\s.ps1:2 char:1\n+ x\n+ ~',
    });
    expect(conciseErrorView(rec, { ...plain, columns: 20 })).toBe([
      'x: C:\\s.ps1:2',
      'Line |',
      '   2 |  x',
      '     |  ~',
      '     | one two',
      '     | three four',
      '     | five six',
      '     | seven',
    ].join('\n'));
  });

  it('prefers ErrorDetails.Message and adds the recommended action', () => {
    const rec = errorRecord({ message: 'raw', details: 'Friendly text.', recommendation: 'Try again later.', activity: 'Get-Thing' });
    expect(conciseErrorView(rec, plain)).toBe('Get-Thing: Friendly text.\n  Recommendation: Try again later.');
  });

  it('says Exception for an error thrown by throw', () => {
    expect(conciseErrorView(errorRecord({ message: 'bad', thrown: true, activity: 'x' }), plain)).toBe('Exception: bad');
  });

  it('falls back to the category name, then the reason, then Error', () => {
    expect(conciseErrorView(errorRecord({ message: 'm', category: 13 }), plain)).toBe('ObjectNotFound: m');
    expect(conciseErrorView(errorRecord({ message: 'm', reason: 'IOException' }), plain)).toBe('IOException: m');
    expect(conciseErrorView(errorRecord({ message: 'm', reason: '' }), plain)).toBe('Error: m');
  });

  it('shows a native command error as its message alone', () => {
    expect(conciseErrorView(errorRecord({ message: 'stderr text', fqid: 'NativeCommandError', activity: 'x' }), plain)).toBe('stderr text');
  });

  it('reads the flattened InvocationInfo_* members of Windows PowerShell 5.1 records', () => {
    const rec = new PSObject({
      typeNames: ['System.Management.Automation.ErrorRecord'],
      extended: [
        ['Exception', new PSObject({ adapted: [['Message', 'nope']] })], ['FullyQualifiedErrorId', 'X'],
        ['ErrorCategory_Category', 0], ['ErrorCategory_Activity', ''], ['SerializeExtendedInfo', true],
        ['InvocationInfo_InvocationName', 'Do-It'], ['InvocationInfo_ScriptLineNumber', 1],
      ],
    });
    expect(conciseErrorView(rec, plain)).toBe('Do-It: nope');
  });

  it('shows text that is not an ErrorRecord as it is, in red', () => {
    expect(conciseErrorView('plain failure', plain)).toBe('plain failure');
    expect(conciseErrorView('plain failure', color)).toBe(`${RED}plain failure${RED_END}`);
  });
});
