/**
 * The fault matrix of issue 7: every fault kind of `serve --faults` crossed with the four verbs, and
 * for each cell the behaviour we promise (docs/reliability.md prints the same table).
 *
 * Two outcomes only, decided from contract (2) "robust connections":
 *   recovers  the request was not handled, or its response was lost while serve kept it under the
 *             OperationID: the client retransmits (or retries a refused connect) and the user sees
 *             complete output, exit 0, nothing on stderr.
 *   fails     the remote state is gone or the operation must not be repeated (a Command is never
 *             replayed): one stderr line naming the host, the documented exit code, no record twice.
 * In both, serve holds 0 shells afterwards.
 *
 * Each cell gets its own serve (in-process, one port), so `nth=` counts only that cell's requests
 * and faultCounts() proves the fault really fired there.
 */
import { describe, expect, it } from 'vitest';
import { startRig, type RigOptions } from './harness.js';
import { explain, runScenario, VERBS, type Outcome, type Verb } from './verbs.js';

export type Expectation =
  | { outcome: 'recovers' }
  | { outcome: 'fails'; exit: number; line?: RegExp };

export const RECOVERS: Expectation = { outcome: 'recovers' };
export const fails = (exit: number, line?: RegExp): Expectation => (line === undefined ? { outcome: 'fails', exit } : { outcome: 'fails', exit, line });

export interface Row {
  /** The fault kind of contract (1), as faultCounts() names it. */
  kind: string;
  spec: string;
  /** Client flags for every CLI call of the row (e.g. a short --operation-timeout for stall). */
  extra?: string[];
  https?: boolean;
  /** Startup-level faults (wrong-cert) are not counted per request. */
  uncounted?: boolean;
  /** Per verb; a verb not listed takes `all`. */
  all?: Expectation;
  cells?: Partial<Record<Verb, Expectation>>;
  /** Kill a CLI run after this long (a hang is a failure, found sooner). */
  cliTimeoutMs?: number;
  /** A bound on every CLI process's peak RSS in kB (a hostile answer must not exhaust memory). */
  maxClientRssKb?: number;
  /** Why this is the right behaviour, in a few words (also the doc's table). */
  why: string;
}

/** The assertions every cell makes. */
export function assertOutcome(o: Outcome, host: string, want: Expectation, fired: { kind: string; count: number } | undefined): void {
  const story = explain(o);
  if (fired !== undefined) expect(fired.count, `fault ${fired.kind} never fired\n${story}`).toBeGreaterThan(0);
  expect(o.shellsAfter, `shells left on serve\n${story}`).toBe(0);
  for (const [h, seq] of o.sequences) {
    expect(seq.duplicated, `records delivered twice on ${h}\n${story}`).toBe(0);
    expect(seq.foreign, `lines that are no record on ${h}\n${story}`).toBe(0);
  }
  if (want.outcome === 'recovers') {
    expect(o.errors, `error lines on a run that should have recovered\n${story}`).toEqual([]);
    expect(o.code, story).toBe(0);
    for (const [h, seq] of o.sequences) expect(seq.exact, `incomplete or reordered output on ${h}\n${story}`).toBe(true);
    if (o.verb === 'copy') expect(o.copyIntact, `copy not intact\n${story}`).toBe(true);
  } else {
    expect(o.code, story).toBe(want.exit);
    expect(o.errors, `want one error line naming ${host}\n${story}`).toHaveLength(1);
    expect(o.errors[0]!.startsWith(`${host}: `), `error line does not name the host\n${story}`).toBe(true);
    if (want.line !== undefined) expect(o.errors[0], story).toMatch(want.line);
  }
}

/** Registers one concurrent test per verb of each row. */
export function defineRows(rows: readonly Row[], timeoutMs = 120_000): void {
  for (const row of rows) {
    describe.concurrent(`${row.spec}${row.https ? ' (https)' : ''}`, () => {
      for (const verb of VERBS) {
        const want = row.cells?.[verb] ?? row.all;
        if (want === undefined) continue;
        it(`${verb}: ${want.outcome === 'recovers' ? 'recovers with complete output' : `fails with one line and exit ${want.exit}`}`, async () => {
          const opts: RigOptions = { faults: row.spec, ...(row.https ? { https: true } : {}) };
          const rig = await startRig(opts);
          try {
            const o = await runScenario(rig, verb, {
              ...(row.extra === undefined ? {} : { extra: row.extra }),
              ...(row.cliTimeoutMs === undefined ? {} : { timeoutMs: row.cliTimeoutMs }),
            });
            const fired = row.uncounted ? undefined : { kind: row.kind, count: rig.faultCounts()[row.kind] ?? 0 };
            assertOutcome(o, rig.hosts[0]!, want, fired);
            if (row.maxClientRssKb !== undefined) expect(o.peakRssKb, explain(o)).toBeLessThan(row.maxClientRssKb);
          } finally {
            await rig.close();
          }
        }, timeoutMs);
      }
    });
  }
}
