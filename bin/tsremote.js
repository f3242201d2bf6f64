#!/usr/bin/env node
// Thin launcher: everything lives in the built CLI so start-up stays light.
import { main } from '../dist/cli/run.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tsremote: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
