/**
 * The NTLM random pool: every draw is the length asked for, no two draws share bytes (a pool
 * handing the same bytes out twice would repeat client challenges and session keys), the pool
 * and the pool refills when used up.
 */
import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../../src/auth/ntlm/random-pool.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('pooledRandomBytes', () => {
  it('gives distinct draws of the asked length across several refills of the 4 KiB pool', () => {
    const seen = new Set<string>();
    // 24 bytes per logon (an 8-byte challenge and a 16-byte key), 1,000 logons: about six refills.
    for (let i = 0; i < 1000; i++) {
      for (const n of [8, 16]) {
        const draw = pooledRandomBytes(n);
        expect(draw).toBeInstanceOf(Uint8Array);
        expect(draw.length).toBe(n);
        expect(draw.every((x) => x === 0)).toBe(false);
        const key = hex(draw);
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
  });

  it('a draw is a copy: changing it changes no later draw', () => {
    const a = pooledRandomBytes(16);
    a.fill(0xab);
    const b = pooledRandomBytes(16);
    expect(hex(b)).not.toBe(hex(a));
    expect(b.every((x) => x === 0xab)).toBe(false);
  });

  it('serves a draw larger than the pool on its own', () => {
    const big = pooledRandomBytes(10_000);
    expect(big.length).toBe(10_000);
    expect(new Set(big).size).toBeGreaterThan(200); // 10,000 random bytes cover nearly every value
    expect(pooledRandomBytes(0).length).toBe(0);
  });

  it('the pool spreads its draws over the byte values (no stuck or zeroed source)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2048; i++) for (const x of pooledRandomBytes(16)) counts[x]!++;
    // 32,768 bytes: 128 expected per value; a working CSPRNG stays far inside these bounds.
    expect(Math.min(...counts)).toBeGreaterThan(60);
    expect(Math.max(...counts)).toBeLessThan(220);
  });
});
