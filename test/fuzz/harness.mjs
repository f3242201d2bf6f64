/**
 * The fuzz harness: seeds, the five targets and one runner, shared by the vitest suite (which
 * passes the src/ modules) and scripts/fuzz.mjs (which passes the built dist/ modules).
 *
 * The invariant is h11's: whatever bytes come in, a parser returns a value or throws its layer's
 * typed error (a TsrError subclass). A TypeError, RangeError, stack overflow or any other
 * exception escaping is a bug. Inputs are capped (MAX_INPUT) so each case stays fast and small;
 * the runner records the slowest case so a near-hang shows up in the figures.
 */
import fc from 'fast-check';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MAX_INPUT, concat, mutatedBytes, mutatedText } from './mutate.mjs';
import { randomClixml, randomEncrypted, randomEnvelope, randomFragments, randomNtlm } from './generate.mjs';

export const DEFAULT_SEED = 20261124;
export const TARGET_NAMES = ['wsman', 'clixml', 'defrag', 'ntlm', 'encrypted'];
/** Share of the case budget per target, by cost per case measured on a 2-core box. */
export const SHARES = { wsman: 0.08, clixml: 0.14, defrag: 0.13, ntlm: 0.25, encrypted: 0.4 };
/** A case slower than this counts as a hang. Generous: GC pauses on a slow box reach 100 ms. */
export const HANG_MS = 2000;
/** Cases slower than this are counted (and reported) but are not failures. */
export const SLOW_MS = 50;

/** The fixtures directory (TSREMOTE_FIXTURES or ../shared/fixtures next to the repo), or null. */
export function fixturesDir(repoRoot) {
  const dir = process.env.TSREMOTE_FIXTURES ? path.resolve(process.env.TSREMOTE_FIXTURES) : path.resolve(repoRoot, '../shared/fixtures');
  return existsSync(path.join(dir, 'README.md')) ? dir : null;
}

function listFiles(dir, match) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, match));
    else if (match.test(name)) out.push(full);
  }
  return out;
}

const PAYLOAD = /<(?:[\w-]+:)?(?:Stream|creationXml|connectXml|Arguments)\b[^>]*>\s*([A-Za-z0-9+/=\s]{24,}?)\s*</g;

function payloadsOf(xml) {
  return [...xml.matchAll(PAYLOAD)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}

/**
 * Seeds for every target: recorded traffic when the fixtures exist, plus inputs built with our
 * own encoders so the suite still has real shapes to mutate without them.
 */
export function loadSeeds(lib, dir) {
  const seeds = { wsman: [], clixml: [], payloads: [], ntlm: [], encrypted: [], session: { key: new Uint8Array(16).fill(7) } };
  const seen = new Set();
  const addClixml = (type, data) => {
    if (data.length === 0 || data.length > MAX_INPUT || seen.has(data)) return;
    seen.add(data);
    seeds.clixml.push({ type, data });
  };
  const defragment = (payloads) => {
    const d = new lib.Defragmenter();
    try {
      for (const p of payloads) for (const m of d.add(p)) {
        const msg = lib.decodeMessage(m);
        addClixml(msg.type, msg.data);
      }
    } catch {
      // Plain WinRS stdout is not PSRP: nothing to collect.
    }
  };

  if (dir) {
    const pypsrp = path.join(dir, 'pypsrp/tests/tests_pypsrp/responses');
    for (const f of listFiles(pypsrp, /\.yml$/)) {
      const messages = parseYaml(readFileSync(f, 'utf8'))?.messages ?? [];
      const requests = [];
      const responses = [];
      for (const m of messages) {
        if (typeof m.request === 'string') {
          seeds.wsman.push(m.request);
          requests.push(...payloadsOf(m.request));
        }
        if (typeof m.response === 'string') {
          seeds.wsman.push(m.response);
          responses.push(...payloadsOf(m.response));
        }
      }
      for (const seq of [requests, responses]) {
        if (seq.length === 0) continue;
        seeds.payloads.push(seq.slice(0, 12));
        defragment(seq);
      }
    }
    const winrmsharp = path.join(dir, 'winrmsharp');
    if (existsSync(winrmsharp)) {
      for (const f of listFiles(winrmsharp, /\.yml$/)) {
        for (const x of parseYaml(readFileSync(f, 'utf8')) ?? []) {
          if (typeof x?.Request?.Body === 'string') seeds.wsman.push(x.Request.Body);
          if (typeof x?.Response?.Body === 'string') seeds.wsman.push(x.Response.Body);
        }
      }
    }
    for (const f of listFiles(dir, /\.(xml|erb)$|^creationXml$/)) {
      const text = readFileSync(f, 'utf8');
      if (/Envelope/.test(text)) seeds.wsman.push(text);
      else if (/<(Obj|Objs)\b/.test(text)) addClixml(undefined, text);
    }
    for (const f of listFiles(path.join(dir, 'pyspnego'), /^ntlm_/)) seeds.ntlm.push(new Uint8Array(readFileSync(f)));
    const sealed = path.join(dir, 'ironposh/crates/ironposh-client-core/test_data/real_encrypted_soap.txt');
    if (existsSync(sealed)) seeds.encrypted.push(new Uint8Array(Buffer.from(readFileSync(sealed, 'utf8').trim(), 'hex')));
  }
  seeds.wsman = seeds.wsman.filter((s) => s.length <= MAX_INPUT);

  // Our own encoders: shapes to mutate whether or not the fixtures are there.
  const serialized = lib.serialize(new lib.PSObject({ typeNames: ['System.Enum'], toStringText: 'Running', value: 4 }));
  addClixml(undefined, serialized);
  addClixml(undefined, '<Obj RefId="0"><TN RefId="0"><T>Deserialized.X</T></TN><MS><Obj N="a" RefId="1"><TNRef RefId="0"/><LST><Ref RefId="0"/><S>x</S></LST></Obj><Ref N="b" RefId="1"/><DCT N="c"><En><S N="Key">k</S><I32 N="Value">1</I32></En></DCT></MS></Obj>');
  seeds.wsman.push(lib.buildFault('uuid:1', { soapCode: 's:Receiver', subcode: 'w:TimedOut', reason: 'timed out', wsmanFaultCode: 2150858793, machine: 'h', provider: { name: 'p', path: 'x', nested: true } }));
  const message = lib.encodeMessage({ destination: 2, type: 0x00041004, rpid: '11111111-2222-3333-4444-555555555555', pid: '00000000-0000-0000-0000-000000000000', data: serialized });
  seeds.payloads.push(lib.fragmentMessage(message, 1, 64));
  seeds.payloads.push([concat(...lib.fragmentMessage(message, 2, 100_000), ...lib.fragmentMessage(message, 3, 50))]);

  seeds.ntlm.push(lib.encodeNegotiate(0xe2088297));
  seeds.ntlm.push(lib.encodeChallenge({ flags: 0xe2898215, targetName: 'DOMAIN', serverChallenge: new Uint8Array(8).fill(1), targetInfo: [{ id: 2, value: new Uint8Array([68, 0, 79, 0]) }, { id: 7, value: new Uint8Array(8) }], version: new Uint8Array(8) }));
  seeds.ntlm.push(lib.encodeAuthenticate({ flags: 0xe2888215, lmChallengeResponse: new Uint8Array(24), ntChallengeResponse: new Uint8Array(60).fill(3), domain: 'D', user: 'u', workstation: 'W', encryptedRandomSessionKey: new Uint8Array(16) }));

  // A whole handshake with fixed randomness and clock, so the unmutated AUTHENTICATE is accepted
  // and mutations of it reach the server's NTLMv2 and MIC checks.
  const client = ntlmClient(lib);
  seeds.ntlmFlow = { negotiate: client.step() };
  const challenge = ntlmServer(lib).step(seeds.ntlmFlow.negotiate);
  if (challenge.kind === 'challenge') {
    seeds.ntlm.push(challenge.token, client.step(challenge.token));
  }

  // A body sealed with a known key, so the unmutated seed opens and mutations reach unwrap.
  const plain = new TextEncoder().encode(seeds.wsman[0] ?? '<s:Envelope/>');
  const sealed = new lib.NtlmSessionSecurity(seeds.session.key, 'client', true).wrap(plain);
  seeds.encrypted.push(new Uint8Array(lib.encodeEncryptedBody(sealed.header, sealed.data, plain.length)));
  return seeds;
}

const fixedRandom = (n) => new Uint8Array(n).fill(5);
const fixedNow = () => new Date(Date.UTC(2026, 10, 24));

function ntlmClient(lib) {
  return new lib.NtlmClientContext(new lib.Credential('DOMAIN\\user', 'fuzz-password'), { random: fixedRandom, now: fixedNow });
}

function ntlmServer(lib) {
  const lookup = (user) => (user.toLowerCase() === 'user' ? { username: 'user', password: 'fuzz-password' } : undefined);
  return new lib.NtlmServerContext({ lookup, random: fixedRandom, now: fixedNow });
}

/** Calls fn; a typed (TsrError) exception is an accepted outcome, anything else propagates. */
function typed(lib, fn) {
  try {
    return fn();
  } catch (err) {
    if (err instanceof lib.TsrError) return undefined;
    throw err;
  }
}

const RESPONSE_READERS = [
  'readIdentifyResponse', 'readShellCreated', 'readCommandResponse', 'readReceiveResponse', 'readEnumerateResponse',
  'readPullResponse', 'readGetResponse', 'readConnectResponse', 'readMaxEnvelopeSize', 'readShellState',
];
const REQUEST_READERS = [
  'readShellCreateRequest', 'readCommandRequest', 'readSendRequest', 'readReceiveRequest', 'readDisconnectRequest',
  'readSignalRequest', 'readEnumerateRequest', 'readPullRequest', 'readReleaseRequest',
];

/** The five targets: each has an arbitrary (mutated seeds or random) and a `run` that must not crash. */
export function buildTargets(lib, seeds) {
  const wsman = (xml) => {
    // parseFault is documented never to throw: not even a typed error.
    lib.parseFault(xml);
    const resp = typed(lib, () => lib.parseResponse(xml));
    if (resp) for (const r of RESPONSE_READERS) typed(lib, () => lib[r](resp));
    const req = typed(lib, () => lib.parseRequest(xml));
    if (req) for (const r of REQUEST_READERS) typed(lib, () => lib[r](req));
  };

  const clixml = ({ type, data }) => {
    const values = typed(lib, () => lib.deserializeAll(data));
    if (values) {
      for (const v of values) {
        lib.toJSON(v);
        if (lib.cellText) lib.cellText(v);
      }
    }
    typed(lib, () => lib.clixmlToText(data));
    if (type !== undefined) typed(lib, () => lib.decodeBody({ type, data }));
  };

  const defrag = (payloads) => {
    const d = new lib.Defragmenter({ maxMessageSize: 1024 * 1024, maxPendingObjects: 16 });
    for (const p of payloads) {
      lib.peekMessages(p);
      const done = typed(lib, () => d.add(p));
      if (done === undefined) {
        // Broken for good: every later call must say so with a typed error.
        typed(lib, () => d.add(p));
        return;
      }
      for (const m of done) {
        const msg = typed(lib, () => lib.decodeMessage(m));
        if (msg) typed(lib, () => lib.decodeBody(msg));
      }
    }
  };

  const ntlm = (token) => {
    typed(lib, () => lib.decodeNegotiate(token));
    typed(lib, () => lib.decodeChallenge(token));
    typed(lib, () => lib.decodeAuthenticate(token));
    typed(lib, () => lib.decodeAvPairs(token));
    // The token as the client's AUTHENTICATE to a server that sent the seed CHALLENGE ...
    const server = ntlmServer(lib);
    if (typed(lib, () => server.step(seeds.ntlmFlow.negotiate))) typed(lib, () => server.step(token));
    // ... and as the server's CHALLENGE to a client.
    const client = ntlmClient(lib);
    client.step();
    typed(lib, () => client.step(token));
  };

  const encrypted = (body) => {
    typed(lib, () => lib.decodeEncryptedBody(body));
    const server = new lib.NtlmSessionSecurity(seeds.session.key, 'server', true);
    typed(lib, () => lib.openBody(server, body));
  };

  const textOr = (seedArb, randomArb) => (seeds.wsman.length === 0 ? randomArb : fc.oneof({ weight: 3, arbitrary: seedArb }, { weight: 1, arbitrary: randomArb }));
  const clixmlSeeds = seeds.clixml.map((c) => c.data);
  const typeOf = new Map(seeds.clixml.map((c) => [c.data, c.type]));
  const clixmlArb = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.nat(), mutatedText(clixmlSeeds)).map(([i, data]) => ({ type: seeds.clixml[i % seeds.clixml.length].type, data })) },
    { weight: 1, arbitrary: randomClixml().map((data) => ({ type: typeOf.get(data), data })) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), randomClixml()).map(([i, data]) => ({ type: seeds.clixml[i % seeds.clixml.length].type, data })) },
  );
  const payloadSeqs = seeds.payloads;
  const defragArb = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.nat(), fc.array(fc.nat(), { maxLength: 3 })).chain(([i, which]) => {
      const seq = payloadSeqs[i % payloadSeqs.length];
      const flat = payloadSeqs.flat();
      return fc.tuple(...seq.map((p, k) => (which.includes(k % 4) || which.length === 0 ? mutatedBytes([p, ...flat.slice(0, 8)], 3) : fc.constant(p))));
    }) },
    { weight: 2, arbitrary: randomFragments() },
  );

  return [
    { name: 'wsman', arbitrary: textOr(mutatedText(seeds.wsman), fc.oneof(randomEnvelope(), fc.string({ unit: 'binary', maxLength: 400 }))), run: wsman },
    { name: 'clixml', arbitrary: clixmlArb, run: clixml },
    { name: 'defrag', arbitrary: defragArb, run: defrag },
    { name: 'ntlm', arbitrary: fc.oneof(mutatedBytes(seeds.ntlm, 5), randomNtlm(), fc.uint8Array({ maxLength: 128 })), run: ntlm },
    { name: 'encrypted', arbitrary: fc.oneof({ weight: 2, arbitrary: mutatedBytes(seeds.encrypted) }, { weight: 1, arbitrary: randomEncrypted() }), run: encrypted },
  ];
}

/** A short, printable form of a counterexample. */
export function show(input) {
  const clip = (s) => (s.length > 600 ? `${s.slice(0, 600)}… (${s.length} chars)` : s);
  if (input instanceof Uint8Array) return `hex ${clip(Buffer.from(input).toString('hex'))}`;
  if (Array.isArray(input)) return `[${input.map(show).join(', ')}]`;
  if (typeof input === 'string') return JSON.stringify(clip(input));
  return JSON.stringify(input, (_k, v) => (typeof v === 'string' ? clip(v) : v));
}

/**
 * Runs `numRuns` cases of one target with a fixed seed.
 * @returns figures, and `failure` (seed, shrunk counterexample, error) when the invariant broke.
 */
export function runTarget(target, { numRuns, seed = DEFAULT_SEED }) {
  let slowest = 0;
  let slowestInput;
  let slow = 0;
  let cases = 0;
  const started = performance.now();
  const property = fc.property(target.arbitrary, (input) => {
    const t0 = performance.now();
    target.run(input);
    const ms = performance.now() - t0;
    cases += 1;
    if (ms > slowest) {
      slowest = ms;
      slowestInput = input;
    }
    if (ms > SLOW_MS) slow += 1;
    if (ms > HANG_MS) throw new Error(`case took ${ms.toFixed(0)} ms (hang threshold ${HANG_MS} ms)`);
  });
  const details = fc.check(property, { numRuns, seed, endOnFailure: false, maxSkipsPerRun: 1 });
  const ms = performance.now() - started;
  const result = { name: target.name, cases: Math.min(cases, numRuns), ms, slowest, slow, slowestInput: show(slowestInput ?? '') };
  if (details.failed) {
    const error = details.errorInstance;
    result.failure = {
      seed: details.seed,
      path: details.counterexamplePath,
      counterexample: details.counterexample ? show(details.counterexample[0]) : '(none)',
      error: error instanceof Error ? `${error.name}: ${error.message}\n${(error.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(error),
    };
  }
  return result;
}
