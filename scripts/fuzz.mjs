#!/usr/bin/env node
/**
 * Fuzzes the parsers of the built library (dist/) without vitest: `npm run fuzz`.
 *
 *   node scripts/fuzz.mjs [--cases N] [--seed S] [--target wsman|clixml|defrag|ntlm|encrypted]
 *
 * Default: 1,000,000 cases split over the five targets by cost (harness SHARES), seed fixed
 * (harness DEFAULT_SEED) so a run can be repeated. Prints cases/s, the slowest case and failures
 * per target; exits 1 on any failure, printing its seed and fast-check's shrunk counterexample.
 * Targets and seeds are shared with the vitest suite (test/fuzz/harness.mjs).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SEED, SHARES, SLOW_MS, TARGET_NAMES, buildTargets, fixturesDir, loadSeeds, runTarget } from '../test/fuzz/harness.mjs';
import { loadLib } from '../test/fuzz/modules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { cases: 1_000_000, seed: DEFAULT_SEED, targets: TARGET_NAMES };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: node scripts/fuzz.mjs [--cases N] [--seed S] [--target T[,T...]]\n');
      process.exit(0);
    }
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i += 1;
    if (flag === '--cases') opts.cases = Number(value);
    else if (flag === '--seed') opts.seed = Number(value);
    else if (flag === '--target') opts.targets = value.split(',');
    else throw new Error(`unknown option ${flag}`);
  }
  if (!Number.isSafeInteger(opts.cases) || opts.cases < 1) throw new Error('--cases must be a positive integer');
  if (!Number.isSafeInteger(opts.seed)) throw new Error('--seed must be an integer');
  for (const t of opts.targets) if (!TARGET_NAMES.includes(t)) throw new Error(`unknown target ${t} (one of ${TARGET_NAMES.join(', ')})`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const lib = await loadLib((rel) => import(pathToFileURL(path.join(root, 'dist', rel)).href));
  const dir = fixturesDir(root);
  const seeds = loadSeeds(lib, dir);
  process.stdout.write(
    `fuzz: seed ${opts.seed}, ${opts.cases} cases, fixtures ${dir ?? 'absent (own seeds only)'}\n` +
    `seeds: ${seeds.wsman.length} envelopes, ${seeds.clixml.length} CLIXML, ${seeds.payloads.length} payload runs, ` +
    `${seeds.ntlm.length} NTLM tokens, ${seeds.encrypted.length} sealed bodies\n`,
  );
  const chosen = buildTargets(lib, seeds).filter((t) => opts.targets.includes(t.name));
  const share = chosen.reduce((sum, t) => sum + SHARES[t.name], 0);
  let failed = 0;
  let total = 0;
  const started = performance.now();
  for (const target of chosen) {
    const numRuns = Math.max(1, Math.round((opts.cases * SHARES[target.name]) / share));
    const r = runTarget(target, { numRuns, seed: opts.seed });
    total += r.cases;
    const rate = Math.round(r.cases / (r.ms / 1000));
    process.stdout.write(
      `${r.name.padEnd(10)} ${String(r.cases).padStart(8)} cases  ${String(rate).padStart(7)} cases/s  ` +
      `${(r.ms / 1000).toFixed(1).padStart(6)} s  slowest ${r.slowest.toFixed(1)} ms  >${SLOW_MS} ms: ${r.slow}  ` +
      `failures: ${r.failure ? 1 : 0}\n`,
    );
    if (process.env.FUZZ_SHOW_SLOWEST) process.stdout.write(`  slowest input: ${r.slowestInput}\n`);
    if (r.failure) {
      failed += 1;
      process.stdout.write(
        `  FAILURE in ${r.name}: seed ${r.failure.seed}${r.failure.path ? ` path ${r.failure.path}` : ''}\n` +
        `  rerun: node scripts/fuzz.mjs --target ${r.name} --seed ${r.failure.seed} --cases ${numRuns}\n` +
        `  counterexample: ${r.failure.counterexample}\n  error: ${r.failure.error.replace(/\n/g, '\n    ')}\n`,
      );
    }
  }
  process.stdout.write(`total: ${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s, ${failed} target(s) failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 2;
});
