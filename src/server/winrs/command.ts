/**
 * One WinRS command: a real child process, its buffered output and the Receive long-poll.
 *
 * Theory of operation
 * - The child runs in its own process group (`detached`), so Signal terminate / ctrl_c and close()
 *   reach the whole tree through `kill(-pgid)`.
 * - stdout and stderr chunks are kept as they arrive, counted in {@link BufferStats}. When a
 *   command holds more than `highWater` bytes (about two response envelopes) both pipes are paused;
 *   the child then blocks on write and the kernel pipe is the only other buffer. A Receive that
 *   drains below the mark resumes them. So `yes | head -c 50M` streams in bounded memory.
 * - Receive answers at once when output is waiting; otherwise it waits for output (plus a few ms
 *   to coalesce small writes) or for its OperationTimeout, whichever comes first.
 * - The command is Done when the child has exited and both pipes have closed ('close'), and every
 *   byte has been handed out; that last batch carries the exit code (MS-WSMV §3.1.4.14). A
 *   background grandchild (`sleep 30 &`) keeps the pipes open after the child exits; as WinRS
 *   reports Done when the process exits, we stop waiting for the pipes {@link EXIT_GRACE_MS} after
 *   the exit. The grandchild stays in the group and dies with the shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';

/** Byte accounting shared by every command of one server (for stats()). */
export interface BufferStats {
  bufferedBytes: number;
  bufferedHighWater: number;
}

export interface SpawnSpec {
  /** Executable to run (the POSIX shell; the command itself with WINRS_SKIP_CMD_SHELL or a plain word list). */
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string | undefined;
  /** Started instead when this one cannot be (a program run without the shell, not found: the shell reports it). */
  fallback?: SpawnSpec;
}

/** Output handed to one ReceiveResponse. */
export interface OutputBatch {
  stdout: Buffer;
  stderr: Buffer;
  /** Present on the last batch: the process is gone and everything was delivered. */
  exitCode?: number;
}

export type ReceiveOutcome = OutputBatch | 'timeout' | 'aborted';

interface Waiter {
  maxBytes: number;
  streams: ReadonlySet<string>;
  resolve: (o: ReceiveOutcome) => void;
  timer: NodeJS.Timeout;
  coalesce?: NodeJS.Timeout;
  cleanup: () => void;
}

/** How long after the child's exit we still wait for its pipes to reach EOF (once they are quiet). */
const EXIT_GRACE_MS = 200;
/** A background grandchild that keeps writing holds Done back at most this long after the exit. */
const EXIT_READ_LIMIT_MS = 5000;
/** Milliseconds a waiting Receive lingers after the first new output, to gather a few more writes. */
const COALESCE_MS = 4;

export class WinrsCommand {
  readonly id: string;
  readonly #child: ChildProcess;
  readonly #stats: BufferStats;
  readonly #chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  #buffered = 0;
  #highWater: number;
  #paused = false;
  #exitCode: number | undefined;
  /** Chunks read from the pipes so far (to tell whether output still arrives after the exit). */
  #reads = 0;
  #closed = false;
  #delivered = false;
  #waiter: Waiter | undefined;
  #onClosed: (() => void)[] = [];

  private constructor(id: string, child: ChildProcess, stats: BufferStats, highWater: number) {
    this.id = id;
    this.#child = child;
    this.#stats = stats;
    this.#highWater = highWater;
    child.stdin?.on('error', () => {}); // EPIPE once the child stops reading: not our failure
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.on('data', (chunk: Buffer) => this.#push(name, chunk));
    }
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (this.#closed) return;
      this.#exitCode = code ?? 128 + (signal === null ? 0 : (osConstants.signals[signal] ?? 0));
      this.#closed = true;
      clearTimeout(grace);
      for (const f of this.#onClosed.splice(0)) f();
      this.#wake(true);
    };
    let grace: NodeJS.Timeout | undefined;
    child.once('exit', (code, signal) => {
      const exitedAt = Date.now();
      let seen = this.#reads;
      // Output still arriving, or not yet read: wait again. A timer can fire before the poll phase
      // reads what the pipes already hold (when something blocked the loop for longer than the
      // grace, as fifty spawns in a row do): the soak saw whole outputs dropped with exit code 0.
      // So a check only gives up after one quiet grace period and one poll phase with no reads.
      const arriving = (): boolean => {
        const moved = this.#reads !== seen;
        seen = this.#reads;
        return moved && Date.now() - exitedAt < EXIT_READ_LIMIT_MS;
      };
      const check = (): void => {
        // While paused, output is still queued in the pipes: wait for the client to drain it.
        if (this.#paused || arriving()) {
          grace = setTimeout(check, EXIT_GRACE_MS);
          return;
        }
        setImmediate(() => {
          if (this.#closed) return;
          if (this.#paused || arriving()) {
            grace = setTimeout(check, EXIT_GRACE_MS);
            return;
          }
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(code, signal);
        });
      };
      grace = setTimeout(check, EXIT_GRACE_MS);
    });
    child.on('close', finish);
  }

  /**
   * Starts the child.
   * @throws Error (with the OS message) when it cannot be started: missing executable, bad cwd.
   */
  static async start(id: string, spec: SpawnSpec, stats: BufferStats, highWater: number): Promise<WinrsCommand> {
    const child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: 'pipe', windowsHide: true });
    if (child.pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      if (spec.fallback !== undefined) return WinrsCommand.start(id, spec.fallback, stats, highWater);
      throw err;
    }
    child.on('error', () => {}); // kill() on a gone process; exit is reported by 'close'
    return new WinrsCommand(id, child, stats, highWater);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The child has exited and its pipes closed. */
  get exited(): boolean {
    return this.#closed;
  }

  /** The final batch (with the exit code) has been handed out: the shell may forget this command. */
  get finished(): boolean {
    return this.#delivered;
  }

  /** Bytes held for the next Receive. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adapts the pause mark to the client's envelope budget (two responses' worth). */
  setHighWater(bytes: number): void {
    this.#highWater = bytes;
  }

  /** Writes to the child's stdin; `end` closes it. Resolves once the bytes are handed to the pipe. */
  write(data: Uint8Array, end: boolean): Promise<void> {
    const stdin = this.#child.stdin;
    if (stdin === null || stdin.destroyed || stdin.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => resolve();
      if (data.length > 0) stdin.write(data, done);
      if (end) stdin.end(data.length > 0 ? undefined : done);
      else if (data.length === 0) resolve();
    });
  }

  /**
   * Waits for output (or the end) and takes up to `maxBytes` of it, stdout first.
   * @param streams the DesiredStream names; others stay buffered.
   */
  receive(maxBytes: number, timeoutMs: number, signal: AbortSignal, streams: ReadonlySet<string>): Promise<ReceiveOutcome> {
    this.#waiter?.resolve('timeout'); // a newer Receive supersedes an older one
    this.#waiter?.cleanup();
    this.#waiter = undefined;
    if (this.#ready(streams)) return Promise.resolve(this.#take(maxBytes, streams));
    if (signal.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const onAbort = (): void => {
        waiter.cleanup();
        resolve('aborted');
      };
      const waiter: Waiter = {
        maxBytes,
        streams,
        resolve,
        timer: setTimeout(() => {
          waiter.cleanup();
          resolve('timeout');
        }, timeoutMs),
        cleanup: () => {
          clearTimeout(waiter.timer);
          if (waiter.coalesce !== undefined) clearTimeout(waiter.coalesce);
          signal.removeEventListener('abort', onAbort);
          if (this.#waiter === waiter) this.#waiter = undefined;
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiter = waiter;
    });
  }

  /**
   * Sends `sig` to the child's whole process group: the group may outlive the child (background
   * grandchildren), so it is signalled even after the exit. ESRCH (group empty) is fine.
   */
  kill(sig: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(process.platform === 'win32' ? pid : -pid, sig);
    } catch {
      /* already gone */
    }
  }

  /** Resolves when the child has exited and its pipes closed. */
  whenClosed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#onClosed.push(resolve));
  }

  /** Drops buffered output (the command is being deleted) and resumes the pipes so the child can end. */
  discard(): void {
    this.#account(-this.#buffered);
    this.#chunks.stdout = [];
    this.#chunks.stderr = [];
    this.#waiter?.resolve('aborted');
    this.#waiter?.cleanup();
    this.#resume();
  }

  #push(name: 'stdout' | 'stderr', chunk: Buffer): void {
    this.#reads++;
    this.#chunks[name].push(chunk);
    this.#account(chunk.length);
    if (this.#buffered > this.#highWater && !this.#paused) {
      this.#paused = true;
      this.#child.stdout?.pause();
      this.#child.stderr?.pause();
    }
    this.#wake(false);
  }

  #account(delta: number): void {
    this.#buffered += delta;
    this.#stats.bufferedBytes += delta;
    if (this.#stats.bufferedBytes > this.#stats.bufferedHighWater) this.#stats.bufferedHighWater = this.#stats.bufferedBytes;
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#child.stdout?.resume();
    this.#child.stderr?.resume();
  }

  #ready(streams: ReadonlySet<string>): boolean {
    if (this.#closed) return true;
    return (streams.has('stdout') && this.#chunks.stdout.length > 0) || (streams.has('stderr') && this.#chunks.stderr.length > 0);
  }

  #wake(now: boolean): void {
    const w = this.#waiter;
    if (w === undefined || !this.#ready(w.streams)) return;
    const fire = (): void => {
      w.cleanup();
      w.resolve(this.#take(w.maxBytes, w.streams));
    };
    if (now || this.#buffered >= w.maxBytes) fire();
    else if (w.coalesce === undefined) w.coalesce = setTimeout(fire, COALESCE_MS);
  }

  #take(maxBytes: number, streams: ReadonlySet<string>): OutputBatch {
    let budget = Math.max(1, maxBytes);
    const takeFrom = (name: 'stdout' | 'stderr'): Buffer => {
      if (!streams.has(name)) return Buffer.alloc(0);
      const parts: Buffer[] = [];
      const queue = this.#chunks[name];
      while (budget > 0 && queue.length > 0) {
        const head = queue[0] as Buffer;
        if (head.length <= budget) {
          parts.push(head);
          queue.shift();
          budget -= head.length;
        } else {
          parts.push(head.subarray(0, budget));
          queue[0] = head.subarray(budget);
          budget = 0;
        }
      }
      return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    };
    const stdout = takeFrom('stdout');
    const stderr = takeFrom('stderr');
    this.#account(-(stdout.length + stderr.length));
    if (this.#buffered < this.#highWater) this.#resume();
    const batch: OutputBatch = { stdout, stderr };
    const drained = this.#chunks.stdout.length === 0 && this.#chunks.stderr.length === 0;
    if (this.#closed && drained) {
      batch.exitCode = this.#exitCode ?? 0;
      this.#delivered = true;
    }
    return batch;
  }
}
