/** The fault matcher: OPS/port/shell filters, per-rule per-port counters, after/nth/every/count/rate. */
import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultSpec, type RequestOp, type ShellFamily } from '../../../src/server/fault-injection/index.js';

function injector(spec: string, log: string[] = []): FaultInjector {
  return new FaultInjector(parseFaultSpec(spec), 1, (l) => log.push(l));
}

/** Which of `n` requests (1-based) got a fault. */
function fired(inj: FaultInjector, n: number, op: RequestOp = 'receive', port = 5985, family: ShellFamily | undefined = 'winrs'): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (inj.decide(op, family, port) !== undefined) out.push(i);
  return out;
}

describe('FaultInjector', () => {
  it('injects on every match without rate/nth/every, only for the listed operations', () => {
    const inj = injector('reset@receive|signal');
    expect(fired(inj, 3, 'receive')).toEqual([1, 2, 3]);
    expect(fired(inj, 2, 'command')).toEqual([]);
    expect(fired(inj, 1, 'signal')).toEqual([1]);
    expect(inj.counts()).toEqual({ reset: 4 });
  });

  it('nth fires once, on the Nth match after `after`', () => {
    expect(fired(injector('stall:nth=3'), 10)).toEqual([3]);
    expect(fired(injector('stall:nth=2,after=4'), 10)).toEqual([6]);
  });

  it('every fires on every Nth match, capped by count', () => {
    expect(fired(injector('stall:every=3'), 10)).toEqual([3, 6, 9]);
    expect(fired(injector('stall:every=2,count=2'), 10)).toEqual([2, 4]);
    expect(fired(injector('stall:after=7'), 10)).toEqual([8, 9, 10]);
  });

  it('keeps counters per port: nth=2 fires once on each port', () => {
    const inj = injector('http500:nth=2');
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      for (const port of [6001, 6002]) if (inj.decide('receive', 'winrs', port) !== undefined) seen.push(`${port}#${i}`);
    }
    expect(seen).toEqual(['6001#2', '6002#2']);
  });

  it('port= and shell= restrict the matches', () => {
    const inj = injector('quota:port=6001-6002,shell=psrp');
    expect(fired(inj, 2, 'create', 6001, 'psrp')).toEqual([1, 2]);
    expect(fired(inj, 2, 'create', 6003, 'psrp')).toEqual([]);
    expect(fired(inj, 2, 'create', 6002, 'winrs')).toEqual([]);
    expect(fired(inj, 2, 'enumerate', 6002, undefined)).toEqual([]);
  });

  it('rate is reproducible for a seed and near its probability', () => {
    const a = fired(injector('reset:rate=0.3;seed=7'), 2000);
    const b = fired(injector('reset:rate=0.3;seed=7'), 2000);
    const c = fired(injector('reset:rate=0.3;seed=8'), 2000);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBeGreaterThan(500);
    expect(a.length).toBeLessThan(700);
    expect(fired(injector('reset:rate=0'), 100)).toEqual([]);
    expect(fired(injector('reset:rate=1,count=50'), 100)).toHaveLength(50);
  });

  it('the first firing rule wins; later rules still count the match', () => {
    const log: string[] = [];
    const inj = injector('timeout@receive:nth=1;reset@receive:nth=1', log);
    expect(inj.decide('receive', 'winrs', 1)?.kind).toBe('timeout');
    // The reset rule saw its first match above, so nth=1 can no longer fire.
    expect(inj.decide('receive', 'winrs', 1)).toBeUndefined();
    expect(inj.counts()).toEqual({ timeout: 1 });
    expect(log).toEqual(['fault timeout on receive port 1']);
  });

  it('uses the spec seed, else the one given', () => {
    expect(new FaultInjector(parseFaultSpec('reset;seed=5'), 9, () => {}).seed).toBe(5);
    expect(new FaultInjector(parseFaultSpec('reset'), 9, () => {}).seed).toBe(9);
  });
});
