/**
 * A small unbounded-by-design async queue: the producer is a protocol loop that must not block.
 * One consumer iterates it (a `for await` loop).
 *
 * The iterator is written out rather than an async generator: a generator costs a promise and a
 * microtask hop per item on top of this one, and every event of every pipeline passes through
 * here (issue 8).
 */
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  /** Index of the next item to hand out (the array is dropped once read to the end). */
  #head = 0;
  #waiter: { resolve: (r: IteratorResult<T, undefined>) => void; reject: (err: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;

  push(item: T): void {
    if (this.#ended) return;
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve({ done: false, value: item });
      return;
    }
    this.#items.push(item);
  }

  /** Ends the queue; pending items are still delivered, then `error` (if any) is thrown, once. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    const w = this.#waiter;
    if (w === undefined) return;
    this.#waiter = undefined;
    this.#finish(w.resolve, w.reject);
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return { next: () => this.#next() };
  }

  #next(): Promise<IteratorResult<T, undefined>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++] as T;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    return new Promise((resolve, reject) => {
      if (this.#ended) this.#finish(resolve, reject);
      else this.#waiter = { resolve, reject };
    });
  }

  /** The end of the items: the error the queue ended with (the first time it is asked for), else done. */
  #finish(resolve: (r: IteratorResult<T, undefined>) => void, reject: (err: unknown) => void): void {
    const error = this.#error;
    if (error === undefined) return resolve(DONE);
    this.#error = undefined;
    reject(error);
  }
}
