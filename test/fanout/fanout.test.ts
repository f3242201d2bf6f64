import { describe, expect, it } from 'vitest';
import { HostTimeoutError, fanout, timedOut } from '../../src/fanout/index.js';

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

  it('bounds hosts in flight at the default of 32, and tells onStart about each host as it starts', async () => {
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    const hosts = Array.from({ length: 100 }, (_, i) => `h${i}`);
    await fanout(
      hosts,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
      },
      { onStart: (h) => started.push(h) },
    );
    expect(peak).toBe(32);
    expect(started).toEqual(hosts);
  });

  it('--timeout: aborts only the slow host\'s signal with HostTimeoutError; the others finish untouched', async () => {
    const outcomes = await fanout(
      ['fast', 'slow', 'fast2'],
      async (host, _i, signal) => {
        if (host !== 'slow') return `${host}: done, aborted=${String(signal?.aborted)}`;
        // A well-behaved task: stops when its signal aborts, then reports how it ended.
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
        const late = timedOut(signal);
        return `${host}: ${late?.message} (${late?.code}, ${late?.host}, ${late?.seconds})`;
      },
      { timeoutSec: 0.05 },
    );
    expect(outcomes.map((o) => (o.ok ? o.value : 'x'))).toEqual([
      'fast: done, aborted=false',
      'slow: timed out after 0.05 s (ETSR_TIMEOUT, slow, 0.05)',
      'fast2: done, aborted=false',
    ]);
  });

  it('a host\'s signal also aborts with the run\'s signal (Ctrl+C), not as a timeout', async () => {
    const ac = new AbortController();
    const outcomes = await fanout(
      ['a'],
      async (_h, _i, signal) => {
        queueMicrotask(() => ac.abort(new Error('interrupted')));
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
        return [signal?.reason instanceof HostTimeoutError, (signal?.reason as Error).message, timedOut(signal)];
      },
      { timeoutSec: 60, signal: ac.signal },
    );
    expect(outcomes[0]).toEqual({ host: 'a', ok: true, value: [false, 'interrupted', undefined] });
  });
});
