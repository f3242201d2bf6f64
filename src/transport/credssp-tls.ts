/**
 * TLS in memory for CredSSP (MS-CSSP 3.1.5): the TLS records never touch a socket of their own.
 * They travel base64 in `Authorization: CredSSP …` / `WWW-Authenticate: CredSSP …` during the
 * handshake, and as the sealed part of WinRM bodies afterwards (MS-WSMV 2.2.9.1.3).
 *
 * node:tls runs over one end of an in-memory duplex pair; we hold the other end ("the wire"):
 * records the peer sent are written into it, records TLS produced are read out of it.
 *
 * Node processes what it is fed across a few event-loop turns (the native TLS engine hands its
 * output back through callbacks), so every operation feeds its input and then waits until the
 * engine has gone quiet: no new records and no new plaintext for {@link QUIET_TURNS} turns of
 * setImmediate. No I/O or timer is involved, so "quiet" is exact, not a guess about time.
 *
 * Protocol: TLS 1.2 only. Windows' CredSSP has negotiated TLS 1.2 for years, the trailer
 * arithmetic WinRM's framing needs is pinned down for its cipher suites (pywinrm only knows those),
 * and TLS 1.3's post-handshake messages (session tickets after the handshake) would interleave
 * with sealed bodies. The client does not verify the inner certificate: WinRM's CredSSP
 * certificate is self-signed, and MS-CSSP authenticates it through the public-key binding that the
 * inner NTLM exchange encrypts (see src/auth/credssp/binding.ts), as pyspnego does too.
 */
import { X509Certificate } from 'node:crypto';
import { Duplex } from 'node:stream';
import { type SecureContext, TLSSocket, connect, createSecureContext } from 'node:tls';
import type { CredSspTlsChannel } from '../auth/credssp/channel.js';
import { AuthError } from '../auth/errors.js';

/** Event-loop turns without progress after which the engine counts as quiet. */
const QUIET_TURNS = 3;
/** Upper bound on turns for one operation: a wedged engine fails instead of spinning forever. */
const MAX_TURNS = 10_000;
export const CREDSSP_TLS_VERSION = 'TLSv1.2' as const;

/** One end of an in-memory pipe: what is written to it is read from its peer. */
class PipeEnd extends Duplex {
  peer: PipeEnd | undefined;

  override _read(): void {
    // Data is pushed by the peer's writes; nothing to pull.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }
}

/**
 * Two connected in-memory duplex streams (Node 20 has no `stream.duplexPair`): bytes written to
 * one are read from the other.
 */
export function memoryDuplexPair(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** The server's certificate and key (PEM), or a context made once from them by {@link MemoryTlsChannel.serverContext}. */
export type CredSspTlsServerOptions = { cert: string; key: string } | { secureContext: SecureContext };

/** A TLS endpoint whose records go in and out as byte arrays. */
export class MemoryTlsChannel implements CredSspTlsChannel {
  readonly #tls: TLSSocket;
  readonly #wire: Duplex;
  #records: Buffer[] = [];
  #plain: Buffer[] = [];
  #progress = 0;
  #secure = false;
  #failure: Error | undefined;
  #ended = false;

  private constructor(tls: TLSSocket, wire: Duplex, inner: Duplex) {
    this.#tls = tls;
    this.#wire = wire;
    // TLS reports its failures itself (below); an error on the pipe end it runs over must not
    // become an uncaught exception that takes the whole process (serve) down.
    inner.on('error', (err: Error) => this.#fail(err));
    wire.on('data', (chunk: Buffer) => {
      this.#records.push(chunk);
      this.#progress++;
    });
    wire.on('error', (err: Error) => this.#fail(err));
    tls.on('data', (chunk: Buffer) => {
      this.#plain.push(chunk);
      this.#progress++;
    });
    tls.on('error', (err: Error) => this.#fail(err));
    // A TLSSocket made by hand (not by a tls.Server) reports record errors on the server side
    // only as '_tlsError' until a Server "releases control" of it; without this a tampered record
    // would vanish silently instead of failing the unwrap.
    tls.on('_tlsError', (err: Error) => this.#fail(err));
    tls.on('end', () => {
      this.#ended = true;
      this.#progress++;
    });
    tls.on('close', () => {
      this.#ended = true;
    });
    // A renegotiation would put handshake records among sealed bodies, where nobody carries them.
    tls.disableRenegotiation();
  }

  /** The initiator: sends ClientHello on the first {@link handshake}. */
  static client(): MemoryTlsChannel {
    const [inner, wire] = memoryDuplexPair();
    const tls = connect({
      socket: inner,
      minVersion: CREDSSP_TLS_VERSION,
      maxVersion: CREDSSP_TLS_VERSION,
      // MS-CSSP step 1: the inner certificate is authenticated by the public-key binding, not a CA.
      // (No `session` is passed: MS-CSSP does not support TLS resumption.)
      rejectUnauthorized: false,
    });
    const channel = new MemoryTlsChannel(tls, wire, inner);
    tls.once('secureConnect', () => channel.#markSecure());
    return channel;
  }

  /** A server context to share between connections (parsing the key once). */
  static serverContext(cert: string, key: string): SecureContext {
    return createSecureContext({ cert, key, minVersion: CREDSSP_TLS_VERSION, maxVersion: CREDSSP_TLS_VERSION });
  }

  /** The acceptor, serving the certificate of `options`. */
  static server(options: CredSspTlsServerOptions): MemoryTlsChannel {
    const [inner, wire] = memoryDuplexPair();
    const tls = new TLSSocket(inner, {
      isServer: true,
      secureContext: 'secureContext' in options ? options.secureContext : MemoryTlsChannel.serverContext(options.cert, options.key),
      requestCert: false,
      rejectUnauthorized: false,
    });
    const channel = new MemoryTlsChannel(tls, wire, inner);
    tls.once('secure', () => channel.#markSecure());
    return channel;
  }

  /** True once the TLS handshake finished. */
  get secure(): boolean {
    return this.#secure;
  }

  /** The OpenSSL name of the negotiated cipher suite (e.g. ECDHE-RSA-AES128-GCM-SHA256). */
  get cipherSuite(): string {
    return this.#tls.getCipher()?.name ?? '';
  }

  /** The negotiated protocol version (TLSv1.2). */
  get protocol(): string {
    return this.#tls.getProtocol() ?? '';
  }

  /** The DER of the peer's certificate (the client reads the server's); undefined before the handshake. */
  get peerCertificate(): Uint8Array | undefined {
    const cert = this.#tls.getPeerX509Certificate();
    return cert instanceof X509Certificate ? new Uint8Array(cert.raw) : undefined;
  }

  /**
   * Feeds the peer's handshake records (none for the client's first call) and returns what TLS
   * answers; `secure` tells whether the handshake finished.
   * @throws AuthError (ETSR_AUTH_REJECTED) when TLS refuses the peer's records.
   */
  async handshake(input?: Uint8Array): Promise<Uint8Array> {
    if (input !== undefined && input.length > 0) this.#wire.write(input);
    await this.#settle('the CredSSP TLS handshake', 'ETSR_AUTH_REJECTED');
    // Application data that rode along with the last handshake records stays for unwrap().
    return this.#takeRecords();
  }

  /**
   * Encrypts application data: returns the TLS records (one per 16 KiB of plaintext).
   * @throws AuthError (ETSR_AUTH_INTEGRITY) when the channel is broken.
   */
  async wrap(plaintext: Uint8Array): Promise<Uint8Array> {
    this.#usable('wrap', 'ETSR_AUTH_INTEGRITY');
    if (plaintext.length > 0) {
      await new Promise<void>((resolve, reject) => {
        this.#tls.write(plaintext, (err) => (err ? reject(err) : resolve()));
      }).catch((err: unknown) => {
        this.#fail(err instanceof Error ? err : new Error(String(err)));
      });
    }
    await this.#settle('CredSSP sealing', 'ETSR_AUTH_INTEGRITY');
    return this.#takeRecords();
  }

  /**
   * Decrypts records: returns all plaintext they carried.
   * @throws AuthError (ETSR_AUTH_INTEGRITY) when a record fails its integrity check (TLS then
   *   closes the channel for good).
   */
  async unwrap(records: Uint8Array): Promise<Uint8Array> {
    this.#usable('unwrap', 'ETSR_AUTH_INTEGRITY');
    if (records.length > 0) this.#wire.write(records);
    await this.#settle('CredSSP unsealing', 'ETSR_AUTH_INTEGRITY');
    const plain = Buffer.concat(this.#plain);
    this.#plain = [];
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  }

  /** Drops the engine (the connection it belonged to is gone or failed). */
  destroy(): void {
    this.#ended = true;
    this.#tls.destroy();
    this.#wire.destroy();
  }

  #markSecure(): void {
    this.#secure = true;
    this.#progress++;
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#progress++;
  }

  #takeRecords(): Uint8Array {
    const out = Buffer.concat(this.#records);
    this.#records = [];
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  #usable(action: string, code: 'ETSR_AUTH_INTEGRITY' | 'ETSR_AUTH_REJECTED'): void {
    if (this.#failure !== undefined) throw failed(`CredSSP ${action}`, this.#failure, code);
    if (!this.#secure) throw new AuthError(code, `CredSSP ${action}: the TLS handshake is not complete`);
    if (this.#ended) throw new AuthError(code, `CredSSP ${action}: the TLS channel was closed`);
  }

  /** Waits until TLS has processed everything it was given (see the file comment). */
  async #settle(what: string, code: 'ETSR_AUTH_INTEGRITY' | 'ETSR_AUTH_REJECTED'): Promise<void> {
    let seen = -1;
    let quiet = 0;
    for (let turn = 0; quiet < QUIET_TURNS; turn++) {
      if (turn >= MAX_TURNS) throw new AuthError(code, `${what}: the TLS engine did not settle`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#progress === seen) quiet++;
      else {
        seen = this.#progress;
        quiet = 0;
      }
    }
    if (this.#failure !== undefined) throw failed(what, this.#failure, code);
  }
}

function failed(what: string, err: Error, code: 'ETSR_AUTH_INTEGRITY' | 'ETSR_AUTH_REJECTED'): AuthError {
  const reason = (err as { code?: unknown }).code;
  return new AuthError(code, `${what} failed: ${typeof reason === 'string' ? reason : err.message}`, {
    cause: err,
    ...(code === 'ETSR_AUTH_INTEGRITY' ? { hint: 'a sealed message was altered or lost; reconnect and retry' } : {}),
  });
}
