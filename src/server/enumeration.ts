/**
 * WS-Enumeration contexts (Enumerate / Pull / Release) over a snapshot of items.
 *
 * The snapshot is taken at Enumerate time, as Windows does. With wsman:OptimizeEnumeration the
 * Enumerate response already carries up to MaxElements items (DSP0226 §8.2.3), and when that is all
 * of them, w:EndOfSequence and no context to Pull. Each page also stays within the response budget.
 */
import { randomUUID } from 'node:crypto';
import { fault } from './faults.js';

interface Context {
  owner: string;
  items: string[];
  expires: number;
}

export interface Page {
  items: string[];
  endOfSequence: boolean;
  /** Set while items remain: the context the client Pulls with. */
  context?: string;
}

/** How long an unpulled context lives. */
const CONTEXT_TTL_MS = 10 * 60_000;
/** Contexts kept per user before the oldest is dropped (a leaking client cannot grow memory). */
const MAX_CONTEXTS_PER_USER = 32;

export class Enumerations {
  readonly #contexts = new Map<string, Context>();

  /**
   * Starts an enumeration.
   * @param optimize w:OptimizeEnumeration: return the first page now.
   */
  start(owner: string, items: string[], optimize: boolean, maxElements: number | undefined, budget: number): Page {
    this.#expire();
    if (optimize) {
      const page = takePage(items, maxElements ?? 1, budget);
      if (page.length === items.length) return { items: page, endOfSequence: true };
      return { items: page, endOfSequence: false, context: this.#store(owner, items.slice(page.length)) };
    }
    return { items: [], endOfSequence: false, context: this.#store(owner, items) };
  }

  /** @throws ServerFault invalidEnumerationContext for an unknown, expired or foreign context. */
  pull(owner: string, id: string, maxElements: number | undefined, budget: number): Page {
    const ctx = this.#get(owner, id);
    const page = takePage(ctx.items, maxElements ?? 1, budget);
    ctx.items = ctx.items.slice(page.length);
    if (ctx.items.length === 0) {
      this.#contexts.delete(id);
      return { items: page, endOfSequence: true };
    }
    ctx.expires = Date.now() + CONTEXT_TTL_MS;
    return { items: page, endOfSequence: false, context: id };
  }

  /** @throws ServerFault invalidEnumerationContext for an unknown context. */
  release(owner: string, id: string): void {
    this.#get(owner, id);
    this.#contexts.delete(id);
  }

  #get(owner: string, id: string): Context {
    this.#expire();
    const ctx = this.#contexts.get(id);
    if (ctx === undefined || ctx.owner.toLowerCase() !== owner.toLowerCase()) throw fault('invalidEnumerationContext');
    return ctx;
  }

  #store(owner: string, items: string[]): string {
    const mine = [...this.#contexts.entries()].filter(([, c]) => c.owner.toLowerCase() === owner.toLowerCase());
    for (const [id] of mine.slice(0, Math.max(0, mine.length - MAX_CONTEXTS_PER_USER + 1))) this.#contexts.delete(id);
    const id = `uuid:${randomUUID().toUpperCase()}`;
    this.#contexts.set(id, { owner, items, expires: Date.now() + CONTEXT_TTL_MS });
    return id;
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, c] of this.#contexts) if (c.expires <= now) this.#contexts.delete(id);
  }
}

/** Up to `max` items whose total length fits `budget` (at least one, so a page always moves on). */
function takePage(items: string[], max: number, budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const item of items) {
    if (out.length >= Math.max(1, max)) break;
    if (out.length > 0 && used + item.length > budget) break;
    out.push(item);
    used += item.length;
  }
  return out;
}
