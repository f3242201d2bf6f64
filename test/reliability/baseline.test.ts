/**
 * The matrix's yardstick: without faults every verb delivers every record exactly once and leaves
 * no shell; and the harness's checks do see a lost, repeated or foreign record (so a matrix cell
 * that passes means something).
 */
import { describe, expect, it } from 'vitest';
import { checkSequence, cmdRecord, errorLines, linesByHost, psRecord, startRig } from './harness.js';
import { assertOutcome, RECOVERS } from './matrix.js';
import { runScenario, VERBS } from './verbs.js';

describe('harness checks', () => {
  it('counts a missing, a repeated and a foreign record, and accepts only the exact sequence', () => {
    expect(checkSequence(['1', '2', '3'], 3, cmdRecord)).toMatchObject({ missing: 0, duplicated: 0, foreign: 0, exact: true });
    expect(checkSequence(['1', '3'], 3, cmdRecord)).toMatchObject({ missing: 1, duplicated: 0, exact: false });
    expect(checkSequence(['1', '2', '2', '3'], 3, cmdRecord)).toMatchObject({ missing: 0, duplicated: 1, exact: false });
    expect(checkSequence(['rec 1', 'rec 2', 're'], 2, psRecord)).toMatchObject({ foreign: 1, exact: false });
    expect(checkSequence(['2', '1'], 2, cmdRecord)).toMatchObject({ missing: 0, duplicated: 0, exact: false });
  });

  it('splits prefixed fan-out output per host and refuses an unprefixed line', () => {
    const hosts = ['a:1', 'b:2'];
    expect([...linesByHost('[a:1] 1\n[b:2] 1\n[a:1] 2\n', hosts)]).toEqual([['a:1', ['1', '2']], ['b:2', ['1']]]);
    expect(() => linesByHost('[a:1] 1\nstray\n', hosts)).toThrow(/stray/);
  });

  it('takes the per-host error lines and leaves out the fan-out summary', () => {
    const stderr = 'h:2: connection refused\ntsremote: 1 of 2 hosts did not succeed (1 ok, 1 unreachable) in 0.1 s\n  HOST  STATUS\n';
    expect(errorLines(stderr)).toEqual(['h:2: connection refused']);
  });
});

describe.concurrent('without faults', () => {
  for (const verb of VERBS) {
    it(`${verb}: every record once, exit 0, no shell left`, async () => {
      const rig = await startRig({ ports: 2 });
      try {
        const o = await runScenario(rig, verb);
        assertOutcome(o, rig.hosts[0]!, RECOVERS, undefined);
        if (verb === 'cmd' || verb === 'ps') expect([...o.sequences.keys()]).toEqual(rig.hosts);
        else expect(o.sequences.size).toBe(verb === 'session' ? 2 : 0);
      } finally {
        await rig.close();
      }
    }, 90_000);
  }
});
