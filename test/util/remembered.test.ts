/**
 * remembered (src/util/remembered.ts): answers worked out once per argument, within its bounds.
 * Counting the calls of the function it wraps shows what it kept.
 */
import { describe, expect, it } from 'vitest';
import { remembered } from '../../src/util/remembered.js';

function counted(maxEntries: number, maxLength: number) {
  const calls: string[] = [];
  const f = remembered((s) => {
    calls.push(s);
    return s.toUpperCase();
  }, maxEntries, maxLength);
  return { f, calls };
}

describe('remembered', () => {
  it('works an argument out once, and answers it the same every time', () => {
    const { f, calls } = counted(8, 16);
    expect([f('a'), f('b'), f('a'), f('a'), f('b')]).toEqual(['A', 'B', 'A', 'A', 'B']);
    expect(calls).toEqual(['a', 'b']);
  });

  it('keeps no argument longer than its bound, but still answers it', () => {
    const { f, calls } = counted(8, 3);
    expect([f('abc'), f('abc'), f('abcd'), f('abcd')]).toEqual(['ABC', 'ABC', 'ABCD', 'ABCD']);
    expect(calls).toEqual(['abc', 'abcd', 'abcd']);
  });

  it('starts over when full, so it never holds more than its bound', () => {
    const { f, calls } = counted(2, 16);
    f('a');
    f('b');
    f('c'); // full: forgets a and b, keeps c
    f('c');
    f('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
