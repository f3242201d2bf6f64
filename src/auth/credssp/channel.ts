/**
 * What CredSSP needs of a TLS engine, and nothing of how it runs: TLS itself lives in the I/O
 * layer (src/transport/credssp-tls.ts runs node:tls over an in-memory pipe), the CredSSP logic
 * here only moves byte arrays through this interface.
 */
export interface CredSspTlsChannel {
  /** True once the TLS handshake finished. */
  readonly secure: boolean;
  /** The OpenSSL name of the negotiated cipher suite; WinRM's framing needs it for the trailer length. */
  readonly cipherSuite: string;
  /** The negotiated TLS version, e.g. `TLSv1.2`. */
  readonly protocol: string;
  /** The DER of the peer's certificate, once the handshake is done. */
  readonly peerCertificate: Uint8Array | undefined;
  /** Feeds handshake records from the peer (none on the client's first call); returns TLS's answer. */
  handshake(input?: Uint8Array): Promise<Uint8Array>;
  /** Encrypts application data into TLS records. */
  wrap(plaintext: Uint8Array): Promise<Uint8Array>;
  /**
   * Decrypts TLS records into application data.
   * @throws AuthError (ETSR_AUTH_INTEGRITY) when a record fails its integrity check.
   */
  unwrap(records: Uint8Array): Promise<Uint8Array>;
  destroy(): void;
}
