/**
 * The shared clock of the HTTP/1.1 connections' time limits (src/transport/http1/deadlines.ts):
 * limits fall due in order whatever order they were set in, activity pushes one back, a disarmed
 * one never fires, and one set from an expiry still fires.
 */
import { describe, expect, it } from 'vitest';
import { Deadline, DeadlineClock } from '../../src/transport/http1/deadlines.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('DeadlineClock', () => {
  it('fires each deadline once, in order, including one set earlier than those already waiting', async () => {
    const clock = new DeadlineClock();
    const fired: string[] = [];
    const started = performance.now();
    const at: Record<string, number> = {};
    const d = (name: string): Deadline => new Deadline(() => {
      fired.push(name);
      at[name] = performance.now() - started;
    });
    const [late, early, middle] = [d('late'), d('early'), d('middle')];
    clock.arm(late, 150);
    clock.arm(middle, 90);
    clock.arm(early, 30); // earlier than the timer already scheduled
    await sleep(400);
    // In deadline order even if a busy machine lets several fall due before the timer runs.
    expect(fired).toEqual(['early', 'middle', 'late']);
    expect([at.early! >= 29, at.middle! >= 89, at.late! >= 149]).toEqual([true, true, true]);
  });

  it('pushes a deadline back on activity, and never fires a disarmed one', async () => {
    const clock = new DeadlineClock();
    const fired: string[] = [];
    const busy = new Deadline(() => fired.push('busy'));
    const dropped = new Deadline(() => fired.push('dropped'));
    clock.arm(busy, 300);
    clock.arm(dropped, 40);
    clock.disarm(dropped);
    for (let i = 0; i < 10; i++) {
      await sleep(40);
      clock.touch(busy); // 400 ms in all, never 300 ms without activity (room for a busy machine)
    }
    expect(fired).toEqual([]);
    await sleep(600);
    expect(fired).toEqual(['busy']);
    clock.touch(busy); // touching a deadline that has fired does not bring it back
    await sleep(400);
    expect(fired).toEqual(['busy']);
  });

  it('does not fire a deadline that an earlier expiry in the same turn armed again', async () => {
    const clock = new DeadlineClock();
    const fired: string[] = [];
    const later = new Deadline(() => fired.push('later'));
    const first = new Deadline(() => {
      fired.push('first');
      clock.arm(later, 300); // due in this same turn, and pushed back by this
    });
    clock.arm(first, 20);
    clock.arm(later, 25);
    const busy = performance.now();
    while (performance.now() - busy < 60); // both fall due before the timer gets to run
    await sleep(100);
    expect(fired).toEqual(['first']);
    await sleep(400);
    expect(fired).toEqual(['first', 'later']);
  });

  it('fires a deadline armed by another one\'s expiry, and one armed again after firing', async () => {
    const clock = new DeadlineClock();
    const fired: string[] = [];
    const second = new Deadline(() => fired.push('second'));
    let rounds = 0;
    const first: Deadline = new Deadline(() => {
      fired.push('first');
      clock.arm(second, 30);
      if (++rounds < 2) clock.arm(first, 60);
    });
    clock.arm(first, 20); // fires at 20 and 80; second at 50 and 110
    await sleep(500);
    expect(fired).toEqual(['first', 'second', 'first', 'second']);
  });
});
