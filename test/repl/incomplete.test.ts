/** The `>> ` rule: which input PowerShell would call unfinished (src/repl/incomplete.ts). */
import { describe, expect, it } from 'vitest';
import { incompleteReason, isIncomplete } from '../../src/repl/incomplete.js';

describe('incompleteReason', () => {
  it.each([
    ['if ($x) {', 'block'],
    ['function f {\n  param($a', 'block'],
    ['@(1,2', 'block'],
    ['$h = @{ a = 1', 'block'],
    ['"abc', 'string'],
    ["'abc", 'string'],
    ["echo don't", 'string'],
    ['"a $(Get-Date', 'block'],
    ['"a $("inner)" b', 'block'],
    ["@'", 'here-string'],
    ["@'\nline one\nline two", 'here-string'],
    ['@"\n"not the end"@', 'here-string'],
    ['<# a comment', 'comment'],
    ['Get-Process `', 'continuation'],
    ['Get-Process |', 'operator'],
    ['Get-Process | ', 'operator'],
    ['a &&', 'operator'],
    ['1,', 'operator'],
    ['$x =', 'operator'],
    ['$x +=', 'operator'],
    ['if ($x)', 'statement'],
    ['if ($x) { 1 }\nelseif ($y)', 'statement'],
    ['if ($x) { 1 } else', 'statement'],
    ['foreach ($i in 1..3)', 'statement'],
    ['switch -Regex ($s)', 'statement'],
    ['try', 'statement'],
    ['try { 1 } catch [System.IO.IOException]', 'statement'],
    ['function Get-Thing', 'statement'],
    ['function Get-Thing($a)', 'statement'],
    ['do', 'statement'],
  ] as const)('%j is unfinished: %s', (input, reason) => {
    expect(incompleteReason(input)).toBe(reason);
  });

  it.each([
    '1+1',
    '',
    'if ($true) {\n\'yes\'\n}',
    '"abc"',
    "'it''s'",
    '"say ""hi"""',
    '"tick `" inside"',
    '"a $("inner") b"',
    "@'\ntext with { and \"\n'@",
    '@"\n$x\n"@',
    'Get-Process `\n| Select-Object Name',
    'Get-Process |\nSelect-Object Name',
    '# just a comment {',
    '<# block #> 1',
    'Write-Output a#b',
    '${strange name} = 1',
    'do { $i++ } while ($i -lt 3)',
    'Write-Output if',
    '$a -eq $b',
    'Get-Item foo | % { $_ }',
    'try { 1 } catch { 2 } finally { 3 }',
    'function f { 1 }',
    '}',
    'if ($x) { 1 })',
  ])('%j is complete', (input) => {
    expect(isIncomplete(input)).toBe(false);
  });
});
