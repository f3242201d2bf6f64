/**
 * Fault matrix, multi-host rows: one of three hosts is faulted (a `port=` rule: a port stands for a
 * host). The healthy hosts' output must be complete whatever happens to the faulted one, and the
 * faulted one either recovers too or costs exactly one error line.
 *
 * A restart is the exception by construction: the three ports are one serve process, and a restart
 * drops every shell of the process, so all three hosts lose theirs at once; the row then checks
 * that each of them costs exactly one line and nothing is duplicated.
 */
import { describe, expect, it } from 'vitest';
import { startRig } from './harness.js';
import { explain, runScenario } from './verbs.js';

interface FanoutRow {
  spec: (faulted: number) => string;
  kind: string;
  /** recovers: all complete; faulted-fails: host 2 one line; all-fail: every host one line. */
  outcome: 'recovers' | 'faulted-fails' | 'all-fail';
  exit: number;
}

const rows: FanoutRow[] = [
  { kind: 'vanish', spec: (p) => `vanish@receive:nth=2,port=${p}`, outcome: 'faulted-fails', exit: 1 },
  { kind: 'reset', spec: (p) => `reset@receive:nth=2,port=${p}`, outcome: 'recovers', exit: 0 },
  { kind: 'restart', spec: (p) => `restart@receive:nth=2,port=${p}`, outcome: 'all-fail', exit: 1 },
];

describe.concurrent('one faulted host among three', () => {
  for (const row of rows) {
    for (const verb of ['cmd', 'ps'] as const) {
      it(`${row.spec(0).replace(/,port=0$/, '')} on host 2, ${verb}: ${row.outcome}`, async () => {
        const rig = await startRig({ ports: 3, faults: (ports) => row.spec(ports[1]!) });
        try {
          const o = await runScenario(rig, verb);
          const story = explain(o);
          const [healthy1, faulted, healthy3] = rig.hosts as [string, string, string];
          expect(rig.faultCounts()[row.kind] ?? 0, `fault never fired\n${story}`).toBeGreaterThan(0);
          for (const seq of o.sequences.values()) expect([seq.duplicated, seq.foreign], story).toEqual([0, 0]);
          if (row.outcome === 'all-fail') {
            expect(o.errors.map((l) => l.slice(0, l.indexOf(': '))).sort(), story).toEqual([...rig.hosts].sort());
          } else {
            for (const h of [healthy1, healthy3]) expect(o.sequences.get(h)?.exact, `${h} incomplete\n${story}`).toBe(true);
            if (row.outcome === 'recovers') {
              expect(o.sequences.get(faulted)?.exact, story).toBe(true);
              expect(o.errors, story).toEqual([]);
            } else {
              expect(o.errors, story).toHaveLength(1);
              expect(o.errors[0]!.startsWith(`${faulted}: `), story).toBe(true);
            }
          }
          expect(o.code, story).toBe(row.exit);
          expect(o.shellsAfter, story).toBe(0);
        } finally {
          await rig.close();
        }
      }, 120_000);
    }
  }
});
