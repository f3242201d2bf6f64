/**
 * CredSSP's body framing (MS-WSMV 2.2.9.1.3) against pywinrm's own encoder and decoder (Debian's
 * python3-winrm, `winrm.encryption.Encryption` with protocol 'credssp'), run live with a stand-in
 * for the TLS wrap: pywinrm frames, we parse; we frame, pywinrm parses. Also: NTLM bodies stay
 * single-part. Skips the pywinrm half visibly without the module unless TSREMOTE_REQUIRE_PEERS=1.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  decodeEncryptedParts, encodeEncryptedBody, encodeEncryptedParts, encryptedContentType, openBody, sealBody,
} from '../../../src/transport/encrypted-body.js';

const PYTHON = '/usr/bin/python3';
const CREDSSP = 'application/HTTP-CredSSP-session-encrypted';
const hasWinrm = spawnSync(PYTHON, ['-c', 'import winrm.encryption'], { stdio: 'ignore' }).status === 0;

/** A stand-in "TLS": 16 bytes of header, then the chunk reversed; pywinrm's trailer maths say 16 for GCM. */
const fakeWrap = (data: Uint8Array): { header: Uint8Array; data: Uint8Array } => {
  const record = Buffer.concat([Buffer.alloc(16, 0xaa), Buffer.from(data).reverse()]);
  return { header: record.subarray(0, 16), data: record.subarray(16) };
};
const fakeUnwrap = (header: Uint8Array, data: Uint8Array): Uint8Array => {
  expect(Buffer.from(header).equals(Buffer.alloc(16, 0xaa))).toBe(true);
  return Buffer.from(data).reverse();
};
const fake = { scheme: 'CredSSP', encryptionProtocol: CREDSSP, wrap: fakeWrap, unwrap: fakeUnwrap };

const PY_PRELUDE = `
import base64, json, sys, requests
from winrm.encryption import Encryption
class Auth:
    cipher_negotiated = 'ECDHE-RSA-AES128-GCM-SHA256'
    def wrap(self, m): return b'\\xaa' * 16 + m[::-1]
    def unwrap(self, m):
        assert m[:16] == b'\\xaa' * 16
        return m[16:][::-1]
class Session: auth = Auth()
enc = Encryption(Session(), 'credssp')
`;

describe('CredSSP framing', () => {
  it('one part up to 16 KiB, one part per 16 KiB above, each with its own Length', async () => {
    const small = await sealBody(fake, Buffer.alloc(16 * 1024, 'a'));
    expect(decodeEncryptedParts(small)).toHaveLength(1);
    expect(encryptedContentType(CREDSSP, 16 * 1024)).toMatch(/^multipart\/encrypted;/);
    const big = Buffer.alloc(16 * 1024 * 2 + 1, 'b');
    const sealed = await sealBody(fake, big);
    expect(decodeEncryptedParts(sealed).map((p) => [p.originalLength, p.header.length, p.data.length])).toEqual([
      [16384, 16, 16384],
      [16384, 16, 16384],
      [1, 16, 1],
    ]);
    expect(encryptedContentType(CREDSSP, big.length)).toBe(`multipart/x-multi-encrypted;protocol="${CREDSSP}";boundary="Encrypted Boundary"`);
    expect((await openBody(fake, sealed)).equals(big)).toBe(true);
  });

  it('an empty body is one empty part', async () => {
    const sealed = await sealBody(fake, new Uint8Array(0));
    expect(decodeEncryptedParts(sealed).map((p) => p.originalLength)).toEqual([0]);
  });

  it('a part whose length does not match its plaintext is refused', async () => {
    const parts = [{ sealed: fakeWrap(Buffer.from('abc')), originalLength: 3 }, { sealed: fakeWrap(Buffer.from('de')), originalLength: 3 }];
    await expect(openBody(fake, encodeEncryptedParts(parts, CREDSSP))).rejects.toThrow(/sealed part is 2 bytes but declares 3/);
  });

  it('NTLM (SPNEGO protocol) bodies are not split: a second part breaks the signature check as before', () => {
    const body = encodeEncryptedParts([{ sealed: fakeWrap(Buffer.from('x')), originalLength: 1 }, { sealed: fakeWrap(Buffer.from('y')), originalLength: 1 }], 'application/HTTP-SPNEGO-session-encrypted');
    const ntlm = { scheme: 'NTLM', wrap: fakeWrap, unwrap: (_h: Uint8Array, d: Uint8Array) => d };
    expect(() => openBody(ntlm, body)).toThrow(/declares 1/);
    // One part frames exactly as encodeEncryptedBody always has.
    const one = fakeWrap(Buffer.from('z'));
    expect(encodeEncryptedParts([{ sealed: one, originalLength: 1 }], CREDSSP).equals(encodeEncryptedBody(one.header, one.data, 1, CREDSSP))).toBe(true);
  });

  if (hasWinrm) {
    it('parses the multi-part body pywinrm builds, and pywinrm parses ours', async () => {
      const message = Buffer.from('<s:Envelope>' + 'p'.repeat(40_000) + '</s:Envelope>');
      const build = spawnSync(PYTHON, ['-c', `${PY_PRELUDE}
r = enc.prepare_encrypted_request(requests.Session(), 'http://h/wsman', sys.stdin.buffer.read())
print(json.dumps({'type': r.headers['Content-Type'], 'body': base64.b64encode(r.body).decode()}))`], { input: message, encoding: 'utf8' });
      expect(build.stderr).toBe('');
      const theirs = JSON.parse(build.stdout) as { type: string; body: string };
      expect(theirs.type).toBe(`multipart/x-multi-encrypted;protocol="${CREDSSP}";boundary="Encrypted Boundary"`);
      const body = Buffer.from(theirs.body, 'base64');
      expect(decodeEncryptedParts(body).map((p) => p.originalLength)).toEqual([16384, 16384, message.length - 32768]);
      expect((await openBody(fake, body)).equals(message)).toBe(true);
      // Byte for byte what we would have sent.
      expect((await sealBody(fake, message)).equals(body)).toBe(true);

      const ours = await sealBody(fake, message);
      const parse = spawnSync(PYTHON, ['-c', `${PY_PRELUDE}
class R: pass
r = R(); r.content = sys.stdin.buffer.read()
class Q: url = 'http://h/wsman'
r.request = Q()
sys.stdout.buffer.write(enc._decrypt_response(r, 'h'))`], { input: ours });
      expect(parse.stderr.toString()).toBe('');
      expect(parse.stdout.equals(message)).toBe(true);
    });
  } else if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
    it('requires python3-winrm (TSREMOTE_REQUIRE_PEERS=1)', () => {
      expect.fail(`${PYTHON} has no winrm module: apt-get install python3-winrm`);
    });
  } else {
    it.skip(`skipped: ${PYTHON} has no winrm module (apt-get install python3-winrm)`, () => {});
  }
});
