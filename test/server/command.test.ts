import { afterEach, describe, expect, it } from 'vitest';
import { WinrsCommand, type BufferStats, type OutputBatch } from '../../src/server/winrs/command.js';

const live: WinrsCommand[] = [];
afterEach(async () => {
  for (const c of live.splice(0)) {
    c.kill('SIGKILL');
    await c.whenClosed();
  }
});

async function start(line: string, stats: BufferStats = { bufferedBytes: 0, bufferedHighWater: 0 }, highWater = 1 << 20): Promise<WinrsCommand> {
  const c = await WinrsCommand.start('C1', { file: '/bin/sh', args: ['-c', line], env: process.env, cwd: undefined }, stats, highWater);
  live.push(c);
  return c;
}

const both = new Set(['stdout', 'stderr']);
const never = new AbortController().signal;

async function drain(c: WinrsCommand, maxBytes: number): Promise<{ stdout: number; stderr: number; exitCode: number | undefined; batches: number; largest: number }> {
  const acc = { stdout: 0, stderr: 0, exitCode: undefined as number | undefined, batches: 0, largest: 0 };
  for (;;) {
    const r = await c.receive(maxBytes, 10_000, never, both);
    if (r === 'timeout' || r === 'aborted') throw new Error(r);
    const b = r as OutputBatch;
    acc.batches++;
    acc.stdout += b.stdout.length;
    acc.stderr += b.stderr.length;
    acc.largest = Math.max(acc.largest, b.stdout.length + b.stderr.length);
    if (b.exitCode !== undefined) return { ...acc, exitCode: b.exitCode };
  }
}

describe('WinrsCommand', () => {
  it('streams 50 MB through bounded buffers (pipes paused above the mark)', async () => {
    const stats: BufferStats = { bufferedBytes: 0, bufferedHighWater: 0 };
    const budget = 380_000;
    const c = await start('head -c 52428800 /dev/zero', stats, 2 * budget);
    const r = await drain(c, budget);
    expect([r.stdout, r.stderr, r.exitCode]).toEqual([52428800, 0, 0]);
    expect(r.largest).toBeLessThanOrEqual(budget);
    // Two envelopes plus at most one pipe read (64 KiB) in flight when the pause lands.
    expect(stats.bufferedHighWater).toBeLessThan(2 * budget + 128 * 1024);
    expect(stats.bufferedBytes).toBe(0);
  }, 60_000);

  it('answers a waiting receive as soon as output appears, not at the timeout', async () => {
    const c = await start('sleep 0.2; echo late; sleep 5');
    const t0 = Date.now();
    const r = (await c.receive(1000, 10_000, never, both)) as OutputBatch;
    expect(r.stdout.toString()).toBe('late\n');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('still reads what the pipes hold when the loop was blocked past the exit grace', async () => {
    // The child exits at once; a grandchild writes 250 ms later, while this test blocks the event
    // loop (as fifty spawns in a row do in serve). When the loop runs again, the grace timer is
    // due before the poll phase reads the pipe: the output must not be thrown away with it.
    const c = await start('(sleep 0.25; echo late) & exit 0');
    await new Promise((res) => setTimeout(res, 100));
    const until = Date.now() + 600;
    while (Date.now() < until) {
      // busy: the loop is blocked
    }
    const r = await drain(c, 1000);
    expect([r.stdout, r.exitCode]).toEqual([5, 0]);
  });

  it('reports timeout when nothing comes within the operation timeout', async () => {
    const c = await start('sleep 5');
    expect(await c.receive(1000, 150, never, both)).toBe('timeout');
  });

  it('kills the whole process group', async () => {
    const c = await start('sleep 100 & sleep 100; wait');
    const pid = c.pid as number;
    c.kill('SIGKILL');
    await c.whenClosed();
    // The orphaned grandchild is reaped by init a moment later; until then it is a zombie.
    const groupAlive = (): boolean => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(groupAlive()).toBe(false);
  });

  it('reports 128+n for a signalled child', async () => {
    const c = await start('kill -TERM $$');
    const r = await drain(c, 1000);
    expect(r.exitCode).toBe(143);
  });
});
