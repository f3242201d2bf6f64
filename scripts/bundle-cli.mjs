// Links the CLI that `tsc` built (dist/cli/run.js and what it imports) into a few files in
// dist/cli-bundle/, which bin/tsremote.js runs.
//
// Why: Node 20 loads ES modules one by one (resolve, read, compile, link each), and a one-shot
// `tsremote invoke -s …` loaded some 150 of ours, half of its start-up CPU (issue 8). esbuild only
// links here: tsc stays the compiler and type checker, and dist/ stays the library's layout.
// Dynamic imports stay dynamic (`splitting`), so verbs and rare paths (OAuth, CredSSP, enable …)
// are still loaded only when used; packages from node_modules are left to Node (`packages:
// external`): native and optional ones (kerberos) must be found at run time, as before.
//
// meta.json maps each output file to the dist/ modules in it, for the tests that check what a
// command line loads (test/helpers/loaded-modules.ts).
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/cli-bundle');

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/run.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir,
  metafile: true,
  logLevel: 'warning',
  // The one import whose specifier is computed (auth/kerberos/binding.ts) stays a runtime import.
  logOverride: { 'unsupported-dynamic-import': 'silent' },
});

/** Output file (relative to outdir) -> the dist/ modules bundled into it. */
const chunks = {};
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  chunks[path.relative(outdir, path.join(root, file))] = Object.keys(out.inputs).sort();
}
writeFileSync(path.join(outdir, 'meta.json'), `${JSON.stringify({ chunks }, null, 1)}\n`);
