/**
 * Test driver: OUR client RunspacePool + its WinRM binding (src/psrp/wsman PsrpShell) against a
 * loopback `serve`, the requests carried by undici. Requests run concurrently (the binding allows
 * one control request plus one Receive per target), so a test can stop a pipeline while its
 * Receive long-polls.
 */
import { Agent, request } from 'undici';
import { RunspacePool, type Pipeline } from '../../../src/psrp/client/index.js';
import { PsrpShell, type PsrpRequest } from '../../../src/psrp/wsman/index.js';
import { PSInvocationState, RunspacePoolState } from '../../../src/psrp/constants.js';
import type { PsrpEvent } from '../../../src/psrp/events.js';
import { defaultContext } from '../../../src/wsman/index.js';

export interface DriverOptions {
  user: string;
  password: string;
  configurationName?: string;
  operationTimeoutSec?: number;
  maxEnvelopeSize?: number;
  /** Called for each event before it is recorded (answer host calls here). */
  onEvent?: (e: PsrpEvent, d: PsrpDriver) => void;
}

/** Every request/response pair, for assertions on sizes. */
export interface Exchange {
  kind: string;
  status: number;
  bytes: number;
}

export class PsrpDriver {
  readonly pool: RunspacePool;
  readonly shell: PsrpShell;
  readonly events: PsrpEvent[] = [];
  readonly exchanges: Exchange[] = [];
  readonly #url: URL;
  readonly #auth: string;
  readonly #agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: 8 });
  readonly #opts: DriverOptions;
  #wakers: (() => void)[] = [];
  #error: unknown;

  constructor(url: URL, opts: DriverOptions) {
    this.#url = url;
    this.#opts = opts;
    this.#auth = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
    this.pool = new RunspacePool();
    const ctx = defaultContext(url.toString(), { operationTimeoutSec: opts.operationTimeoutSec ?? 5 });
    this.shell = new PsrpShell(this.pool, {
      ctx,
      ...(opts.configurationName === undefined ? {} : { configurationName: opts.configurationName }),
      ...(opts.maxEnvelopeSize === undefined ? {} : { maxEnvelopeSize: opts.maxEnvelopeSize }),
    });
  }

  /** Sends whatever the binding has to send now (each request in the background). */
  pump(): void {
    for (let r = this.shell.nextRequest(); r !== null; r = this.shell.nextRequest()) void this.#send(r);
  }

  async #send(r: PsrpRequest): Promise<void> {
    try {
      const res = await request(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: this.#auth },
        body: r.xml,
        dispatcher: this.#agent,
      });
      const body = await res.body.text();
      this.exchanges.push({ kind: r.kind, status: res.statusCode, bytes: Buffer.byteLength(body) });
      this.shell.handleResponse(r, body);
      for (let e = this.pool.nextEvent(); e !== null; e = this.pool.nextEvent()) {
        this.#opts.onEvent?.(e, this);
        this.events.push(e);
      }
      this.pump();
    } catch (err) {
      this.#error ??= err;
    }
    for (const w of this.#wakers.splice(0)) w();
  }

  /** Pumps until `done()` holds. @throws on a transport/protocol error or after `timeoutMs`. */
  async until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.pump();
    while (!done()) {
      if (this.#error !== undefined) throw this.#error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`driver: timed out (pool ${RunspacePoolState[this.pool.state]}, shell ${this.shell.phase})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.#wakers.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.pump();
    }
    if (this.#error !== undefined) throw this.#error;
  }

  async open(): Promise<void> {
    this.shell.open();
    await this.until(() => this.pool.state === RunspacePoolState.Opened || this.pool.state === RunspacePoolState.Broken);
  }

  /** Invokes a pipeline and waits for its end (and the binding's CommandState Done). */
  async invoke(p: Pipeline, opts: { noInput?: boolean } = {}): Promise<PsrpEvent[]> {
    p.invoke({ noInput: opts.noInput ?? true });
    await this.finished(p);
    return this.eventsOf(p.pipelineId);
  }

  /** Runs one script in a new pipeline; returns that pipeline's events. */
  async run(script: string): Promise<PsrpEvent[]> {
    return this.invoke(this.pool.createPipeline().addScript(script));
  }

  async finished(p: Pipeline, timeoutMs?: number): Promise<void> {
    const ended = new Set([PSInvocationState.Completed, PSInvocationState.Failed, PSInvocationState.Stopped]);
    await this.until(() => ended.has(p.state), timeoutMs);
  }

  eventsOf(pipelineId: string): PsrpEvent[] {
    return this.events.filter((e) => 'pipelineId' in e && e.pipelineId === pipelineId);
  }

  async close(): Promise<void> {
    this.shell.close();
    await this.until(() => this.shell.phase === 'closed' || this.shell.phase === 'failed');
    await this.#agent.close();
  }
}

/** Output values of some events. */
export function outputs(events: PsrpEvent[]): unknown[] {
  return events.flatMap((e) => (e.type === 'PipelineOutput' ? [e.value] : []));
}
