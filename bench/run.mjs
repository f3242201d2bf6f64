#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only id,id]`: runs the scenarios of bench/scenarios in order;
// each prints its figures, writes bench/results/<id>.json and refreshes its block in
// docs/performance.md. --quick shrinks every scenario so that the whole run stays under 2 minutes.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1]?.split(',')) : undefined;
const unknown = args.filter((a, i) => a !== '--quick' && a !== '--only' && !(i === onlyAt + 1 && onlyAt >= 0));
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown[0]}; use --quick and --only id[,id]`);
  process.exit(2);
}

const files = readdirSync(path.join(here, 'scenarios')).filter((f) => f.endsWith('.mjs')).sort();
const scenarios = [];
for (const f of files) scenarios.push((await import(pathToFileURL(path.join(here, 'scenarios', f)).href)).default);
const chosen = scenarios.filter((s) => only === undefined || only.has(s.id));
if (only !== undefined && chosen.length !== only.size) {
  console.error(`bench: unknown scenario in --only; known: ${scenarios.map((s) => s.id).join(', ')}`);
  process.exit(2);
}

const command = `npm run bench${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${only ? ` --only ${[...only].join(',')}` : ''}`;
const started = Date.now();
let failed = 0;
for (const s of chosen) {
  console.log(`\n== ${s.id}: ${s.title}${quick ? ' (quick)' : ''}`);
  const t = Date.now();
  try {
    await s.run({ quick, command, log: (line) => console.log(`  ${line}`) });
  } catch (err) {
    failed++;
    console.error(`  ${s.id} failed: ${err instanceof Error ? err.stack : err}`);
  }
  console.log(`  (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
console.log(`\nbench: ${chosen.length - failed}/${chosen.length} scenarios ran in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed > 0 ? 1 : 0);
