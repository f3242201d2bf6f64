import { describe, expect, it } from 'vitest';
import { EngineSession } from '../../../src/server/engine/index.js';
import { parseCacheSize, parseScriptCached } from '../../../src/server/engine/parse-cache.js';
import { ParseFailure } from '../../../src/server/engine/parse-error.js';
import { parseScript } from '../../../src/server/engine/parser.js';
import { plain, run } from './helpers.js';

/** Freezes an AST and everything it reaches, so any write to it throws (ES modules are strict). */
function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  for (const v of Object.values(value)) deepFreeze(v, seen);
  Object.freeze(value);
}

/** Scripts over the language's constructs that hold ASTs of their own (functions, blocks, loops, switch, try). */
const SCRIPTS: [string, unknown[]][] = [
  ['$env:COMPUTERNAME -eq $env:COMPUTERNAME; 1 + 2 * 3', [true, 7]],
  ['function Add($a, $b = 10) { $a + $b }; Add 1; Add 1 2; Add -b 5 -a 1', [11, 3, 6]],
  ['function F { param([int]$n) process { $_ * $n } }; 1,2 | F -n 3', [3, 6]],
  ['$sb = { param($x) $x * 2 }; & $sb 21; & $sb 1', [42, 2]],
  ['foreach ($i in 1..3) { if ($i -eq 2) { continue }; $i }', [1, 3]],
  ['for ($i = 0; $i -lt 3; $i++) { $i }', [0, 1, 2]],
  ['$i = 0; do { $i++ } until ($i -ge 2); $i', [2]],
  ['try { throw "bad" } catch { $_.Exception.Message } finally { "fin" }', ['bad', 'fin']],
  ['switch (2) { 1 { "one" } 2 { "two" } default { "d" } }', ['two']],
  ['$h = @{a=1; b="x"}; $h.a; $h["b"]; $h.Count', [1, 'x', 2]],
  ['1..5 | Where-Object { $_ % 2 } | ForEach-Object { $_ * 10 }', [10, 30, 50]],
  ['$n = "w"; "hello $n"; "sum $(1+2)"', ['hello w', 'sum 3']],
  ['param($a = 4) $a + 1', [5]],
];

describe('parse cache', () => {
  it('hands out the AST the parser builds for the same text', () => {
    for (const [script] of SCRIPTS) expect(parseScriptCached(script)).toEqual(parseScript(script));
  });

  it('runs every script the same from a shared, deep-frozen AST as from its first parse', async () => {
    expect.assertions(SCRIPTS.length * 6);
    for (const [script, expected] of SCRIPTS) {
      const ast = parseScriptCached(script);
      deepFreeze(ast);
      // The freeze holds: a write to the AST throws, so a run that wrote to it could not pass.
      expect(() => Object.assign(ast, { text: 'changed' })).toThrow(TypeError);
      // Twice, each in a new session, both from the frozen AST: the engine must not write to it.
      for (let round = 0; round < 2; round++) {
        const r = await run(script, { session: new EngineSession() });
        expect(r.thrown).toBeUndefined();
        expect(r.output.map(plain)).toEqual(expected);
      }
      expect(parseScriptCached(script)).toBe(ast);
    }
  });

  it('keeps functions a script defined working when the same script runs again in one session', async () => {
    const session = new EngineSession();
    const script = 'function Twice($x) { $x * 2 }; Twice 4';
    expect((await run(script, { session })).output.map(plain)).toEqual([8]);
    expect((await run(script, { session })).output.map(plain)).toEqual([8]);
    expect((await run('Twice 5', { session })).output.map(plain)).toEqual([10]);
  });

  it('fails the same way every time for a script that does not parse, and keeps no entry for it', async () => {
    const bad = '1 + + ) # parse-cache test';
    const before = parseCacheSize();
    const first = await run(bad);
    const second = await run(bad);
    expect(first.thrown).toBeDefined();
    expect(String(first.thrown)).toBe(String(second.thrown));
    expect(() => parseScriptCached(bad)).toThrow(ParseFailure);
    expect(parseCacheSize()).toBe(before);
  });

  it('stays bounded: many distinct scripts keep at most 256 entries, and very long scripts none', () => {
    for (let i = 0; i < 600; i++) parseScriptCached(`$parseCacheBound = ${i}`);
    expect(parseCacheSize()).toBeLessThanOrEqual(256);
    const long = `"${'x'.repeat(10_000)}"`;
    const a = parseScriptCached(long);
    const b = parseScriptCached(long);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });
});
