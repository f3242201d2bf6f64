/**
 * The WinRS cmd shell (resource `…/windows/shell/cmd`, MS-WSMV §3.1.4.x) run as real processes.
 *
 * Each Command starts one child: `/bin/sh -c "<command> <arguments…>"` (`cmd.exe /c` on Windows),
 * or with WINRS_SKIP_CMD_SHELL the command itself with its arguments. A line of plain words
 * (`hostname`, `uname -a`) is started without the shell when that gives the same result
 * (direct-exec.ts): one program load instead of two. The shell's Create-time
 * environment and working directory apply to every command. Bytes pass through untouched, so
 * WINRS_CODEPAGE is accepted and ignored (65001 and 437 clients both get the program's bytes).
 *
 * A finished command stays addressable until Signal terminate or shell Delete, as on Windows:
 * pywinrm signals terminate after reading Done, and a fault there would break it.
 */
import { randomUUID } from 'node:crypto';
import {
  ACTION, COMMAND_STATE, RESOURCE_URI, SIGNAL,
  buildCommandResponse, buildReceiveResponse, buildSendResponse, buildSignalResponse,
  readCommandRequest, readReceiveRequest, readSendRequest, readSignalRequest, readShellCreateRequest,
  type ReceiveResponseInfo, type ShellCreateRequest, type WSManRequest,
} from '../../wsman/index.js';
import { ServerFault, fault } from '../faults.js';
import type { ShellKind } from '../dispatcher.js';
import { echoInResponse, type RequestContext, type ShellImpl } from '../shells.js';
import { WinrsCommand, type BufferStats, type OutputBatch, type SpawnSpec } from './command.js';
import { dashEnvironment, isDash, plainWords } from './direct-exec.js';

/** Bytes of a ReceiveResponse that are not stream data: envelope, four Stream tags, CommandState. */
const RECEIVE_OVERHEAD = 2560;
/** Finished commands kept for late Signal/Receive before the oldest are forgotten. */
const MAX_FINISHED = 64;

/** Largest raw byte count whose base64 fits a ReceiveResponse within `maxEnvelopeSize`. */
export function receiveBudget(maxEnvelopeSize: number): number {
  return Math.max(768, Math.floor((maxEnvelopeSize - RECEIVE_OVERHEAD) / 4) * 3);
}

export interface WinrsConfig {
  posixShell: string;
  stats: BufferStats;
  /** Variables removed from the server's environment before it is handed to children. */
  hiddenEnv: readonly string[];
  /**
   * Start a command line of plain words without the shell (direct-exec.ts). Default: when
   * `posixShell` is dash, the only shell whose result we reproduce exactly.
   */
  directExec?: boolean;
}

/** The cmd shell kind for the dispatcher: Create reads the body; nothing runs until a Command. */
export class WinrsShellKind implements ShellKind {
  readonly #config: WinrsConfig;

  constructor(config: WinrsConfig) {
    // Asked once per server: a plain word list may skip the shell only when the shell is dash.
    this.#config = { ...config, directExec: config.directExec ?? (process.platform !== 'win32' && isDash(config.posixShell)) };
  }

  matches(resourceUri: string): boolean {
    return resourceUri.toLowerCase() === RESOURCE_URI.cmd.toLowerCase();
  }

  async create(req: WSManRequest): Promise<{ impl: ShellImpl; create: ShellCreateRequest }> {
    const create = readShellCreateRequest(req);
    return { impl: new WinrsShell(this.#config, create), create };
  }
}

export class WinrsShell implements ShellImpl {
  readonly #config: WinrsConfig;
  readonly #create: ShellCreateRequest;
  readonly #commands = new Map<string, WinrsCommand>();
  #closed = false;
  /** The children's environment, and the one dash would give a directly started program: fixed at Create. */
  #env: NodeJS.ProcessEnv | undefined;
  #directEnv: NodeJS.ProcessEnv | null | undefined;

  constructor(config: WinrsConfig, create: ShellCreateRequest) {
    this.#config = config;
    this.#create = create;
  }

  get pids(): number[] {
    const out: number[] = [];
    for (const c of this.#commands.values()) if (!c.exited && c.pid !== undefined) out.push(c.pid);
    return out;
  }

  async handle(req: WSManRequest, ctx: RequestContext): Promise<string> {
    switch (req.action) {
      case ACTION.Command:
        return this.#command(req, ctx);
      case ACTION.Send:
        return this.#send(req, ctx);
      case ACTION.Receive:
        return this.#receive(req, ctx);
      case ACTION.Signal:
        return this.#signal(req);
      default:
        throw fault('actionNotSupported');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#commands.values()];
    this.#commands.clear();
    for (const c of all) {
      c.discard();
      c.kill('SIGKILL');
    }
    await Promise.all(all.map((c) => c.whenClosed()));
  }

  #spawnSpec(command: string, args: string[], skipCmdShell: boolean): SpawnSpec {
    const env = this.#environment();
    const cwd = this.#create.workingDirectory;
    if (skipCmdShell) return { file: command, args, env, cwd };
    const line = [command, ...args].join(' ');
    if (process.platform === 'win32') return { file: 'cmd.exe', args: ['/c', line], env, cwd };
    const viaShell: SpawnSpec = { file: this.#config.posixShell, args: ['-c', line], env, cwd };
    const words = this.#config.directExec === true ? plainWords(line) : undefined;
    const directEnv = words === undefined ? undefined : this.#directEnvironment();
    if (words === undefined || directEnv === undefined) return viaShell;
    return { file: words[0] as string, args: words.slice(1), env: directEnv, cwd, fallback: viaShell };
  }

  #environment(): NodeJS.ProcessEnv {
    if (this.#env === undefined) {
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of this.#config.hiddenEnv) delete env[name];
      this.#env = Object.assign(env, this.#create.environment);
    }
    return this.#env;
  }

  #directEnvironment(): NodeJS.ProcessEnv | undefined {
    if (this.#directEnv === undefined) this.#directEnv = dashEnvironment(this.#environment(), this.#create.workingDirectory) ?? null;
    return this.#directEnv ?? undefined;
  }

  async #command(req: WSManRequest, ctx: RequestContext): Promise<string> {
    if (this.#closed) throw fault('invalidShellId');
    const cmd = readCommandRequest(req);
    const skip = cmd.skipCmdShell ?? /^true$/i.test(req.options.WINRS_SKIP_CMD_SHELL ?? '');
    const id = (cmd.commandId ?? randomUUID()).toUpperCase();
    const highWater = 2 * receiveBudget(ctx.maxEnvelopeSize);
    let started: WinrsCommand;
    try {
      started = await WinrsCommand.start(id, this.#spawnSpec(cmd.command, cmd.arguments, skip), this.#config.stats, highWater);
    } catch (err) {
      throw startFault(err);
    }
    this.#commands.set(id, started);
    this.#forgetOldFinished();
    return buildCommandResponse(req.messageId, id);
  }

  #find(commandId: string | undefined): WinrsCommand {
    const c = commandId === undefined ? undefined : this.#commands.get(commandId.toUpperCase());
    if (c === undefined) throw fault('invalidCommandId');
    return c;
  }

  async #send(req: WSManRequest, ctx: RequestContext): Promise<string> {
    const send = readSendRequest(req);
    for (const s of send.streams) {
      if (s.name !== 'stdin') continue;
      const c = this.#find(s.commandId);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ctx.operationTimeoutMs);
      });
      const r = await Promise.race([c.write(s.data, s.end), timedOut]);
      clearTimeout(timer);
      if (r === 'timeout') throw fault('operationTimeout');
    }
    return buildSendResponse(req.messageId);
  }

  async #receive(req: WSManRequest, ctx: RequestContext): Promise<string> {
    const r = readReceiveRequest(req);
    const c = this.#find(r.commandId);
    const budget = receiveBudget(ctx.maxEnvelopeSize);
    c.setHighWater(2 * budget);
    const streams = new Set(r.streams.length > 0 ? r.streams : ['stdout', 'stderr']);
    const outcome = await c.receive(budget, ctx.operationTimeoutMs, ctx.signal, streams);
    if (outcome === 'timeout' || outcome === 'aborted') throw fault('operationTimeout');
    return buildReceiveResponse(req.messageId, receiveInfo(c.id, outcome, streams), echoInResponse(ctx));
  }

  #signal(req: WSManRequest): string {
    const sig = readSignalRequest(req);
    const c = this.#find(sig.commandId);
    switch (sig.code) {
      case SIGNAL.terminate:
        c.discard();
        c.kill('SIGKILL');
        this.#commands.delete(c.id);
        break;
      case SIGNAL.ctrl_c:
        c.kill('SIGINT');
        break;
      case SIGNAL.ctrl_break:
        c.kill('SIGTERM');
        break;
      default:
        throw fault('invalidParameter', `The signal code '${sig.code}' is not supported by this shell. `);
    }
    return buildSignalResponse(req.messageId);
  }

  #forgetOldFinished(): void {
    const finished = [...this.#commands.values()].filter((c) => c.finished);
    for (const c of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED))) this.#commands.delete(c.id);
  }
}

/** Stream elements in Windows' order: stdout data, stderr data, then End markers and CommandState. */
function receiveInfo(commandId: string, batch: OutputBatch, streams: ReadonlySet<string>): ReceiveResponseInfo {
  const info: ReceiveResponseInfo = { streams: [] };
  if (batch.stdout.length > 0) info.streams.push({ name: 'stdout', commandId, data: batch.stdout });
  if (batch.stderr.length > 0) info.streams.push({ name: 'stderr', commandId, data: batch.stderr });
  if (batch.exitCode === undefined) {
    info.commandState = { commandId, state: COMMAND_STATE.Running };
    return info;
  }
  for (const name of ['stdout', 'stderr']) if (streams.has(name)) info.streams.push({ name, commandId, end: true });
  info.commandState = { commandId, state: COMMAND_STATE.Done, exitCode: batch.exitCode };
  return info;
}

/** ENOENT (no such executable or working directory) as Windows reports it; anything else as InternalError. */
function startFault(err: unknown): ServerFault {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return fault('fileNotFound');
  return fault('internalError', `${e.message} `);
}
