import { describe, expect, it } from 'vitest';
import { HostTally, StatusLine } from '../../src/fanout/index.js';
import { stripAnsi } from '../../src/render/index.js';

/** A terminal-like stream that records what ora writes. */
function fakeTTY(columns = 80): NodeJS.WriteStream & { out: string[] } {
  const out: string[] = [];
  const stream = {
    isTTY: true,
    columns,
    out,
    write(chunk: string | Uint8Array, ...rest: unknown[]) {
      out.push(String(chunk));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    on: () => stream,
    once: () => stream,
    off: () => stream,
    removeListener: () => stream,
  };
  return stream as unknown as NodeJS.WriteStream & { out: string[] };
}

describe('StatusLine', () => {
  it('shows done/failed/running of the total, then the remote progress, cut to the screen', async () => {
    const stream = fakeTTY(60);
    const tally = new HostTally(['a', 'b', 'c']);
    const line = await StatusLine.start(tally, { stream, color: false });
    try {
      expect(line.text()).toBe('0/3 hosts done');
      tally.start('a');
      tally.start('b');
      tally.end('a', 'unreachable', 'a: connection refused');
      expect(line.text()).toBe('1/3 hosts done · 1 failed · 1 running');
      line.progress('[b] Copying: half [##########          ] 50%');
      expect(line.text()).toBe('1/3 hosts done · 1 failed · 1 running  [b] Copying: half…');
    } finally {
      line.stop();
    }
  });

  it('draws on the stream, steps aside for a prompt, and is gone after stop()', async () => {
    const stream = fakeTTY();
    const tally = new HostTally(['a', 'b']);
    const line = await StatusLine.start(tally, { stream, color: false });
    const drawn = stripAnsi(stream.out.join(''));
    expect(drawn).toContain('0/2 hosts done');
    let during = -1;
    const answer = await line.paused(async () => {
      during = stream.out.length;
      return 'typed';
    });
    expect(answer).toBe('typed');
    expect(stream.out.length).toBeGreaterThan(during); // drawn again afterwards
    line.stop();
    const after = stream.out.length;
    tally.start('a');
    line.update();
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.out.length).toBe(after); // stopped: nothing more is drawn
  });
});
