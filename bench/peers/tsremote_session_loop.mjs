// Scenarios 3 and 7's tsremote driver: one PowerShellSession (the library `invoke --session` and
// `enter` run pipelines through, imported from dist/) on one host, running `count` pipelines one
// after the other. Prints one JSON line with the loop's own wall and CPU seconds, so the session's
// open (NTLM handshake, pool opening) and Node's start-up are not counted in per-command figures.
//
// usage: node tsremote_session_loop.mjs '<json>'  with
//   { target: '127.0.0.1:port', user, count, script, auth?: 'negotiate'|'basic', https?: bool,
//     allowUnencrypted?: bool, inputBytes?: number (one string of that size as pipeline input),
//     expect?: string (the first output value of every pipeline, checked),
//     warmup?: number (pipelines run first and not counted; default 1) }
// The password comes from env TSREMOTE_PASSWORD, as for the CLI.
import { Credential } from '../../dist/auth/index.js';
import { PowerShellSession, connect } from '../../dist/session/index.js';

const o = JSON.parse(process.argv[2]);
const client = connect(o.target, {
  https: o.https ?? false,
  auth: o.auth ?? 'negotiate',
  credential: new Credential(o.user, process.env.TSREMOTE_PASSWORD ?? ''),
  skipCertCheck: true,
  allowUnencrypted: o.allowUnencrypted ?? false,
  operationTimeoutSec: 20,
  connectTimeoutSec: 10,
});

const openedAt = performance.now();
const session = await PowerShellSession.open(client);
const openS = (performance.now() - openedAt) / 1000;
const input = o.inputBytes ? ['x'.repeat(o.inputBytes)] : undefined;

/** Runs one pipeline; returns its first output value (as text) and throws when it did not complete. */
async function runOnce() {
  let first;
  let failed;
  for await (const event of session.run(o.script, input ? { input } : {})) {
    if (event.type === 'PipelineOutput' && first === undefined) first = event.value;
    if (event.type === 'ErrorRecord') failed ??= 'an error record';
    if (event.type === 'PipelineState' && event.error) failed ??= 'the pipeline failed';
  }
  if (failed) throw new Error(`${o.script}: ${failed}`);
  return first;
}

// Warm-up pipelines, not counted: at least one (first-use allocations); more to measure the
// session once V8 has compiled its hot code (TurboFan tiers functions up over the first thousand
// or so pipelines, on worker threads whose CPU counts in this process's).
const sample = await runOnce();
for (let i = 1; i < (o.warmup ?? 1); i++) await runOnce();
for (const k of session.requests.keys()) session.requests.set(k, 0);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < o.count; i++) {
  const v = await runOnce();
  if (o.expect !== undefined && String(v) !== o.expect) throw new Error(`unexpected output ${String(v)} (want ${o.expect})`);
}
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const requests = Object.fromEntries(session.requests);
await session.close();
await client.close();
console.log(JSON.stringify({
  commands: o.count, wallS, cpuS: (cpu.user + cpu.system) / 1e6, openS, requests,
  requestsPerCommand: Object.values(requests).reduce((a, b) => a + b, 0) / o.count,
  sample: typeof sample === 'object' ? JSON.stringify(sample) : String(sample),
}));
