import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../src/transport/index.js';
import { parseRetryAfter, retryDelay, sleep } from '../../src/transport/retry.js';

describe('retryDelay', () => {
  it('backs off exponentially from 200 ms up to the cap', () => {
    const policy = { ...DEFAULT_RETRY, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n))).toEqual([200, 400, 800, 1000, 1000]);
  });

  it('honours Retry-After when longer than the backoff, and gives up when it exceeds the cap', () => {
    expect([
      retryDelay(DEFAULT_RETRY, 1, 0),
      retryDelay(DEFAULT_RETRY, 1, 3000),
      retryDelay(DEFAULT_RETRY, 1, 10_000),
      retryDelay(DEFAULT_RETRY, 1, 10_001),
    ]).toEqual([200, 3000, 10_000, null]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect([
      parseRetryAfter('120', now),
      parseRetryAfter(' 0 ', now),
      parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now),
      parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now),
      parseRetryAfter('soon', now),
      parseRetryAfter(undefined, now),
    ]).toEqual([120_000, 0, 5000, 0, undefined, undefined]);
  });
});

describe('sleep', () => {
  it('rejects with ETSR_ABORTED as soon as the signal aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, ac.signal, 'web1').catch((err: unknown) => err);
    ac.abort();
    const err = (await pending) as { code: string; host: string };
    expect([err.code, err.host]).toEqual(['ETSR_ABORTED', 'web1']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects at once for an already aborted signal', async () => {
    await expect(sleep(10_000, AbortSignal.abort(), 'web1')).rejects.toMatchObject({ code: 'ETSR_ABORTED' });
  });
});
