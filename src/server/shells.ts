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
  readonly idleTimeoutMs: number;
  readonly inputStreams: string[];
  readonly outputStreams: string[];
  readonly name: string | undefined;
  readonly impl: ShellImpl;
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
  readonly #maxPerUser: number;
  readonly #log: (line: string) => void;
  readonly #sweep: NodeJS.Timeout;

  constructor(maxPerUser: number, idleTimeoutMs: number, log: (line: string) => void) {
    this.#maxPerUser = maxPerUser;
    this.#log = log;
    this.#sweep = setInterval(() => void this.#expireIdle(), Math.max(50, Math.min(idleTimeoutMs / 4, 60_000)));
    this.#sweep.unref();
  }

  /** @throws ServerFault QuotaLimit when the user already has MaxShellsPerUser shells. */
  checkQuota(owner: string): void {
    const key = owner.toLowerCase();
    let n = 0;
    for (const s of this.#shells.values()) if (s.owner.toLowerCase() === key) n++;
    if (n >= this.#maxPerUser) {
      throw fault(
        'quotaLimit',
        `The WS-Management service cannot process the request. This user is allowed a maximum number of ${this.#maxPerUser} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. `,
      );
    }
  }

  /** Registers a started shell. Call {@link checkQuota} before starting it. */
  add(spec: NewShell, impl: ShellImpl): ShellRecord {
    const now = Date.now();
    const record: ShellRecord = {
      id: spec.shellId ?? randomUUID().toUpperCase(),
      resourceUri: spec.resourceUri,
      owner: spec.owner,
      clientIp: spec.clientIp,
      createdAt: now,
      lastActivity: now,
      busy: 0,
      idleTimeoutMs: spec.idleTimeoutMs,
      inputStreams: spec.inputStreams,
      outputStreams: spec.outputStreams,
      name: spec.name,
      impl,
    };
    this.#shells.set(record.id, record);
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

  /** Ends every shell and stops the idle sweep. */
  async closeAll(): Promise<void> {
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

/** Formats a millisecond span as Windows' xs:duration `P0DT0H0M5S` (rsp:ShellRunTime). */
export function dayDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `P${d}DT${h}H${m}M${s}S`;
}

/** The facts about a shell that Create, Enumerate and Get report, in wsman's builder shape. */
export function shellInfo(s: ShellRecord, address: string): ShellCreatedInfo {
  const now = Date.now();
  const info: ShellCreatedInfo = {
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
