/**
 * CredSSP end to end without HTTP: our client AuthContext against serve's CredSspAcceptor, each
 * running real node:tls in memory (src/transport/credssp-tls.ts), and the sans-IO state machines
 * on their own for version negotiation, server-reported errors and a server whose binding is for
 * another key (a man in the middle).
 */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../../src/auth/credential.js';
import {
  CredSspClient, CredSspClientContext, CredSspServer, decodeTsRequest, encodeTsRequest, serverBinding, subjectPublicKey,
} from '../../../src/auth/credssp/index.js';
import { NtlmServerContext } from '../../../src/auth/ntlm/index.js';
import { CredSspAcceptor } from '../../../src/server/auth/credssp.js';
import type { AuthConnection, SessionSecurity } from '../../../src/server/auth/types.js';
import { MemoryTlsChannel } from '../../../src/transport/credssp-tls.js';
import { decodeEncryptedParts, encryptedContentType, openBody, sealBody } from '../../../src/transport/encrypted-body.js';

const USER = 'alice';
const PASSWORD = 'Cred-SSP-pw1';
const users = [{ username: USER, password: PASSWORD }];
let material: { cert: string; key: string };
beforeAll(async () => {
  material = await CredSspAcceptor.generateCertificate();
});

const clientContext = (password = PASSWORD, user = USER): CredSspClientContext =>
  new CredSspClientContext(new Credential(user, password), { tls: () => MemoryTlsChannel.client() });

/** Runs the HTTP-less legs: the client's tokens into accept(), the challenges back into step(). */
async function logon(client: CredSspClientContext, acceptor: CredSspAcceptor, conn: AuthConnection): Promise<{ legs: number; security?: SessionSecurity; reason?: string }> {
  let token = await client.step();
  for (let legs = 1; legs <= 6; legs++) {
    const result = await acceptor.accept('CredSSP', Buffer.from(token ?? new Uint8Array(0)).toString('base64'), conn);
    if (result.kind === 'accepted') return { legs, ...(result.security ? { security: result.security } : {}) };
    if (result.kind === 'rejected') return { legs, reason: result.reason };
    expect(client.complete).toBe(false);
    token = await client.step(Buffer.from(result.challenge.replace(/^CredSSP /, ''), 'base64'));
  }
  throw new Error('no verdict after 6 legs');
}

describe('client context against serve acceptor (TLS 1.2 in memory)', () => {
  it('logs on in five legs, delegates the password, then seals in both directions', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const client = clientContext();
    const { legs, security } = await logon(client, acceptor, { secure: false, connection: {} });
    expect(legs).toBe(5);
    expect(client.complete).toBe(true);
    expect(security?.encryptionProtocol).toBe('application/HTTP-CredSSP-session-encrypted');
    if (security === undefined) throw new Error('no session security');

    // A small body: one part whose header is the 16-byte GCM trailer Windows expects.
    const soap = Buffer.from('<s:Envelope>hello</s:Envelope>');
    const sealed = await sealBody(client, soap);
    expect(decodeEncryptedParts(sealed).map((p) => p.header.length)).toEqual([16]);
    expect(encryptedContentType('application/HTTP-CredSSP-session-encrypted', soap.length)).toMatch(/^multipart\/encrypted;/);
    expect(sealed.includes(Buffer.from('hello'))).toBe(false);
    expect((await openBody(security, sealed)).toString()).toBe(soap.toString());

    // 40 KiB each way: three 16 KiB parts, labelled multipart/x-multi-encrypted.
    const big = Buffer.alloc(40 * 1024, 'z');
    const down = await sealBody(security, big);
    expect(decodeEncryptedParts(down).map((p) => p.originalLength)).toEqual([16384, 16384, 8192]);
    expect(encryptedContentType('application/HTTP-CredSSP-session-encrypted', big.length)).toMatch(/^multipart\/x-multi-encrypted;/);
    expect((await openBody(client, down)).equals(big)).toBe(true);
    const up = await sealBody(client, big);
    expect((await openBody(security, up)).equals(big)).toBe(true);
  });

  it('refuses a wrong password at the NTLM leg, before any credential is delegated', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const client = clientContext('not-the-password');
    const result = await logon(client, acceptor, { secure: false, connection: {} });
    expect(result).toEqual({ legs: 4, reason: expect.stringMatching(/NTLM: wrong password for alice/) });
    expect(client.complete).toBe(false);
  });

  it('refuses an unknown user', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const result = await logon(clientContext(PASSWORD, 'mallory'), acceptor, { secure: false, connection: {} });
    expect(result.reason).toMatch(/unknown user mallory/);
  });

  it('a tampered sealed body fails TLS integrity, and the channel stays broken', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const client = clientContext();
    const { security } = await logon(client, acceptor, { secure: false, connection: {} });
    if (security === undefined) throw new Error('no session security');
    const sealed = await sealBody(client, Buffer.from('<s:Envelope>transfer 10 EUR</s:Envelope>'));
    sealed.writeUInt8(sealed.readUInt8(sealed.length - 30) ^ 0x01, sealed.length - 30); // inside the record, before the closing boundary
    await expect(openBody(security, sealed)).rejects.toMatchObject({ code: 'ETSR_AUTH_INTEGRITY' });
    const next = await sealBody(client, Buffer.from('<s:Envelope/>'));
    await expect(openBody(security, next)).rejects.toMatchObject({ code: 'ETSR_AUTH_INTEGRITY' });
  });

  it('a ClientHello on a connection mid-handshake starts over', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const conn = { secure: false, connection: {} };
    const abandoned = clientContext();
    const first = await abandoned.step();
    expect((await acceptor.accept('CredSSP', Buffer.from(first ?? []).toString('base64'), conn)).kind).toBe('continue');
    const { legs, security } = await logon(clientContext(), acceptor, conn);
    expect([legs, security !== undefined]).toEqual([5, true]);
  });

  it('counts failed logons per address + user and locks the pair out, even for the right password', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material, throttle: { maxFailures: 2 } });
    const conn = (): AuthConnection => ({ secure: false, connection: {}, peerAddress: '192.0.2.7' });
    for (let i = 0; i < 2; i++) expect((await logon(clientContext('wrong'), acceptor, conn())).reason).toMatch(/wrong password/);
    expect((await logon(clientContext(), acceptor, conn())).reason).toMatch(/'alice' locked out after repeated failed logons \(credentials not checked\)/);
    const elsewhere = await logon(clientContext(), acceptor, { secure: false, connection: {}, peerAddress: '192.0.2.8' });
    expect(elsewhere.security).toBeDefined();
  });

  it('garbage at each stage is refused, never thrown', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
    // A ClientHello whose body is nonsense: TLS refuses it.
    const badHello = Uint8Array.of(22, 3, 1, 0, 8, 1, 0, 0, 4, 0xff, 0xff, 0xff, 0xff);
    const hello = await acceptor.accept('CredSSP', b64(badHello), { secure: false, connection: {} });
    expect(hello).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^CredSSP: the CredSSP TLS handshake failed/) });
    // One that announces more bytes than it carries: nothing to answer, so refused too.
    const cutHello = Uint8Array.of(22, 3, 1, 0, 40, 1, ...Array.from({ length: 39 }, (_, i) => (i * 37) & 0xff));
    const cut = await acceptor.accept('CredSSP', b64(cutHello), { secure: false, connection: {} });
    expect(cut).toEqual({ kind: 'rejected', reason: 'CredSSP: incomplete TLS handshake records' });
    // A real handshake, then records that are not TLS application data.
    const conn = { secure: false, connection: {} };
    const client = clientContext();
    let token = await client.step();
    for (let i = 0; i < 2; i++) {
      const r = await acceptor.accept('CredSSP', b64(token ?? new Uint8Array(0)), conn);
      if (r.kind !== 'continue') throw new Error(r.kind);
      if (i === 1) break;
      token = await client.step(Buffer.from(r.challenge.slice(8), 'base64'));
    }
    const noise = await acceptor.accept('CredSSP', b64(Uint8Array.of(23, 3, 3, 0, 4, 9, 9, 9, 9)), conn);
    expect(noise.kind).toBe('rejected');
  });

  it('a token that is not a ClientHello on a fresh connection is refused', async () => {
    const acceptor = new CredSspAcceptor({ users, ...material });
    const result = await acceptor.accept('CredSSP', Buffer.from('not tls').toString('base64'), { secure: false, connection: {} });
    expect(result).toEqual({ kind: 'rejected', reason: 'CredSSP token without a TLS ClientHello on this connection' });
  });
});

describe('state machines (no TLS): versions, errors, man in the middle', () => {
  const serverKey = (): Uint8Array => subjectPublicKey(new Uint8Array(new X509Certificate(material.cert).raw));
  const newServer = (checkPassword = true): CredSspServer =>
    new CredSspServer({
      publicKey: serverKey(),
      ntlm: { lookup: (u) => (u.toLowerCase() === USER ? { username: USER, password: PASSWORD } : undefined) },
      checkPassword: (_u, c) => checkPassword && c.password === PASSWORD,
    });

  it.each([2, 3, 4, 5, 6])('a version %i client completes against our version 6 server', (version) => {
    const client = new CredSspClient(new Credential(USER, PASSWORD), { version });
    const server = newServer();
    const challenge = server.next(client.start());
    if (challenge.kind !== 'reply') throw new Error(challenge.kind);
    expect(decodeTsRequest(challenge.token).version).toBe(version);
    const bound = client.next(challenge.token, serverKey());
    expect(decodeTsRequest(bound).clientNonce?.length).toBe(version >= 5 ? 32 : undefined);
    const answer = server.next(bound);
    if (answer.kind !== 'reply') throw new Error(answer.kind === 'rejected' ? answer.reason : answer.kind);
    const verdict = server.next(client.next(answer.token, serverKey()));
    expect(verdict).toEqual({ kind: 'accepted', username: USER, credentials: { domainName: '', userName: USER, password: PASSWORD } });
    expect(client.complete).toBe(true);
  });

  it('DOMAIN\\user delegates the domain and the bare user name', () => {
    const client = new CredSspClient(new Credential('WORKGROUP\\alice', PASSWORD));
    const server = new CredSspServer({
      publicKey: serverKey(),
      ntlm: { lookup: () => ({ username: USER, password: PASSWORD }) },
      checkPassword: () => true,
    });
    const c = server.next(client.start());
    const a = c.kind === 'reply' ? server.next(client.next(c.token, serverKey())) : c;
    const v = a.kind === 'reply' ? server.next(client.next(a.token, serverKey())) : a;
    expect(v).toMatchObject({ kind: 'accepted', credentials: { domainName: 'WORKGROUP', userName: 'alice' } });
  });

  it('the server refuses a client bound to another TLS key (it talked to a man in the middle)', () => {
    const client = new CredSspClient(new Credential(USER, PASSWORD));
    const server = newServer();
    const challenge = server.next(client.start());
    if (challenge.kind !== 'reply') throw new Error(challenge.kind);
    const mitmKey = new Uint8Array(serverKey()).map((b, i) => (i === 20 ? b ^ 1 : b));
    const verdict = server.next(client.next(challenge.token, mitmKey));
    expect(verdict).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/does not match our TLS key/) });
  });

  it('the client refuses a server whose binding is for another key, and sends no credentials', () => {
    // A lax server: NTLM is genuine, but it answers with the binding of a key other than the one
    // its TLS presented (the client saw `presented`; the server binds `real`).
    const presented = serverKey();
    const real = new Uint8Array(presented).map((b, i) => (i === 20 ? b ^ 1 : b));
    const ntlm = new NtlmServerContext({ lookup: () => ({ username: USER, password: PASSWORD }) });
    const client = new CredSspClient(new Credential(USER, PASSWORD));
    const negotiate = decodeTsRequest(client.start()).negoTokens?.[0];
    const challenge = ntlm.step(negotiate ?? new Uint8Array(0));
    if (challenge.kind !== 'challenge') throw new Error(challenge.kind);
    const bound = decodeTsRequest(client.next(encodeTsRequest({ version: 6, negoTokens: [challenge.token] }), presented));
    expect(ntlm.step(bound.negoTokens?.[0] ?? new Uint8Array(0)).kind).toBe('accepted');
    const pub = bound.pubKeyAuth ?? new Uint8Array(0);
    ntlm.unwrap(pub.subarray(0, 16), pub.subarray(16)); // keeps the sequence numbers in step
    const sealed = ntlm.wrap(serverBinding(6, real, bound.clientNonce));
    const reply = encodeTsRequest({ version: 6, pubKeyAuth: Buffer.concat([sealed.header, sealed.data]) });
    expect(() => client.next(reply, presented)).toThrow(/CredSSP server not trusted: its public-key binding does not match the TLS key it presented; credentials not sent/);
    expect(client.complete).toBe(false);
    expect(() => client.next(reply, presented)).toThrow(/not expecting a server message \(failed\)/);
  });

  it('a server-reported NTSTATUS becomes a named error on the client', () => {
    const client = new CredSspClient(new Credential(USER, 'wrong'));
    const server = newServer();
    const challenge = server.next(client.start());
    if (challenge.kind !== 'reply') throw new Error(challenge.kind);
    const refusal = server.next(client.next(challenge.token, serverKey()));
    if (refusal.kind !== 'rejected' || refusal.token === undefined) throw new Error('expected a rejection with an errorCode');
    expect(() => client.next(refusal.token ?? new Uint8Array(0), serverKey())).toThrow('the server refused the CredSSP logon (0xC000006D STATUS_LOGON_FAILURE)');
  });

  it('the server checks the delegated password, not only NTLM', () => {
    const client = new CredSspClient(new Credential(USER, PASSWORD));
    const server = newServer(false);
    const c = server.next(client.start());
    const a = c.kind === 'reply' ? server.next(client.next(c.token, serverKey())) : c;
    const v = a.kind === 'reply' ? server.next(client.next(a.token, serverKey())) : a;
    expect(v).toMatchObject({ kind: 'rejected', reason: 'the password alice delegated is wrong' });
  });
});
