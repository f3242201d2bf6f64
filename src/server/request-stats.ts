/**
 * Request counters of `serve` for benchmarks and tests: HTTP requests per listening port (every
 * request, NTLM's 401 legs included) and WS-Management requests by operation. A fleet of
 * loopback ports stands for a fleet of hosts, so the per-port figure is "requests per host".
 */
import type { RequestOp } from './fault-injection/index.js';

/** The WS-Man operations counted on their own; everything else is `other`. */
export type CountedOp = 'Create' | 'Command' | 'Receive' | 'Send' | 'Signal' | 'Delete' | 'other';

export interface RequestStats {
  http: {
    /** Every HTTP request answered or dropped, over all ports. */
    total: number;
    /** The 401 answers among them (authentication legs and refusals). */
    unauthorized: number;
    /** Requests per local port (only ports that got any). */
    byPort: Record<number, number>;
  };
  /** WS-Man requests that reached the dispatcher, by operation. */
  wsman: Record<CountedOp, number>;
}

const COUNTED: Partial<Record<RequestOp, CountedOp>> = {
  create: 'Create',
  command: 'Command',
  receive: 'Receive',
  send: 'Send',
  signal: 'Signal',
  delete: 'Delete',
};

export class RequestCounter {
  #total = 0;
  #unauthorized = 0;
  readonly #byPort = new Map<number, number>();
  readonly #wsman: Record<CountedOp, number> = { Create: 0, Command: 0, Receive: 0, Send: 0, Signal: 0, Delete: 0, other: 0 };

  /** One HTTP request arrived on `port`. */
  http(port: number): void {
    this.#total++;
    this.#byPort.set(port, (this.#byPort.get(port) ?? 0) + 1);
  }

  /** One request was answered 401. */
  unauthorized(): void {
    this.#unauthorized++;
  }

  /** One parsed WS-Man request of operation `op` (undefined: an Action no rule names, or Identify). */
  wsman(op: RequestOp | undefined): void {
    this.#wsman[(op === undefined ? undefined : COUNTED[op]) ?? 'other']++;
  }

  snapshot(): RequestStats {
    return {
      http: { total: this.#total, unauthorized: this.#unauthorized, byPort: Object.fromEntries(this.#byPort) },
      wsman: { ...this.#wsman },
    };
  }
}
