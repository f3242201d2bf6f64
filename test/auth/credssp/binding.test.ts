/**
 * The public-key binding (MS-CSSP 3.1.5) and the trailer length of WinRM's CredSSP framing
 * (MS-WSMV 2.2.9.1.3), against values computed outside our code: the SHA-256 digests by Python's
 * hashlib, the trailer lengths by pywinrm's own `_get_credssp_trailer_length` (Debian's
 * python3-winrm, run live; skipped visibly without it unless TSREMOTE_REQUIRE_PEERS=1).
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { clientBinding, serverBinding, subjectPublicKey, tlsTrailerLength } from '../../../src/auth/credssp/index.js';

const PYTHON = '/usr/bin/python3';
const hasWinrm = spawnSync(PYTHON, ['-c', 'import winrm.encryption'], { stdio: 'ignore' }).status === 0;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
const key = Uint8Array.of(0x30, 0x82, 0x01, 0x0a, ...Array.from({ length: 10 }, (_, i) => i));

describe('public-key binding', () => {
  it('versions 5 and later: SHA-256 over the magic string, the client nonce and the key (hashlib values)', () => {
    // /usr/bin/python3: hashlib.sha256(b'CredSSP Client-To-Server Binding Hash\x00' + nonce + key)
    expect(hex(clientBinding(6, key, nonce))).toBe('c410be743c9f67873debcb56673c2e9158ff5b8472abe6c41ff68872bb42a9f4');
    expect(hex(serverBinding(5, key, nonce))).toBe('3c0bb25dec0cdcb1c0dc6612b7ae2d72b4e74f225f491a8f226ed991c1221b71');
  });

  it('versions 2 to 4: the key itself from the client, the key with its first byte plus one from the server', () => {
    for (const v of [2, 3, 4]) {
      expect(clientBinding(v, key, undefined)).toEqual(key);
      expect([...serverBinding(v, key, undefined)]).toEqual([0x31, ...key.subarray(1)]);
    }
    expect(serverBinding(2, Uint8Array.of(0xff, 1), undefined)).toEqual(Uint8Array.of(0x00, 1));
  });

  it('versions 5 and later refuse a missing or short nonce', () => {
    expect(() => clientBinding(5, key, undefined)).toThrow(/32-byte clientNonce/);
    expect(() => serverBinding(6, key, new Uint8Array(31))).toThrow(/32-byte clientNonce/);
  });

  it('SubjectPublicKey of an RSA certificate is its PKCS#1 RSAPublicKey (what pyspnego binds)', async () => {
    const made = await generate([{ name: 'commonName', value: 'CREDSSP-test' }], { keyType: 'rsa', keySize: 2048 });
    const cert = new X509Certificate(made.cert);
    const pkcs1 = cert.publicKey.export({ type: 'pkcs1', format: 'der' });
    expect(hex(subjectPublicKey(new Uint8Array(cert.raw)))).toBe(pkcs1.toString('hex'));
  });

  it('SubjectPublicKey of an EC certificate is the uncompressed point', async () => {
    const made = await generate([{ name: 'commonName', value: 'ec' }], { keyType: 'ec', curve: 'P-256' });
    const cert = new X509Certificate(made.cert);
    const jwk = cert.publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
    expect(hex(subjectPublicKey(new Uint8Array(cert.raw)))).toBe(point.toString('hex'));
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => subjectPublicKey(Uint8Array.of(0x30, 0x00))).toThrow(/cannot be read/);
  });
});

describe('TLS trailer length', () => {
  const cases: [string, number][] = [
    ['ECDHE-RSA-AES128-GCM-SHA256', 100],
    ['ECDHE-RSA-AES256-GCM-SHA384', 16384],
    ['AES128-SHA', 100],
    ['AES128-SHA', 12],
    ['ECDHE-RSA-AES256-SHA384', 100],
    ['AES256-SHA256', 4096],
    ['DES-CBC3-SHA', 7],
    ['RC4-MD5', 50],
  ];

  it('TLS 1.3 and ChaCha20 suites (which pywinrm predates)', () => {
    expect(tlsTrailerLength('TLSv1.3', 'TLS_AES_256_GCM_SHA384', 100)).toBe(17);
    expect(tlsTrailerLength('TLSv1.2', 'ECDHE-RSA-CHACHA20-POLY1305', 100)).toBe(16);
  });

  if (hasWinrm) {
    it('matches pywinrm for TLS 1.2 GCM, CBC, 3DES and RC4 suites', () => {
      const script = `import json,sys\nfrom winrm.encryption import Encryption\ne=Encryption.__new__(Encryption)\nprint(json.dumps([e._get_credssp_trailer_length(n,c) for c,n in json.loads(sys.argv[1])]))`;
      const run = spawnSync(PYTHON, ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const theirs = JSON.parse(run.stdout) as number[];
      expect(cases.map(([c, n]) => tlsTrailerLength('TLSv1.2', c, n))).toEqual(theirs);
      expect(theirs).toEqual([16, 16, 28, 36, 60, 48, 25, 16]);
    });
  } else if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
    it('requires python3-winrm (TSREMOTE_REQUIRE_PEERS=1)', () => {
      expect.fail(`${PYTHON} has no winrm module: apt-get install python3-winrm`);
    });
  } else {
    it.skip(`skipped: ${PYTHON} has no winrm module (apt-get install python3-winrm)`, () => {});
  }
});
