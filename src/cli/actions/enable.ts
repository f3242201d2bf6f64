/**
 * `tsremote enable`: puts src/enable's pieces in order.
 *
 * Linux and macOS, each step idempotent:
 *   1. the config dir (0700);
 *   2. the users file: `--add-user` adds or updates one user; an existing file is kept as is;
 *   3. with --https, the certificate and key (kept when present and not about to expire);
 *   4. the systemd unit or launchd plist: printed on stdout with the commands that install it
 *      (on stderr), or with --install written, loaded, and checked with `test` on its address.
 * Windows: the script of src/enable/windows.ts through powershell.exe, then `test localhost`.
 *
 * stdout carries only the service file (so `enable > unit` works) or the script; progress goes
 * to stderr. Everything that touches the machine goes through {@link EnableIo}, so tests can run
 * the Windows path on any OS.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { EnableOptions } from '../enable.js';
import { InvalidArgumentError, TsrError } from '../../errors.js';
import { ExitCode } from '../exit-codes.js';
import { environmentPassword, promptHidden, resolvePassword } from '../password.js';

/** What the action may touch; the default is the real machine. */
export interface EnableIo {
  platform: NodeJS.Platform;
  root: boolean;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Runs a program: its stdout captured, its stderr passed to ours. */
  exec(file: string, args: string[]): Promise<{ code: number; stdout: string }>;
  /** `tsremote test` against one host (in-process). */
  test(host: string, settings: { https: boolean; caFile?: string }): Promise<number>;
  /** The Node executable and tsremote's bin script, for the service's command line. */
  node: string;
  script: string;
}

export async function runEnable(opts: EnableOptions, io: EnableIo = machineIo()): Promise<number> {
  if (opts.script) {
    const { enableScript } = await import('../../enable/index.js');
    io.stdout.write(enableScript({ https: opts.https, localAccountTokenFilter: opts.localAccountTokenFilter }));
    return ExitCode.Ok;
  }
  if (io.platform === 'win32') return enableWindows(opts, io);
  return enableServe(opts, io);
}

async function enableWindows(opts: EnableOptions, io: EnableIo): Promise<number> {
  const unix = (['addUser', 'dir', 'listen'] as const).filter((k) => opts[k] !== undefined);
  if (unix.length > 0 || opts.install) {
    throw new InvalidArgumentError('on Windows, enable configures WinRM itself: no users file, folder, address or service to install', {
      hint: 'drop --add-user, --dir, --listen and --install (WinRM uses Windows accounts)',
    });
  }
  const { enableScript, parseScriptOutput, powershellInvocation } = await import('../../enable/index.js');
  const ps = powershellInvocation(enableScript({ https: opts.https, localAccountTokenFilter: opts.localAccountTokenFilter, emitCertificate: true }));
  io.stderr.write(`enable: running Enable-PSRemoting -Force${opts.https ? ' and the HTTPS listener setup' : ''} through ${ps.file}\n`);
  const run = await io.exec(ps.file, ps.args);
  if (run.code !== 0) {
    throw new TsrError('ETSR_SERVER', `Enable-PSRemoting failed (${ps.file} exit status ${run.code})`, {
      hint: 'run tsremote enable from an elevated (Administrator) prompt; the PowerShell error is above',
    });
  }
  const out = parseScriptOutput(run.stdout);
  let caFile: string | undefined;
  if (opts.https && out.thumbprint) {
    io.stderr.write(`enable: HTTPS listener on 5986, certificate thumbprint ${out.thumbprint}\n`);
    if (out.certPem) {
      caFile = path.join(tmpdir(), `tsremote-enable-${process.pid}.pem`);
      writeFileSync(caFile, out.certPem);
    }
  }
  io.stderr.write('enable: checking with tsremote test localhost\n');
  const code = await io.test('localhost', { https: false });
  if (!opts.https || code !== ExitCode.Ok) return code;
  return io.test('localhost', { https: true, ...(caFile === undefined ? {} : { caFile }) });
}

async function enableServe(opts: EnableOptions, io: EnableIo): Promise<number> {
  const { resolveLayout, ensureCertificate, serviceText, loadCommands, shellLine } = await import('../../enable/index.js');
  const { hashUser, parseListen, readUsersFile, upsertUser, writeUsersFile } = await import('../../server/index.js');
  if (opts.localAccountTokenFilter) throw new InvalidArgumentError('--local-account-token-filter is a Windows setting', { hint: 'use it with --script, or on Windows' });

  const listen = opts.listen ?? (opts.https ? '127.0.0.1:5986' : '127.0.0.1:5985');
  const addresses = parseListen(listen);
  const address = addresses[0];
  if (addresses.length !== 1 || address === undefined || address.port === 0) {
    throw new InvalidArgumentError(`--listen needs one fixed HOST:PORT for a service, got '${listen}'`, { hint: 'e.g. --listen 127.0.0.1:5986' });
  }
  const layout = resolveLayout({ platform: io.platform, root: io.root, dir: opts.dir, env: io.env });
  const say = (line: string): void => void io.stderr.write(`enable: ${line}\n`);
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  say(`config in ${layout.dir}`);

  // Users: read first, so a public or malformed file stops us before anything else changes.
  let store = readUsersFile(layout.usersFile, { missingOk: true });
  if (opts.addUser !== undefined) {
    const password = await newPassword(opts.addUser, opts.passwordStdin, io);
    const upsert = upsertUser(store, hashUser(opts.addUser, password, { ntlm: opts.ntlm }));
    store = upsert.file;
    writeUsersFile(layout.usersFile, store);
    say(`${upsert.added ? 'added' : 'updated'} user ${opts.addUser} in ${layout.usersFile}${opts.ntlm ? '' : ' (no NT hash: Basic over HTTPS only)'}`);
  } else if (store.users.length === 0) {
    if (opts.install) throw new TsrError('ETSR_CONFIG', `no users in ${layout.usersFile}: serve would refuse to start`, { hint: 'add one with --add-user NAME' });
    say(`warning: no users yet in ${layout.usersFile}: add one with tsremote enable --add-user NAME`);
  } else {
    say(`users file ${layout.usersFile} kept (${store.users.length} user${store.users.length === 1 ? '' : 's'})`);
  }

  if (opts.https) {
    const names = uniq(['localhost', hostname(), '127.0.0.1', '::1', ...(isUnspecified(address.host) ? [] : [address.host])]);
    const cert = await ensureCertificate(layout.certFile, layout.keyFile, names);
    const verb = { created: 'created', kept: 'kept', renewed: 'renewed (it was about to expire)' }[cert.outcome];
    say(`certificate ${verb}: ${layout.certFile}, SHA-256 ${cert.fingerprint}, valid until ${cert.notAfter.toISOString().slice(0, 10)}`);
    if (cert.keyModeFixed) say(`tightened ${layout.keyFile} to mode 0600`);
    say(`clients trust it with --ca-file (copy ${layout.certFile}); its names: ${names.join(', ')}`);
  }
  if (!isLoopback(address.host)) {
    say(`warning: serve runs what authenticated clients send as ${layout.scope === 'system' ? 'root' : 'you'}, now reachable on ${listen} (see docs/serve.md)`);
  }

  const text = serviceText({ node: io.node, script: io.script, layout, https: opts.https, listen });
  const commands = loadCommands(layout);
  if (!opts.install) {
    io.stdout.write(text);
    say(`to install it, run this again with --install, or save the ${layout.manager === 'launchd' ? 'plist' : 'unit'} above as ${layout.serviceFile} and run:`);
    for (const c of commands) say(`  ${shellLine(c.argv)}`);
    if (layout.manager === 'systemd' && layout.scope === 'user') say(`  loginctl enable-linger   # keep it running while you are logged out`);
    return ExitCode.Ok;
  }

  mkdirSync(path.dirname(layout.serviceFile), { recursive: true });
  writeFileSync(layout.serviceFile, text, { mode: 0o644 });
  say(`wrote ${layout.serviceFile}`);
  for (const c of commands) {
    const run = await io.exec(c.argv[0] ?? '', c.argv.slice(1));
    if (run.code !== 0 && !c.mayFail) {
      throw new TsrError('ETSR_SERVER', `${shellLine(c.argv)} failed (exit status ${run.code})`, {
        hint: layout.manager === 'systemd' ? `see systemctl${layout.scope === 'user' ? ' --user' : ''} status ${layout.serviceName}` : `see ${layout.dir}/serve.log`,
      });
    }
  }
  const host = isUnspecified(address.host) ? (address.host.includes(':') ? '::1' : '127.0.0.1') : address.host;
  const target = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  say(`waiting for ${target}, then checking it with tsremote test`);
  await waitForPort(host, address.port, 20_000);
  return io.test(target, { https: opts.https, ...(opts.https ? { caFile: layout.certFile } : {}) });
}

/** The new user's password; typed twice when prompted, as passwd does. */
async function newPassword(user: string, passwordStdin: boolean, io: EnableIo): Promise<string> {
  const sources = { passwordStdin, env: io.env, stdin: io.stdin, promptOut: io.stderr };
  const password = await resolvePassword(user, sources);
  if (!passwordStdin && environmentPassword(io.env) === undefined && io.stdin.isTTY) {
    const again = await promptHidden(`Retype the password for ${user}: `, io.stdin, io.stderr);
    if (again !== password) throw new TsrError('ETSR_CREDENTIALS', `the passwords for ${user} do not match`, { hint: 'run it again' });
  }
  return password;
}

/** Polls until something accepts TCP on host:port (the service manager starts serve asynchronously). */
async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host, port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) {
      throw new TsrError('ETSR_CONNECT', `serve did not start listening on ${host}:${port}`, { hint: 'look at the service log (journalctl --user -u tsremote-serve, or serve.log)' });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];
const isUnspecified = (h: string): boolean => h === '0.0.0.0' || h === '::';
const isLoopback = (h: string): boolean => h === 'localhost' || h === '::1' || h.startsWith('127.');

function machineIo(): EnableIo {
  return {
    platform: process.platform,
    root: process.getuid?.() === 0,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    exec: (file, args) =>
      new Promise((resolve, reject) => {
        const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'], windowsHide: true });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          process.stderr.write(d.replace(/^Certificate: .*\r?\n?/gm, '')); // the admin sees the output; the base64 blob is noise
        });
        child.once('error', (err) => reject(new TsrError('ETSR_SERVER', `cannot run ${file}`, { cause: err, hint: `is ${file} on PATH?` })));
        child.once('close', (code) => resolve({ code: code ?? 1, stdout }));
      }),
    test: async (host, settings) => {
      const { runTest } = await import('./test.js');
      const { readConnectionOptions } = await import('../connection-options.js');
      return runTest(readConnectionOptions({ https: settings.https, ...(settings.caFile ? { caFile: settings.caFile } : {}) }, [host]));
    },
    node: process.execPath,
    script: realpathSync(process.argv[1] ?? 'tsremote'),
  };
}
