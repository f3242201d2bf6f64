/**
 * DateTime and TimeSpan texts: the readers that skip the regex (canonical forms) must give exactly
 * what the pattern path gives — same instant, same milliseconds (-0 included), same text — and
 * leave every other text, valid or not, to it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateTimeByPattern, parseDateTime, parseTimeSpan, timeSpanByPattern } from '../../../src/psrp/clixml/primitives.js';

type Outcome = { value: string; n: number } | { error: string };

const outcome = (read: () => { value: string; date?: Date; ms?: number }): Outcome => {
  try {
    const r = read();
    return { value: r.value, n: r.date ? r.date.getTime() : (r.ms as number) };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
/** Usually the well-formed part, now and then something near it. */
const mostly = (good: fc.Arbitrary<string>, ...bad: fc.Arbitrary<string>[]) =>
  fc.oneof({ arbitrary: good, weight: 30 }, ...bad.map((arbitrary) => ({ arbitrary, weight: 1 })));
const text = (...options: string[]) => fc.constantFrom(...options);
/** A stray character, space or sign around the text, now and then. */
const edge = mostly(text(''), text(' ', '\t', '-', '+', 'x', '.', ':'));

const dateTimes = fc.tuple(
  edge, mostly(digits(4, 4), digits(1, 5), text('-2024')), mostly(text('-'), text('/')), mostly(digits(2, 2), digits(1, 3)),
  text('-'), mostly(digits(2, 2), digits(1, 3)), mostly(text('T'), text(' ', 't')),
  mostly(digits(2, 2), digits(1, 3)), text(':'), digits(2, 2), mostly(text(':'), text('.')), mostly(digits(2, 2), digits(1, 3)),
  fc.oneof(text(''), mostly(digits(1, 7), digits(0, 9)).map((f) => `.${f}`)),
  fc.oneof(text(''), text('Z'), fc.tuple(text('+', '-'), mostly(digits(2, 2), digits(1, 3)), mostly(text(':'), text('')), mostly(digits(2, 2), digits(1, 3))).map((p) => p.join(''))),
  edge,
).map((p) => p.join(''));

const timeSpans = fc.tuple(
  edge, mostly(text('', '-'), text('--')), mostly(text('P'), text('p', '')),
  fc.oneof(text(''), mostly(digits(1, 8), digits(0, 17)).map((d) => `${d}D`)),
  fc.oneof(text(''), mostly(fc.tuple(
    fc.oneof(text(''), mostly(digits(1, 2), digits(0, 3)).map((d) => `${d}H`)),
    fc.oneof(text(''), mostly(digits(1, 2), digits(0, 3)).map((d) => `${d}M`)),
    fc.oneof(text(''), fc.tuple(mostly(digits(1, 3), digits(0, 17)), fc.oneof(text(''), mostly(digits(1, 7), digits(0, 9)).map((f) => `.${f}`)), mostly(text('S'), text(''))).map((p) => p.join(''))),
  ).map((p) => `T${p.join('')}`), text('T', 'TT'))),
  edge,
).map((p) => p.join(''));

describe('DateTime and TimeSpan text', () => {
  it('reads canonical DateTimes exactly as the pattern path', () => {
    for (const t of ['2018-06-13T23:46:27.9270288+00:00', '2024-02-29T00:00:00Z', '2024-02-29T00:00:00', '0100-01-01T00:00:00.1-14:00',
      '9999-12-31T23:59:59.9999999+23:59', '0099-01-01T00:00:00', '2024-13-40T25:61:61', ' 2024-01-01T00:00:00Z', '2024-01-01T00:00:00.Z']) {
      expect(outcome(() => parseDateTime(t, 'p')), t).toEqual(outcome(() => dateTimeByPattern(t, 'p')));
    }
    fc.assert(fc.property(dateTimes, (t) => {
      expect(outcome(() => parseDateTime(t, 'p'))).toEqual(outcome(() => dateTimeByPattern(t, 'p')));
    }), { numRuns: 20_000 });
  });

  it('reads canonical TimeSpans exactly as the pattern path, -0 included', () => {
    for (const t of ['PT0S', '-PT0S', 'P1DT2H3M4.5S', 'PT0.0156001S', 'P10675199DT2H48M5.4775807S', 'PT', 'P', '-P', 'P1DT', 'PT1M1H', 'PT.5S', 'PT1.12345678S']) {
      const fast = outcome(() => parseTimeSpan(t, 'p'));
      expect(fast, t).toEqual(outcome(() => timeSpanByPattern(t, 'p')));
      if ('n' in fast) expect(Object.is(fast.n, -0), t).toBe(t === '-PT0S');
    }
    fc.assert(fc.property(timeSpans, (t) => {
      const fast = outcome(() => parseTimeSpan(t, 'p'));
      const slow = outcome(() => timeSpanByPattern(t, 'p'));
      expect(fast).toEqual(slow);
      if ('n' in fast && 'n' in slow) expect(Object.is(fast.n, -0)).toBe(Object.is(slow.n, -0));
    }), { numRuns: 20_000 });
  });

  it('generates both outcomes often enough to compare them', () => {
    const kinds = (arb: fc.Arbitrary<string>, read: (t: string) => Outcome) => {
      const seen = { ok: 0, error: 0 };
      for (const t of fc.sample(arb, 4000)) seen['n' in read(t) ? 'ok' : 'error'] += 1;
      return seen;
    };
    const dt = kinds(dateTimes, (t) => outcome(() => parseDateTime(t, 'p')));
    const ts = kinds(timeSpans, (t) => outcome(() => parseTimeSpan(t, 'p')));
    for (const seen of [dt, ts]) {
      expect(seen.ok).toBeGreaterThan(200);
      expect(seen.error).toBeGreaterThan(200);
    }
  });
});
