/**
 * Fuzzes the five parsers that read peer input: 100,000 cases in total, fixed seed.
 *
 * Invariant (h11's fuzz rule): any input gives a value or the layer's typed error (TsrError);
 * never a TypeError, RangeError or stack overflow. Inputs are real fixture traffic mutated (bit
 * flips, truncation, splicing, duplicated and removed elements, deep nesting, DOCTYPE/ENTITY and
 * billion laughs, long attributes, huge numbers, bad base64, absurd fragment headers, NTLM
 * offsets past the end) plus random inputs built from each format's vocabulary.
 *
 * TSREMOTE_FUZZ_SEED and TSREMOTE_FUZZ_CASES change the seed and the total; `npm run fuzz` runs
 * the same targets a million times against dist/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, SHARES, TARGET_NAMES, buildTargets, fixturesDir, loadSeeds, runTarget, type Target } from './harness.mjs';
import { loadLib } from './modules.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const seed = Number(process.env.TSREMOTE_FUZZ_SEED ?? DEFAULT_SEED);
const total = Number(process.env.TSREMOTE_FUZZ_CASES ?? 100_000);

let targets: Target[] = [];
let lib: Record<string, unknown> = {};

beforeAll(async () => {
  lib = await loadLib((rel) => import(/* @vite-ignore */ `../../src/${rel.replace(/\.js$/, '.ts')}`) as Promise<Record<string, unknown>>);
  targets = buildTargets(lib, loadSeeds(lib, fixturesDir(repoRoot)));
}, 60_000);

describe('the fuzz harness', () => {
  const withDeserializer = (deserializeAll: (data: string) => unknown): Target => {
    const broken = { ...lib, deserializeAll };
    const target = buildTargets(broken, loadSeeds(broken, null)).find((t) => t.name === 'clixml');
    if (!target) throw new Error('no clixml target');
    return target;
  };

  it('reports an untyped exception with its seed and a shrunk counterexample', () => {
    const target = withDeserializer((data) => {
      if (data.includes('<S')) throw new TypeError('planted bug');
      return [];
    });
    const r = runTarget(target, { numRuns: 300, seed: 42 });
    expect(r.failure?.seed).toBe(42);
    expect(r.failure?.error).toMatch(/^TypeError: planted bug/);
    expect(r.failure?.counterexample).toContain('<S');
  });

  it('accepts typed errors as an outcome', () => {
    const TsrError = lib.TsrError as new (code: string, message: string) => Error;
    const target = withDeserializer(() => {
      throw new TsrError('ETSR_XML_MALFORMED', 'typed');
    });
    expect(runTarget(target, { numRuns: 300, seed: 42 }).failure).toBeUndefined();
  });
});

describe('fuzzed peer input only ever gives typed errors', () => {
  it('covers every target with seeds and shares adding up to the whole budget', () => {
    expect(targets.map((t) => t.name)).toEqual(TARGET_NAMES);
    expect(Object.values(SHARES).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it.each(TARGET_NAMES)('%s: no untyped exception, no hang', (name) => {
    const target = targets.find((t) => t.name === name);
    if (!target) throw new Error(`no target ${name}`);
    const numRuns = Math.round(total * (SHARES[name] ?? 0));
    const r = runTarget(target, { numRuns, seed });
    const why = r.failure
      ? `${name} failed with seed ${r.failure.seed} (path ${r.failure.path ?? '-'}): ${r.failure.error}\ncounterexample: ${r.failure.counterexample}`
      : '';
    expect(why).toBe('');
    expect(r.cases).toBe(numRuns);
  }, 120_000);
});
