/** The MS-WSMV 2.2.9.1 multipart/encrypted framing: exact bytes, a body Windows sealed, and malformed input. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/auth/index.js';
import {
  ENCRYPTED_CONTENT_TYPE, decodeEncryptedBody, encodeEncryptedBody, isEncryptedContentType, openBody, sealBody,
} from '../../src/transport/index.js';
import { describeFixtures } from '../helpers/fixtures.js';
import { ToySession } from './fake-seal.js';

const pair = (): { client: ToySession; server: ToySession } => {
  const key = Buffer.alloc(32, 7);
  return { client: new ToySession(key, 'c2s', 's2c'), server: new ToySession(key, 's2c', 'c2s') };
};

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('ETSR_AUTH_INTEGRITY');
    return (err as Error).message;
  }
  throw new Error('expected a throw');
}

describe('framing', () => {
  it('writes the exact layout Windows and pywinrm use', () => {
    const body = encodeEncryptedBody(Buffer.from('HDR'), Buffer.from('sealed'), 42);
    expect(body.toString('latin1')).toBe(
      '--Encrypted Boundary\r\n' +
        '\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n' +
        '\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=42\r\n' +
        '--Encrypted Boundary\r\n' +
        '\tContent-Type: application/octet-stream\r\n' +
        '\x03\x00\x00\x00HDRsealed--Encrypted Boundary--\r\n',
    );
    expect(ENCRYPTED_CONTENT_TYPE).toBe(
      'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"',
    );
  });

  it('recognises the encrypted content types and nothing else', () => {
    expect(
      [ENCRYPTED_CONTENT_TYPE, 'multipart/x-multi-encrypted;protocol="x"', 'application/soap+xml;charset=UTF-8', undefined].map(
        isEncryptedContentType,
      ),
    ).toEqual([true, true, false, false]);
  });

  it('round-trips a sealed envelope and keeps both sides in step', () => {
    const { client, server } = pair();
    const texts = ['<a>é</a>', '', 'x'.repeat(70_000)];
    const opened = texts.map((t) => openBody(server, sealBody(client, Buffer.from(t, 'utf8'))).toString('utf8'));
    expect(opened).toEqual(texts);
    const reply = openBody(client, sealBody(server, Buffer.from('<r/>')));
    expect(reply.toString()).toBe('<r/>');
  });

  it('decodes what it encodes for any header and data (the boundary text inside data included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (header, data, boundary) => {
        const payload = boundary ? Buffer.concat([data, Buffer.from('--Encrypted Boundary--\r\n')]) : Buffer.from(data);
        const parts = decodeEncryptedBody(encodeEncryptedBody(header, payload, payload.length));
        expect([parts.header, parts.data, parts.originalLength]).toEqual([Buffer.from(header), payload, payload.length]);
      }),
      { numRuns: 200 },
    );
  });

  it('turns arbitrary bytes into parts or ETSR_AUTH_INTEGRITY, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (junk, cut) => {
        const real = encodeEncryptedBody(Buffer.alloc(16, 1), Buffer.from(junk), junk.length);
        for (const input of [Buffer.from(junk), real.subarray(0, cut)]) {
          try {
            decodeEncryptedBody(input);
          } catch (err) {
            expect((err as AuthError).code).toBe('ETSR_AUTH_INTEGRITY');
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('malformed bodies', () => {
  const good = encodeEncryptedBody(Buffer.alloc(16, 1), Buffer.from('abcdef'), 6).toString('latin1');
  const variant = (from: string, to: string): Buffer => Buffer.from(good.replace(from, to), 'latin1');

  it.each([
    ['no opening boundary', Buffer.from(`x${good}`, 'latin1'), 'it does not start with the Encrypted Boundary'],
    ['one part', Buffer.from(good.slice(0, good.indexOf('--Encrypted Boundary\r\n', 5)), 'latin1'), 'the octet-stream part is missing'],
    ['no OriginalContent', variant('\tOriginalContent', '\tOther'), 'the Content-Type or OriginalContent header is missing'],
    ['no Length', variant(';Length=6', ''), 'OriginalContent has no Length'],
    ['second part not octet-stream', variant('application/octet-stream', 'text/plain'), 'the second part is not application/octet-stream'],
    ['no closing boundary', variant('--Encrypted Boundary--\r\n', ''), 'the closing boundary is missing'],
    ['header length too large', variant('\x10\x00\x00\x00', '\xff\x00\x00\x00'), 'header length 255 does not fit'],
    ['bytes after the end', Buffer.from(`${good}junk`, 'latin1'), 'bytes follow the closing boundary'],
  ])('rejects %s', (_name, body, why) => {
    expect(failure(() => decodeEncryptedBody(body))).toBe(`malformed encrypted body: ${why}`);
  });

  it('rejects a body whose unsealed length differs from OriginalContent', () => {
    const { client, server } = pair();
    const sealed = sealBody(client, Buffer.from('<a/>')).toString('latin1').replace('Length=4', 'Length=5');
    expect(failure(() => openBody(server, Buffer.from(sealed, 'latin1')))).toBe(
      'sealed body is 4 bytes but declares 5: it was altered or cut short',
    );
  });

  it('rejects another encryption protocol', () => {
    const { client, server } = pair();
    const sealed = sealBody(client, Buffer.from('<a/>')).toString('latin1').replace('HTTP-SPNEGO', 'HTTP-Kerberos');
    expect(failure(() => openBody(server, Buffer.from(sealed, 'latin1')))).toBe(
      'unexpected encryption protocol application/HTTP-Kerberos-session-encrypted',
    );
  });
});

describeFixtures('a body Windows sealed (ironposh real_encrypted_soap.txt)', (dir) => {
  it('has the framing we read: a 16-byte NTLM signature, then as many sealed bytes as OriginalContent says', () => {
    const hex = readFileSync(path.join(dir, 'ironposh/crates/ironposh-client-core/test_data/real_encrypted_soap.txt'), 'utf8');
    const body = Buffer.from(hex.replace(/[^0-9a-f]/gi, ''), 'hex');
    const parts = decodeEncryptedBody(body);
    expect([parts.protocol, parts.originalType, parts.originalLength, parts.header.length, parts.data.length]).toEqual([
      'application/HTTP-SPNEGO-session-encrypted', 'application/soap+xml;charset=UTF-8', 2162, 16, 2162,
    ]);
    // MS-NLMP 2.2.2.9.1 NTLMSSP_MESSAGE_SIGNATURE: Version 1, 8-byte checksum, SeqNum 0.
    expect(parts.header.toString('hex')).toBe('01000000ffdd759d0a5a826c00000000');
    // Re-framing the parts gives back the very same bytes.
    expect(encodeEncryptedBody(parts.header, parts.data, parts.originalLength).equals(body)).toBe(true);
  });
});
