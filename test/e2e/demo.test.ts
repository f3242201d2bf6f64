/** The README's first command ends in `npm run demo`: it must run and every step end as expected. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

it('npm run demo runs every step against the loopback fleet and exits 0', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts/demo.mjs')], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 90_000,
  });
  expect(stdout).toContain('demo: every step ended as expected');
  expect(stdout.match(/^\$ tsremote /gm)?.length).toBe(9);
  expect(stdout).toContain('PSComputerName');
}, 100_000);
