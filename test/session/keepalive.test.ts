/**
 * Keep-alive (issue 6): PowerShellSession.keepAlive() against serve resets the shell's idle timer,
 * and the REPL sends one each time its prompt has been idle for keepAliveMs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { Repl, type ReplSession } from '../../src/repl/repl.js';
import type { LineEditor } from '../../src/repl/line-editor.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession, connect, queryShellState, type WSManClient } from '../../src/session/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('PowerShellSession.keepAlive against serve', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true, idleTimeoutMs: 1500 });
  });
  afterAll(async () => server.close());

  const client = (): WSManClient =>
    connect(server.urls[0]!.host, {
      https: false, auth: 'basic', credential: new Credential('u', 'p'), allowUnencrypted: true, operationTimeoutSec: 20, connectTimeoutSec: 5,
    });

  it('keep-alives every 500 ms keep an idle shell past twice the IdleTimeout; without them it is deleted', async () => {
    const c = client();
    const kept = await PowerShellSession.open(c);
    const idle = await PowerShellSession.open(c);
    try {
      const t0 = Date.now();
      while (Date.now() - t0 < 3200) {
        await kept.keepAlive();
        await sleep(500);
      }
      expect(kept.requests.get('receive')).toBeGreaterThan(2);
      expect(await queryShellState(c, kept.shellId)).toBe('Connected');
      expect(await queryShellState(c, idle.shellId)).toBe('NotFound');
      // The kept shell still runs pipelines.
      const out: unknown[] = [];
      for await (const e of kept.run('1 + 1')) if (e.type === 'PipelineOutput') out.push(e.value);
      expect(out).toEqual([2]);
    } finally {
      await kept.close().catch(() => undefined);
      await c.close();
    }
  }, 15_000);
});

describe('Repl keep-alive timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function fakes(keepAlive: () => Promise<void>): { session: ReplSession; editor: LineEditor; finish: () => void } {
    let finish: () => void = () => undefined;
    const session: ReplSession = {
      // eslint-disable-next-line require-yield
      async *run() {
        /* no output: the prompt keeps its default location */
      },
      // eslint-disable-next-line require-yield
      async *runPipeline() {
        /* nothing */
      },
      keepAlive,
    };
    const editor = {
      read: () => new Promise((resolve) => (finish = () => resolve({ kind: 'eof' }))),
      close: () => undefined,
      terminal: false,
    } as unknown as LineEditor;
    return { session, editor, finish: () => finish() };
  }

  const base = { hostName: 'h', terminal: { isTTY: false, columns: 80, color: false, write: () => undefined }, signals: { on: () => process, off: () => process } };

  it('sends one keep-alive per idle period at the prompt, none once the line is read', async () => {
    vi.useFakeTimers();
    const keepAlive = vi.fn(async () => undefined);
    const f = fakes(keepAlive);
    const notes: string[] = [];
    const repl = new Repl({ ...base, session: f.session, editor: f.editor, notes: (l) => notes.push(l), keepAliveMs: 240_000 });
    const ended = repl.run();
    await vi.advanceTimersByTimeAsync(239_000);
    expect(keepAlive).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(3 * 240_000);
    expect(keepAlive).toHaveBeenCalledTimes(3);
    f.finish();
    expect(await ended).toEqual({ reason: 'eof' });
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(keepAlive).toHaveBeenCalledTimes(3);
    expect(repl.keepAlives).toBe(3);
    expect(notes).toEqual([]);
  });

  it('keepAliveMs 0 sends none; a failing keep-alive is noted once', async () => {
    vi.useFakeTimers();
    const off = vi.fn(async () => undefined);
    const f0 = fakes(off);
    const r0 = new Repl({ ...base, session: f0.session, editor: f0.editor, notes: () => undefined, keepAliveMs: 0 });
    const e0 = r0.run();
    await vi.advanceTimersByTimeAsync(10_000_000);
    f0.finish();
    await e0;
    expect(off).not.toHaveBeenCalled();

    const failing = vi.fn(async () => {
      throw new Error('the shell is gone');
    });
    const f1 = fakes(failing);
    const notes: string[] = [];
    const r1 = new Repl({ ...base, session: f1.session, editor: f1.editor, notes: (l) => notes.push(l), keepAliveMs: 1000 });
    const e1 = r1.run();
    await vi.advanceTimersByTimeAsync(3500);
    f1.finish();
    await e1;
    expect(failing).toHaveBeenCalledTimes(3);
    expect(notes).toEqual(['warning: keep-alive failed: the shell is gone']);
  });
});
