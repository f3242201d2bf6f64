#!/usr/bin/env node
// `npm run soak`: thousands of remote commands through the real CLI against a `tsremote serve` that
// injects random faults (issue 7), counting what must never happen: a record lost from a command
// that reported success, a record delivered twice, a shell left behind, memory that keeps growing.
//
// What "a command" is: one remote pipeline (PSRP, `-s`) or one WinRS command (`--cmd`) on one host.
// Each emits `--records` lines `rTAG N` (N = 1..records) so every record is accounted for. Commands
// travel in batches: a fan-out run (`invoke -c h1,…,hH`) carries one command per host, and a
// session run (`invoke --session`) carries one; one soak "phase" is a tenth of the commands.
//
// Figures: lost and duplicated records, leaked shells (after each phase, every session removed),
// failed commands by cause (reported failures are allowed: a fault may end a command, as long as
// the user is told), the CLI processes' peak RSS (VmHWM), and serve's RSS in the first and last
// tenth of the run. Exit 1 when lost/duplicated/leaked is not 0 or an RSS grew by 10% or more.
//
// Flags: --commands N (10000) --fault-rate P (0.05, per request) --seed S --hosts H (50)
//        --records R (20) --session-share F (0.02) --parallel J (3) --out FILE (JSON summary)
//        --warmup F (0.1: serve's "first 10%" RSS window starts after this share of the commands)
//        --max-rss-growth G (0.1) --run-timeout SEC (300: a CLI run still going then is killed
//        and its unfinished commands count as unreported)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/tsremote.js');

function parseFlags(argv) {
  const o = { commands: 10000, faultRate: 0.05, seed: Math.floor(Math.random() * 2 ** 31), hosts: 50, records: 20, sessionShare: 0.02, parallel: 3, warmup: 0.1, maxRssGrowth: 0.1, runTimeout: 300, out: undefined };
  const names = { '--commands': 'commands', '--fault-rate': 'faultRate', '--seed': 'seed', '--hosts': 'hosts', '--records': 'records', '--session-share': 'sessionShare', '--parallel': 'parallel', '--warmup': 'warmup', '--max-rss-growth': 'maxRssGrowth', '--run-timeout': 'runTimeout', '--out': 'out' };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    if (key === undefined || argv[i + 1] === undefined) throw new Error(`unknown or incomplete flag ${argv[i]}; see the header of scripts/soak.mjs`);
    o[key] = key === 'out' ? argv[++i] : Number(argv[++i]);
    if (key !== 'out' && !Number.isFinite(o[key])) throw new Error(`${argv[i - 1]} needs a number`);
  }
  return o;
}

/**
 * The fault mix: per request, `rate` in total for each operation it targets, split between kinds a
 * client recovers from and kinds that must end the command with a reported error. Restart and stall
 * stay out: a restart ends every command in flight on every host at once, and a stall costs a full
 * read timeout; the fault matrix covers both.
 */
function faultSpec(rate, seed) {
  const r = (share) => +(rate * share).toFixed(5);
  return [
    `seed=${seed}`,
    // Receive: mostly lost responses (recovered by retransmission), some dead shells.
    `reset@receive:rate=${r(0.3)}`,
    `truncated@receive:rate=${r(0.15)}`,
    `malformed@receive:rate=${r(0.1)}`,
    `content-type@receive:rate=${r(0.1)}`,
    `timeout@receive:rate=${r(0.15)}`,
    `401@receive:rate=${r(0.1)}`,
    `vanish@receive:rate=${r(0.1)}`,
    // Create: a refused port (retried) or the shell quota (reported).
    `refuse@create:rate=${r(0.5)},ms=200`,
    `quota@create:rate=${r(0.5)}`,
    // Command: never replayed, so both are reported failures.
    `http500@command:rate=${r(0.5)}`,
    `reset@command:rate=${r(0.5)},at=0`,
  ].join(';');
}

const statusKb = (pid, field) => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

async function startServe(o, env) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const lo = 20000 + Math.floor(Math.random() * 40000);
    const child = spawn(process.execPath, [bin, 'serve', '--user', 'soak', '--listen', `127.0.0.1:${lo}-${lo + o.hosts - 1}`, '--max-shells', '1000', ...(o.faultRate > 0 ? ['--faults', faultSpec(o.faultRate, o.seed)] : [])], {
      env: { ...env, TSREMOTE_SERVE_PASSWORD: env.TSREMOTE_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const injected = {};
    let log = '';
    const onLine = (line) => {
      const m = /\bfault (\S+) on (\S+)/.exec(line);
      if (m) injected[m[1]] = (injected[m[1]] ?? 0) + 1;
    };
    let pending = '';
    const feed = (d) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const l of lines) {
        onLine(l);
        if (log.length < 20000) log += `${l}\n`;
      }
    };
    child.stdout.setEncoding('utf8').on('data', feed);
    child.stderr.setEncoding('utf8').on('data', feed);
    const ok = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30000);
      const check = () => {
        const ports = new Set([...log.matchAll(/listening on [^\n]*/g)].flatMap((m) => [...m[0].matchAll(/:(\d+)\/wsman/g)].map((p) => p[1])));
        if (ports.size >= o.hosts) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ok) return { child, hosts: Array.from({ length: o.hosts }, (_, i) => `127.0.0.1:${lo + i}`), injected };
    child.kill('SIGTERM');
    if (!/EADDRINUSE/.test(log)) throw new Error(`serve did not start:\n${log}`);
  }
  throw new Error('no free port range for serve after 5 tries');
}

/** Runs the CLI, sampling its peak RSS; resolves with what it printed. A hung run is killed. */
function run(args, env, timeoutSec = 300) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let hung = false;
    const sampler = setInterval(() => (peak = Math.max(peak, statusKb(child.pid, 'VmHWM'))), 100);
    const killer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutSec * 1000);
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, peakKb: peak, hung });
    });
  });
}

const script = (tag, n, winrs) => (winrs ? ['--cmd', `seq -f 'r${tag} %g' 1 ${n}`] : ['-s', `1..${n} | ForEach-Object { "r${tag} $_" }`]);

/** A short, stable name for why a command failed (the first words of its error, numbers masked). */
const cause = (error) => (error ?? 'no error text').replace(/^\S+:\d+: /, '').replace(/[0-9A-F]{8}-[0-9A-F-]{27}/gi, 'ID').replace(/\d+/g, 'N').split(/[;:(.]/)[0].trim().slice(0, 48);

/**
 * Accounts one CLI run: per host, its records against `rTAG 1..n`, and its end record.
 * Only a host that ended `ok` can lose records; any host can duplicate them.
 */
function account(res, hosts, tag, n, winrs, t) {
  const texts = new Map(hosts.map((h) => [h, '']));
  const ends = new Map();
  for (const line of res.stdout.split('\n')) {
    if (line === '') continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      t.garbage++;
      continue;
    }
    if (rec.stream === 'end') ends.set(rec.host, rec);
    else if ((winrs && rec.stream === 'stdout') || (!winrs && rec.stream === 'output')) texts.set(rec.host, (texts.get(rec.host) ?? '') + (winrs ? rec.value : `${rec.value}\n`));
  }
  let allOk = true;
  for (const h of hosts) {
    t.commands++;
    const counts = new Array(n + 1).fill(0);
    for (const l of (texts.get(h) ?? '').split('\n')) {
      if (l === '') continue;
      const m = new RegExp(`^r${tag} (\\d+)$`).exec(l);
      if (m && Number(m[1]) >= 1 && Number(m[1]) <= n) counts[Number(m[1])]++;
      else t.foreign++;
    }
    for (let i = 1; i <= n; i++) if (counts[i] > 1) t.duplicated += counts[i] - 1;
    const end = ends.get(h);
    if (end === undefined) {
      // Neither success nor a reported failure: whatever it printed is unaccounted for.
      t.unreported++;
      if (t.unreportedExamples.length < 5) t.unreportedExamples.push({ host: h, tag, psrp: !winrs, hung: res.hung, exit: res.code, signal: res.signal, stderr: res.stderr.slice(-500) });
      t.lost += counts.slice(1).filter((c) => c === 0).length;
      allOk = false;
    } else if (end.status === 'ok') {
      t.ok++;
      const missing = counts.slice(1).filter((c) => c === 0).length;
      t.lost += missing;
      if (missing > 0 && t.lostExamples.length < 5) t.lostExamples.push({ host: h, tag, psrp: !winrs, session: res.session === true, missing, exitCode: end.exitCode, stderr: res.stderr.slice(-300) });
      t.records += counts.slice(1).filter((c) => c > 0).length;
    } else {
      allOk = false;
      const why = `${end.status}: ${cause(end.error)}`;
      t.failed[why] = (t.failed[why] ?? 0) + 1;
    }
  }
  // The exit status must agree with the hosts' ends (0 exactly when every host was ok).
  if ((res.code === 0) !== allOk) t.inconsistentExit++;
}

async function pool(jobs, parallel) {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < jobs.length) await jobs[next++]();
  }));
}

async function shellCount(host, env) {
  for (let i = 0; i < 50; i++) {
    const res = await run(['wsman', 'enumerate', host, 'shell', '-u', 'soak', '--json'], env);
    if (res.code === 0) {
      const n = JSON.parse(res.stdout || '[]').length;
      if (n === 0 || i >= 20) return n;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return -1;
}

async function main() {
  const o = parseFlags(process.argv.slice(2));
  const work = mkdtempSync(path.join(tmpdir(), 'tsremote-soak-'));
  const password = randomBytes(12).toString('base64url');
  const env = { ...process.env, NO_COLOR: '1', TSREMOTE_PASSWORD: password, TSREMOTE_USERNAME: 'soak', TSREMOTE_STATE_DIR: path.join(work, 'state'), XDG_CONFIG_HOME: path.join(work, 'config'), TSREMOTE_CONFIG: undefined };
  delete env.TSREMOTE_CONFIG;
  const serve = await startServe(o, env);
  const started = Date.now();
  const t = { commands: 0, ok: 0, records: 0, lost: 0, duplicated: 0, foreign: 0, garbage: 0, unreported: 0, inconsistentExit: 0, failed: {}, leaked: [], runs: 0, unreportedExamples: [], lostExamples: [] };
  const clientPeaks = { fanout: [], session: [] };
  const serveRss = []; // [commandsDone, VmRSS kB]
  const sampler = setInterval(() => serveRss.push([t.commands, statusKb(serve.child.pid, 'VmRSS')]), 500);
  let tag = 0;
  const sessionCommands = Math.round(o.commands * o.sessionShare);
  const fanoutCommands = o.commands - sessionCommands;
  const phases = 10;
  try {
    for (let phase = 0; phase < phases; phase++) {
      const share = (total) => Math.floor((total * (phase + 1)) / phases) - Math.floor((total * phase) / phases);
      // Fan-out: one command per host per run, the hosts dealt round-robin.
      const jobs = [];
      let left = share(fanoutCommands);
      while (left > 0) {
        const hosts = Array.from({ length: Math.min(o.hosts, left) }, (_, i) => serve.hosts[(tag + i) % o.hosts]);
        left -= hosts.length;
        const myTag = ++tag;
        const winrs = myTag % 2 === 0;
        jobs.push(async () => {
          const res = await run(['invoke', '-c', hosts.join(','), '--json', ...script(myTag, o.records, winrs)], env, o.runTimeout);
          t.runs++;
          clientPeaks.fanout.push(res.peakKb);
          account(res, hosts, myTag, o.records, winrs, t);
        });
      }
      // Sessions: one per parallel lane, reused until a fault ends it, then made again.
      const lanes = Math.min(o.parallel, o.hosts);
      // `session remove` tried again as a user would (as `session new` is, below), and only then
      // --force: each Delete it sends meets the injected faults too, and a remove that failed says
      // so ("kept"); a pool --force drops from the registry is left on serve and counted as leaked.
      const removeSession = async (name, env) => {
        for (let attempt = 0; attempt < 5; attempt++) {
          t.runs++;
          if ((await run(['session', 'remove', name], env)).code === 0) return;
        }
        await run(['session', 'remove', name, '--force'], env);
      };
      const perLane = Array.from({ length: lanes }, (_, i) => Math.floor((share(sessionCommands) * (i + 1)) / lanes) - Math.floor((share(sessionCommands) * i) / lanes));
      for (let lane = 0; lane < lanes; lane++) {
        jobs.push(async () => {
          const name = `soak${lane}`;
          const host = serve.hosts[lane];
          let open = false;
          for (let c = 0; c < perLane[lane]; c++) {
            for (let attempt = 0; !open && attempt < 5; attempt++) {
              const made = await run(['session', 'new', '-c', host, '--name', name], env);
              t.runs++;
              open = made.code === 0;
              if (!open) await run(['session', 'remove', name, '--force'], env);
            }
            const myTag = ++tag;
            const res = await run(['invoke', '--session', name, '--json', ...script(myTag, o.records, false)], env, o.runTimeout);
            t.runs++;
            clientPeaks.session.push(res.peakKb);
            account({ ...res, session: true }, [host], myTag, o.records, false, t);
            if (res.code !== 0) {
              // The pool may be gone (a vanished shell), or a fault ended the run: remove it and
              // start again with a fresh session.
              await removeSession(name, env);
              open = false;
            }
          }
          if (open) await removeSession(name, env);
        });
      }
      await pool(jobs, o.parallel);
      const shells = await shellCount(serve.hosts[0], env);
      t.leaked.push(shells);
      process.stderr.write(`phase ${phase + 1}/${phases}: ${t.commands} commands, ${t.ok} ok, ${Object.values(t.failed).reduce((a, b) => a + b, 0)} failed, ${shells} shells left, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
  } finally {
    clearInterval(sampler);
    serve.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }

  // serve's RSS: the highest sample in a window of 10% of the commands, right after the warm-up
  // (caches, JIT and heap reach their working size) and at the very end.
  const decile = (rows, last) => {
    const lo = last ? o.commands * 0.9 : o.commands * o.warmup;
    const hi = last ? Infinity : o.commands * (o.warmup + 0.1);
    const xs = rows.filter(([done]) => done >= lo && done <= hi).map(([, kb]) => kb).filter((kb) => kb > 0);
    return xs.length === 0 ? 0 : Math.max(...xs);
  };
  const median = (xs) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
  const tenth = (xs, last) => (last ? xs.slice(Math.floor(xs.length * 0.9)) : xs.slice(0, Math.max(1, Math.ceil(xs.length * 0.1))));
  const growth = (a, b) => (a === 0 ? 0 : (b - a) / a);
  const serveFirst = decile(serveRss, false);
  const serveLast = decile(serveRss, true);
  const clientFirst = median(tenth(clientPeaks.fanout, false));
  const clientLast = median(tenth(clientPeaks.fanout, true));
  const summary = {
    seed: o.seed,
    faultRate: o.faultRate,
    hosts: o.hosts,
    recordsPerCommand: o.records,
    seconds: +((Date.now() - started) / 1000).toFixed(1),
    cliRuns: t.runs,
    commands: t.commands,
    ok: t.ok,
    failedReported: Object.values(t.failed).reduce((a, b) => a + b, 0),
    failedByCause: t.failed,
    recordsDelivered: t.records,
    lost: t.lost,
    duplicated: t.duplicated,
    foreignLines: t.foreign + t.garbage,
    unreported: t.unreported,
    unreportedExamples: t.unreportedExamples,
    lostExamples: t.lostExamples,
    inconsistentExit: t.inconsistentExit,
    leakedShellsPerPhase: t.leaked,
    faultsInjected: serve.injected,
    serveRssKb: { afterWarmup: serveFirst, last10pct: serveLast, growth: +growth(serveFirst, serveLast).toFixed(3) },
    clientPeakRssKb: { max: Math.max(0, ...clientPeaks.fanout, ...clientPeaks.session), fanoutMedianFirst10pct: clientFirst, fanoutMedianLast10pct: clientLast, growth: +growth(clientFirst, clientLast).toFixed(3) },
  };
  const problems = [];
  if (summary.lost !== 0) problems.push(`${summary.lost} records lost`);
  if (summary.duplicated !== 0) problems.push(`${summary.duplicated} records duplicated`);
  if (summary.foreignLines !== 0) problems.push(`${summary.foreignLines} lines that are no record`);
  if (summary.unreported !== 0) problems.push(`${summary.unreported} commands ended without a status`);
  if (summary.inconsistentExit !== 0) problems.push(`${summary.inconsistentExit} runs whose exit code disagrees with their hosts`);
  if (t.leaked.some((n) => n !== 0)) problems.push(`shells left after a phase: ${t.leaked.join(',')}`);
  if (summary.serveRssKb.growth >= o.maxRssGrowth) problems.push(`serve RSS grew ${(summary.serveRssKb.growth * 100).toFixed(1)}%`);
  if (summary.clientPeakRssKb.growth >= o.maxRssGrowth) problems.push(`client peak RSS grew ${(summary.clientPeakRssKb.growth * 100).toFixed(1)}%`);
  summary.problems = problems;

  const rows = [
    ['commands (ok / failed, reported)', `${summary.commands} (${summary.ok} / ${summary.failedReported})`],
    ['CLI runs, seconds', `${summary.cliRuns}, ${summary.seconds}`],
    ['records delivered', summary.recordsDelivered],
    ['lost / duplicated / foreign', `${summary.lost} / ${summary.duplicated} / ${summary.foreignLines}`],
    ['unreported / exit mismatches', `${summary.unreported} / ${summary.inconsistentExit}`],
    ['shells left per phase', t.leaked.join(' ')],
    ['faults injected', Object.entries(serve.injected).map(([k, v]) => `${k} ${v}`).join(', ') || 'none seen in serve log'],
    ['serve RSS after warm-up / last 10% (kB)', `${serveFirst} / ${serveLast} (${(summary.serveRssKb.growth * 100).toFixed(1)}%)`],
    ['CLI peak RSS first/last 10%, max (kB)', `${clientFirst} / ${clientLast} (${(summary.clientPeakRssKb.growth * 100).toFixed(1)}%), ${summary.clientPeakRssKb.max}`],
    ...Object.entries(t.failed).sort((a, b) => b[1] - a[1]).map(([why, n]) => [`  ${why}`, n]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`tsremote soak (seed ${o.seed}, fault rate ${o.faultRate}, ${o.hosts} hosts)\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  for (const u of t.unreportedExamples) process.stdout.write(`unreported: ${JSON.stringify(u)}\n`);
  for (const u of t.lostExamples) process.stdout.write(`lost: ${JSON.stringify(u)}\n`);
  process.stdout.write(problems.length === 0 ? 'PASS\n' : `FAIL: ${problems.join('; ')}\n`);
  if (o.out !== undefined) writeFileSync(o.out, `${JSON.stringify(summary, null, 2)}\n`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
