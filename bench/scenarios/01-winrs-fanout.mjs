// Scenario 1: WinRS `hostname` on a fleet of loopback hosts (NTLM sealed over HTTP, the default of
// both clients): `tsremote invoke --cmd` at throttle 32 and 256 against pywinrm driven by a
// ThreadPoolExecutor of 32 workers, and pywinrm one host after the other (the sequential baseline,
// on fewer hosts and extrapolated per host). Every client is a fresh process measured by wait4
// (wall, user+sys CPU, peak RSS); the fleet counts the requests each run made.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { PASSWORD, USER, measureOnFleet, startFleet } from '../lib/fleet.mjs';
import { medianBy, PYTHON } from '../lib/measure.mjs';
import { pythonPeerEnv } from '../lib/openssl-legacy.mjs';
import { ROOT, fmt, table, writeDocBlock, writeResult } from '../lib/results.mjs';

const ID = 'winrs-fanout';
const CLI = path.join(ROOT, 'bin/tsremote.js');
const PEER = path.join(ROOT, 'bench/peers/pywinrm_fanout.py');
/** Preload that reports the client's CPU per thread at exit (our JS, the kernel, V8's JIT). */
const THREAD_CPU = path.join(ROOT, 'bench/lib/thread-cpu.cjs');

export default {
  id: ID,
  title: 'WinRS hostname on many hosts: tsremote invoke --cmd vs pywinrm (32 threads, sequential)',
  async run({ quick, command, log }) {
    const hosts = quick ? 40 : 1000;
    const sequentialHosts = quick ? 8 : 100;
    const fleet = await startFleet({ hosts });
    const dir = mkdtempSync(path.join(tmpdir(), 'tsremote-bench-01-'));
    const targetsFile = path.join(dir, 'targets.txt');
    const urlsFile = path.join(dir, 'urls.txt');
    const seqFile = path.join(dir, 'urls-sequential.txt');
    const warmFile = path.join(dir, 'urls-warm.txt');
    writeFileSync(targetsFile, fleet.targets.join('\n') + '\n');
    writeFileSync(urlsFile, fleet.urls.map(String).join('\n') + '\n');
    writeFileSync(seqFile, fleet.urls.slice(0, sequentialHosts).map(String).join('\n') + '\n');
    writeFileSync(warmFile, fleet.urls.slice(0, Math.min(20, hosts)).map(String).join('\n') + '\n');
    const cliEnv = { ...process.env, TSREMOTE_PASSWORD: PASSWORD };
    const pyEnv = pythonPeerEnv();
    const rows = [];
    const pairRuns = { tsremote: [], pywinrm: [] };
    try {
      // Warm the serve processes (JIT, first spawns) so the first measured client does not pay it.
      await measureOnFleet(fleet, [PYTHON, PEER, warmFile, USER, PASSWORD, '8'], { env: pyEnv });

      const tsremote = async (throttle) => {
        const r = await measureOnFleet(fleet, ['node', '-r', THREAD_CPU, CLI, 'invoke', '-c', `@${targetsFile}`, '-u', USER, '--cmd', 'hostname', '--throttle', String(throttle)], {
          env: { ...cliEnv, TSREMOTE_BENCH_MARK_LINES: String(Math.floor(hosts / 2)) }, keepOutput: true, timeoutMs: 15 * 60_000,
        });
        // One "[host] name" line per host that answered.
        const ok = r.stdout.split('\n').filter((l) => /^\[[^\]]+\]\s+\S/.test(l)).length;
        if (r.exitCode !== 0 || ok !== hosts) {
          const odd = r.stdout.split('\n').filter((l) => l !== '' && !/^\[[^\]]+\]\s+\S/.test(l)).slice(0, 3);
          log(`tsremote --throttle ${throttle}: exit ${r.exitCode}, ${ok}/${hosts} hosts; other lines ${JSON.stringify(odd)}; ${r.stderr.slice(0, 300)}`);
        }
        return {
          ...row(`tsremote invoke --cmd, --throttle ${throttle}`, 'tsremote', throttle, hosts, ok, r),
          threads: threadSplit(r.stderr),
          halves: tsremoteHalves(r.stderr, hosts),
        };
      };
      const pywinrm = async (threads, file, n) => {
        const r = await measureOnFleet(fleet, [PYTHON, PEER, file, USER, PASSWORD, String(threads)], { env: pyEnv, keepOutput: true, timeoutMs: 30 * 60_000 });
        const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
        if (summary.failed !== 0) log(`pywinrm ${threads} threads: ${summary.failed} failed, e.g. ${JSON.stringify(summary.failures?.[0])}; ${r.stderr.slice(0, 300)}`);
        return {
          ...row(threads === 1 ? 'pywinrm run_cmd, sequential' : `pywinrm run_cmd, ThreadPoolExecutor(${threads})`, 'pywinrm', threads, n, summary.ok ?? 0, r),
          halves: halves(n, summary.cpuAtHalfS * 1000, summary.cpuAtEndS * 1000),
        };
      };

      // The pair the targets compare runs `rounds` times, taking turns, and each side's run with the
      // median CPU per host speaks for it: now and then a process on this machine runs about 1.5×
      // slower than the next for its whole life, and one run per side moved this ratio by a fifth.
      const rounds = quick ? 1 : 3;
      for (let round = 0; round < rounds; round++) {
        pairRuns.tsremote.push(await tsremote(32));
        pairRuns.pywinrm.push(await pywinrm(32, urlsFile, hosts));
      }
      rows.push(medianBy(pairRuns.tsremote, (r) => r.cpuMsPerHost));
      rows.push(medianBy(pairRuns.pywinrm, (r) => r.cpuMsPerHost));
      rows.push(await tsremote(256));
      rows.push(await pywinrm(1, seqFile, sequentialHosts));
    } finally {
      await fleet.stop();
    }

    const peer = rows.find((r) => r.client === 'pywinrm' && r.concurrency === 32);
    for (const r of rows) {
      r.hostsPerSecondVsPeer32 = r.hostsPerSecond / peer.hostsPerSecond;
      r.cpuPerHostVsPeer32 = r.cpuMsPerHost / peer.cpuMsPerHost;
    }
    const t32 = rows.find((r) => r.client === 'tsremote' && r.concurrency === 32);
    const targets = {
      hostsPerSecondAtEqualConcurrency: { target: '>= 5x pywinrm(32)', measured: t32.hostsPerSecondVsPeer32, met: t32.hostsPerSecondVsPeer32 >= 5 },
      cpuPerHost: { target: '<= 1/5 of pywinrm(32)', measured: t32.cpuPerHostVsPeer32, met: t32.cpuPerHostVsPeer32 <= 0.2 },
    };
    for (const r of rows) {
      log(`${r.label.padEnd(42)} ${fmt(r.ok)}/${fmt(r.hosts)} ok  ${fmt(r.wallS, 1)} s  ${fmt(r.hostsPerSecond, 1)} hosts/s  ` +
        `CPU ${fmt(r.cpuS, 2)} s (${fmt(r.cpuMsPerHost, 2)} ms/host)  RSS ${fmt(r.maxRssMb)} MB  ` +
        `HTTP/host ${fmt(r.httpPerHost, 2)}  WS-Man/host ${fmt(r.wsmanPerHost, 2)}  floor ${fmt(r.cpuFloorS, 1)} s`);
    }
    const peer32 = rows.find((r) => r.client === 'pywinrm' && r.concurrency === 32);
    if (t32.halves && peer32.halves) {
      log(`halves (CPU ms/host, first ${fmt(Math.floor(hosts / 2))} hosts then the rest): tsremote ${fmt(t32.halves.firstMsPerHost, 2)} then ${fmt(t32.halves.secondMsPerHost, 2)}, ` +
        `pywinrm ${fmt(peer32.halves.firstMsPerHost, 2)} then ${fmt(peer32.halves.secondMsPerHost, 2)}: second half ${fmt(t32.halves.secondMsPerHost / peer32.halves.secondMsPerHost, 2)}x`);
    }
    if (t32.threads) log(`tsremote(32) CPU by thread: main user ${fmt(t32.threads.mainUserS, 2)} s, main system ${fmt(t32.threads.mainSysS, 2)} s, V8 workers ${fmt(t32.threads.v8WorkersS, 2)} s`);
    const runs = {
      tsremote: pairRuns.tsremote.map((r) => ({ cpuMsPerHost: r.cpuMsPerHost, hostsPerSecond: r.hostsPerSecond, halves: r.halves })),
      pywinrm: pairRuns.pywinrm.map((r) => ({ cpuMsPerHost: r.cpuMsPerHost, hostsPerSecond: r.hostsPerSecond, halves: r.halves })),
    };
    const listed = (side, key, digits) => runs[side].map((r) => fmt(r[key], digits)).join(', ');
    log(`runs at 32: tsremote CPU ms/host ${listed('tsremote', 'cpuMsPerHost', 2)}, hosts/s ${listed('tsremote', 'hostsPerSecond', 1)}; pywinrm CPU ms/host ${listed('pywinrm', 'cpuMsPerHost', 2)}, hosts/s ${listed('pywinrm', 'hostsPerSecond', 1)}`);
    log(`tsremote(32) vs pywinrm(32): ${fmt(t32.hostsPerSecondVsPeer32, 2)}x hosts/s (target >= 5), CPU/host ${fmt(t32.cpuPerHostVsPeer32, 2)}x (target <= 0.2)`);

    const file = writeResult(ID, command, { hosts, sequentialHosts, fleetProcesses: fleet.processes, rows, runs, targets });
    log(`wrote ${path.relative(ROOT, file)}`);
    writeDocBlock(ID, doc({ command, hosts, sequentialHosts, processes: fleet.processes, rows, t32, peer32, runs, listed }));
  },
};

/**
 * The client's CPU seconds by thread from thread-cpu.cjs's line: the main thread's user time (our
 * JavaScript, Node's own and GC on the main thread), its system time (the kernel: sockets), and
 * V8's worker threads (TurboFan compiling, concurrent GC). Undefined when the line is missing.
 */
function threadSplit(stderr) {
  const line = stderr.split('\n').find((l) => l.startsWith('TSREMOTE_BENCH_THREADS '));
  if (line === undefined) return undefined;
  const cpu = JSON.parse(line.slice('TSREMOTE_BENCH_THREADS '.length));
  const others = Object.entries(cpu).filter(([name]) => name !== 'main' && name !== 'node');
  return {
    mainUserS: (cpu.main?.userMs ?? 0) / 1000,
    mainSysS: (cpu.main?.sysMs ?? 0) / 1000,
    v8WorkersS: ((cpu.node?.userMs ?? 0) + (cpu.node?.sysMs ?? 0)) / 1000,
    otherS: others.reduce((n, [, t]) => n + t.userMs + t.sysMs, 0) / 1000,
  };
}

/**
 * CPU ms per host of a run's first and second halves (by hosts answered; start-up falls in the
 * first). A JIT warms up over the first half; pywinrm's CPython does not. Undefined when not known.
 */
function halves(hosts, atHalfMs, atEndMs) {
  const first = Math.floor(hosts / 2);
  if (!Number.isFinite(atHalfMs) || !Number.isFinite(atEndMs) || first === 0) return undefined;
  return { firstMsPerHost: atHalfMs / first, secondMsPerHost: (atEndMs - atHalfMs) / (hosts - first) };
}

/** The halves from thread-cpu.cjs's mark line. */
function tsremoteHalves(stderr, hosts) {
  const line = stderr.split('\n').find((l) => l.startsWith('TSREMOTE_BENCH_MARK '));
  if (line === undefined) return undefined;
  const mark = JSON.parse(line.slice('TSREMOTE_BENCH_MARK '.length));
  return halves(hosts, mark.atMarkMs ?? NaN, mark.atExitMs);
}

/** One run's figures. cpuFloorS: the shortest wall the run's CPU allows on this machine's cores. */
function row(label, client, concurrency, hosts, ok, r) {
  const fleetCpuS = r.serveCpuS + r.commandsCpuS;
  return {
    label, client, concurrency, hosts, ok,
    wallS: r.wallS, cpuS: r.cpuS, userS: r.userS, sysS: r.sysS, maxRssMb: r.maxRssKb / 1024,
    hostsPerSecond: ok / r.wallS,
    cpuMsPerHost: (r.cpuS * 1000) / hosts,
    httpPerHost: r.requests.httpPerHost,
    wsmanPerHost: r.requests.wsmanPerHost,
    wsman: r.requests.wsman,
    http401: r.requests.http.unauthorized,
    fleetCpuS,
    fleetCpuMsPerHost: (fleetCpuS * 1000) / hosts,
    cpuFloorS: (r.cpuS + fleetCpuS) / cpus().length,
    exitCode: r.exitCode,
  };
}

function doc({ command, hosts, sequentialHosts, processes, rows, t32, peer32, runs, listed }) {
  const body = rows.map((r) => [
    r.label, `${fmt(r.ok)}/${fmt(r.hosts)}`, fmt(r.wallS, 1), fmt(r.hostsPerSecond, 1), fmt(r.hostsPerSecondVsPeer32, 2) + '×',
    fmt(r.cpuS, 2), fmt(r.cpuMsPerHost, 2), fmt(r.cpuPerHostVsPeer32, 2) + '×', fmt(r.maxRssMb), fmt(r.httpPerHost, 2), fmt(r.wsmanPerHost, 2),
    fmt(r.fleetCpuMsPerHost, 1), fmt(r.cpuFloorS, 1),
  ]);
  const hostsPerSecondMet = t32.hostsPerSecondVsPeer32 >= 5;
  const cpuMet = t32.cpuPerHostVsPeer32 <= 0.2;
  const peerMsPerHost = t32.cpuMsPerHost / t32.cpuPerHostVsPeer32;
  const perHost = (s) => fmt((1000 * s) / hosts, 2);
  const th = t32.threads;
  const split = th === undefined ? '' : `
Where tsremote's CPU went at --throttle 32, by thread (\`/proc/self/task\` at exit, through
bench/lib/thread-cpu.cjs): the main thread's user time ${fmt(th.mainUserS, 2)} s (our JavaScript, Node's
streams and timers, GC's main-thread part; start-up included), its system time ${fmt(th.mainSysS, 2)} s (the
kernel: connecting, sending, receiving and closing ${fmt(hosts)} sockets), and V8's worker threads
${fmt(th.v8WorkersS, 2)} s (TurboFan compiling the hot code, concurrent GC)${th.otherS > 0 ? `, other threads ${fmt(th.otherS, 2)} s` : ''}. Per host
that is ${perHost(th.mainUserS)}, ${perHost(th.mainSysS)} and ${perHost(th.v8WorkersS)} ms, against a target of ${fmt(peerMsPerHost * 0.2, 2)} ms (1/5 of pywinrm's
${fmt(peerMsPerHost, 2)}): the kernel and V8's worker threads alone take ${perHost(th.mainSysS + th.v8WorkersS)} ms of it
(with \`--single-threaded-gc\` those threads keep nine tenths of their time: it is nearly all compiling).
`;
  const h = t32.halves;
  const ph = peer32.halves;
  const half = fmt(Math.floor(hosts / 2));
  const warmUp = h === undefined || ph === undefined ? '' : `
How much of that is warming up: the same runs split by hosts answered (thread-cpu.cjs notes the
process's CPU when the ${half}th output line is written; the peer script notes its own when its
${half}th host answers). tsremote's first ${half} hosts cost ${fmt(h.firstMsPerHost, 2)} ms/host (start-up
included) and the next ${half} ${fmt(h.secondMsPerHost, 2)}; pywinrm's ${fmt(ph.firstMsPerHost, 2)} and ${fmt(ph.secondMsPerHost, 2)}.
Over the second half tsremote spends **${fmt(h.secondMsPerHost / ph.secondMsPerHost, 2)}×** pywinrm's CPU per host.
A function called once or a few times per host (opening the shell, the NTLM logon, building a
request) runs in V8's interpreter until a few hundred hosts have called it, and is compiled by
TurboFan after that, so a fan-out's cost per host falls as it goes on; CPython's does not.
`;
  return `
## 1. WinRS fan-out: \`hostname\` on ${fmt(hosts)} hosts

\`\`\`sh
${command}
\`\`\`

A fleet of ${fmt(hosts)} loopback hosts (one \`serve\` port each, ${processes} serve processes,
bench/lib/fleet.mjs), NTLM sealed over HTTP — both clients' default. tsremote runs
\`tsremote invoke -c @targets --cmd hostname --throttle N\`; the peer is
bench/peers/pywinrm_fanout.py: one \`winrm.Session(url, auth=…, transport='ntlm')\` and
\`run_cmd('hostname')\` per host over a \`ThreadPoolExecutor(32)\`, and the same loop in one thread
(sequential, on the first ${sequentialHosts} hosts: its per-host figures extrapolate linearly).
Each client is one fresh process, measured with wait4 (start-up included). The two rows the
targets compare (throttle 32, 32 threads) ran ${runs.tsremote.length} times each, taking turns, and each shows its run
with the median CPU per host (every run: tsremote ${listed('tsremote', 'cpuMsPerHost', 2)} ms/host at
${listed('tsremote', 'hostsPerSecond', 1)} hosts/s; pywinrm ${listed('pywinrm', 'cpuMsPerHost', 2)} ms/host at ${listed('pywinrm', 'hostsPerSecond', 1)} hosts/s);
the other rows ran once. "HTTP/host" counts
every request serve received (NTLM's 401 legs included), "WS-Man/host" the SOAP operations.
"fleet ms/host" is the CPU the serve processes and the commands they spawned spent per host, and
"CPU floor" is (client + fleet CPU) / ${cpus().length} cores: no run on this machine can be faster, whatever the client.

${table(['client', 'ok', 'wall s', 'hosts/s', 'vs pywinrm(32)', 'client CPU s', 'CPU ms/host', 'vs pywinrm(32)', 'peak RSS MB', 'HTTP/host', 'WS-Man/host', 'fleet ms/host', 'CPU floor s'], body)}

Targets (tsremote at --throttle 32 against pywinrm's 32 threads): hosts/s ≥ 5× —
**${hostsPerSecondMet ? 'met' : 'missed'}** (${fmt(t32.hostsPerSecondVsPeer32, 2)}×); client CPU per host ≤ 1/5 —
**${cpuMet ? 'met' : 'missed'}** (${fmt(t32.cpuPerHostVsPeer32, 2)}×).
Per host tsremote sends Create, Command, Receive, Delete (4 WS-Man requests, 5 HTTP with the NTLM
leg, no Signal once the command is done); pywinrm sends 5 WS-Man and 8 HTTP (an empty
authentication POST before the first, and a Signal). The fleet runs on the same 2 cores as the
client: its CPU per host (NTLM acceptance, sealing, XML, one process spawned per command) bounds the
wall time of every client, so a wall-time ratio of 5× needs the fleet's share to be small as well;
compare each run's wall with its CPU floor. Wall times move ±30 % with the machine's load; CPU
seconds and request counts are the stable figures.
${split}${warmUp}`;
}
