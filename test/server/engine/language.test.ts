import { describe, expect, it } from 'vitest';
import { EngineSession } from '../../../src/server/engine/index.js';
import { plain, run } from './helpers.js';

async function out(script: string, session?: EngineSession): Promise<unknown[]> {
  const r = await run(script, session ? { session } : {});
  if (r.thrown) throw r.thrown;
  if (r.errors.length) throw new Error(r.errors.map(String).join('; '));
  return r.output.map(plain);
}

describe('evaluation', () => {
  it.each([
    ['1 + 2 * 3', [7]],
    ['7 / 2; 6 / 3; 7 % 3', [3.5, 2, 1]],
    ['"a" + 1; 1 + "2"; "ab" * 3', ['a1', 3, 'ababab']],
    ['(1,2) + 3 | ForEach-Object { $_ }', [1, 2, 3]],
    ['@(1,2,3).Count; @().Count; ,1 | Measure-Object | ForEach-Object Count', [3, 0, 1]],
    ['1..4; 3..1', [1, 2, 3, 4, 3, 2, 1]],
    ['$x = 5; $x += 2; $x; $x -= 1; $x; $x *= 2; $x', [7, 6, 12]],
    ["'it''s'; \"tab`there\"; \"q`\"\"", ["it's", 'tab\there', 'q"']],
    ['$n = "w"; "hello $n"; "sum $(1+2)"; "$n.Length"', ['hello w', 'sum 3', 'w.Length']],
    ['5 -eq 5; "A" -eq "a"; "A" -ceq "a"; 1,2,3 -gt 1', [true, true, false, 2, 3]],
    ['"abc" -like "a*"; "abc" -notlike "*d"; "x" -in "a","x"; 1,2 -contains 2', [true, true, true, true]],
    ['if ("abc123" -match "(\\d+)") { $matches[1] }', ['123']],
    ['"a-b-c" -replace "-", "+"; ("a,b" -split ",").Count; (1,2,3) -join "|"', ['a+b+c', 2, '1|2|3']],
    ['-not $true; !$false; $true -and $false; $false -or $true', [false, true, false, true]],
    ['$h = @{a=1; b="x"}; $h.a; $h["b"]; $h.Count; $h.ContainsKey("A")', [1, 'x', 2, true]],
    ['$o = [ordered]@{z=1; a=2}; $o.Keys -join ","', ['z,a']],
    ['$p = [pscustomobject]@{Name="n"; Size=3}; $p.Name; $p.Size + 1', ['n', 4]],
    ['$a = 10,20,30; $a[0]; $a[-1]; $a[0,2]', [10, 30, 10, 30]],
    ['$b = 10,20,30; ,$b[0,2] | ForEach-Object { $_.Count }', [2]],
    ['"hello".Length; "hello".ToUpper(); " x ".Trim(); "a,b".Split(",").Count', [5, 'HELLO', 'x', 2]],
    ['[int]"42" + 1; [string]5 + 5; [double]"1.5"; [bool]"x"', [43, '55', 1.5, true]],
    ['$env:TSR_ENGINE_TEST = "v"; $env:TSR_ENGINE_TEST', ['v']],
    ['$PSVersionTable.PSEdition; $PSVersionTable.PSVersion.Major', ['Core', 7]],
    ['$true; $false; $null -eq $null', [true, false, true]],
    ['if (0) { "a" } elseif ("") { "b" } else { "c" }', ['c']],
    ['foreach ($i in 1..3) { if ($i -eq 2) { continue }; $i }', [1, 3]],
    ['for ($i = 0; $i -lt 3; $i++) { $i }', [0, 1, 2]],
    ['$i = 0; while ($true) { $i++; if ($i -ge 3) { break } }; $i', [3]],
    ['$i = 0; do { $i++ } until ($i -ge 2); $i', [2]],
    ['function Add($a, $b = 10) { $a + $b }; Add 1; Add 1 2; Add -b 5 -a 1', [11, 3, 6]],
    ['function F { param([int]$n) process { $_ * $n } }; 1,2 | F -n 3', [3, 6]],
    ['function G { $input | ForEach-Object { $_ + 1 } }; 1,2 | G', [2, 3]],
    ['function R { return 5; 6 }; R', [5]],
    ['$sb = { param($x) $x * 2 }; & $sb 21', [42]],
    ['try { 1/0 } catch { "caught" } finally { "fin" }', ['caught', 'fin']],
    ['try { throw "bad" } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }', ['bad', 'bad']],
    ['switch (2) { 1 { "one" } 2 { "two" } default { "d" } }', ['two']],
    ['(1..5 | Where-Object { $_ % 2 }).Count', [3]],
    ['0x10 + 1kb', [1040]],
    ['"{0}-{1:N2}" -f "a", 3.14159', ['a-3.14']],
    ['$x = @"\nline $((1+1))\n"@; $x', ['line 2']],
    ['(1,2).ForEach({ $_ * 10 }) ; (1,2,3).Where({ $_ -gt 1 }).Count', [10, 20, 2]],
    ['$a = @{b=@{c=7}}; $a.b.c', [7]],
    ['[math]::Round(2.5); [math]::Max(3, 9)', [2, 9]],
    ['$x = $null; $x.Foo; "after"', [null, 'after']],
  ])('%s', async (script, want) => {
    expect(await out(script)).toEqual(want);
  });

  it('variables and functions persist across pipelines of one session', async () => {
    const session = new EngineSession();
    await out('$kept = 41; function Inc($v) { $v + 1 }', session);
    expect(await out('Inc $kept', session)).toEqual([42]);
  });

  it('$args, $input, $PID, $HOME, $PWD', async () => {
    const r = await run('$args[1]; $input | ForEach-Object { $_ * 2 }; $PID -eq [int]$PID; [string]$PWD -ne ""', { args: ['a', 'b'], input: [1, 2] });
    expect(r.output.map(plain)).toEqual(['b', 2, 4, true, true]);
  });

  it('a statement-terminating error is written and the script goes on', async () => {
    const r = await run('1/0; "after"');
    expect(r.output).toEqual(['after']);
    expect(r.errors.map((e) => e.toString())).toEqual(['Attempted to divide by zero.']);
  });

  it('throw terminates the script with a RuntimeException record', async () => {
    const r = await run('"before"; throw "stop here"; "after"');
    expect(r.output).toEqual(['before']);
    const record = (r.thrown as { record: { toString(): string; get(n: string): unknown } }).record;
    expect(record.toString()).toBe('stop here');
    expect(record.get('ErrorCategory_Category')).toBe(14);
  });

  it('runaway recursion is a CallDepthOverflow error, not a crash', async () => {
    const r = await run('function Loop { Loop }; Loop');
    expect([...r.errors, ...(r.thrown ? [(r.thrown as { record: unknown }).record] : [])].map((e) => String((e as { get(n: string): unknown }).get('FullyQualifiedErrorId')))).toContain('CallDepthOverflow');
  });

  it('a 100,000-element pipeline completes', async () => {
    let count = 0;
    let last: unknown;
    const { EngineSession: S, runScript } = await import('../../../src/server/engine/index.js');
    const { recordingHost } = await import('./helpers.js');
    const { host } = recordingHost();
    host.output = (v) => { count++; last = v; };
    await runScript('1..100000 | ForEach-Object { $_ * 2 }', { host, session: new S(), signal: new AbortController().signal });
    expect([count, last]).toEqual([100000, 200000]);
  });
});

describe('endless loops stay stoppable', () => {
  it('while ($true) {} yields to the event loop, so a stop signal given by a timer ends it', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const r = await run('$i = 0; while ($true) { $i++ }', { signal: controller.signal });
    expect((r.thrown as Error | undefined)?.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
