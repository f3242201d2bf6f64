/**
 * The TLS-in-memory engine CredSSP runs on (src/transport/credssp-tls.ts): the duplex pair, the
 * TLS 1.2 handshake in two round trips, and the record layout WinRM's framing relies on (one
 * record per 16 KiB of plaintext, so one record per multipart part).
 */
import { describe, expect, it } from 'vitest';
import { CredSspAcceptor } from '../../../src/server/auth/credssp.js';
import { MemoryTlsChannel, memoryDuplexPair } from '../../../src/transport/credssp-tls.js';

async function pair(): Promise<{ client: MemoryTlsChannel; server: MemoryTlsChannel; roundTrips: number }> {
  const { cert, key } = await CredSspAcceptor.generateCertificate();
  const server = MemoryTlsChannel.server({ cert, key });
  const client = MemoryTlsChannel.client();
  let token = await client.handshake();
  let roundTrips = 0;
  while (!(client.secure && server.secure)) {
    if (++roundTrips > 4) throw new Error('handshake did not finish');
    token = await client.handshake(await server.handshake(token));
  }
  return { client, server, roundTrips };
}

/** The TLS records in a byte string: [content type, length]. */
function records(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = ((bytes[at + 3] ?? 0) << 8) | (bytes[at + 4] ?? 0);
    out.push([bytes[at] ?? 0, length]);
    at += 5 + length;
  }
  return out;
}

describe('memoryDuplexPair', () => {
  it('carries bytes both ways and ends', async () => {
    const [a, b] = memoryDuplexPair();
    const got: string[] = [];
    b.on('data', (d: Buffer) => got.push(`b:${d.toString()}`));
    a.on('data', (d: Buffer) => got.push(`a:${d.toString()}`));
    const ended = new Promise<void>((resolve) => b.on('end', resolve));
    a.write('ping');
    b.write('pong');
    a.end();
    await ended;
    expect(got.sort()).toEqual(['a:pong', 'b:ping']);
  });
});

describe('MemoryTlsChannel', () => {
  it('handshakes TLS 1.2 in two round trips with an AES-GCM suite', async () => {
    const { client, server, roundTrips } = await pair();
    expect(roundTrips).toBe(2);
    expect([client.protocol, server.protocol]).toEqual(['TLSv1.2', 'TLSv1.2']);
    expect(client.cipherSuite).toMatch(/-GCM-/);
    expect(client.peerCertificate?.length).toBeGreaterThan(500);
  });

  it('seals 16 KiB as one record and 16 KiB + 1 as two (5-byte header, 8-byte nonce, 16-byte tag)', async () => {
    const { client, server } = await pair();
    const full = await client.wrap(new Uint8Array(16384));
    expect(records(full)).toEqual([[23, 8 + 16384 + 16]]);
    expect((await server.unwrap(full)).length).toBe(16384);
    const over = await server.wrap(new Uint8Array(16385));
    expect(records(over)).toEqual([[23, 8 + 16384 + 16], [23, 8 + 1 + 16]]);
    expect((await client.unwrap(over)).length).toBe(16385);
  });

  it('refuses to seal before the handshake, and after destroy', async () => {
    const early = MemoryTlsChannel.client();
    await expect(early.wrap(new Uint8Array(1))).rejects.toThrow(/handshake is not complete/);
    const { client } = await pair();
    client.destroy();
    await expect(client.wrap(new Uint8Array(1))).rejects.toMatchObject({ code: 'ETSR_AUTH_INTEGRITY' });
  });
});
