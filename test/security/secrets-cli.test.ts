/**
 * Secrets hygiene of the real CLI: a known, unique password given through TSREMOTE_PASSWORD,
 * --password-stdin and a config passwordCommand (and a wrong one) across invoke --cmd, invoke -s,
 * session new/list and copy, with --debug and --json, never appears — in any of the forms it
 * travels in (plain, base64, Basic user:password, UTF-16LE raw/base64/hex, NT hash) — in stdout,
 * stderr, the --debug traces, /proc/PID/cmdline of the CLI, its children and serve's shells while
 * they run, the environment of any child, the session registry or the config directory.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { filesUnder, leakForms, leaksIn, leaksOfRun, runRaw } from './secrets-helpers.js';

const USER = 'keeper';
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}-äü€`;
const WRONG = `Wrong-${randomBytes(6).toString('hex')}-ß`;
const forms = [...leakForms(USER, PASSWORD), ...leakForms(USER, WRONG)];
const dir = mkdtempSync(path.join(tmpdir(), 'tsr-secrets-'));
const stateDir = path.join(dir, 'state');
const configDir = path.join(dir, 'config');
const base = {
  TSREMOTE_USERNAME: undefined,
  TSREMOTE_PASSWORD: undefined,
  TSREMOTE_CONFIG: undefined,
  TSREMOTE_STATE_DIR: stateDir,
  XDG_CONFIG_HOME: configDir,
  XDG_STATE_HOME: path.join(dir, 'xdg-state'),
  HOME: path.join(dir, 'home'),
};
let server: RunningServer;
let host: string;
const serverLog: string[] = [];

beforeAll(async () => {
  mkdirSync(path.join(dir, 'home'));
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], allowUnencrypted: true, log: (l) => void serverLog.push(l) });
  host = server.urls[0]!.host;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the password never leaks from the CLI', () => {
  it('TSREMOTE_PASSWORD, invoke --cmd over sealed NTLM with --debug: output, traces, command lines and children are clean', async () => {
    const res = await runRaw(['invoke', '-c', host, '-u', USER, '--debug', '--cmd', 'sleep 0.4; echo done-A'], {
      env: { ...base, TSREMOTE_PASSWORD: PASSWORD },
      alsoWatch: process.pid,
    });
    expect(res.stdout.toString()).toBe('done-A\n');
    expect(res.code).toBe(0);
    // The trace really ran (so its cleanliness means something) and the watcher saw serve's shell.
    expect(res.stderr.toString()).toMatch(/debug: \[127\.0\.0\.1:\d+\] > authorization: Negotiate <redacted, \d+ bytes>/);
    expect(res.procs.some((p) => p.cmdline.includes('sleep 0.4'))).toBe(true);
    expect(leaksOfRun(res, forms)).toEqual([]);
  });

  it('TSREMOTE_PASSWORD, Basic with --allow-unencrypted, --debug --json: the Authorization header is redacted', async () => {
    const res = await runRaw(['invoke', '-c', host, '-u', USER, '--auth', 'basic', '--allow-unencrypted', '--debug', '--json', '--cmd', 'echo B'], {
      env: { ...base, TSREMOTE_PASSWORD: PASSWORD },
    });
    expect(res.code).toBe(0);
    expect(res.stdout.toString()).toContain('"value":"B\\n"');
    expect(res.stderr.toString()).toMatch(/authorization: Basic (\[redacted\]|<redacted, \d+ bytes>)/);
    expect(leaksOfRun(res, forms)).toEqual([]);
  });

  it('--password-stdin, invoke -s (PSRP) --json --debug', async () => {
    const res = await runRaw(['invoke', '-c', host, '-u', USER, '--password-stdin', '--json', '--debug', '-s', '"out-" + (20 + 22)'], {
      env: base,
      input: `${PASSWORD}\n`,
    });
    expect(res.code).toBe(0);
    expect(res.stdout.toString()).toContain('out-42');
    expect(leaksOfRun(res, forms)).toEqual([]);
  });

  it('a config passwordCommand: its child gets neither the password nor TSREMOTE_PASSWORD in argv or environment', async () => {
    const secretDir = path.join(dir, 'vault');
    mkdirSync(secretDir, { recursive: true });
    writeFileSync(path.join(secretDir, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
    const envDump = path.join(dir, 'pwcmd-env');
    const cfgDir = path.join(configDir, 'tsremote');
    mkdirSync(cfgDir, { recursive: true });
    const config = path.join(cfgDir, 'config.json');
    writeFileSync(config, JSON.stringify({ defaults: { username: USER, passwordCommand: `env > '${envDump}'; sleep 0.3; cat '${secretDir}/pw'` } }));
    chmodSync(config, 0o600);
    const res = await runRaw(['invoke', '-c', host, '--debug', '-s', '"cmd-ok"'], { env: { ...base, TSREMOTE_CONFIG: config } });
    expect(res.stdout.toString()).toContain('cmd-ok');
    expect(res.code).toBe(0);
    expect(res.procs.some((p) => p.cmdline.includes('sleep 0.3'))).toBe(true);
    expect(leaksOfRun(res, forms)).toEqual([]);
    const childEnv = readFileSync(envDump, 'utf8');
    expect(childEnv).toContain('PATH=');
    expect(childEnv).not.toContain('TSREMOTE_PASSWORD');
    expect(leaksIn(childEnv, forms)).toEqual([]);
  });

  it('session new and session list --json leave no secret in the registry or state files (0600 in a 0700 folder)', async () => {
    const created = await runRaw(['session', 'new', '-c', host, '-u', USER, '--name', 'sec1', '--debug'], { env: { ...base, TSREMOTE_PASSWORD: PASSWORD } });
    expect(created.code).toBe(0);
    const listed = await runRaw(['session', 'list', '--json'], { env: { ...base, TSREMOTE_PASSWORD: PASSWORD } });
    expect(listed.code).toBe(0);
    expect(listed.stdout.toString()).toContain('"name":"sec1"');
    const used = await runRaw(['invoke', '--session', 'sec1', '--json', '-s', '"in-session"'], { env: base, input: '' }).catch(() => undefined);
    // Without a password the reconnect must ask for one, and says so without echoing anything.
    expect(used?.code).not.toBe(0);
    const files = filesUnder(stateDir);
    expect(files.map((f) => path.basename(f.file))).toContain('sessions.json');
    for (const f of files) {
      expect(leaksIn(f.content, forms), f.file).toEqual([]);
      expect(f.mode, f.file).toBe(0o600);
    }
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    for (const r of [created, listed, ...(used ? [used] : [])]) expect(leaksOfRun(r, forms)).toEqual([]);
  });

  it('copy up and down with --json --debug', async () => {
    const src = path.join(dir, 'upload.txt');
    writeFileSync(src, 'payload\n');
    const remote = path.join(dir, 'remote');
    mkdirSync(remote);
    const env = { ...base, TSREMOTE_PASSWORD: PASSWORD };
    const up = await runRaw(['copy', '-u', USER, '--json', '--debug', src, `${host}:${remote}/`], { env });
    expect(up.code).toBe(0);
    const down = await runRaw(['copy', '-u', USER, '--json', `${host}:${remote}/upload.txt`, path.join(dir, 'back.txt')], { env });
    expect(down.code).toBe(0);
    expect(readFileSync(path.join(dir, 'back.txt'), 'utf8')).toBe('payload\n');
    expect(leaksOfRun(up, forms)).toEqual([]);
    expect(leaksOfRun(down, forms)).toEqual([]);
  });

  it('a wrong password fails with one clean line (exit 2), with and without --debug, Basic and NTLM', async () => {
    const env = { ...base, TSREMOTE_PASSWORD: WRONG };
    const ntlm = await runRaw(['invoke', '-c', host, '-u', USER, '--cmd', 'echo never'], { env });
    const basic = await runRaw(['invoke', '-c', host, '-u', USER, '--auth', 'basic', '--allow-unencrypted', '--debug', '--json', '--cmd', 'echo never'], { env });
    for (const r of [ntlm, basic]) {
      expect(r.code).toBe(2);
      expect(r.stdout.toString()).not.toContain('never');
      expect(leaksOfRun(r, forms)).toEqual([]);
    }
    expect(ntlm.stderr.toString()).toMatch(/^127\.0\.0\.1:\d+: .*(401|rejected)/);
  });

  it("serve's log never holds either password", () => {
    expect(serverLog.length).toBeGreaterThan(0);
    expect(leaksIn(serverLog.join('\n'), forms)).toEqual([]);
  });

  it('the config directory holds no password', () => {
    for (const f of filesUnder(configDir)) expect(leaksIn(f.content, forms), f.file).toEqual([]);
  });
});
