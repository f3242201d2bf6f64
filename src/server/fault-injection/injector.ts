/**
 * Decides, request by request, whether a fault rule fires, and keeps the tally `faultCounts()`
 * reports.
 *
 * Theory of operation: every rule whose filters (OPS, port=, shell=) match a request counts that
 * match on its own counter for the request's listening port (a port stands for a host in fan-out
 * tests). The first rule, in spec order, whose selector (after=, then nth=/every=, then rate=) and
 * budget (count=) let it fire is the one injected; later rules still count the match but do not
 * fire, so one request suffers at most one fault. Each rule draws from its own PRNG seeded from
 * the plan's seed and its position, so adding a rule does not change what the others do.
 */
import { mulberry32 } from './prng.js';
import type { FaultKind, FaultPlan, FaultRule, RequestOp, ShellFamily } from './spec.js';

/** A fault chosen for one request. */
export interface Injection {
  readonly kind: FaultKind;
  readonly rule: FaultRule;
  readonly op: RequestOp;
  readonly port: number;
}

interface RuleState {
  readonly rule: FaultRule;
  readonly random: () => number;
  readonly matchesPerPort: Map<number, number>;
  fired: number;
}

export class FaultInjector {
  readonly seed: number;
  readonly #rules: RuleState[];
  readonly #counts = new Map<string, number>();
  readonly #log: (line: string) => void;

  /** @param seed the PRNG seed when the plan has none (the caller picks and logs it). */
  constructor(plan: FaultPlan, seed: number, log: (line: string) => void) {
    this.seed = plan.seed ?? seed;
    this.#log = log;
    this.#rules = plan.rules
      .filter((r) => r.kind !== 'wrong-cert')
      .map((rule, i) => ({ rule, random: mulberry32((this.seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0), matchesPerPort: new Map(), fired: 0 }));
  }

  /**
   * The first rule that fires for this request (counted and logged), else undefined.
   * @param eligible rules of other kinds do not see the request at all (not even counted as a match).
   */
  decide(op: RequestOp, family: ShellFamily | undefined, port: number, eligible?: (kind: FaultKind) => boolean): Injection | undefined {
    let chosen: Injection | undefined;
    for (const state of this.#rules) {
      const { rule } = state;
      if (eligible !== undefined && !eligible(rule.kind)) continue;
      if (rule.ops !== undefined && !rule.ops.has(op)) continue;
      if (rule.ports !== undefined && (port < rule.ports.lo || port > rule.ports.hi)) continue;
      if (rule.shell !== undefined && rule.shell !== family) continue;
      const n = (state.matchesPerPort.get(port) ?? 0) + 1;
      state.matchesPerPort.set(port, n);
      if (chosen !== undefined || !fires(state, n)) continue;
      state.fired++;
      chosen = { kind: rule.kind, rule, op, port };
    }
    if (chosen !== undefined) this.record(chosen.kind, chosen.op, port);
    return chosen;
  }

  /** Counts and logs one injection (also used for the connection-level wrong-cert). */
  record(kind: FaultKind, what: string, port: number): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    this.#log(`fault ${kind} on ${what} port ${port}`);
  }

  /** Injections done so far, per kind. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}

function fires(state: RuleState, n: number): boolean {
  const { rule } = state;
  if (rule.count !== undefined && state.fired >= rule.count) return false;
  if (n <= rule.after) return false;
  const m = n - rule.after;
  if (rule.nth !== undefined && m !== rule.nth) return false;
  if (rule.every !== undefined && m % rule.every !== 0) return false;
  // Drawn only for a match the other keys let through, so nth/every stay exact under a rate.
  return rule.rate === undefined || state.random() < rule.rate;
}
