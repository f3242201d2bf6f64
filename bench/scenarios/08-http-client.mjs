// Scenario 8: the HTTP/1.1 client under the transport, alone. What one fan-out host costs at the
// HTTP level (a new connection, five POSTs of 2 KB answered with 2 KB, close) through our client
// (src/transport/http1) and through undici's Client, the one the transport used before: CPU per
// host in a warm process, and a cold process's whole cost (start, import, one host), where undici
// also pays the V8 compile of its WebAssembly llhttp. The server is a plain node:http process.
//
// Run directly (`node 08-http-client.mjs child <mode> <port> <hosts>`) it is the measured child.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measureCommand, median } from '../lib/measure.mjs';
import { fmt, ROOT, table, writeDocBlock, writeResult } from '../lib/results.mjs';

const ID = 'http-client';
const SELF = fileURLToPath(import.meta.url);
const BODY_BYTES = 2000;
const REQUESTS_PER_HOST = 5;

/** One "host" through each client: resolves when all five answers are read and the socket closed. */
async function clients(port) {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const Client = require('undici/lib/dispatcher/client.js');
  const { Http1Connection } = await import(pathToFileURL(path.join(ROOT, 'dist/transport/http1/connection.js')).href);
  const body = Buffer.alloc(BODY_BYTES, 'y');
  const headers = { 'content-type': 'application/soap+xml;charset=UTF-8', 'user-agent': 'bench' };
  return {
    async undici() {
      const c = new Client(`http://127.0.0.1:${port}`, { pipelining: 1 });
      for (let i = 0; i < REQUESTS_PER_HOST; i++) {
        await new Promise((resolve, reject) => {
          const chunks = [];
          c.dispatch({ method: 'POST', path: '/wsman', headers, body }, {
            onConnect() {},
            onHeaders() { return true; },
            onData(d) { chunks.push(d); return true; },
            onComplete() { resolve(Buffer.concat(chunks)); },
            onError: reject,
          });
        });
      }
      await c.destroy();
    },
    async ours() {
      const c = new Http1Connection({ hostname: '127.0.0.1', port, connectTimeoutMs: 5000 });
      for (let i = 0; i < REQUESTS_PER_HOST; i++) {
        await c.request({ method: 'POST', path: '/wsman', host: `127.0.0.1:${port}`, headers, body, readTimeoutMs: 5000, maxBodyBytes: 1 << 20 });
      }
      c.destroy();
    },
  };
}

/** Child: `hosts` hosts one after the other with one client; prints CPU ms per host (warm rounds only). */
async function child(mode, port, hosts) {
  const run = (await clients(port))[mode];
  if (hosts === 1) return run(); // the cold case: its cost is read by wait4
  // Warm-up, not counted: first use, JIT, and V8's background tier-up of undici's WebAssembly,
  // which runs on other threads after the first hosts (the cold column counts all of that).
  for (let i = 0; i < Math.min(hosts, 100); i++) await run();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const c0 = process.cpuUsage();
  for (let i = 0; i < hosts; i++) await run();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ cpuMsPerHost: (c.user + c.system) / 1000 / hosts }));
}

function startServer() {
  return new Promise((resolve, reject) => {
    const code = `const http=require('node:http');const b=Buffer.alloc(${BODY_BYTES},'x');` +
      `const s=http.createServer((q,r)=>{q.resume();q.on('end',()=>{r.writeHead(200,{'content-type':'application/soap+xml;charset=UTF-8','content-length':b.length});r.end(b);});});` +
      `s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
    const server = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    server.stdout.setEncoding('utf8').once('data', (d) => resolve({ port: Number(d.trim()), stop: () => server.kill() }));
    server.on('error', reject);
  });
}

export default {
  id: ID,
  title: 'HTTP/1.1 client alone: ours (src/transport/http1) vs undici Client, per fan-out host',
  async run({ quick, command, log }) {
    const rounds = quick ? 3 : 7;
    const hosts = quick ? 200 : 500;
    const server = await startServer();
    const warm = { ours: [], undici: [] };
    const cold = { ours: [], undici: [] };
    try {
      for (let round = 0; round < rounds; round++) {
        for (const mode of ['undici', 'ours']) {
          const w = await measureCommand([process.execPath, SELF, 'child', mode, String(server.port), String(hosts)], { keepOutput: true });
          warm[mode].push(JSON.parse(w.stdout.trim()).cpuMsPerHost);
          const c = await measureCommand([process.execPath, SELF, 'child', mode, String(server.port), '1']);
          if (c.exitCode !== 0) throw new Error(`${mode} cold run failed: ${c.stderr.slice(0, 300)}`);
          cold[mode].push(c);
        }
      }
    } finally {
      server.stop();
    }
    const row = (mode, label) => ({
      label,
      warmCpuMsPerHost: median(warm[mode]),
      coldCpuS: median(cold[mode].map((c) => c.cpuS)),
      coldWallS: median(cold[mode].map((c) => c.wallS)),
    });
    const rows = [row('ours', 'ours (src/transport/http1)'), row('undici', 'undici 7 `Client` (the transport before)')];
    const [ours, undici] = rows;
    const ratios = { warm: ours.warmCpuMsPerHost / undici.warmCpuMsPerHost, cold: ours.coldCpuS / undici.coldCpuS };
    for (const r of rows) log(`${r.label.padEnd(42)} warm ${fmt(r.warmCpuMsPerHost, 3)} ms CPU/host  cold process ${fmt(r.coldCpuS, 3)} s CPU, ${fmt(r.coldWallS, 3)} s wall`);
    log(`ours vs undici: ${fmt(ratios.warm, 2)}x warm CPU per host, ${fmt(ratios.cold, 2)}x cold process CPU`);
    const file = writeResult(ID, command, { hosts, rounds, requestsPerHost: REQUESTS_PER_HOST, bodyBytes: BODY_BYTES, rows, ratios });
    log(`wrote ${path.relative(ROOT, file)}`);
    writeDocBlock(ID, `
## 8. The HTTP/1.1 client alone

\`${command}\` — what one fan-out host costs at the HTTP level (a new connection, ${REQUESTS_PER_HOST} POSTs of
${fmt(BODY_BYTES)} bytes answered with ${fmt(BODY_BYTES)} bytes, close) against a plain node:http server: through the
transport's own client and through undici's \`Client\`, which the transport used until this
scenario was written. **warm** is CPU per host over ${fmt(hosts)} hosts one after the other in a process that has
already run 100 and let V8 finish compiling; **cold** is a whole process (start, import, one host) measured by wait4, where
undici also pays V8's background compile of its WebAssembly llhttp. Medians of ${rounds} rounds.

${table(['client', 'warm ms CPU/host', 'cold process CPU s', 'cold process wall s'], rows.map((r) => [r.label, fmt(r.warmCpuMsPerHost, 3), fmt(r.coldCpuS, 3), fmt(r.coldWallS, 3)]))}

Ours costs ${fmt(ratios.warm, 2)}× undici's CPU per host warm and ${fmt(ratios.cold, 2)}× cold.
`);
  },
};

if (process.argv[1] === SELF && process.argv[2] === 'child') {
  await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
}
