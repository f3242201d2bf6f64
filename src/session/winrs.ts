/**
 * WinRS remote shells from the client side (MS-WSMV §3.1.4.x): open a shell, run commands in it,
 * stream their stdin/stdout/stderr, signal them, and delete the shell.
 *
 * The Receive loop is a long poll: a TimedOut fault means "nothing yet", so we simply ask again —
 * that is the protocol, not a retry. Output is yielded chunk by chunk as it arrives, never collected.
 */
import { setMaxListeners } from 'node:events';
import {
  RESOURCE_URI,
  SIGNAL,
  WSManFault,
  buildCommand,
  buildReceive,
  buildSend,
  buildShellCreate,
  buildShellDelete,
  buildSignal,
  readCommandResponse,
  readReceiveResponse,
  readShellCreated,
  type ReceiveResult,
} from '../wsman/index.js';
import { AbortedError, isResponseLost, longPollReadTimeoutMs } from '../transport/index.js';
import { CommandLostError } from './errors.js';
import type { WSManClient } from './wsman-client.js';

/** How long an interrupted Create may still take: its shell must be known to be deleted. */
const CREATE_GRACE_MS = 5_000;

export interface OpenShellOptions {
  resourceUri?: string;
  environment?: Record<string, string>;
  workingDirectory?: string;
  /** Output code page; 65001 (UTF-8) unless told otherwise. */
  codepage?: number;
  noProfile?: boolean;
  idleTimeoutSec?: number;
  signal?: AbortSignal;
}

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Uint8Array;
}

/**
 * For each caller's signal, one signal that aborts CREATE_GRACE_MS after it does: what a Create
 * in flight waits on. Shared by every shell opened under that signal (a fan-out opens 1,000 under
 * its one Ctrl+C signal), so a Create costs neither a controller nor a listener of its own.
 */
const graceSignals = new WeakMap<AbortSignal, AbortSignal>();

function withGrace(signal: AbortSignal): AbortSignal {
  let graced = graceSignals.get(signal);
  if (graced === undefined) {
    const controller = new AbortController();
    const giveUp = (): void => void setTimeout(() => controller.abort(signal.reason), CREATE_GRACE_MS).unref();
    if (signal.aborted) giveUp();
    else signal.addEventListener('abort', giveUp, { once: true });
    graced = controller.signal;
    // Every Create in flight under `signal` listens to this one (up to a fan-out's throttle): no
    // leak warning, as for the CLI's Ctrl+C signal itself.
    setMaxListeners(0, graced);
    graceSignals.set(signal, graced);
  }
  return graced;
}

/** A Receive's outcome, settled either way so one sent ahead never goes unhandled. */
type Received = { ok: true; result: ReceiveResult } | { ok: false; error: unknown };

/** One open WinRS shell. `close()` deletes it and may be called any number of times. */
export class WinRSShell {
  readonly client: WSManClient;
  readonly shellId: string;
  readonly resourceUri: string;
  #closed = false;

  private constructor(client: WSManClient, shellId: string, resourceUri: string) {
    this.client = client;
    this.shellId = shellId;
    this.resourceUri = resourceUri;
  }

  /**
   * Creates a shell (rsp:Shell Create). A lost CreateResponse is asked for again with the same
   * OperationID. Aborting `signal` while the Create is in flight does not abandon it at once: the
   * server may be creating the shell, so we wait (at most CREATE_GRACE_MS) for the answer and delete
   * the shell it names before rejecting with AbortedError.
   */
  static async open(client: WSManClient, opts: OpenShellOptions = {}): Promise<WinRSShell> {
    const resourceUri = opts.resourceUri ?? RESOURCE_URI.cmd;
    if (opts.signal?.aborted) throw new AbortedError({ host: client.host, cause: opts.signal.reason });
    const request = buildShellCreate(client.context, {
      resourceUri,
      inputStreams: 'stdin',
      outputStreams: 'stdout stderr',
      environment: opts.environment,
      workingDirectory: opts.workingDirectory,
      codepage: opts.codepage ?? 65001,
      noProfile: opts.noProfile,
      idleTimeoutSec: opts.idleTimeoutSec,
    });
    let resp;
    try {
      resp = await client.send(request, { signal: opts.signal && withGrace(opts.signal), retransmit: 'create' });
    } catch (err) {
      if (opts.signal?.aborted) throw new AbortedError({ host: client.host, cause: err });
      throw err;
    }
    const shell = new WinRSShell(client, readShellCreated(resp).shellId, resourceUri);
    if (opts.signal?.aborted) {
      await shell.close(AbortSignal.timeout(CREATE_GRACE_MS)).catch(() => undefined);
      throw new AbortedError({ host: client.host, cause: opts.signal.reason });
    }
    return shell;
  }

  /**
   * Starts a command in the shell (rsp:CommandLine). Never sent twice: a lost response throws
   * CommandLostError (the caller deletes the shell).
   */
  async run(
    command: string,
    args: string[] = [],
    opts: { skipCmdShell?: boolean; signal?: AbortSignal } = {},
  ): Promise<WinRSCommand> {
    const resp = await this.client.send(
      buildCommand(this.client.context, this.shellId, {
        command,
        arguments: args,
        skipCmdShell: opts.skipCmdShell ?? false,
        consoleModeStdin: true,
        resourceUri: this.resourceUri,
      }),
      { signal: opts.signal },
    ).catch((err: unknown) => {
      if (isResponseLost(err) && !opts.signal?.aborted) {
        throw new CommandLostError(err instanceof Error ? err.message : String(err), { host: this.client.host, cause: err });
      }
      throw err;
    });
    return new WinRSCommand(this, readCommandResponse(resp));
  }

  /**
   * Deletes the shell. A shell the server no longer knows (InvalidSelectors) counts as deleted.
   * Never throws for an already-closed shell; other failures are thrown so callers can report them.
   */
  async close(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.client.send(buildShellDelete(this.client.context, this.shellId, this.resourceUri), {
        signal,
        idempotent: true,
        retransmit: 'delete',
      });
    } catch (err) {
      if (err instanceof WSManFault && err.subcode === 'InvalidSelectors') return;
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/** A command running in a WinRS shell. */
export class WinRSCommand {
  readonly shell: WinRSShell;
  readonly commandId: string;
  #exitCode: number | undefined;
  #done = false;

  constructor(shell: WinRSShell, commandId: string) {
    this.shell = shell;
    this.commandId = commandId;
  }

  /** The remote exit code, once `output()` has finished. */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Sends bytes to the command's stdin; `end` closes it. */
  async send(data: Uint8Array, end: boolean, signal?: AbortSignal): Promise<void> {
    const { client } = this.shell;
    await client.send(
      buildSend(client.context, this.shell.shellId, {
        commandId: this.commandId,
        stream: 'stdin',
        data,
        end,
        resourceUri: this.shell.resourceUri,
      }),
      { signal },
    );
  }

  /** Sends a whole stream to stdin in pieces that fit the envelope, then closes stdin. */
  async pipeStdin(source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
    // base64 grows 4/3 and the envelope needs ~2 KiB of headers.
    const max = Math.max(1024, Math.floor(((this.shell.client.context.maxEnvelopeSize - 4096) * 3) / 4));
    let pending: Uint8Array | undefined;
    for await (const chunk of source) {
      for (let off = 0; off < chunk.length; off += max) {
        if (pending) await this.send(pending, false, signal);
        pending = chunk.subarray(off, Math.min(chunk.length, off + max));
      }
    }
    await this.send(pending ?? new Uint8Array(0), true, signal);
  }

  /**
   * Yields stdout/stderr chunks as the server hands them over, until the command is done.
   *
   * The next Receive is sent before the current response's chunks are handed over, so its round
   * trip overlaps the consumer's writing: at most one response waits ahead of the consumer, so
   * a slow reader still slows the remote reads (backpressure). A Receive is only sent ahead while
   * the command is not done, so the number of requests is the same as one Receive at a time.
   * Leaving early (break, a throw) aborts the Receive sent ahead and waits for it to settle.
   */
  async *output(signal?: AbortSignal): AsyncGenerator<OutputChunk, void, undefined> {
    const { client } = this.shell;
    const readTimeoutMs = longPollReadTimeoutMs(client.context.operationTimeoutSec);
    // The Receives' signal: the caller's, and ours for the one sent ahead when the caller leaves
    // early. Forwarded by hand: AbortSignal.any costs more, and a fan-out reads output per host.
    const ahead = new AbortController();
    const forward = (): void => ahead.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    const receive = (): Promise<Received> =>
      client
        .send(
          buildReceive(client.context, this.shell.shellId, {
            commandId: this.commandId,
            streams: 'stdout stderr',
            keepAlive: true,
            resourceUri: this.shell.resourceUri,
          }),
          { signal: ahead.signal, readTimeoutMs, retransmit: 'receive' },
        )
        .then(
          (resp): Received => ({ ok: true, result: readReceiveResponse(resp) }),
          (error: unknown): Received => ({ ok: false, error }),
        );
    let pending: Promise<Received> | undefined = this.#done ? undefined : receive();
    try {
      while (pending) {
        const received = await pending;
        pending = undefined;
        if (!received.ok) {
          // TimedOut: nothing yet, ask again (the long poll, not a retry).
          if (received.error instanceof WSManFault && received.error.isOperationTimeout) {
            pending = receive();
            continue;
          }
          throw received.error;
        }
        const { result } = received;
        const state = result.commandState;
        const finished = state !== undefined && state.state === 'Done';
        if (!finished) pending = receive();
        for (const chunk of result.streams) {
          if (chunk.commandId !== undefined && chunk.commandId.toUpperCase() !== this.commandId.toUpperCase()) continue;
          if (chunk.data.length > 0 && (chunk.name === 'stdout' || chunk.name === 'stderr')) {
            yield { stream: chunk.name, data: chunk.data };
          }
        }
        if (finished) {
          this.#exitCode = state.exitCode ?? 0;
          this.#done = true;
        }
      }
    } finally {
      signal?.removeEventListener('abort', forward);
      if (pending) {
        ahead.abort();
        await pending;
      }
    }
  }

  /** Sends a WinRS signal: 'ctrl_c' interrupts, 'terminate' ends the command. */
  async signal(code: 'ctrl_c' | 'terminate', signal?: AbortSignal): Promise<void> {
    const { client } = this.shell;
    await client.send(
      buildSignal(client.context, this.shell.shellId, {
        commandId: this.commandId,
        code: SIGNAL[code],
        resourceUri: this.shell.resourceUri,
      }),
      { signal },
    );
  }
}
