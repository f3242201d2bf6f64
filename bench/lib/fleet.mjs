// A simulated fleet: `hosts` loopback WinRM endpoints spread over `processes` serve processes
// (one port each: 127.0.0.1:<port> stands for one Windows host), all with the same account.
//
// How many serve processes: one Node process serving 1,000 ports is not limited by its sockets
// (20,000 fds here; a host costs one listening fd plus one per open connection) but by its one
// thread: NTLM acceptance, RC4 sealing, XML, and spawning the WinRS command of every host. On
// this 2-core machine the client needs one core, so DEFAULT_PROCESSES serve processes share the
// other (see docs/performance.md, scenario 01, for the measurement that chose it).
import { fork } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fleet-worker.mjs');
export const USER = 'bench';
export const PASSWORD = 'bench-Passw0rd';
/** Serve processes when the caller does not say: measured, see the header. */
export const DEFAULT_PROCESSES = 2;
/**
 * Fleet ports are drawn below Linux's ephemeral range (32768-60999), where the client's own
 * outgoing connections take their local ports, so thousands of connections cannot steal one.
 */
const PORT_LOW = 10000;
const PORT_HIGH = 32768;
/** Other fleets (parallel runs) may hold a drawn range: a few fresh draws before giving up. */
const BIND_ATTEMPTS = 5;

/**
 * @param {{ hosts: number, basePort?: number, processes?: number, https?: boolean,
 *   allowUnencrypted?: boolean, auth?: string[], latencyMs?: number, serve?: object, nodeArgs?: string[] }} o
 *   `serve` is passed to startServer as is (for options not named here). `latencyMs` holds every
 *   HTTP request that long in serve (a WAN round trip). `processes` defaults to DEFAULT_PROCESSES.
 *   `nodeArgs`: Node flags for the serve processes (e.g. `--cpu-prof` to profile them).
 * @returns {Promise<Fleet>}
 *   targets are `127.0.0.1:<port>` strings for `invoke -c`.
 *
 * @typedef {{ urls: URL[], targets: string[], processes: number, stats(): Promise<FleetStats>, stop(): Promise<void> }} Fleet
 * @typedef {{ processes: object[], shells: number, pids: number, serveCpuS: number, commandsCpuS: number,
 *   serveRssKb: number, requests: Requests }} FleetStats
 *   processes: each serve process's own report ({stats, faults, rssKb, cpu, childrenCpuS}); the rest
 *   summed over them. serveCpuS: the serve processes' own CPU; commandsCpuS: the commands they ran.
 * @typedef {{ http: { total: number, unauthorized: number, byPort: Record<string, number> },
 *   wsman: Record<'Create'|'Command'|'Receive'|'Send'|'Signal'|'Delete'|'other', number> }} Requests
 */
export async function startFleet(o) {
  for (let attempt = 1; ; attempt++) {
    const basePort = o.basePort ?? PORT_LOW + Math.floor(Math.random() * (PORT_HIGH - PORT_LOW - o.hosts));
    try {
      return await startFleetAt(o, basePort);
    } catch (err) {
      if (o.basePort !== undefined || attempt >= BIND_ATTEMPTS || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

async function startFleetAt(o, basePort) {
  const processes = Math.max(1, Math.min(o.processes ?? DEFAULT_PROCESSES, o.hosts));
  const per = Math.ceil(o.hosts / processes);
  const workers = [];
  try {
    for (let i = 0, first = 0; i < processes && first < o.hosts; i++, first += per) {
      const last = Math.min(o.hosts, first + per) - 1;
      const options = {
        listen: [`127.0.0.1:${basePort + first}-${basePort + last}`],
        users: [{ username: USER, password: PASSWORD }],
        https: o.https ?? false,
        allowUnencrypted: o.allowUnencrypted ?? false,
        ...(o.auth ? { auth: o.auth } : {}),
        ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}),
        maxShellsPerUser: 100000,
        ...o.serve,
      };
      // COMPUTERNAME: what `$env:COMPUTERNAME` answers in serve's engine, as on Windows (upper case).
      const env = { ...process.env, COMPUTERNAME: process.env.COMPUTERNAME ?? hostname().toUpperCase() };
      const child = fork(WORKER, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: o.nodeArgs ?? [], env });
      workers.push(child);
    }
    const urls = (await Promise.all(workers.map((w) => reply(w, 'ready')))).flatMap((m) => m.urls.map((u) => new URL(u)));
    return {
      urls,
      targets: urls.map((u) => `${u.hostname}:${u.port}`),
      processes: workers.length,
      stats: async () => sumStats(await Promise.all(workers.map((w) => { w.send({ op: 'stats' }); return reply(w, 'stats'); }))),
      stop: () => stopAll(workers),
    };
  } catch (err) {
    await stopAll(workers);
    throw err;
  }
}

/** The fleet's figures: every process's report, and the sums a scenario reports. */
function sumStats(reports) {
  const requests = emptyRequests();
  for (const r of reports) addRequests(requests, r.stats.requests, 1);
  return {
    processes: reports,
    shells: reports.reduce((n, r) => n + r.stats.shells, 0),
    pids: reports.reduce((n, r) => n + r.stats.pids.length, 0),
    serveCpuS: reports.reduce((n, r) => n + (r.cpu.user + r.cpu.system) / 1e6, 0),
    commandsCpuS: reports.reduce((n, r) => n + (r.childrenCpuS ?? 0), 0),
    serveRssKb: reports.reduce((n, r) => n + r.rssKb, 0),
    requests,
  };
}

function emptyRequests() {
  return { http: { total: 0, unauthorized: 0, byPort: {} }, wsman: { Create: 0, Command: 0, Receive: 0, Send: 0, Signal: 0, Delete: 0, other: 0 } };
}

function addRequests(into, r, sign) {
  into.http.total += sign * r.http.total;
  into.http.unauthorized += sign * r.http.unauthorized;
  for (const [port, n] of Object.entries(r.http.byPort)) into.http.byPort[port] = (into.http.byPort[port] ?? 0) + sign * n;
  for (const [op, n] of Object.entries(r.wsman)) into.wsman[op] = (into.wsman[op] ?? 0) + sign * n;
}

/**
 * The requests made between two stats() snapshots (`after` − `before`), with per-host figures:
 * hosts = ports that got at least one request.
 */
export function requestsBetween(before, after) {
  const d = emptyRequests();
  addRequests(d, after.requests, 1);
  addRequests(d, before.requests, -1);
  for (const [port, n] of Object.entries(d.http.byPort)) if (n === 0) delete d.http.byPort[port];
  const hosts = Object.keys(d.http.byPort).length;
  const wsmanTotal = Object.values(d.wsman).reduce((a, b) => a + b, 0);
  return {
    ...d,
    hosts,
    wsmanTotal,
    httpPerHost: hosts === 0 ? 0 : d.http.total / hosts,
    wsmanPerHost: hosts === 0 ? 0 : wsmanTotal / hosts,
  };
}

function reply(worker, op) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (msg.op === op) { cleanup(); resolve(msg); }
      else if (msg.op === 'error') { cleanup(); reject(new Error(`fleet: ${msg.message}`)); }
    };
    const onExit = (code) => { cleanup(); reject(new Error(`fleet: a serve process exited (${code})`)); };
    const cleanup = () => { worker.off('message', onMessage); worker.off('exit', onExit); };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

async function stopAll(workers) {
  await Promise.all(workers.map((w) => new Promise((resolve) => {
    if (w.exitCode !== null || !w.connected) return resolve();
    const t = setTimeout(() => w.kill('SIGKILL'), 5000);
    w.once('exit', () => { clearTimeout(t); resolve(); });
    w.send({ op: 'stop' });
  })));
}

/**
 * Runs one client command (bench/lib/measure.mjs's measureCommand) against the fleet and adds what
 * the fleet saw meanwhile: `requests` (requestsBetween), and the CPU seconds of the serve
 * processes (`serveCpuS`) and of the commands they ran (`commandsCpuS`).
 */
export async function measureOnFleet(fleet, argv, opts = {}) {
  const { measureCommand } = await import('./measure.mjs');
  const before = await fleet.stats();
  const run = await measureCommand(argv, opts);
  const after = await fleet.stats();
  return {
    ...run,
    requests: requestsBetween(before, after),
    serveCpuS: after.serveCpuS - before.serveCpuS,
    commandsCpuS: after.commandsCpuS - before.commandsCpuS,
    shellsLeft: after.shells,
  };
}
