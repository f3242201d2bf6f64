#!/usr/bin/env node
// Thin launcher: everything lives in the built CLI so start-up stays light. dist/cli-bundle is
// dist/cli linked into a few files by `npm run build` (scripts/bundle-cli.mjs): Node then loads a
// handful of modules instead of some 150.
import { main } from '../dist/cli-bundle/run.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tsremote: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
