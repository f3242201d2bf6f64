import { describe, expect, it } from 'vitest';
import { ClixmlError, clixmlToRecords, clixmlToText, PSObject } from '../../../src/psrp/clixml/index.js';
import { describeFixtures } from '../../helpers/fixtures.js';
import { allPayloads } from './extract.js';

const NS = 'xmlns="http://schemas.microsoft.com/powershell/2004/04"';

describe('clixmlToText', () => {
  it('renders each stream, prefixing warning, verbose and debug', () => {
    const blob = `#< CLIXML\r\n<Objs Version="1.1.0.1" ${NS}><S S="warning">careful</S><S S="verbose">talking</S>`
      + `<S S="debug">bug</S><S S="Error">bad_x000D__x000A_</S><S S="Error">worse_x000D__x000A_</S><S S="information">fyi</S></Objs>`;
    expect(clixmlToText(blob)).toBe('WARNING: careful\nVERBOSE: talking\nDEBUG: bug\nbad\nworse\nfyi\n');
  });

  it('reads several <Objs> documents, each with its own RefIds', () => {
    const doc = (s: string): string => `<Objs Version="1.1.0.1" ${NS}><Obj S="Output" RefId="0"><ToString>${s}</ToString></Obj></Objs>`;
    const records = clixmlToRecords(`#< CLIXML\n${doc('one')}\n#< CLIXML\n${doc('two')}`);
    expect(records.map((r) => [r.stream, (r.value as PSObject).toStringText])).toEqual([['output', 'one'], ['output', 'two']]);
    expect(clixmlToText(doc('one') + doc('two'))).toBe('one\ntwo\n');
  });

  it('summarises progress as Activity: StatusDescription, once per distinct line', () => {
    const pr = (sd: string): string => `<Obj S="progress" RefId="0"><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Copy</AV><AI>0</AI>`
      + `<Nil /><PI>-1</PI><PC>-1</PC><T>Processing</T><SR>-1</SR><SD>${sd}</SD></PR></MS></Obj>`;
    const blob = `<Objs ${NS}>${pr('file 1')}</Objs><Objs ${NS}>${pr('file 1')}</Objs><Objs ${NS}>${pr('file 2')}</Objs>`;
    expect(clixmlToText(blob)).toBe('Copy: file 1\nCopy: file 2\n');
  });

  it('fails with a ClixmlError on text that is not CLIXML', () => {
    expect(() => clixmlToText('#< CLIXML\nnot xml at all')).toThrow(ClixmlError);
  });
});

describeFixtures('clixmlToText on recorded powershell.exe stderr', (dir) => {
  const { stderr } = allPayloads(dir);
  const text = (name: string): string => clixmlToText(stderr.find((p) => p.source.includes(name))!.xml);

  it('renders pypsrp test_sanitise_clixml_with_error.xml', () => {
    expect(text('with_error')).toBe([
      'Preparing modules for first use.',
      "fake : The term 'fake' is not recognized as the name of a cmdlet, function, script file, or operable program. Check ",
      'the spelling of the name, or if a path was included, verify that the path is correct and try again.',
      'At line:1 char:1',
      '+ fake cmdlet',
      '+ ~~~~',
      '    + CategoryInfo          : ObjectNotFound: (fake:String) [], CommandNotFoundException',
      '    + FullyQualifiedErrorId : CommandNotFoundException',
      ' ',
      '',
    ].join('\n'));
  });

  it('renders pypsrp test_sanitise_clixml_with_no_errors.xml', () => {
    expect(text('with_no_errors')).toBe('Preparing modules for first use.\n');
  });

  it('renders the pywinrm get_ps_output_response stderr', () => {
    expect(text('get_ps_output')).toBe([
      'Write-Error "Error" : Error',
      '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorExcep ',
      '   tion',
      '    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorExceptio ',
      '   n',
      ' ',
      '',
    ].join('\n'));
  });
});
