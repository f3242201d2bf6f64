/** The session registry (src/session/registry.ts): where it lives, its modes, what it holds, and bad files. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addSession, defaultSessionName, findSession, loadRegistry, registryPath, removeSession, saveSession, stateDir, type SessionRecord,
} from '../../src/session/registry.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsr-reg-'));
  env = { TSREMOTE_STATE_DIR: path.join(dir, 'state') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (name: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  name,
  host: 'web1',
  https: false,
  auth: 'negotiate',
  username: 'alice',
  shellId: 'A1B2C3D4-0000-4000-8000-000000000001',
  created: '2025-01-01T00:00:00.000Z',
  lastUsed: '2025-01-01T00:00:00.000Z',
  commands: 0,
  ...extra,
});

describe('stateDir', () => {
  it('follows TSREMOTE_STATE_DIR, then XDG_STATE_HOME, then ~/.local/state on Linux', () => {
    expect(stateDir({ env: { TSREMOTE_STATE_DIR: '/x/y' }, platform: 'linux' })).toBe('/x/y');
    expect(stateDir({ env: { XDG_STATE_HOME: '/xdg' }, platform: 'linux' })).toBe('/xdg/tsremote');
    expect(stateDir({ env: { XDG_STATE_HOME: 'relative' }, platform: 'linux' })).toBe(path.join(homedir(), '.local/state/tsremote'));
    expect(stateDir({ env: {}, platform: 'linux' })).toBe(path.join(homedir(), '.local/state/tsremote'));
  });
});

describe('registry file', () => {
  it('is created 0600 in a 0700 directory and holds exactly the record fields, no secrets', async () => {
    await addSession(record('s1', { port: 5985, configurationName: 'Microsoft.PowerShell' }), { env });
    const file = registryPath({ env });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, unknown>[] };
    expect(Object.keys(raw.sessions[0]!).sort()).toEqual(
      ['auth', 'commands', 'configurationName', 'created', 'host', 'https', 'lastUsed', 'name', 'port', 'shellId', 'username'].sort(),
    );
    expect(readFileSync(file, 'utf8')).not.toMatch(/password|secret|token/i);
  });

  it('writes only the record fields: a password riding along on the object is never written', async () => {
    await saveSession({ ...record('s1'), password: 'hunter2' } as SessionRecord, { env });
    await addSession({ ...record('s2'), credential: { password: 'hunter3' } } as SessionRecord, { env });
    const text = readFileSync(registryPath({ env }), 'utf8');
    expect(text).not.toContain('hunter');
    expect((await loadRegistry({ env })).map((r) => r.name)).toEqual(['s1', 's2']);
  });

  it('adds, finds case-insensitively, updates and removes', async () => {
    expect(await loadRegistry({ env })).toEqual([]);
    await addSession(record('s1'), { env });
    await addSession(record('s2', { host: 'web2' }), { env });
    expect((await findSession('S2', { env })).host).toBe('web2');
    await saveSession(record('s1', { commands: 7 }), { env });
    expect((await loadRegistry({ env })).map((r) => [r.name, r.commands])).toEqual([['s1', 7], ['s2', 0]]);
    await removeSession('s1', { env });
    await removeSession('nope', { env });
    expect((await loadRegistry({ env })).map((r) => r.name)).toEqual(['s2']);
  });

  it('refuses a duplicate name and a bad name', async () => {
    await addSession(record('s1'), { env });
    await expect(addSession(record('S1'), { env })).rejects.toMatchObject({ code: 'ETSR_INVALID_ARGUMENT', message: 'a session named S1 already exists' });
    await expect(addSession(record('-x'), { env })).rejects.toMatchObject({ code: 'ETSR_INVALID_ARGUMENT' });
    await expect(addSession(record('a b'), { env })).rejects.toMatchObject({ code: 'ETSR_INVALID_ARGUMENT' });
  });

  it('findSession of an unknown name says so and points at session list', async () => {
    await expect(findSession('ghost', { env })).rejects.toMatchObject({
      code: 'ETSR_INVALID_ARGUMENT',
      message: 'no session named ghost',
      hint: 'tsremote session list',
    });
  });

  it('a malformed file is an ETSR_CONFIG error naming the file, never silently emptied', async () => {
    const file = registryPath({ env });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{ "sessions": [ ');
    await expect(loadRegistry({ env })).rejects.toMatchObject({ code: 'ETSR_CONFIG', message: `${file}: not valid JSON` });
    await expect(addSession(record('s1'), { env })).rejects.toMatchObject({ code: 'ETSR_CONFIG' });
    expect(readFileSync(file, 'utf8')).toBe('{ "sessions": [ ');
    writeFileSync(file, JSON.stringify({ sessions: [{ name: 's1', host: 'h' }] }));
    await expect(loadRegistry({ env })).rejects.toMatchObject({ message: `${file}: sessions[0].auth must be a non-empty string` });
    writeFileSync(file, JSON.stringify([]));
    await expect(loadRegistry({ env })).rejects.toMatchObject({ message: `${file}: expected { "sessions": [ … ] }` });
  });

  it('concurrent writers do not lose each other\'s records', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => addSession(record(`s${i}`), { env })));
    expect((await loadRegistry({ env })).map((r) => r.name).sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7']);
  });
});

describe('defaultSessionName', () => {
  it('is <host>-<n> with the smallest free n', () => {
    expect(defaultSessionName('web1', [])).toBe('web1-1');
    expect(defaultSessionName('web1', ['web1-1', 'WEB1-2'])).toBe('web1-3');
    expect(defaultSessionName('127.0.0.1:5985', [])).toBe('127.0.0.1-1');
    expect(defaultSessionName('https://web1.corp:5986/wsman', ['web1.corp-1'])).toBe('web1.corp-2');
    expect(defaultSessionName('[::1]:5985', [])).toBe('1-1');
  });
});
