/**
 * Builds dist/ (and the linked CLI in dist/cli-bundle) once before the run: the end-to-end tests
 * spawn the real CLI (`bin/tsremote.js`), exactly as a user would after `npm ci`. Type errors fail
 * the run under CI; during development they are printed and the (still emitted) JavaScript is
 * used, so one unfinished file does not stop everyone else's tests.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? err);
    if (process.env.CI) throw new Error(`build failed:\n${out}`);
    process.stderr.write(`[global-setup] build reported errors (continuing outside CI):\n${out}\n`);
  }
  // The CLI the tests spawn is the linked one (bin/tsremote.js runs dist/cli-bundle): always rebuilt.
  execFileSync(process.execPath, ['scripts/bundle-cli.mjs'], { cwd: root, stdio: 'pipe' });
}
