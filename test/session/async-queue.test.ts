/**
 * AsyncQueue (src/session/async-queue.ts): every pipeline event passes through it, through a
 * hand-written iterator. What a `for await` consumer must see: every item in order, whether it was
 * pushed before or while the consumer waited; the end after the last item; the error it ended
 * with once, after the items.
 */
import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/session/async-queue.js';

async function collect<T>(q: AsyncQueue<T>): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of q) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('AsyncQueue', () => {
  it('hands out items pushed before iteration, in order, then ends', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.push(2);
    q.push(3);
    q.end();
    expect(await collect(q)).toEqual({ items: [1, 2, 3] });
  });

  it('wakes a waiting consumer with each item and with the end', async () => {
    const q = new AsyncQueue<string>();
    const seen = collect(q);
    await tick();
    q.push('a');
    await tick();
    q.push('b');
    q.push('c');
    await tick();
    q.end();
    expect(await seen).toEqual({ items: ['a', 'b', 'c'] });
  });

  it('delivers the items before the error it ended with, and the error once', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.push(2);
    const boom = new Error('boom');
    q.end(boom);
    q.push(3); // after the end: dropped
    const it = q[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ done: false, value: 1 });
    expect(await it.next()).toEqual({ done: false, value: 2 });
    await expect(it.next()).rejects.toBe(boom);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('fails a consumer that is waiting when the error comes', async () => {
    const q = new AsyncQueue<number>();
    const seen = collect(q);
    await tick();
    q.push(7);
    await tick();
    const boom = new Error('gone');
    q.end(boom);
    q.end(new Error('second end ignored'));
    expect(await seen).toEqual({ items: [7], error: boom });
  });

  it('keeps order when items arrive while earlier ones are still unread', async () => {
    const q = new AsyncQueue<number>();
    const it = q[Symbol.asyncIterator]();
    const first = it.next();
    q.push(1); // straight to the waiting consumer
    q.push(2);
    q.push(3);
    expect(await first).toEqual({ done: false, value: 1 });
    expect(await it.next()).toEqual({ done: false, value: 2 });
    q.push(4);
    expect(await it.next()).toEqual({ done: false, value: 3 });
    expect(await it.next()).toEqual({ done: false, value: 4 });
    q.end();
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });
});
