/**
 * Remote tab completion mapped onto readline (src/repl/completion.ts): the CommandCompletion the
 * server's TabExpansion2 sends, through CLIXML as on the wire, to `[matches, substring]` or a
 * replacement of the typed word.
 */
import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from '../../src/psrp/clixml/index.js';
import { completionObject, type CompletionResult } from '../../src/server/engine/complete.js';
import { parseCommandCompletion, toLineCompletion, type CommandCompletion } from '../../src/repl/completion.js';

/** The object as the client receives it: serialized by the server, deserialized here. */
function received(r: CompletionResult): CommandCompletion | null {
  return parseCommandCompletion(deserialize(serialize(completionObject(r))));
}

const match = (text: string) => ({ completionText: text, listItemText: text, resultType: 'Command', toolTip: text });

describe('parseCommandCompletion', () => {
  it('reads ReplacementIndex, ReplacementLength and each CompletionText', () => {
    const c = received({ replacementIndex: 4, replacementLength: 3, matches: [match('Get-Process'), match('Get-ProcessMitigation')] });
    expect(c).toEqual({ replacementIndex: 4, replacementLength: 3, matches: ['Get-Process', 'Get-ProcessMitigation'] });
  });

  it('returns null for anything that is not a CommandCompletion', () => {
    expect(parseCommandCompletion('text')).toBeNull();
    expect(parseCommandCompletion(null)).toBeNull();
  });
});

describe('toLineCompletion', () => {
  it('one match extending the typed word: readline appends the rest', () => {
    const c = { replacementIndex: 0, replacementLength: 7, matches: ['Get-Process'] };
    expect(toLineCompletion(c, 'Get-Pro')).toEqual({ kind: 'list', matches: ['Get-Process'], substring: 'Get-Pro' });
  });

  it('one match in another case: replaces the typed word (get-pro → Get-Process)', () => {
    const c = { replacementIndex: 0, replacementLength: 7, matches: ['Get-Process'] };
    expect(toLineCompletion(c, 'get-pro')).toEqual({ kind: 'replace', remove: 7, insert: 'Get-Process' });
  });

  it('a path the server quotes: replaces the typed word', () => {
    const c = { replacementIndex: 4, replacementLength: 5, matches: ["'./my file.txt'"] };
    expect(toLineCompletion(c, 'cat ./my ')).toEqual({ kind: 'replace', remove: 5, insert: "'./my file.txt'" });
  });

  it('several matches sharing the typed prefix: listed for readline', () => {
    const c = { replacementIndex: 12, replacementLength: 2, matches: ['-Name', '-NoNewline'] };
    expect(toLineCompletion(c, 'Get-Process -N')).toEqual({ kind: 'list', matches: ['-Name', '-NoNewline'], substring: '-N' });
  });

  it('several matches in another case: their shared prefix replaces the word first', () => {
    const c = { replacementIndex: 0, replacementLength: 5, matches: ['Get-Process', 'Get-PSDrive'] };
    expect(toLineCompletion(c, 'get-p')).toEqual({ kind: 'replace', remove: 5, insert: 'Get-P' });
  });

  it('no match, or the word already complete: nothing to do', () => {
    expect(toLineCompletion({ replacementIndex: 0, replacementLength: 3, matches: [] }, 'xyz')).toEqual({ kind: 'list', matches: [], substring: 'xyz' });
    expect(toLineCompletion({ replacementIndex: 0, replacementLength: 2, matches: ['ls'] }, 'ls')).toEqual({ kind: 'list', matches: [], substring: 'ls' });
  });

  it('on a continuation line, indexes count from the start of the whole command', () => {
    // "if ($x) {\n" is 10 characters before this line.
    const c = { replacementIndex: 12, replacementLength: 5, matches: ['Get-Service'] };
    expect(toLineCompletion(c, '  Get-S', 10)).toEqual({ kind: 'list', matches: ['Get-Service'], substring: 'Get-S' });
  });
});
