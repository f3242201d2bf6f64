import { describe, expect, it } from 'vitest';
import { fanout } from '../../src/fanout/index.js';

describe('fanout', () => {
  it('never runs more than `throttle` hosts at once and keeps host order in the outcomes', async () => {
    let running = 0;
    let peak = 0;
    const hosts = Array.from({ length: 20 }, (_, i) => `h${i}`);
    const outcomes = await fanout(
      hosts,
      async (host, i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return `${host}:${i}`;
      },
      { throttle: 3 },
    );
    expect(peak).toBe(3);
    expect(outcomes.map((o) => (o.ok ? o.value : 'x'))).toEqual(hosts.map((h, i) => `${h}:${i}`));
  });

  it('isolates one host failure from the others', async () => {
    const outcomes = await fanout(['a', 'bad', 'c'], async (h) => {
      if (h === 'bad') throw new Error('boom');
      return h.toUpperCase();
    });
    expect(outcomes.map((o) => (o.ok ? o.value : `error:${(o.error as Error).message}`))).toEqual(['A', 'error:boom', 'C']);
  });

  it('reports hosts not yet started as failed once the signal aborts', async () => {
    const ac = new AbortController();
    const outcomes = await fanout(
      ['a', 'b', 'c'],
      async (h) => {
        ac.abort(new Error('stop'));
        return h;
      },
      { throttle: 1, signal: ac.signal },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false]);
  });
});
