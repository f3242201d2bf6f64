/** The `--faults` SPEC parser: every kind, every key, and a typed error with a hint for every bad rule. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { FAULT_KINDS, REQUEST_OPS, parseFaultSpec } from '../../../src/server/fault-injection/index.js';

function refused(spec: string): InvalidArgumentError {
  try {
    parseFaultSpec(spec);
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err;
    throw err;
  }
  throw new Error(`'${spec}' was accepted`);
}

describe('parseFaultSpec', () => {
  it.each(FAULT_KINDS.filter((k) => k !== 'wrong-cert'))('parses kind %s with its defaults (every op, every match)', (kind) => {
    const plan = parseFaultSpec(kind);
    expect(plan.seed).toBeUndefined();
    expect(plan.rules).toHaveLength(1);
    const r = plan.rules[0]!;
    expect([r.kind, r.ops, r.rate, r.nth, r.every, r.after, r.count, r.ports, r.shell, r.ms, r.at, r.bytes, r.bps]).toEqual([
      kind, undefined, undefined, undefined, undefined, 0, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it('parses wrong-cert alone, and refuses it with OPS or keys', () => {
    expect(parseFaultSpec('wrong-cert').rules[0]?.kind).toBe('wrong-cert');
    expect(refused('wrong-cert@receive').message).toMatch(/takes no OPS or keys/);
    expect(refused('wrong-cert:rate=1').hint).toMatch(/--https/);
  });

  it('parses every operation name in OPS, case-insensitively', () => {
    const plan = parseFaultSpec(`reset@${REQUEST_OPS.map((o) => o.toUpperCase()).join('|')}`);
    expect([...(plan.rules[0]?.ops ?? [])].sort()).toEqual([...REQUEST_OPS].sort());
  });

  it('parses every matching key', () => {
    const r = parseFaultSpec('timeout@receive:rate=0.25,after=3,count=50,port=5985-5990,shell=psrp').rules[0]!;
    expect([r.rate, r.after, r.count, r.ports, r.shell]).toEqual([0.25, 3, 50, { lo: 5985, hi: 5990 }, 'psrp']);
    expect(parseFaultSpec('http500:nth=2').rules[0]?.nth).toBe(2);
    expect(parseFaultSpec('http500:every=3,port=6000,shell=winrs').rules[0]).toMatchObject({ every: 3, ports: { lo: 6000, hi: 6000 }, shell: 'winrs' });
  });

  it('parses the action keys of the kinds they tune', () => {
    expect(parseFaultSpec('refuse:ms=250').rules[0]?.ms).toBe(250);
    expect(parseFaultSpec('restart:ms=0').rules[0]?.ms).toBe(0);
    expect(parseFaultSpec('reset:at=0').rules[0]?.at).toBe(0);
    expect(parseFaultSpec('truncated:at=120').rules[0]?.at).toBe(120);
    expect(parseFaultSpec('oversized:bytes=1048576').rules[0]?.bytes).toBe(1048576);
    expect(parseFaultSpec('drip:bps=100').rules[0]?.bps).toBe(100);
  });

  it('parses several rules and a seed, keeping their order', () => {
    const plan = parseFaultSpec(' reset@receive:rate=0.1 ; seed=42 ;timeout@receive:rate=1,count=50; ');
    expect(plan.seed).toBe(42);
    expect(plan.rules.map((r) => r.kind)).toEqual(['reset', 'timeout']);
    expect(plan.rules[0]?.text).toBe('reset@receive:rate=0.1');
  });

  it.each([
    ['', /no rule/],
    ['seed=1', /seed but no rule/],
    ['explode', /unknown fault kind 'explode'/],
    ['reset@recieve', /unknown operation 'recieve'/],
    ['reset@', /unknown operation ''/],
    ['reset:', /nothing after ":"/],
    ['reset:rate', /'rate' is not key=value/],
    ['reset:rate=', /'rate=' is not key=value/],
    ['reset:colour=red', /key 'colour' means nothing to reset/],
    ['reset:ms=5', /key 'ms' means nothing to reset/],
    ['stall:at=5', /key 'at' means nothing to stall/],
    ['drip:bytes=5', /key 'bytes' means nothing to drip/],
    ['reset:rate=1.5', /rate=1.5 is not a probability/],
    ['reset:rate=-0.1', /not a probability/],
    ['reset:rate=often', /not a probability/],
    ['reset:nth=0', /nth=0 is not an integer >= 1/],
    ['reset:every=2.5', /every=2.5 is not an integer/],
    ['reset:after=-1', /after=-1 is not an integer >= 0/],
    ['reset:count=0', /count=0 is not an integer >= 1/],
    ['reset:nth=2,every=3', /nth and every exclude each other/],
    ['reset:rate=0.5,rate=0.6', /given twice/],
    ['reset:port=0', /port=0 is not a port/],
    ['reset:port=70000', /not a port/],
    ['reset:port=6000-5000', /not a port or LO-HI range/],
    ['reset:port=http', /not a port/],
    ['reset:shell=bash', /shell=bash is not psrp or winrs/],
    ['drip:bps=0', /bps=0 is not an integer >= 1/],
    ['oversized:bytes=0', /bytes=0/],
    ['refuse:ms=soon', /ms=soon/],
    ['reset;seed=x', /seed=x is not an integer/],
    ['reset;seed=1;seed=2', /seed given twice/],
    ['reset;seed=99999999999', /larger than 32 bits/],
    ['wrong-cert;wrong-cert', /given twice/],
  ])('refuses %j with a typed error and a hint', (spec, message) => {
    const err = refused(spec);
    expect(err.code).toBe('ETSR_INVALID_ARGUMENT');
    expect(err.message).toMatch(message);
    expect(err.hint ?? '').not.toBe('');
  });
});

describe('parseFaultSpec on any input', () => {
  it('returns a plan or throws InvalidArgumentError, nothing else', () => {
    const pieces = fc.constantFrom(...FAULT_KINDS, ...REQUEST_OPS, '@', ':', ';', ',', '=', '|', '-', 'rate', 'nth', 'seed', '0.5', '3', 'x', ' ');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 12 }).map((a) => a.join(''))), (spec) => {
        try {
          const plan = parseFaultSpec(spec);
          expect(plan.rules.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidArgumentError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back the values of any well-formed rule', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FAULT_KINDS.filter((k) => k !== 'wrong-cert')),
        fc.subarray([...REQUEST_OPS], { minLength: 1 }),
        fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 65535 }),
        (kind, ops, rate, after, count, port) => {
          const r = parseFaultSpec(`${kind}@${ops.join('|')}:rate=${rate},after=${after},count=${count},port=${port}`).rules[0]!;
          expect([r.kind, [...(r.ops ?? [])].sort(), r.rate, r.after, r.count, r.ports]).toEqual([kind, [...ops].sort(), rate, after, count, { lo: port, hi: port }]);
        },
      ),
    );
  });
});
