/**
 * The four ways of using tsremote that the fault matrix crosses with every fault kind: a WinRS
 * command, a PSRP pipeline, a session reused across processes, and a file copy both ways. Each runs
 * the real CLI against a {@link Rig} and returns what a cell needs to judge the outcome.
 *
 * Output arrives in bursts (half a second of silence before each 250 records) so a run takes several Receives: a
 * fault on a later Receive then hits a stream of which part was already delivered, which is where a
 * careless retransmission would duplicate records and a careless recovery would lose them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkSequence, cli, cmdRecord, errorLines, linesByHost, psRecord, sha256, waitForNoShells, type MeasuredResult, type Rig, type SequenceCheck } from './harness.js';

export type Verb = 'cmd' | 'ps' | 'session' | 'copy';
export const VERBS: readonly Verb[] = ['cmd', 'ps', 'session', 'copy'];

/** Records per run: enough for four bursts, small enough for the slow CI cores. */
export const RECORDS = 1000;
const BURST = 250;

/** `seq` in bursts of 250, a pause before each. */
export const burstyCmd = (n: number): string =>
  `i=1; while [ $i -le ${n} ]; do sleep 0.5; seq $i $((i+${BURST - 1})) | head -n $((${n}-i+1)); i=$((i+${BURST})); done`;
/** `1..N` as "rec N" strings, pausing before each burst of 250. */
export const burstyPs = (n: number): string =>
  `1..${n} | ForEach-Object { if ($_ % ${BURST} -eq 1) { Start-Sleep -Milliseconds 500 }; "rec $_" }`;

/** What one scenario did; a cell compares it with its expectation. */
export interface Outcome {
  verb: Verb;
  /** The exit code of the step that decides (the invoke, the copy, or the first failing session step). */
  code: number | null;
  /** Per-host stderr error lines of that step. */
  errors: string[];
  /** Per host, how its sequence-numbered records arrived (copy: absent). */
  sequences: Map<string, SequenceCheck>;
  /** copy: did the downloaded file match the uploaded one. */
  copyIntact?: boolean;
  /** Every CLI run of the scenario, for failure messages. */
  steps: { args: string; result: MeasuredResult }[];
  /** The highest peak RSS (kB) of any CLI process of the scenario. */
  peakRssKb: number;
  /** Shells serve still held once the scenario was over. */
  shellsAfter: number;
}

export interface ScenarioOptions {
  /** Hosts to run on (invoke verbs fan out; session and copy use the first). Default: all of the rig's. */
  hosts?: string[];
  /** Extra CLI flags (e.g. `--operation-timeout 2`). */
  extra?: string[];
  records?: number;
  /** A CLI run still going after this is killed and fails the cell (default 90 s). */
  timeoutMs?: number;
}

function describeSteps(steps: Outcome['steps']): string {
  const brief = (out: string): string => {
    const lines = out.split('\n').filter((l) => l !== '');
    return lines.length <= 6 ? lines.join(' | ') : `${lines.length} lines: ${lines.slice(0, 3).join(' | ')} … ${lines.slice(-3).join(' | ')}`;
  };
  return steps.map((s) => `$ tsremote ${s.args}\n  exit ${s.result.code}${s.result.signal ? ` (${s.result.signal})` : ''}\n  stderr: ${s.result.stderr.trim().slice(0, 1500)}\n  stdout: ${brief(s.result.stdout)}`).join('\n');
}

/** A readable account of an outcome, for assertion messages. */
export function explain(o: Outcome): string {
  const seq = [...o.sequences].map(([h, s]) => `${h}: ${JSON.stringify(s)}`).join('\n');
  return `${o.verb}: exit ${o.code}, shells after ${o.shellsAfter}\n${seq}\n${describeSteps(o.steps)}`;
}

const peakOf = (steps: Outcome['steps']): number => Math.max(0, ...steps.map((s) => s.result.peakRssKb));

async function step(rig: Rig, steps: Outcome['steps'], args: string[], timeoutMs?: number): Promise<MeasuredResult> {
  const result = await cli(rig, args, timeoutMs);
  steps.push({ args: args.join(' '), result });
  return result;
}

async function invoke(rig: Rig, verb: 'cmd' | 'ps', o: ScenarioOptions): Promise<Outcome> {
  const hosts = o.hosts ?? rig.hosts;
  const n = o.records ?? RECORDS;
  const steps: Outcome['steps'] = [];
  const what = verb === 'cmd' ? ['--cmd', burstyCmd(n)] : ['-s', burstyPs(n)];
  const res = await step(rig, steps, ['invoke', '-c', hosts.join(','), ...rig.conn(), ...(o.extra ?? []), ...what], o.timeoutMs);
  const byHost = linesByHost(res.stdout, hosts);
  const format = verb === 'cmd' ? cmdRecord : psRecord;
  const sequences = new Map([...byHost].map(([h, lines]) => [h, checkSequence(lines, n, format)]));
  return { verb, code: res.code, errors: errorLines(res.stderr), sequences, steps, peakRssKb: peakOf(steps), shellsAfter: await waitForNoShells(rig.server) };
}

/** `session new`, two `invoke --session` runs, `session remove`. The first failing step decides. */
async function sessionReuse(rig: Rig, o: ScenarioOptions): Promise<Outcome> {
  const host = (o.hosts ?? rig.hosts)[0]!;
  const n = o.records ?? RECORDS;
  const steps: Outcome['steps'] = [];
  const name = 'rel';
  // The session record keeps host and user; how to trust the host's certificate comes with each run.
  const tls = rig.caFile === undefined ? [] : ['--https', '--ca-file', rig.caFile];
  const sequences = new Map<string, SequenceCheck>();
  let deciding: MeasuredResult | undefined;
  const created = await step(rig, steps, ['session', 'new', '-c', host, ...rig.conn(), ...(o.extra ?? []), '--name', name], o.timeoutMs);
  if (created.code !== 0) deciding = created;
  else {
    for (const run of ['first', 'second']) {
      const res = await step(rig, steps, ['invoke', '--session', name, ...tls, ...(o.extra ?? []), '-s', burstyPs(n)], o.timeoutMs);
      sequences.set(`${host} (${run} run)`, checkSequence(linesByHost(res.stdout, [host]).get(host)!, n, psRecord));
      if (res.code !== 0) {
        deciding = res;
        break;
      }
    }
  }
  const removed = await step(rig, steps, ['session', 'remove', name, ...tls], o.timeoutMs);
  deciding ??= removed;
  // A test must never leave a recorded session behind, even when remove could not reach the host.
  if (removed.code !== 0) await step(rig, steps, ['session', 'remove', name, ...tls, '--force'], o.timeoutMs);
  return { verb: 'session', code: deciding.code, errors: errorLines(deciding.stderr), sequences, steps, peakRssKb: peakOf(steps), shellsAfter: await waitForNoShells(rig.server) };
}

/** Upload a random file, download it again, compare SHA-256. The first failing copy decides. */
async function copyRoundTrip(rig: Rig, o: ScenarioOptions): Promise<Outcome> {
  const host = (o.hosts ?? rig.hosts)[0]!;
  const steps: Outcome['steps'] = [];
  const data = randomBytes(600 * 1024);
  const local = path.join(rig.dir, 'upload.bin');
  const remote = path.join(rig.dir, 'remote.bin');
  const back = path.join(rig.dir, 'download.bin');
  writeFileSync(local, data);
  let deciding = await step(rig, steps, ['copy', ...rig.conn(), ...(o.extra ?? []), '--chunk-size', '128', local, `${host}:${remote}`], o.timeoutMs);
  if (deciding.code === 0) deciding = await step(rig, steps, ['copy', ...rig.conn(), ...(o.extra ?? []), '--chunk-size', '128', `${host}:${remote}`, back], o.timeoutMs);
  const copyIntact = deciding.code === 0 && existsSync(back) && sha256(readFileSync(back)) === sha256(data);
  return { verb: 'copy', code: deciding.code, errors: errorLines(deciding.stderr), sequences: new Map(), copyIntact, steps, peakRssKb: peakOf(steps), shellsAfter: await waitForNoShells(rig.server) };
}

/** Runs `verb` against the rig. */
export function runScenario(rig: Rig, verb: Verb, o: ScenarioOptions = {}): Promise<Outcome> {
  switch (verb) {
    case 'cmd':
    case 'ps':
      return invoke(rig, verb, o);
    case 'session':
      return sessionReuse(rig, o);
    case 'copy':
      return copyRoundTrip(rig, o);
  }
}
