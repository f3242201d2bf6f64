/**
 * Routes one authenticated WS-Management request to its handler, by wsa:Action and ResourceURI,
 * and turns every failure into the SOAP fault a Windows WinRM service would send.
 *
 * | Action                          | ResourceURI                | handled by                      |
 * |---------------------------------|----------------------------|---------------------------------|
 * | (Identify body, no Action)      | —                          | here                            |
 * | Create                          | a shell kind's URI         | kind.create → registry          |
 * | Delete / Get (ShellId selector) | a shell kind's URI         | registry                        |
 * | Command Send Receive Signal …   | a shell kind's URI         | the shell's ShellImpl           |
 * | Enumerate Pull Release          | …/windows/shell (or a kind)| enumeration.ts                  |
 *
 * Shell kinds are pluggable: WinRS cmd now; the PowerShell endpoint
 * (`http://schemas.microsoft.com/powershell/<name>`) slots in as another {@link ShellKind}.
 * Unknown resource → a:DestinationUnreachable; known resource, unknown action → a:ActionNotSupported.
 *
 * Before routing, two checks (docs/serve.md): fault injection (fault-injection/) may answer in
 * place of the handler (http500, timeout, quota), kill the addressed shell first (vanish), or hand
 * the listener a wire-level fault; then robust/ decides whether a request carrying p:OperationID
 * is run, answered from the kept responses (a retransmission), or refused (a reused id).
 */
import os from 'node:os';
import {
  ACTION, NS, RESOURCE_URI,
  buildDeleteResponse, buildEnumerateResponse, buildFault, buildGetResponse, buildIdentifyResponse, buildPullResponse,
  buildResponse, buildShellCreatedResponse, shellXml, parseRequest, readEnumerateRequest, readPullRequest, readReleaseRequest,
  WSManProtocolError, XmlParseError, type ShellCreateRequest, type ShellCreatedInfo, type WSManRequest,
} from '../wsman/index.js';
import { Enumerations } from './enumeration.js';
import { requestOp, shellFamily, type FaultInjector, type Injection } from './fault-injection/index.js';
import { ServerFault, fault, type FaultName } from './faults.js';
import type { ResolvedOptions } from './options.js';
import type { RequestCounter } from './request-stats.js';
import { RobustOperations, echo, type RobustOutcome } from './robust/index.js';
import { shellInfo, type RequestContext, type ShellImpl, type ShellRecord, type ShellRegistry } from './shells.js';

/** The longest delay setTimeout honours (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/** One kind of shell the server can create (WinRS cmd, PowerShell …). */
export interface ShellKind {
  /** True when this kind serves `resourceUri` (compared case-insensitively by the caller). */
  matches(resourceUri: string): boolean;
  /**
   * Starts a shell from a Create request.
   * @returns the running shell, the parsed Create body and any facts its rsp:Shell adds
   *   (PSRP shells report MaxIdleTimeOut, Locale, BufferMode …).
   * @throws ServerFault to refuse it.
   */
  create(req: WSManRequest, ctx: RequestContext): Promise<{ impl: ShellImpl; create: ShellCreateRequest; info?: Partial<ShellCreatedInfo> }>;
}

/** The authenticated caller and connection facts the listener knows. */
export interface Caller {
  /** '' when `anonymous`. */
  username: string;
  /** An unauthenticated Identify (`WSMANIDENTIFY: unauthenticated`): only Identify is answered. */
  anonymous?: boolean;
  clientIp: string;
  signal: AbortSignal;
  /** The endpoint URL as the client addressed it (a:Address of ResourceCreated). */
  address: string;
  /** Host name the client used: f:WSManFault Machine, as Windows fills it. */
  machine: string;
  /** Security profile URI reported by Identify (http/basic or https/basic). */
  securityProfile: string;
  /** The local port the request arrived on (fault rules' port=). */
  port?: number;
}

export interface DispatchResult {
  status: number;
  body: string;
  /** The body already carries the request's p:OperationID (robust/ must not add it again). */
  operationIdEchoed?: boolean;
  /**
   * A fault the listener must act out: on the response's bytes (reset, stall, drip, malformed,
   * truncated, oversized, content-type), or instead of any response (refuse, 401, restart: then
   * the request was not handled and `body` is '').
   */
  injection?: Injection;
}

/** Injected faults the dispatcher answers itself with a WS-Man fault, the request unhandled. */
const ANSWERED_FAULTS: Readonly<Record<string, FaultName>> = { http500: 'internalError', timeout: 'operationTimeout', quota: 'quotaLimit' };
/** Injected faults the listener acts out instead of letting the request be handled. */
const UNHANDLED_FAULTS: ReadonlySet<string> = new Set(['refuse', '401', 'restart']);
/** Faults a replayed retransmission can still meet: none that come from running the operation. */
const notOperationLevel = (kind: string): boolean => ANSWERED_FAULTS[kind] === undefined && kind !== 'vanish';

/** Response budget bounds: below the floor nothing useful fits; above the cap memory is at risk. */
const MIN_ENVELOPE = 8192;
const MAX_ENVELOPE = 16 * 1024 * 1024;

export class Dispatcher {
  readonly #opts: ResolvedOptions;
  readonly #registry: ShellRegistry;
  readonly #kinds: ShellKind[];
  readonly #enumerations = new Enumerations();
  readonly #injector: FaultInjector | undefined;
  readonly #counter: RequestCounter | undefined;
  readonly robust: RobustOperations;

  constructor(
    opts: ResolvedOptions,
    registry: ShellRegistry,
    kinds: ShellKind[],
    extras: { injector?: FaultInjector; robust?: RobustOperations; counter?: RequestCounter } = {},
  ) {
    this.#opts = opts;
    this.#registry = registry;
    this.#kinds = kinds;
    this.#injector = extras.injector;
    this.#counter = extras.counter;
    this.robust = extras.robust ?? new RobustOperations();
  }

  /** Handles one request body; never throws. */
  async dispatch(xml: string, caller: Caller): Promise<DispatchResult> {
    let req: WSManRequest;
    try {
      req = parseRequest(xml, { maxBytes: this.#opts.maxEnvelopeSize * 2 + 65536 });
    } catch (err) {
      this.#opts.log(`malformed request from ${caller.clientIp}: ${(err as Error).message}`);
      // XML that does not parse: 400 with a SchemaValidationError; well-formed XML with a bad or
      // missing header (Action, MessageID, OperationTimeout …): InvalidMessageInformationHeader.
      if (err instanceof WSManProtocolError) return this.#faultResult(undefined, fault('invalidHeader'), caller);
      return this.#faultResult(undefined, fault('schemaValidation'), caller, 400);
    }
    if (caller.anonymous && !isIdentify(req)) {
      this.#opts.log(`401 for ${caller.clientIp}: unauthenticated ${req.action}`);
      return { status: 401, body: '' };
    }
    const op = requestOp(req);
    this.#counter?.wsman(op);
    // A retransmission answered from the kept responses does not run the operation again, so the
    // faults of running one (TimedOut, InternalError, QuotaLimit, the shell vanishing) cannot
    // happen to it; network and logon faults still can. (Letting a TimedOut answer a retransmission
    // told the client "no output yet" while the kept response held the pool's opening: it waited forever.)
    const robust = this.robust.classify(req, caller.username, op);
    const injection =
      op === undefined
        ? undefined
        : this.#injector?.decide(op, shellFamily(req.resourceUri), caller.port ?? 0, robust.kind === 'replay' ? notOperationLevel : undefined);
    const operationId = req.operationId?.id;
    if (injection !== undefined) {
      const answered: FaultName | undefined = ANSWERED_FAULTS[injection.kind];
      if (answered !== undefined) return echo(this.#faultResult(req.messageId, fault(answered), caller), operationId);
      if (UNHANDLED_FAULTS.has(injection.kind)) {
        if (injection.kind === 'restart') await this.restart();
        return { status: 0, body: '', injection };
      }
      if (injection.kind === 'vanish') await this.#vanish(req, caller);
    }
    const result = await this.#robustly(req, caller, op, robust);
    return injection === undefined ? result : { ...result, injection };
  }

  /** Drops every shell (their processes killed) and every kept response: the server "restarted". */
  async restart(): Promise<void> {
    this.robust.cache.clear();
    try {
      await this.#registry.dropAll();
    } catch (err) {
      this.#opts.log(`restart: ending the shells failed: ${(err as Error).message}`);
    }
  }

  /** The shell a request addresses dies before the request is handled (fault `vanish`). */
  async #vanish(req: WSManRequest, caller: Caller): Promise<void> {
    try {
      await this.#registry.remove(this.#registry.get(req.selectors.ShellId, caller.username));
    } catch {
      // No such shell: the request gets the same fault either way.
    }
  }

  /** Runs, replays or refuses the request as `robust` (classified once, before any injection) says. */
  async #robustly(req: WSManRequest, caller: Caller, op: ReturnType<typeof requestOp>, robust: RobustOutcome): Promise<DispatchResult> {
    if (robust.kind === 'replay') {
      this.#opts.log(`retransmitted ${op ?? req.action} (OperationID ${req.operationId?.id ?? ''}): the kept response is sent again`);
      return this.robust.replay(req, robust.response);
    }
    if (robust.kind === 'reused') {
      this.#opts.log(`OperationID ${req.operationId?.id ?? ''} reused without mustUnderstand by ${caller.clientIp}`);
      return echo(this.#faultResult(req.messageId, fault('invalidHeader'), caller), req.operationId?.id);
    }
    return this.robust.run(req, caller.username, op, () => this.#handle(req, caller));
  }

  async #handle(req: WSManRequest, caller: Caller): Promise<DispatchResult> {
    try {
      const injected = this.#opts.faults?.(req);
      if (injected !== undefined) throw new ServerFault(injected);
      const ctx = this.#context(req, caller);
      const body = await this.#route(req, caller, ctx);
      return ctx.operationIdEcho?.written === true ? { status: 200, body, operationIdEchoed: true } : { status: 200, body };
    } catch (err) {
      if (err instanceof ServerFault) return this.#faultResult(req.messageId, err, caller);
      // A body reader found the body not what the action needs.
      if (err instanceof WSManProtocolError || err instanceof XmlParseError) {
        this.#opts.log(`invalid ${req.action} body from ${caller.clientIp}: ${err.message}`);
        return this.#faultResult(req.messageId, fault('schemaValidation'), caller);
      }
      this.#opts.log(`internal error on ${req.action}: ${(err as Error).stack ?? String(err)}`);
      return this.#faultResult(req.messageId, fault('internalError'), caller);
    }
  }

  #faultResult(relatesTo: string | undefined, f: ServerFault, caller: Caller, status = f.httpStatus): DispatchResult {
    return { status, body: buildFault(relatesTo, { ...f.spec, machine: caller.machine }) };
  }

  #context(req: WSManRequest, caller: Caller): RequestContext {
    const env = req.maxEnvelopeSize ?? this.#opts.maxEnvelopeSize;
    return {
      username: caller.username,
      clientIp: caller.clientIp,
      signal: caller.signal,
      // setTimeout fires at once past 2^31-1 ms; a huge OperationTimeout must not make Receive spin.
      operationTimeoutMs: Math.min(req.operationTimeoutMs ?? this.#opts.defaultOperationTimeoutMs, MAX_TIMER_MS),
      maxEnvelopeSize: Math.min(MAX_ENVELOPE, Math.max(MIN_ENVELOPE, env)),
      address: caller.address,
      ...(req.operationId === undefined ? {} : { operationIdEcho: { id: req.operationId.id, written: false } }),
    };
  }

  async #route(req: WSManRequest, caller: Caller, ctx: RequestContext): Promise<string> {
    if (isIdentify(req)) {
      // Unauthenticated callers learn no OS version, as on Windows ("OS: 0.0.0").
      return buildIdentifyResponse({
        productVendor: 'tsremote',
        productVersion: `OS: ${caller.anonymous ? '0.0.0' : os.release()} SP: 0.0 Stack: 3.0`,
        protocolVersion: NS.wsman,
        securityProfiles: [caller.securityProfile],
      });
    }
    const uri = (req.resourceUri ?? '').toLowerCase();
    const isCollection = uri === RESOURCE_URI.shell.toLowerCase();
    const kind = this.#kinds.find((k) => k.matches(uri));
    if (kind === undefined && !isCollection) throw fault('destinationUnreachable');

    switch (req.action) {
      case ACTION.Enumerate:
        return this.#enumerate(req, ctx, isCollection ? undefined : uri);
      case ACTION.Pull: {
        const pull = readPullRequest(req);
        const page = this.#enumerations.pull(ctx.username, pull.enumerationContext, pull.maxElements, ctx.maxEnvelopeSize - 4096);
        return buildPullResponse(req.messageId, page);
      }
      case ACTION.Release:
        this.#enumerations.release(ctx.username, readReleaseRequest(req).enumerationContext);
        return buildResponse(ACTION.ReleaseResponse, req.messageId, '');
      case ACTION.Get:
        // Get-WSManInstance -ResourceURI shell -SelectorSet @{ShellId=…}: one shell of the collection.
        if (isCollection) {
          const shell = this.#registry.get(req.selectors.ShellId, ctx.username);
          return buildGetResponse(req.messageId, shellXml(listed(shell, ctx.address)));
        }
        break;
    }
    if (kind === undefined) throw fault('actionNotSupported');
    if (req.action === ACTION.Create) return this.#create(kind, req, ctx);

    const shell = this.#registry.get(req.selectors.ShellId, ctx.username);
    switch (req.action) {
      case ACTION.Delete:
        await this.#registry.remove(shell);
        return buildDeleteResponse(req.messageId);
      case ACTION.Get:
        shell.lastActivity = Date.now();
        return buildGetResponse(req.messageId, shellXml(listed(shell, ctx.address)));
    }
    shell.busy++;
    shell.lastActivity = Date.now();
    try {
      return await shell.impl.handle(req, ctx, shell);
    } finally {
      shell.busy--;
      shell.lastActivity = Date.now();
    }
  }

  async #create(kind: ShellKind, req: WSManRequest, ctx: RequestContext): Promise<string> {
    const release = this.#registry.reserve(ctx.username);
    try {
      const { impl, create, info: extra } = await kind.create(req, ctx);
      const record = this.#addOrClose(impl, () => this.#registry.add(
        {
          resourceUri: req.resourceUri ?? '',
          owner: ctx.username,
          clientIp: ctx.clientIp,
          idleTimeoutMs: create.idleTimeoutSec !== undefined && create.idleTimeoutSec > 0 ? create.idleTimeoutSec * 1000 : this.#opts.idleTimeoutMs,
          inputStreams: create.inputStreams.length > 0 ? create.inputStreams : ['stdin'],
          outputStreams: create.outputStreams.length > 0 ? create.outputStreams : ['stdout', 'stderr'],
          ...(create.name === undefined ? {} : { name: create.name }),
          ...(create.shellId === undefined ? {} : { shellId: create.shellId }),
        },
        impl,
      ));
      record.extraInfo = extra ?? {};
      this.#opts.log(`shell ${record.id} created for ${record.owner} from ${record.clientIp}`);
      return buildShellCreatedResponse(req.messageId, shellInfo(record, ctx.address));
    } finally {
      release();
    }
  }

  #addOrClose(impl: ShellImpl, add: () => ShellRecord): ShellRecord {
    try {
      return add();
    } catch (err) {
      void impl.close();
      throw err;
    }
  }

  #enumerate(req: WSManRequest, ctx: RequestContext, onlyUri: string | undefined): string {
    const e = readEnumerateRequest(req);
    const shells = this.#registry.listFor(ctx.username).filter((s) => onlyUri === undefined || s.resourceUri.toLowerCase() === onlyUri);
    const items = shells.map((s) => shellXml(listed(s, ctx.address)));
    const page = this.#enumerations.start(ctx.username, items, e.optimize, e.maxElements, ctx.maxEnvelopeSize - 4096);
    return buildEnumerateResponse(req.messageId, page);
  }
}

/** rsp:Shell as Enumerate and Get list it: Windows adds the runtime facts (pypsrp test_psrp_disconnect_runspaces). */
function listed(s: ShellRecord, address: string): ShellCreatedInfo {
  return {
    processId: process.pid,
    locale: 'en-US',
    dataLocale: 'en-US',
    compressionMode: 'NoCompression',
    profileLoaded: 'Yes',
    encoding: 'UTF8',
    bufferMode: 'Block',
    state: 'Connected',
    ...shellInfo(s, address),
  };
}

/** Identify has no wsa:Action: its body is wsmid:Identify (DSP0226 §11). */
function isIdentify(req: WSManRequest): boolean {
  if (req.action === 'Identify' || req.action.endsWith('/Identify')) return true;
  const first = req.body.children[0];
  return first !== undefined && first.local === 'Identify' && first.ns === NS.wsmid;
}
