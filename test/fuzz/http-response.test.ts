/**
 * The HTTP/1.1 response parser (src/transport/http1/response-parser.ts) reads whatever a server, or
 * anything between it and us, sends. The fuzz invariant of test/fuzz: it returns a response or
 * throws its own HttpClientError (protocol, size, closed); nothing else may escape. And a response
 * it reads is the same however the socket happens to cut the bytes into chunks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpClientError } from '../../src/transport/http1/errors.js';
import { ResponseParser, type HttpResponse } from '../../src/transport/http1/response-parser.js';

const RUNS = 1500;
const SEED = 20261125;
const LIMITS = { maxHeaderBytes: 2048, maxBodyBytes: 4096 };

const SEEDS = [
  'HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: 11\r\n\r\n<s:Env/>abc',
  'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate TlRMTVNTUAACAAAA\r\nWWW-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfaul\r\n1;x=y\r\nt\r\n0\r\nX-Trailer: 1\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.0 200 OK\r\nContent-Type: multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"\r\n\r\n--Encrypted Boundary\r\n',
].map((s) => Buffer.from(s, 'latin1'));

/** A seed with a few bytes flipped, cut short, or with bytes spliced in; or random bytes. */
const mutated: fc.Arbitrary<Buffer> = fc.oneof(
  fc.record({
    seed: fc.constantFrom(...SEEDS),
    flips: fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x0d, 0x0a, 0x3a, 0x20, 0x30, 0x39, 0x61, 0x00, 0xff)), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
    splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 12 }))),
  }).map(({ seed, flips, cut, splice }) => {
    let out = Buffer.from(seed);
    for (const [at, v] of flips) out[at % out.length] = v;
    if (splice !== null) {
      const at = splice[0] % (out.length + 1);
      out = Buffer.concat([out.subarray(0, at), Buffer.from(splice[1]), out.subarray(at)]);
    }
    if (cut !== null) out = out.subarray(0, cut % (out.length + 1));
    return out;
  }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);

type Outcome = { res: HttpResponse | 'incomplete' } | { code: string };

/** Feeds `bytes` cut at `cuts`, then the close; the outcome, with only HttpClientError allowed. */
function feed(bytes: Buffer, cuts: number[]): Outcome {
  const parser = new ResponseParser(LIMITS);
  let from = 0;
  try {
    for (const at of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      const res = parser.push(bytes.subarray(from, at));
      from = Math.max(from, at);
      if (res) return { res };
    }
    return { res: parser.end() };
  } catch (err) {
    if (!(err instanceof HttpClientError)) throw err;
    return { code: err.code };
  }
}

/**
 * What must not depend on the cuts. Bytes after a complete response end its keep-alive only when
 * they share its chunk; in a later chunk the connection sees them arrive with no request waiting.
 * It drops the socket either way, so keepAlive is left out here.
 */
const comparable = (o: Outcome): unknown => {
  if ('code' in o || o.res === 'incomplete') return 'code' in o ? o.code : o.res;
  const { keepAlive: _k, ...rest } = o.res;
  return { ...rest, body: o.res.body.toString('latin1') };
};

describe('fuzz: the HTTP/1.1 response parser', () => {
  it('throws only its own typed errors, on random and mutated responses', () => {
    fc.assert(fc.property(mutated, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => void feed(bytes, cuts)), { numRuns: RUNS, seed: SEED });
  });

  it('reads a response the same however the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(mutated, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (bytes, cuts) => {
        expect(comparable(feed(bytes, cuts))).toEqual(comparable(feed(bytes, [])));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('reads every seed as written', () => {
    expect(SEEDS.map((s) => {
      const o = feed(s, []);
      return 'code' in o || o.res === 'incomplete' ? o : [o.res.status, o.res.body.length];
    })).toEqual([[200, 11], [401, 0], [500, 5], [200, 2], [200, 22]]);
  });
});
