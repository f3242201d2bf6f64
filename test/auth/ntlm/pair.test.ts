/** Our NTLM client against our NTLM server, wired through memory. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Credential } from '../../../src/auth/credential.js';
import { AuthError } from '../../../src/auth/errors.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { avText, decodeAvPairs, findAv } from '../../../src/auth/ntlm/av-pairs.js';
import { AvId, NegotiateFlags } from '../../../src/auth/ntlm/constants.js';
import { lmv2Response, ntowfv2, parseClientChallengeBlob } from '../../../src/auth/ntlm/crypto.js';
import {
  decodeAuthenticate,
  decodeChallenge,
  encodeAuthenticate,
  encodeChallenge,
} from '../../../src/auth/ntlm/messages.js';
import {
  NtlmClientContext,
  type NtlmClientOptions,
  NtlmServerContext,
  type NtlmServerOptions,
  isNtlmToken,
} from '../../../src/auth/ntlm/index.js';
import { channelBindingsHash } from '../../../src/auth/channel-binding.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const NOW = new Date('2024-05-01T12:00:00Z');

function pair(
  username = 'CORP\\alice',
  password = 'S3cret!',
  clientOptions: NtlmClientOptions = {},
  serverOptions: Partial<NtlmServerOptions> = {},
  account = { username: 'alice', password: 'S3cret!' },
) {
  const lookups: [string, string][] = [];
  const client = new NtlmClientContext(new Credential(username, password), { now: () => NOW, ...clientOptions });
  const server = new NtlmServerContext({
    lookup: (user, domain) => {
      lookups.push([user, domain]);
      return user.toLowerCase() === account.username ? account : undefined;
    },
    netbiosComputer: 'WEB1',
    netbiosDomain: 'CORP',
    now: () => NOW,
    ...serverOptions,
  });
  const negotiate = client.step();
  const challenge = server.step(negotiate);
  if (challenge.kind !== 'challenge') throw new Error(`no challenge: ${JSON.stringify(challenge)}`);
  const authenticate = client.step(challenge.token);
  return { client, server, negotiate, challenge: challenge.token, authenticate, lookups };
}

describe('NTLM client and server handshake', () => {
  it('authenticates, sends a MIC and a zero LM response, and both sides derive one session key', () => {
    const { client, server, authenticate, lookups } = pair();
    expect(client.complete).toBe(true);
    expect(isNtlmToken(authenticate)).toBe(true);
    expect(server.step(authenticate)).toEqual({ kind: 'accepted', username: 'alice', domain: 'CORP' });
    expect(lookups).toEqual([['alice', 'CORP']]);
    expect(hex(server.sessionKey!)).toBe(hex(client.sessionKey!));

    const msg = decodeAuthenticate(authenticate);
    expect(msg.user).toBe('alice');
    expect(msg.domain).toBe('CORP');
    expect(msg.workstation).toBe('');
    expect(hex(msg.lmChallengeResponse)).toBe('00'.repeat(24));
    expect(msg.mic).toBeDefined();
    expect(hex(msg.mic!)).not.toBe('00'.repeat(16));
    const pairs = parseClientChallengeBlob(msg.ntChallengeResponse.subarray(16)).pairs;
    expect(hex(findAv(pairs, AvId.MsvAvFlags)!)).toBe('02000000');
    expect(hex(findAv(pairs, AvId.MsvAvChannelBindings)!)).toBe('00'.repeat(16));
    expect(findAv(pairs, AvId.MsvAvTargetName)).toBeUndefined();
  });

  it('exposes the AuthContext shape the transport expects', () => {
    const client = new NtlmClientContext(new Credential('u', 'p'));
    expect([client.scheme, client.encrypts, client.revealsSecret, client.everyRequest, client.complete]).toEqual([
      'Negotiate',
      true,
      false,
      false,
      false,
    ]);
    expect(new NtlmClientContext(new Credential('u', 'p'), { scheme: 'NTLM' }).scheme).toBe('NTLM');
  });

  it('sends MsvAvTargetName and the workstation when given', () => {
    const { authenticate } = pair('CORP\\alice', 'S3cret!', { targetName: 'HTTP/web1.corp.example', workstation: 'LAPTOP' });
    const msg = decodeAuthenticate(authenticate);
    expect(msg.workstation).toBe('LAPTOP');
    const pairs = parseClientChallengeBlob(msg.ntChallengeResponse.subarray(16)).pairs;
    expect(avText(pairs, AvId.MsvAvTargetName)).toBe('HTTP/web1.corp.example');
  });

  it.each([
    ['CORP\\alice', 'alice', 'CORP', ['alice', 'CORP']],
    ['.\\alice', 'alice', '.', ['alice', '.']],
    ['alice@corp.example', 'alice@corp.example', '', ['alice', 'corp.example']],
    ['Alice', 'Alice', '', ['Alice', '']],
  ])('user name %s travels as %s / %j and is looked up as %j', (typed, user, domain, lookup) => {
    const { server, authenticate, lookups } = pair(typed);
    const msg = decodeAuthenticate(authenticate);
    expect([msg.user, msg.domain]).toEqual([user, domain]);
    expect(server.step(authenticate).kind).toBe('accepted');
    expect(lookups).toEqual([lookup]);
  });

  it('rejects a wrong password and an unknown user without naming any secret', () => {
    const wrong = pair('CORP\\alice', 'guess');
    expect(wrong.server.step(wrong.authenticate)).toEqual({ kind: 'rejected', reason: 'wrong password for CORP\\alice' });
    expect(wrong.server.complete).toBe(false);
    const unknown = pair('CORP\\mallory', 'S3cret!');
    expect(unknown.server.step(unknown.authenticate)).toEqual({ kind: 'rejected', reason: 'unknown user CORP\\mallory' });
  });

  it('rejects an NTLMv1 AUTHENTICATE (24-byte NT response)', () => {
    const { server } = pair();
    const v1 = encodeAuthenticate({
      flags: 0xe2088235,
      lmChallengeResponse: new Uint8Array(24),
      ntChallengeResponse: new Uint8Array(24).fill(7),
      domain: 'CORP',
      user: 'alice',
      workstation: '',
      encryptedRandomSessionKey: new Uint8Array(16),
    });
    expect(server.step(v1)).toEqual({ kind: 'rejected', reason: 'NTLMv1 refused for CORP\\alice: only NTLMv2 is accepted' });
  });

  it('rejects an anonymous AUTHENTICATE', () => {
    const { server } = pair();
    const anonymous = encodeAuthenticate({
      flags: 0xe2088235 | NegotiateFlags.NEGOTIATE_ANONYMOUS,
      lmChallengeResponse: new Uint8Array(1),
      ntChallengeResponse: new Uint8Array(0),
      domain: '',
      user: '',
      workstation: '',
      encryptedRandomSessionKey: new Uint8Array(0),
    });
    expect(server.step(anonymous)).toEqual({ kind: 'rejected', reason: 'anonymous logon refused' });
  });

  it('rejects an AUTHENTICATE whose MIC does not cover the exchanged messages', () => {
    const { server, authenticate } = pair();
    const tampered = authenticate.slice();
    tampered[72] = (tampered[72] as number) ^ 1;
    expect(server.step(tampered)).toEqual({ kind: 'rejected', reason: 'MIC mismatch for CORP\\alice: the handshake was altered' });
  });

  it('rejects a stale NTLMv2 timestamp', () => {
    const { authenticate, negotiate } = pair();
    // A second server whose clock is two days ahead sees the same (replayed) response.
    const later = new NtlmServerContext({
      lookup: () => ({ username: 'alice', password: 'S3cret!' }),
      now: () => new Date(NOW.getTime() + 48 * 3600_000),
    });
    later.step(negotiate);
    const result = later.step(authenticate);
    expect(result.kind).toBe('rejected');
  });

  it('client refuses a CHALLENGE without 128-bit sealing before computing any response', () => {
    const client = new NtlmClientContext(new Credential('CORP\\alice', 'S3cret!'));
    client.step();
    const weak = encodeChallenge({
      flags: 0xe2898235 & ~NegotiateFlags.NEGOTIATE_SEAL & ~NegotiateFlags.NEGOTIATE_128,
      targetName: 'CORP',
      serverChallenge: new Uint8Array(8),
      targetInfo: [],
    });
    const err = (() => {
      try {
        client.step(weak);
      } catch (e) {
        return e;
      }
    })() as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('ETSR_AUTH_UNSUPPORTED');
    expect(err.message).toBe('the server refused NTLMv2 session security (missing NEGOTIATE_SEAL, NEGOTIATE_128)');
    expect(client.complete).toBe(false);
  });

  it('client without a server timestamp uses its clock, sends LMv2 and no MIC', () => {
    const client = new NtlmClientContext(new Credential('CORP\\alice', 'S3cret!'), {
      now: () => NOW,
      random: (n) => new Uint8Array(n).fill(0x11),
    });
    client.step();
    const serverChallenge = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const auth = client.step(
      encodeChallenge({ flags: 0xe2898235, targetName: 'CORP', serverChallenge, targetInfo: [] }),
    );
    const msg = decodeAuthenticate(auth);
    const key = ntowfv2('S3cret!', 'alice', 'CORP');
    expect(hex(msg.lmChallengeResponse)).toBe(hex(lmv2Response(key, serverChallenge, new Uint8Array(8).fill(0x11))));
    const blob = parseClientChallengeBlob(msg.ntChallengeResponse.subarray(16));
    expect(findAv(blob.pairs, AvId.MsvAvFlags)).toBeUndefined();
    expect(hex(blob.time)).toBe('0060ba17bf9bda01'); // 2024-05-01T12:00:00Z as FILETIME (checked with Python)
    expect(hex(msg.mic!)).toBe('00'.repeat(16));
  });

  it('throws on misuse: step out of order, wrap before completion', () => {
    const client = new NtlmClientContext(new Credential('u', 'p'));
    expect(() => client.step(new Uint8Array(8))).toThrow(InvalidArgumentError);
    expect(() => client.wrap(text('x'))).toThrow(InvalidArgumentError);
    const { client: done, server, authenticate, challenge } = pair();
    expect(() => done.step(challenge)).toThrow(InvalidArgumentError);
    server.step(authenticate);
    expect(() => server.step(authenticate)).toThrow(InvalidArgumentError);
  });

  it('server offers our names and a timestamp in CHALLENGE', () => {
    const { challenge } = pair();
    const msg = decodeChallenge(challenge);
    expect(msg.targetName).toBe('CORP');
    expect(msg.flags & NegotiateFlags.TARGET_TYPE_DOMAIN).toBe(NegotiateFlags.TARGET_TYPE_DOMAIN);
    expect(msg.targetInfo.map((p) => p.id)).toEqual([2, 1, 4, 3, 7]);
    expect(avText(msg.targetInfo, AvId.MsvAvNbComputerName)).toBe('WEB1');
    expect(avText(msg.targetInfo, AvId.MsvAvDnsComputerName)).toBe('web1');
  });
});

describe('NTLM session security between client and server', () => {
  it('seals many messages both ways; sequence numbers advance per direction', () => {
    const { client, server, authenticate } = pair();
    server.step(authenticate);
    for (let i = 0; i < 40; i++) {
      const request = text(`request ${i} `.repeat(i + 1));
      const up = client.wrap(request);
      expect(up.header.length).toBe(16);
      expect(up.data.length).toBe(request.length);
      expect(hex(up.header.subarray(12))).toBe(hex(Uint8Array.of(i, 0, 0, 0)));
      expect(hex(up.data)).not.toBe(hex(request));
      expect(server.unwrap(up.header, up.data)).toEqual(request);
      if (i % 3 === 0) continue; // directions need not alternate
      const response = text(`response ${i}`);
      const down = server.wrap(response);
      expect(client.unwrap(down.header, down.data)).toEqual(response);
    }
  });

  it('a tampered byte fails unwrap with ETSR_AUTH_INTEGRITY, and the session stays broken', () => {
    const { client, server, authenticate } = pair();
    server.step(authenticate);
    const up = client.wrap(text('Get-Process'));
    const data = up.data.slice();
    data[3] = (data[3] as number) ^ 0x20;
    expect(() => server.unwrap(up.header, data)).toThrow(
      expect.objectContaining({ code: 'ETSR_AUTH_INTEGRITY' }) as unknown as Error,
    );
    const next = client.wrap(text('again'));
    expect(() => server.unwrap(next.header, next.data)).toThrow(/unusable/);
  });

  it('a message out of sequence fails unwrap', () => {
    const { client, server, authenticate } = pair();
    server.step(authenticate);
    client.wrap(text('first, lost on the way'));
    const second = client.wrap(text('second'));
    expect(() => server.unwrap(second.header, second.data)).toThrow('NTLM sequence number mismatch: expected message 0');
  });

  it('a message sealed in the client direction does not open on the client', () => {
    const { client, server, authenticate } = pair();
    server.step(authenticate);
    const up = client.wrap(text('to the server'));
    expect(() => client.unwrap(up.header, up.data)).toThrow(AuthError);
  });
});

describe('NTLM channel bindings', () => {
  const cert = text('tls-server-end-point:') ;
  const ours = new Uint8Array([...cert, ...new Uint8Array(32).fill(0xab)]);
  const other = new Uint8Array([...cert, ...new Uint8Array(32).fill(0xcd)]);

  it('client puts MD5(gss_channel_bindings_struct) in MsvAvChannelBindings; matching bindings are accepted', () => {
    const { server, authenticate } = pair('CORP\\alice', 'S3cret!', { channelBindings: () => ours }, { channelBindings: ours });
    const pairs = parseClientChallengeBlob(decodeAuthenticate(authenticate).ntChallengeResponse.subarray(16)).pairs;
    expect(hex(findAv(pairs, AvId.MsvAvChannelBindings)!)).toBe(hex(channelBindingsHash(ours)));
    expect(server.step(authenticate).kind).toBe('accepted');
  });

  it('mismatching bindings are rejected', () => {
    const { server, authenticate } = pair('CORP\\alice', 'S3cret!', { channelBindings: () => other }, { channelBindings: ours });
    expect(server.step(authenticate)).toEqual({
      kind: 'rejected',
      reason: 'channel bindings of CORP\\alice do not match our TLS certificate',
    });
  });

  it('missing bindings pass by default and are rejected when strict', () => {
    const lax = pair('CORP\\alice', 'S3cret!', {}, { channelBindings: ours });
    expect(lax.server.step(lax.authenticate).kind).toBe('accepted');
    const strict = pair('CORP\\alice', 'S3cret!', {}, { channelBindings: ours, requireChannelBindings: true });
    expect(strict.server.step(strict.authenticate)).toEqual({
      kind: 'rejected',
      reason: 'CORP\\alice sent no channel bindings (required)',
    });
  });

  it('strict without our own bindings is a configuration error', () => {
    expect(() => new NtlmServerContext({ lookup: () => undefined, requireChannelBindings: true })).toThrow(InvalidArgumentError);
  });
});

describe('NTLM parsers on hostile input', () => {
  it('malformed tokens give the server a rejection, never an exception or an out-of-range read', () => {
    const { authenticate, negotiate } = pair();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: authenticate.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat(authenticate.length), (at, value, cut) => {
        const server = new NtlmServerContext({ lookup: () => ({ username: 'alice', password: 'S3cret!' }), now: () => NOW });
        server.step(negotiate);
        const token = authenticate.slice(0, Math.max(cut, 12));
        if (at < token.length) token[at] = value;
        const result = server.step(token);
        expect(['accepted', 'rejected']).toContain(result.kind);
      }),
      { numRuns: 300 },
    );
  });

  it('random NEGOTIATE tokens get a challenge or a rejection from the server', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.boolean(), (tail, signed) => {
        const server = new NtlmServerContext({ lookup: () => undefined });
        const token = signed ? new Uint8Array([...text('NTLMSSP\0'), 1, 0, 0, 0, ...tail]) : tail;
        expect(['challenge', 'rejected']).toContain(server.step(token).kind);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes after the signature make the client throw AuthError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        const client = new NtlmClientContext(new Credential('u', 'p'));
        client.step();
        const token = new Uint8Array([...text('NTLMSSP\0'), 2, 0, 0, 0, ...tail]);
        try {
          client.step(token);
        } catch (err) {
          expect(err).toBeInstanceOf(AuthError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('AV pairs running past their buffer are malformed', () => {
    expect(() => decodeAvPairs(Uint8Array.of(1, 0, 9, 0, 65, 0))).toThrow('malformed NTLM message');
    expect(() => decodeAvPairs(Uint8Array.of(1, 0, 0, 0))).toThrow(/runs past the end/);
  });
});
