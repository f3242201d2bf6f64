#!/usr/bin/env node
// `npm run demo`: starts `tsremote serve` on three loopback HTTPS ports (a small "fleet") with a
// generated password and certificate, then runs what a user would run against it and shows the
// output. Everything is torn down at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/tsremote.js');
const work = mkdtempSync(path.join(tmpdir(), 'tsremote-demo-'));
const caFile = path.join(work, 'serve-cert.pem');
const password = randomBytes(18).toString('base64url');
const user = 'demo';
const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);

function startServe() {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--user', user, '--https', '--cert-out', caFile, '--quiet',
      '--listen', '127.0.0.1:0', '--listen', '127.0.0.1:0', '--listen', '127.0.0.1:0'],
    { env: { ...process.env, TSREMOTE_SERVE_PASSWORD: password }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const urls = [];
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buf += d;
      for (const m of buf.matchAll(/listening on (\S+)/g)) if (!urls.includes(m[1])) urls.push(m[1]);
      if (urls.length === 3) resolve({ child, urls });
    });
    child.on('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
}

const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function run(caption, args) {
  process.stdout.write(`\n# ${caption}\n${bold(`$ tsremote ${args.map(quote).join(' ')}`)}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, TSREMOTE_PASSWORD: password },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => {
      process.stdout.write(`(exit code ${code})\n`);
      resolve(code);
    });
  });
}

const { child: serve, urls } = await startServe();
const hosts = urls.map((u) => new URL(u).host);
const conn = ['-u', user, '--https', '--ca-file', caFile];
process.stdout.write(`tsremote serve is listening on ${urls.join(', ')}\n`);
process.stdout.write(`(user "${user}", a generated password in TSREMOTE_PASSWORD, a self-signed certificate trusted with --ca-file)\n`);
let failures = 0;
try {
  const steps = [
    ['Is WinRM answering? (Test-WSMan)', ['test', hosts[0], ...conn], 0],
    ['PowerShell on the whole fleet: objects come back as a table, one column per host', ['invoke', '-c', hosts.join(','), ...conn, '-s', 'Get-Process -Id $PID | Select-Object -Property Id, ProcessName, @{n="WS(MB)"; e={[int]($_.WS / 1mb)}}'], 0],
    ['Every stream: output, warnings, verbose, errors (exit code 1 when a host reports errors)', ['invoke', '-c', hosts[0], ...conn, '-s', '"Hello from $($PSVersionTable.PSEdition) edition, PS $($PSVersionTable.PSVersion)"; Write-Warning "disk almost full"; Write-Verbose "checked 3 volumes" -Verbose; Get-Foo'], 1],
    ['For scripts: --json gives one NDJSON record per object and an end line per host', ['invoke', '-c', hosts.slice(0, 2).join(','), ...conn, '--json', '-s', '[pscustomobject]@{ Name = "こんにちは"; Size = 3 }'], 0],
    ['One command on the whole fleet, in parallel', ['invoke', '-c', hosts.join(','), ...conn, '--cmd', 'echo "hello from $(hostname) pid $$"; uname -s'], 0],
    ['One host: its stdout, stderr and exit code come straight back', ['invoke', '-c', hosts[0], ...conn, '--cmd', 'echo out; echo err >&2; exit 3'], 3],
    ['Native commands through WinRS, as NDJSON', ['invoke', '-c', hosts.slice(0, 2).join(','), ...conn, '--json', '--cmd', 'printf "こんにちは\\n"'], 0],
    ['Every invoke deleted its remote shell: none are left open', ['wsman', 'enumerate', hosts[0], 'shell', ...conn, '--json'], 0],
    ['Safe by default: an untrusted certificate is refused (exit 2)', ['test', hosts[1], '-u', user, '--https'], 2],
  ];
  for (const [caption, args, expected] of steps) {
    if ((await run(caption, args)) !== expected) failures++;
  }
} finally {
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(failures ? `\ndemo: ${failures} step(s) did not end as expected\n` : '\ndemo: every step ended as expected\n');
process.exitCode = failures ? 1 : 0;
