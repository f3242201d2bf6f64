/**
 * The open shells of a server, whatever their kind (WinRS cmd now, PowerShell later): ownership,
 * MaxShellsPerUser, IdleTimeout and the facts Enumerate and Get report about each.
 *
 * A shell belongs to the user who created it; any other user naming its ShellId gets the same
 * InvalidSelectors fault as for a ShellId that never existed (Windows does not reveal others' shells).
 */
import { randomUUID } from 'node:crypto';
import { fault } from './faults.js';
import type { ShellCreatedInfo, WSManRequest } from '../wsman/index.js';

/** What the dispatcher hands a shell kind for each request. */
export interface RequestContext {
  /** The authenticated user, as configured. */
  username: string;
  clientIp: string;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
  /** OperationTimeout of this request (header, else the server default). */
  operationTimeoutMs: number;
  /** Response budget: the request's MaxEnvelopeSize, else the server's. */
  maxEnvelopeSize: number;
  /** The URL the request came to, for a:Address in ResourceCreated. */
  address: string;
  /**
   * The request's p:OperationID, which the response must echo (robust/). A handler that builds a
   * large response writes it in while building ({@link echoInResponse}); otherwise the dispatcher
   * adds it afterwards.
   */
  operationIdEcho?: { id: string; written: boolean };
}

/** The OperationID for the response being built, noted as written; undefined when there is none. */
export function echoInResponse(ctx: RequestContext): string | undefined {
  const echo = ctx.operationIdEcho;
  if (echo === undefined) return undefined;
  echo.written = true;
  return echo.id;
}

/** The running part of a shell: answers the operations that address it by ShellId. */
export interface ShellImpl {
  /** Handles Command/Send/Receive/Signal (and any kind-specific action); returns the response XML. */
  handle(req: WSManRequest, ctx: RequestContext, shell: ShellRecord): Promise<string>;
  /** Ends everything the shell runs; called on Delete, idle expiry and server close. */
  close(): Promise<void>;
  /** Child processes currently alive (for stats and tests). */
  readonly pids: number[];
}

export interface ShellRecord {
  readonly id: string;
  readonly resourceUri: string;
  readonly owner: string;
  readonly clientIp: string;
  readonly createdAt: number;
  lastActivity: number;
  /** Requests in flight (a pending Receive keeps the shell from idling out). */
  busy: number;
  /** The Create's IdleTimeOut (else the server's); a Disconnect's IdleTimeOut replaces it. */
  readonly idleTimeoutMs: number;
  /** Replaces the idle timeout (a Disconnect's rsp:IdleTimeOut); the sweep runs often enough for it. */
  setIdleTimeout(ms: number): void;
  readonly inputStreams: string[];
  readonly outputStreams: string[];
  readonly name: string | undefined;
  readonly impl: ShellImpl;
  /** Kind-specific facts for rsp:Shell (set by the kind at Create). */
  extraInfo: Partial<ShellCreatedInfo>;
}

export interface NewShell {
  resourceUri: string;
  owner: string;
  clientIp: string;
  idleTimeoutMs: number;
  inputStreams: string[];
  outputStreams: string[];
  name?: string;
  shellId?: string;
}

export class ShellRegistry {
  readonly #shells = new Map<string, ShellRecord>();
  /** Shells being created, per lower-cased owner (counted against the quota). */
  readonly #starting = new Map<string, number>();
  readonly #maxPerUser: number;
  readonly #log: (line: string) => void;
  #sweep: NodeJS.Timeout;
  #sweepEveryMs: number;
  #closed = false;

  constructor(maxPerUser: number, idleTimeoutMs: number, log: (line: string) => void) {
    this.#maxPerUser = maxPerUser;
    this.#log = log;
    this.#sweepEveryMs = sweepPeriod(idleTimeoutMs);
    this.#sweep = this.#startSweep();
  }

  #startSweep(): NodeJS.Timeout {
    const t = setInterval(() => void this.#expireIdle(), this.#sweepEveryMs);
    t.unref();
    return t;
  }

  /** A shell with a shorter idle timeout than the sweep was made for: sweep more often (never less). */
  #tighten(idleTimeoutMs: number): void {
    const every = sweepPeriod(idleTimeoutMs);
    if (this.#closed || every >= this.#sweepEveryMs) return;
    clearInterval(this.#sweep);
    this.#sweepEveryMs = every;
    this.#sweep = this.#startSweep();
  }

  /**
   * Holds one of the user's MaxShellsPerUser slots while a shell starts (a kind's create may be
   * asynchronous, and two concurrent Creates must not both take the last slot).
   * @returns a function that gives the slot back; call it once the shell is added or failed.
   * @throws ServerFault quotaLimit when the user already has MaxShellsPerUser shells.
   */
  reserve(owner: string): () => void {
    const key = owner.toLowerCase();
    let n = this.#starting.get(key) ?? 0;
    for (const s of this.#shells.values()) if (s.owner.toLowerCase() === key) n++;
    if (n >= this.#maxPerUser) {
      throw fault(
        'quotaLimit',
        `The WS-Management service cannot process the request. This user is allowed a maximum number of ${this.#maxPerUser} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. `,
      );
    }
    this.#starting.set(key, (this.#starting.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#starting.get(key) ?? 1) - 1;
      if (left <= 0) this.#starting.delete(key);
      else this.#starting.set(key, left);
    };
  }

  /**
   * Registers a started shell. Call {@link reserve} before starting it.
   * @throws ServerFault invalidParameter when a client-chosen ShellId is already taken.
   */
  add(spec: NewShell, impl: ShellImpl): ShellRecord {
    if (spec.shellId !== undefined && this.#shells.has(spec.shellId)) {
      throw fault('invalidParameter', `A shell with the ShellId ${spec.shellId} already exists. `);
    }
    const now = Date.now();
    let idleTimeoutMs = spec.idleTimeoutMs;
    const record: ShellRecord = {
      id: spec.shellId ?? randomUUID().toUpperCase(),
      resourceUri: spec.resourceUri,
      owner: spec.owner,
      clientIp: spec.clientIp,
      createdAt: now,
      lastActivity: now,
      busy: 0,
      get idleTimeoutMs() {
        return idleTimeoutMs;
      },
      setIdleTimeout: (ms: number) => {
        idleTimeoutMs = ms;
        this.#tighten(ms);
      },
      inputStreams: spec.inputStreams,
      outputStreams: spec.outputStreams,
      name: spec.name,
      impl,
      extraInfo: {},
    };
    this.#shells.set(record.id, record);
    this.#tighten(idleTimeoutMs);
    return record;
  }

  /**
   * The caller's shell with this id.
   * @throws ServerFault InvalidSelectors when it does not exist or belongs to someone else.
   */
  get(id: string | undefined, owner: string): ShellRecord {
    const s = id === undefined ? undefined : this.#shells.get(id.toUpperCase()) ?? this.#shells.get(id);
    if (s === undefined || s.owner.toLowerCase() !== owner.toLowerCase()) throw fault('invalidShellId');
    return s;
  }

  /** The shells of one user, oldest first. */
  listFor(owner: string): ShellRecord[] {
    const key = owner.toLowerCase();
    return [...this.#shells.values()].filter((s) => s.owner.toLowerCase() === key);
  }

  all(): ShellRecord[] {
    return [...this.#shells.values()];
  }

  /** Forgets the shell and ends what it runs. */
  async remove(record: ShellRecord): Promise<void> {
    if (this.#shells.get(record.id) !== record) return;
    this.#shells.delete(record.id);
    await record.impl.close();
  }

  /** Forgets every shell and ends what they run, but keeps serving (fault injection's `restart`). */
  async dropAll(): Promise<void> {
    const all = [...this.#shells.values()];
    this.#shells.clear();
    await Promise.all(all.map((s) => s.impl.close()));
  }

  /** Ends every shell and stops the idle sweep. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    const all = [...this.#shells.values()];
    this.#shells.clear();
    await Promise.all(all.map((s) => s.impl.close()));
  }

  async #expireIdle(): Promise<void> {
    const now = Date.now();
    for (const s of [...this.#shells.values()]) {
      if (s.busy === 0 && now - s.lastActivity >= s.idleTimeoutMs) {
        this.#log(`shell ${s.id} of ${s.owner} idle for ${Math.round((now - s.lastActivity) / 1000)} s: deleted`);
        await this.remove(s);
      }
    }
  }
}

/** How often to look for idle shells: a quarter of the shortest timeout, 50 ms to 60 s. */
function sweepPeriod(idleTimeoutMs: number): number {
  return Math.max(50, Math.min(idleTimeoutMs / 4, 60_000));
}

/** The facts about a shell that Create, Enumerate and Get report, in wsman's builder shape. */
export function shellInfo(s: ShellRecord, address: string): ShellCreatedInfo {
  const now = Date.now();
  const info: ShellCreatedInfo = {
    ...s.extraInfo,
    address,
    resourceUri: s.resourceUri,
    shellId: s.id,
    owner: s.owner,
    clientIp: s.clientIp,
    idleTimeoutSec: s.idleTimeoutMs / 1000,
    inputStreams: s.inputStreams,
    outputStreams: s.outputStreams,
    shellRunTimeSec: Math.floor((now - s.createdAt) / 1000),
    shellInactivitySec: Math.floor((now - s.lastActivity) / 1000),
  };
  if (s.name !== undefined) info.name = s.name;
  return info;
}
