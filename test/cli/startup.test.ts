/** `tsremote --version` and `--help` must stay light: no undici, no XML parser, no msal. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../helpers/cli.js';
import { VERSION } from '../../src/version.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsr-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedModules(args: string[]): { out: string; modules: string[] } {
  const file = path.join(dir, `${args.join('_')}.txt`);
  const out = execFileSync(
    process.execPath,
    ['--import', path.join(repoRoot, 'test/helpers/import-trace/register.mjs'), binPath, ...args],
    { env: { ...process.env, IMPORT_TRACE_FILE: file }, encoding: 'utf8' },
  );
  return { out, modules: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

const heavy = /node_modules\/(undici|fast-xml-parser|@azure\/msal-node|selfsigned|chalk|ora)\/|dist\/(wsman|transport|server|psrp|session)\//;

describe('start-up cost', () => {
  it('--version prints the version and loads no protocol layer or heavy dependency', () => {
    const { out, modules } = loadedModules(['--version']);
    expect(out.trim()).toBe(VERSION);
    expect(modules.length).toBeGreaterThan(0);
    expect(modules.filter((m) => heavy.test(m))).toEqual([]);
  });

  it('--help lists the verbs and loads no protocol layer or heavy dependency', () => {
    const { out, modules } = loadedModules(['--help']);
    for (const verb of ['test', 'wsman', 'invoke', 'serve']) expect(out).toContain(verb);
    expect(modules.filter((m) => heavy.test(m))).toEqual([]);
  });
});
