/**
 * Files that could hold credentials: the config never stores a password (the key does not exist,
 * and its error does not echo the value), a config with a passwordCommand must be private, and a
 * broken config or registry never quotes its text back. (Users file: test/server/users-file.test.ts;
 * REPL history: test/repl/history.test.ts — both refuse or rewrite non-0600 files.)
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/cli/config.js';
import { parseRegistry } from '../../src/session/registry.js';

const SECRET = 'Cfg-secret-4b7e';
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-credfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    const e = err as { message: string; hint?: string };
    return `${e.message} ${e.hint ?? ''}`;
  }
  throw new Error('expected a refusal');
};

describe('credential-bearing files', () => {
  it('a password key in the config is refused as unknown, without echoing its value', () => {
    for (const where of [{ defaults: { password: SECRET } }, { profiles: { p: { password: SECRET } } }, { hosts: { web1: { password: SECRET } } }]) {
      const text = message(() => parseConfig('/c.json', JSON.stringify(where)));
      expect(text).toMatch(/unknown key (defaults|profiles\.p|hosts\.web1)\.password/);
      expect(text).not.toContain(SECRET);
    }
  });

  it('a config that is not JSON is reported by position, never by quoting it', () => {
    const text = message(() => parseConfig('/c.json', `{"defaults": {"passwordCommand": "echo ${SECRET}" ,,}}`));
    expect(text).toMatch(/not valid JSON at line 1, column \d+/);
    expect(text).not.toContain(SECRET);
  });

  it.skipIf(process.platform === 'win32')('a passwordCommand config readable by others is refused; 0600 is read', () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ defaults: { passwordCommand: `echo ${SECRET}` } }));
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      chmodSync(file, mode);
      const text = message(() => loadConfig({ env: { TSREMOTE_CONFIG: file } }));
      expect(text).toMatch(/group or others may read or write it/);
      expect(text).not.toContain(SECRET);
    }
    chmodSync(file, 0o600);
    expect(loadConfig({ env: { TSREMOTE_CONFIG: file } })?.defaults.passwordCommand).toBe(`echo ${SECRET}`);
  });

  it('the session registry keeps only known keys: a password smuggled into a record is dropped on read', () => {
    const [rec] = parseRegistry('/s.json', JSON.stringify({
      sessions: [{ name: 's', host: 'h', https: false, auth: 'ntlm', shellId: 'X', created: 'c', lastUsed: 'l', commands: 0, password: SECRET }],
    }));
    expect(JSON.stringify(rec)).not.toContain(SECRET);
  });
});
