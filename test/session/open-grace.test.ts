/**
 * WinRSShell.open under a signal that aborts while the Create is in flight: the Create is not
 * abandoned at once (the server may be creating the shell), it gets CREATE_GRACE_MS (5 s) to
 * answer, and a shell it names is deleted before open rejects. The grace signal is shared by all
 * shells opened under one signal, so each of them must still get its own answer and clean-up.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WSManClient, WinRSShell, type Poster, type PostOptions } from '../../src/session/index.js';
import { ACTION, buildDeleteResponse, buildShellCreatedResponse, defaultContext } from '../../src/wsman/index.js';
import { AbortedError } from '../../src/transport/index.js';

/** Each Create waits until the test answers it (or its signal aborts); Delete is answered at once. */
class CreatePoster implements Poster {
  readonly creates: { answer: (shellId: string) => void; aborted: boolean }[] = [];
  readonly deleted: string[] = [];

  async post(xml: string, opts: PostOptions = {}): Promise<string> {
    const action = /<wsa:Action[^>]*>([^<]*)</.exec(xml)?.[1] ?? '';
    const relatesTo = /<wsa:MessageID>([^<]*)</.exec(xml)?.[1] ?? '';
    if (action === ACTION.Delete) {
      this.deleted.push(/<[\w:]*Selector Name="ShellId">([^<]*)</.exec(xml)?.[1] ?? '?');
      return buildDeleteResponse(relatesTo);
    }
    if (action !== ACTION.Create) throw new Error(`unexpected ${action}`);
    return new Promise<string>((resolve, reject) => {
      const entry = {
        aborted: false,
        answer: (shellId: string) =>
          resolve(buildShellCreatedResponse(relatesTo, {
            address: 'http://h/wsman', resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd', shellId,
            owner: 'u', clientIp: '127.0.0.1', idleTimeoutSec: 60, inputStreams: ['stdin'], outputStreams: ['stdout', 'stderr'],
          })),
      };
      const onAbort = (): void => {
        entry.aborted = true;
        reject(new AbortedError({ host: 'h', cause: opts.signal?.reason }));
      };
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.creates.push(entry);
    });
  }

  async close(): Promise<void> {}
}

const client = (poster: Poster): WSManClient => new WSManClient('h', poster, defaultContext('http://h/wsman'));
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

afterEach(() => {
  vi.useRealTimers();
});

describe('WinRSShell.open: an abort while the Create is in flight', () => {
  it('waits for the answer and deletes the shell it names, for every shell opened under the signal', async () => {
    const poster = new CreatePoster();
    const controller = new AbortController();
    const a = WinRSShell.open(client(poster), { signal: controller.signal });
    const b = WinRSShell.open(client(poster), { signal: controller.signal });
    await settle();
    expect(poster.creates).toHaveLength(2);
    controller.abort(new Error('Ctrl+C'));
    await settle();
    // Not abandoned: both Creates are still waiting for the server.
    expect(poster.creates.map((c) => c.aborted)).toEqual([false, false]);
    poster.creates[1]!.answer('S-B');
    poster.creates[0]!.answer('S-A');
    await expect(a).rejects.toBeInstanceOf(AbortedError);
    await expect(b).rejects.toBeInstanceOf(AbortedError);
    expect(poster.deleted.sort()).toEqual(['S-A', 'S-B']);
  });

  it('gives up on a Create that does not answer 5 s after the abort, and not before', async () => {
    vi.useFakeTimers();
    const poster = new CreatePoster();
    const controller = new AbortController();
    const opening = WinRSShell.open(client(poster), { signal: controller.signal });
    const outcome = opening.then(() => 'opened', (err: unknown) => err);
    await settle();
    controller.abort(new Error('Ctrl+C'));
    await vi.advanceTimersByTimeAsync(4_900);
    expect(poster.creates[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(poster.creates[0]!.aborted).toBe(true);
    expect(await outcome).toBeInstanceOf(AbortedError);
    expect(poster.deleted).toEqual([]);
  });

  it('a later shell under a signal that has already aborted is refused before anything is sent', async () => {
    const poster = new CreatePoster();
    const controller = new AbortController();
    const first = WinRSShell.open(client(poster), { signal: controller.signal });
    await settle();
    controller.abort(new Error('Ctrl+C'));
    poster.creates[0]!.answer('S-1');
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    await expect(WinRSShell.open(client(poster), { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(poster.creates).toHaveLength(1);
  });

  it('many Creates in flight under one signal raise no listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const poster = new CreatePoster();
      const controller = new AbortController();
      const openings = Array.from({ length: 40 }, () => WinRSShell.open(client(poster), { signal: controller.signal }));
      await settle();
      expect(poster.creates).toHaveLength(40);
      poster.creates.forEach((c, i) => c.answer(`S-${i}`));
      expect((await Promise.all(openings)).map((s) => s.shellId)).toHaveLength(40);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
  });

  it('without an abort, the shell opens and its Create is never aborted', async () => {
    const poster = new CreatePoster();
    const controller = new AbortController();
    const opening = WinRSShell.open(client(poster), { signal: controller.signal });
    await settle();
    poster.creates[0]!.answer('S-OK');
    const shell = await opening;
    expect(shell.shellId).toBe('S-OK');
    expect(poster.creates[0]!.aborted).toBe(false);
  });
});
