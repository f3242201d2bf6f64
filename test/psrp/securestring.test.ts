/**
 * The SecureString key exchange against a real Windows server: pypsrp recorded two sessions with a
 * fixed client RSA key (fixtures/pypsrp/secure_string_test_key.json), so we can rebuild its
 * PUBLIC_KEY blob byte for byte, unwrap the server's ENCRYPTED_SESSION_KEY and read every <SS>.
 */
import { constants, createPrivateKey, createPublicKey, publicEncrypt, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import {
  buildSimpleBlob,
  ClientKeyExchange,
  encryptSessionKey,
  exportPublicKeyBlob,
  importPublicKeyBlob,
  parseSimpleBlob,
  PUBLIC_KEY_BLOB_SIZE,
  SessionKey,
  SIMPLE_BLOB_SIZE,
} from '../../src/psrp/securestring/index.js';
import { PsrpProtocolError } from '../../src/psrp/errors.js';
import { Defragmenter } from '../../src/psrp/fragment-defragmenter.js';
import { decodeMessage, type PsrpMessage } from '../../src/psrp/message.js';
import { MessageType, messageTypeName } from '../../src/psrp/constants.js';
import { pypsrpPayloads } from './fragment-fixtures.js';

interface TestKey {
  rsa: Record<'n' | 'e' | 'd' | 'p' | 'q' | 'dmp1' | 'dmq1' | 'iqmp', string>;
}

function b64url(decimal: string): string {
  let h = BigInt(decimal).toString(16);
  if (h.length % 2) h = `0${h}`;
  return Buffer.from(h, 'hex').toString('base64url');
}

function testKeyPair(dir: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const { rsa } = JSON.parse(readFileSync(path.join(dir, 'pypsrp/secure_string_test_key.json'), 'utf8')) as TestKey;
  const privateKey = createPrivateKey({
    key: {
      kty: 'RSA',
      n: b64url(rsa.n),
      e: b64url(rsa.e),
      d: b64url(rsa.d),
      p: b64url(rsa.p),
      q: b64url(rsa.q),
      dp: b64url(rsa.dmp1),
      dq: b64url(rsa.dmq1),
      qi: b64url(rsa.iqmp),
    },
    format: 'jwk',
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function messagesOf(dir: string, name: string): { direction: string; message: PsrpMessage }[] {
  const file = path.join(dir, 'pypsrp/tests/tests_pypsrp/responses', name);
  const defrags = new Map<string, Defragmenter>();
  const out: { direction: string; message: PsrpMessage }[] = [];
  for (const p of pypsrpPayloads(file)) {
    const d = defrags.get(p.direction) ?? new Defragmenter();
    defrags.set(p.direction, d);
    for (const bytes of d.add(p.bytes)) out.push({ direction: p.direction, message: decodeMessage(bytes) });
  }
  return out;
}

function property(data: string, name: string): string {
  const m = new RegExp(`<S N="${name}">([^<]*)</S>`).exec(data);
  if (m?.[1] === undefined) throw new Error(`no ${name}`);
  return m[1];
}

const secureStrings = (data: string): string[] => [...data.matchAll(/<SS(?: [^>]*)?>([^<]*)<\/SS>/g)].map((m) => m[1] ?? '');

describeFixtures('SecureString in recorded Windows sessions', (dir) => {
  const cases: [string, Record<string, string[]>][] = [
    [
      'test_psrp_multiple_commands.yml',
      // The pipeline passes the same SecureString to two commands.
      { 'client CREATE_PIPELINE': ['Hello World', 'Hello World'], 'server PIPELINE_OUTPUT': ['abc'] },
    ],
    [
      'test_psrp_pshost_ui_mocked_methods.yml',
      {
        'client PIPELINE_HOST_RESPONSE': ['ReadLineAsSecureString response', 'password'],
        'server PIPELINE_OUTPUT': ['ReadLineAsSecureString response', 'password'],
      },
    ],
  ];

  for (const [name, expected] of cases) {
    it(`${name}: our PUBLIC_KEY blob is the recorded one, and every <SS> decrypts`, () => {
      const { privateKey, publicKey } = testKeyPair(dir);
      const messages = messagesOf(dir, name);
      const publicKeyMsg = messages.find((m) => m.message.type === MessageType.PUBLIC_KEY);
      const sessionKeyMsg = messages.find((m) => m.message.type === MessageType.ENCRYPTED_SESSION_KEY);
      expect([publicKeyMsg?.direction, sessionKeyMsg?.direction]).toEqual(['client', 'server']);

      const exchange = new ClientKeyExchange(privateKey, publicKey);
      const recordedBlob = property(publicKeyMsg?.message.data ?? '', 'PublicKey');
      expect(exchange.publicKeyBlob()).toBe(recordedBlob);

      const sessionKey = exchange.acceptEncryptedSessionKey(property(sessionKeyMsg?.message.data ?? '', 'EncryptedSessionKey'));
      const found: Record<string, string[]> = {};
      for (const { direction, message } of messages) {
        for (const ss of secureStrings(message.data)) {
          const key = `${direction} ${messageTypeName(message.type)}`;
          (found[key] ??= []).push(sessionKey.decrypt(ss));
        }
      }
      expect(found).toEqual(expected);

      // Our encryption of the same text under the same key is the recorded ciphertext (zero IV).
      const firstSs = messages.flatMap((m) => secureStrings(m.message.data))[0] ?? '';
      expect(sessionKey.encrypt(sessionKey.decrypt(firstSs))).toBe(firstSs.trim());
    });
  }

  it('a wrong key cannot read the recorded values', () => {
    const messages = messagesOf(dir, 'test_psrp_multiple_commands.yml');
    const ss = messages.flatMap((m) => secureStrings(m.message.data))[0] ?? '';
    const wrong = new SessionKey(new Uint8Array(32).fill(1));
    expect(() => wrong.decrypt(ss)).toThrow(PsrpProtocolError);
    const sessionKeyMsg = messages.find((m) => m.message.type === MessageType.ENCRYPTED_SESSION_KEY);
    const stranger = ClientKeyExchange.generate();
    expect(() => stranger.acceptEncryptedSessionKey(property(sessionKeyMsg?.message.data ?? '', 'EncryptedSessionKey'))).toThrow(
      PsrpProtocolError,
    );
  });
});

describe('session key exchange, client <-> server', () => {
  it('round trips with fresh keys', () => {
    const client = ClientKeyExchange.generate();
    const blob = client.publicKeyBlob();
    expect(Buffer.from(blob, 'base64')).toHaveLength(PUBLIC_KEY_BLOB_SIZE);
    const server = encryptSessionKey(blob);
    expect(Buffer.from(server.encryptedSessionKey, 'base64')).toHaveLength(SIMPLE_BLOB_SIZE);
    const clientKey = client.acceptEncryptedSessionKey(server.encryptedSessionKey);
    expect(Buffer.from(clientKey.bytes()).toString('hex')).toBe(Buffer.from(server.sessionKey.bytes()).toString('hex'));
    for (const text of ['', 'p@ssw0rd', 'こんにちは 𐐷', 'x'.repeat(1000)]) {
      expect(clientKey.decrypt(server.sessionKey.encrypt(text))).toBe(text);
      expect(server.sessionKey.decrypt(clientKey.encrypt(text))).toBe(text);
    }
  });

  it('writes the blob headers of §2.2.2.3 and §2.2.2.4', () => {
    const client = ClientKeyExchange.generate();
    const pub = Buffer.from(client.publicKeyBlob(), 'base64');
    expect(pub.subarray(0, 20).toString('hex')).toBe('0602000000a40000' + '52534131' + '00080000' + '01000100');
    const { encryptedSessionKey } = encryptSessionKey(client.publicKeyBlob(), new SessionKey(new Uint8Array(32)));
    expect(Buffer.from(encryptedSessionKey, 'base64').subarray(0, 12).toString('hex')).toBe('010200001066000000a40000');
  });

  it('PUBLICKEYBLOB round trips through import', () => {
    const client = ClientKeyExchange.generate();
    const blob = Buffer.from(client.publicKeyBlob(), 'base64');
    expect(Buffer.from(exportPublicKeyBlob(importPublicKeyBlob(blob))).toString('hex')).toBe(blob.toString('hex'));
  });

  it('rejects malformed blobs with PsrpProtocolError', () => {
    const blob = Buffer.from(ClientKeyExchange.generate().publicKeyBlob(), 'base64');
    expect(() => importPublicKeyBlob(blob.subarray(1))).toThrow(/PUBLICKEYBLOB is 275 bytes/);
    const wrongType = Buffer.from(blob);
    wrongType[0] = 0x07;
    expect(() => importPublicKeyBlob(wrongType)).toThrow(PsrpProtocolError);
    const wrongMagic = Buffer.from(blob);
    wrongMagic[11] = 0x32; // RSA2 = private key blob
    expect(() => importPublicKeyBlob(wrongMagic)).toThrow(/not a CALG_RSA_KEYX RSA1 key/);
    expect(() => parseSimpleBlob(new Uint8Array(SIMPLE_BLOB_SIZE))).toThrow(/bType 0x01/);
    expect(() => encryptSessionKey('@@@')).toThrow(/not base64/);
    const client = ClientKeyExchange.generate();
    expect(() => client.acceptEncryptedSessionKey(Buffer.from(buildSimpleBlob(new Uint8Array(256).fill(7))).toString('base64'))).toThrow(
      PsrpProtocolError,
    );
  });

  it('rejects a wrapped key that is not 32 bytes', () => {
    const client = ClientKeyExchange.generate();
    const pub = importPublicKeyBlob(Buffer.from(client.publicKeyBlob(), 'base64'));
    // Wrap 16 bytes by hand, as a server offering AES-128 would.
    const ct = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(16, 3));
    const b64 = Buffer.from(buildSimpleBlob(new Uint8Array(ct))).toString('base64');
    expect(() => client.acceptEncryptedSessionKey(b64)).toThrow(/session key is 16 bytes, expected 32/);
  });

  it('SessionKey refuses bad sizes and ciphertext', () => {
    expect(() => new SessionKey(new Uint8Array(16))).toThrow(RangeError);
    const key = SessionKey.generate();
    expect(() => key.decrypt('AAAA')).toThrow(/not a whole number of AES blocks/);
  });
});
