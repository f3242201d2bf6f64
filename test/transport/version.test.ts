import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { USER_AGENT, VERSION } from '../../src/transport/index.js';

it('sends the package.json version in User-Agent', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect([VERSION, USER_AGENT]).toEqual([pkg.version, `tsremote/${pkg.version}`]);
});
