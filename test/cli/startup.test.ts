/** `tsremote --version` and `--help` must stay light: no undici, no XML parser, no msal. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../helpers/cli.js';
import { loadedModules as modulesIn } from '../helpers/loaded-modules.js';
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
  return { out, modules: modulesIn(file) };
}

const heavy = /node_modules\/(undici|fast-xml-parser|@azure\/msal-node|selfsigned|chalk|ora)\/|dist\/(wsman|transport|server|psrp|session)\//;

describe('start-up cost', () => {
  it('sees dist/ modules through the linked CLI: a command that connects shows the heavy ones', () => {
    // Without this, a trace that no longer found dist/ modules would let the checks below pass.
    const file = path.join(dir, 'connect.txt');
    const run = spawnSync(
      process.execPath,
      ['--import', path.join(repoRoot, 'test/helpers/import-trace/register.mjs'), binPath, 'invoke', '-c', '127.0.0.1:1', '-u', 'u', '--allow-unencrypted', '--auth', 'basic', '--cmd', 'hostname'],
      { env: { ...process.env, IMPORT_TRACE_FILE: file, TSREMOTE_PASSWORD: 'p', TSREMOTE_CONFIG: '' }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).not.toBe(0); // nothing listens on port 1
    const modules = modulesIn(file);
    expect(modules).toContain('dist/cli/run.js');
    expect(modules.some((m) => m.startsWith('dist/transport/'))).toBe(true);
    expect(modules.filter((m) => heavy.test(m)).length).toBeGreaterThan(5);
  });

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
