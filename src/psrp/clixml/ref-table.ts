/**
 * The objects of one RefId scope, for the one-pass reader (fast-read.ts): each `<Obj RefId>` as it
 * starts, and its expanded size (the values a `<Ref>` to it stands for) once its element ends.
 */
import type { PSObject } from './model.js';
import { giveUp, type RefKey } from './scan.js';

/** An object with a RefId, and its expanded size once its element is finished (-1 until then). */
interface Registered {
  obj: PSObject;
  weight: number;
}

/**
 * The objects of one RefId scope. PowerShell numbers RefIds 0, 1, 2 … in document order, and a
 * large `<Objs>` document holds a hundred thousand of them: those sit in arrays indexed by their
 * number, far cheaper than a Map entry and a record each; any other RefId goes in the Map.
 */
export class RefTable {
  readonly #inOrder: PSObject[] = [];
  /** Expanded sizes by number, -1 while the object's element is open. */
  readonly #weights: number[] = [];
  readonly #other = new Map<RefKey, Registered>();

  /** Registers `obj` under `key` (a RefId used twice gives up); the handle is for finish(). */
  add(key: RefKey, obj: PSObject): number | Registered {
    const next = this.#inOrder.length;
    if (key === next) {
      if (this.#other.size > 0 && this.#other.has(key)) giveUp();
      this.#inOrder.push(obj);
      this.#weights.push(-1);
      return next;
    }
    if (typeof key === 'number' && key < next) giveUp();
    const entry: Registered = { obj, weight: -1 };
    const known = this.#other.size;
    if (this.#other.set(key, entry).size === known) giveUp();
    return entry;
  }

  /** Records the expanded size of a registered object whose element is finished. */
  finish(handle: number | Registered, weight: number): void {
    if (typeof handle === 'number') this.#weights[handle] = weight;
    else handle.weight = weight;
  }

  /** The object under `key`, or undefined. (A number below the arrays' length is never in the Map.) */
  object(key: RefKey): PSObject | undefined {
    return typeof key === 'number' && key < this.#inOrder.length ? this.#inOrder[key] : this.#other.get(key)?.obj;
  }

  /** The expanded size of a registered object: 1 while it is still open (a Ref to an ancestor). */
  weight(key: RefKey): number {
    const w = typeof key === 'number' && key < this.#inOrder.length ? (this.#weights[key] as number) : (this.#other.get(key)?.weight ?? -1);
    return w < 0 ? 1 : w;
  }
}
