/**
 * Pipeline input (PIPELINE_INPUT … END_OF_PIPELINE_INPUT, MS-PSRP §2.2.2.17–18) as the async
 * iterable the engine reads `$input` / the first command's input from.
 *
 * Input arrives by Send, whose response the client waits for before sending more, so the queue is
 * bounded by what one Send carries.
 */
import type { PSValue } from '../../psrp/clixml/index.js';

export class InputQueue implements AsyncIterable<PSValue> {
  readonly #items: PSValue[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  push(value: PSValue): void {
    this.#items.push(value);
    this.#notify();
  }

  /** END_OF_PIPELINE_INPUT (or the pipeline stopped): the iterable finishes once drained. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PSValue> {
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift() as PSValue;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
