/**
 * Real NTLM tokens from a domain controller, recorded by jborean93/pyspnego (tests/data), with the
 * password and session key its tests assert (fixtures/pyspnego/expected_values.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { AvId } from '../../../src/auth/ntlm/constants.js';
import { avText, findAv } from '../../../src/auth/ntlm/av-pairs.js';
import { fromFileTime, hmacMd5, ntowfv2, parseClientChallengeBlob } from '../../../src/auth/ntlm/crypto.js';
import { decodeAuthenticate, decodeChallenge, decodeNegotiate } from '../../../src/auth/ntlm/messages.js';
import { rc4k } from '../../../src/auth/ntlm/rc4.js';
import { NtlmServerContext } from '../../../src/auth/ntlm/index.js';
import { describeFixtures } from '../../helpers/fixtures.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describeFixtures('pyspnego NTLM tokens from a domain controller', (dir) => {
  const read = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, 'pyspnego/tests/data', name)));
  const expected = JSON.parse(readFileSync(path.join(dir, 'pyspnego/expected_values.json'), 'utf8')) as {
    'tests/data/ntlm_authenticate': { password: string; ExportedSessionKey: string; EncryptedRandomSessionKey: string };
  };
  const { password, ExportedSessionKey, EncryptedRandomSessionKey } = expected['tests/data/ntlm_authenticate'];
  const negotiate = read('ntlm_negotiate');
  const challenge = read('ntlm_challenge');
  const authenticate = read('ntlm_authenticate');

  it('decodes NEGOTIATE', () => {
    expect(decodeNegotiate(negotiate)).toEqual({ flags: 0xe20882b7, domain: '', workstation: '' });
  });

  it('decodes CHALLENGE with its target info', () => {
    const msg = decodeChallenge(challenge);
    expect(msg.flags).toBe(3800662581);
    expect(msg.targetName).toBe('DOMAIN');
    expect(hex(msg.serverChallenge)).toBe('E4101014CF8A90BE');
    expect(msg.targetInfo.map((p) => p.id)).toEqual([2, 1, 4, 3, 5, 7]);
    expect(avText(msg.targetInfo, AvId.MsvAvNbComputerName)).toBe('DC01');
    expect(avText(msg.targetInfo, AvId.MsvAvDnsComputerName)).toBe('DC01.domain.local');
    expect(avText(msg.targetInfo, AvId.MsvAvDnsTreeName)).toBe('domain.local');
    expect(hex(msg.version!)).toBe('0A0039380000000F');
  });

  it('decodes AUTHENTICATE (no MIC slot: the payload starts after Version)', () => {
    const msg = decodeAuthenticate(authenticate);
    expect(msg.user).toBe('vagrant-domain@DOMAIN.LOCAL');
    expect(msg.domain).toBe('');
    expect(msg.workstation).toBe('JBOREAN-LINUX');
    expect(msg.lmChallengeResponse.length).toBe(0);
    expect(msg.ntChallengeResponse.length).toBe(252);
    expect(hex(msg.encryptedRandomSessionKey)).toBe(EncryptedRandomSessionKey);
    expect(msg.mic).toBeUndefined();
    const blob = parseClientChallengeBlob(msg.ntChallengeResponse.subarray(16));
    expect(hex(findAv(blob.pairs, AvId.MsvAvFlags)!)).toBe('00000000');
    expect(hex(findAv(blob.pairs, AvId.MsvAvChannelBindings)!)).toBe('00'.repeat(16));
    expect(avText(blob.pairs, AvId.MsvAvTargetName)).toBe('dc01.domain.local');
  });

  it('verifies NTProofStr from the password and recovers the exported session key', () => {
    const msg = decodeAuthenticate(authenticate);
    const serverChallenge = decodeChallenge(challenge).serverChallenge;
    const key = ntowfv2(password, msg.user, msg.domain);
    const ntProofStr = msg.ntChallengeResponse.subarray(0, 16);
    expect(hex(hmacMd5(key, serverChallenge, msg.ntChallengeResponse.subarray(16)))).toBe(hex(ntProofStr));
    const sessionBaseKey = hmacMd5(key, ntProofStr);
    expect(hex(rc4k(sessionBaseKey, msg.encryptedRandomSessionKey))).toBe(ExportedSessionKey);
  });

  const serverFor = (pass: string, seen: string[][]): NtlmServerContext => {
    const blob = parseClientChallengeBlob(decodeAuthenticate(authenticate).ntChallengeResponse.subarray(16));
    return new NtlmServerContext({
      lookup: (user, domain) => {
        seen.push([user, domain]);
        return { username: 'vagrant-domain', password: pass };
      },
      random: () => decodeChallenge(challenge).serverChallenge,
      now: () => fromFileTime(blob.time),
    });
  };

  it('NtlmServerContext, given the recorded challenge, accepts the recorded AUTHENTICATE', () => {
    const seen: string[][] = [];
    const server = serverFor(password, seen);
    expect(server.step(negotiate).kind).toBe('challenge');
    expect(server.step(authenticate)).toEqual({ kind: 'accepted', username: 'vagrant-domain', domain: 'DOMAIN.LOCAL' });
    expect(seen).toEqual([['vagrant-domain', 'DOMAIN.LOCAL']]);
    expect(server.complete).toBe(true);
    expect(hex(server.sessionKey!)).toBe(ExportedSessionKey);
  });

  it('NtlmServerContext rejects the recorded AUTHENTICATE for another password', () => {
    const server = serverFor('NotThePassword', []);
    server.step(negotiate);
    expect(server.step(authenticate)).toEqual({
      kind: 'rejected',
      reason: 'wrong password for vagrant-domain@DOMAIN.LOCAL',
    });
    expect(server.complete).toBe(false);
  });
});
