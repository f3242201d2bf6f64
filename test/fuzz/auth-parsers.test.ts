/**
 * The parsers issue 9 added read bytes from the network (TSRequest, SPNEGO, GSS tokens, AP-REQ,
 * JWTs) or from files a user points at (keytab, ccache). The fuzz invariant of test/fuzz: whatever
 * comes in, each returns or throws its own typed error; a TypeError, RangeError or anything else
 * escaping is a bug. Inputs: random bytes, and mutations (flips, cuts, splices) of valid encodings.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/errors.js';
import { DerError } from '../../src/auth/der.js';
import { decodeTsCredentials, decodeTsRequest, encodeTsCredentials, encodeTsRequest } from '../../src/auth/credssp/messages.js';
import { decodeKrb5Token, decodeMechToken, encodeKrb5Token } from '../../src/auth/krb5/gss.js';
import { decodeNegTokenInit, decodeNegTokenResp, encodeNegTokenResp } from '../../src/auth/krb5/spnego.js';
import { decodeApReq } from '../../src/auth/krb5/messages.js';
import { KeytabError, parseKeytab } from '../../src/auth/krb5/keytab.js';
import { CcacheFormatError, parseCcache } from '../../src/auth/kerberos/ccache.js';
import { decodeJwt } from '../../src/server/auth/jwt.js';
import { KerberosAcceptor } from '../../src/server/auth/kerberos.js';
import { describeFixtures } from '../helpers/fixtures.js';

const RUNS = 1500;
const SEED = 20261125;

/** Bytes: random, or a valid seed with a few flipped bytes, cut short, or with bytes spliced in. */
function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const mutation = fc.record({
    seed: fc.constantFrom(...seeds),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
    splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 8 }))),
  }).map(({ seed, flips, cut, splice }) => {
    let out = Uint8Array.from(seed);
    for (const [at, v] of flips) if (out.length > 0) out[at % out.length] = v;
    if (splice !== null) {
      const at = splice[0] % (out.length + 1);
      out = Uint8Array.from([...out.subarray(0, at), ...splice[1], ...out.subarray(at)]);
    }
    if (cut !== null && out.length > 0) out = out.subarray(0, cut % out.length);
    return out;
  });
  return fc.oneof(mutation, fc.uint8Array({ maxLength: 96 }));
}

/** Runs `parse` on every case; only the listed error classes may escape. */
function holds(arb: fc.Arbitrary<Uint8Array>, parse: (b: Uint8Array) => unknown, allowed: readonly (new (...a: never[]) => Error)[]): void {
  fc.assert(
    fc.property(arb, (bytes) => {
      try {
        parse(bytes);
      } catch (err) {
        if (!allowed.some((c) => err instanceof c)) throw err;
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
}

const tsRequest = encodeTsRequest({ version: 6, negoTokens: [Uint8Array.from([0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0, 1, 0, 0, 0])], pubKeyAuth: new Uint8Array(48).fill(9), clientNonce: new Uint8Array(32).fill(3) });
const tsCredentials = encodeTsCredentials({ domainName: 'CORP', userName: 'alice', password: 'pässwörd' });
const negResp = encodeNegTokenResp({ negState: 0, supportedMech: '1.2.840.113554.1.2.2', responseToken: encodeKrb5Token(new Uint8Array(40).fill(1), 0x0200) });
const apReqToken = encodeKrb5Token(Uint8Array.from([0x6e, 0x03, 0x30, 0x01, 0x00]), 0x0100);

describe('issue 9 parsers under mutation (fuzz invariant: typed errors only)', () => {
  it('CredSSP TSRequest and TSCredentials: AuthError or a value', () => {
    expect(decodeTsRequest(tsRequest).version).toBe(6);
    holds(mutated([tsRequest]), decodeTsRequest, [AuthError]);
    holds(mutated([tsCredentials]), decodeTsCredentials, [AuthError]);
  });

  it('GSS and SPNEGO tokens, AP-REQ: DerError or a value', () => {
    expect(decodeNegTokenResp(negResp).negState).toBe(0);
    holds(mutated([apReqToken, negResp]), decodeMechToken, [DerError]);
    holds(mutated([apReqToken]), (b) => decodeKrb5Token(b, 0x0100), [DerError]);
    holds(mutated([negResp]), decodeNegTokenResp, [DerError]);
    holds(mutated([negResp, apReqToken]), decodeNegTokenInit, [DerError]);
    holds(mutated([apReqToken.subarray(17)]), decodeApReq, [DerError]);
  });

  it('keytab and ccache files: their format errors or a value', () => {
    const keytab = Uint8Array.from([0x05, 0x02, 0, 0, 0, 0x30, 0, 1, 0, 6, ...Buffer.from('REALM1'), 0, 4, ...Buffer.from('HTTP'), 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 18, 0, 4, 1, 2, 3, 4]);
    holds(mutated([keytab]), parseKeytab, [KeytabError, DerError]);
    const ccache = Uint8Array.from([0x05, 0x04, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, ...Buffer.from('REALM'), 0, 0, 0, 1, 0, 0, 0, 5, ...Buffer.from('alice')]);
    holds(mutated([ccache]), parseCcache, [CcacheFormatError]);
  });

  it('JWTs: a decoded token or a reason, never a throw', () => {
    const seg = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = Buffer.from(`${seg({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${seg({ iss: 'https://i', aud: 'a', exp: 2e9, upn: 'alice' })}.${'c2ln'}`);
    holds(mutated([jwt]), (b) => decodeJwt(Buffer.from(b).toString('latin1')), []);
  });
});

describeFixtures('issue 9 parsers under mutation of a real Windows token (pyspnego fixture)', (dir) => {
  it('a NegTokenInit with a Windows AP-REQ: DerError or a value; serve\'s acceptor answers, never throws', () => {
    const init = new Uint8Array(readFileSync(path.join(dir, 'pyspnego/tests/data', 'initial_context_token_neg_token_init')));
    const mechToken = decodeNegTokenInit(init).mechToken as Uint8Array;
    const apReq = decodeKrb5Token(mechToken, 0x0100);
    holds(mutated([init]), decodeNegTokenInit, [DerError]);
    holds(mutated([apReq]), decodeApReq, [DerError]);
    const acceptor = new KerberosAcceptor({ keytab: [], spn: 'host/dc01', users: [{ username: 'x', password: 'y' }] });
    holds(mutated([init, mechToken]), (b) => {
      const r = acceptor.accept('Negotiate', Buffer.from(b).toString('base64'), { secure: false, connection: {} });
      if (r instanceof Promise || r.kind === 'accepted') throw new Error(`unexpected answer ${JSON.stringify(r)}`);
    }, []);
  });
});
