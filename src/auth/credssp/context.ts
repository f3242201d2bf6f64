/**
 * `--auth credssp`: the AuthContext the transport drives. Each `step` moves TLS records: first the
 * TLS handshake, then the TSRequests of {@link CredSspClient} inside the TLS channel.
 * ```
 *   step()             -> ClientHello
 *   step(ServerHello…) -> ClientKeyExchange, ChangeCipherSpec, Finished
 *   step(Finished)     -> TLS[TSRequest NEGOTIATE]
 *   step(TLS[CHALLENGE])          -> TLS[TSRequest AUTHENTICATE + pubKeyAuth + clientNonce]
 *   step(TLS[server pubKeyAuth])  -> TLS[TSRequest authInfo]                  complete = true
 * ```
 * Afterwards the same TLS channel seals WinRM bodies (MS-WSMV 2.2.9.1.3): `wrap` returns the TLS
 * record split where Windows counts its trailer, so the framing declares the length Windows
 * expects. The TLS engine is injected (src/transport/credssp-tls.ts), keeping this file free of I/O.
 *
 * CredSSP hands the user's password to the server (that is what it is for: the server can then
 * reach further machines as the user, the "second hop"). Use it only with servers you trust.
 */
import { InvalidArgumentError } from '../../errors.js';
import { concatBytes } from '../../util/bytes.js';
import { CREDSSP_ENCRYPTED_PROTOCOL, type AuthContext, type SealedMessage } from '../context.js';
import type { Credential } from '../credential.js';
import { AuthError } from '../errors.js';
import { subjectPublicKey, tlsTrailerLength } from './binding.js';
import type { CredSspTlsChannel } from './channel.js';
import { CredSspClient, type CredSspClientOptions } from './client.js';

export { CREDSSP_ENCRYPTED_PROTOCOL };

export interface CredSspContextOptions extends CredSspClientOptions {
  /** Makes the TLS engine, once per context (per connection). */
  tls: () => CredSspTlsChannel | Promise<CredSspTlsChannel>;
}

export class CredSspClientContext implements AuthContext {
  readonly scheme = 'CredSSP';
  readonly encrypts = true;
  /** The password goes to the server, but only inside TLS and sealed by NTLM: nothing reusable on the wire. */
  readonly revealsSecret = false;
  readonly everyRequest = false;
  /** authInfo goes with an empty body, the first sealed request after it, as pywinrm and pypsrp send them. */
  readonly emptyLastLeg = true;
  readonly encryptionProtocol = CREDSSP_ENCRYPTED_PROTOCOL;
  readonly #options: CredSspContextOptions;
  readonly #client: CredSspClient;
  #channel: CredSspTlsChannel | undefined;
  #publicKey: Uint8Array | undefined;

  constructor(credential: Credential, options: CredSspContextOptions) {
    this.#options = options;
    this.#client = new CredSspClient(credential, options);
  }

  get complete(): boolean {
    return this.#client.complete;
  }

  /**
   * @throws AuthError (ETSR_AUTH_REJECTED) when TLS fails, the server refuses, or its public-key
   *   binding does not match (see CredSspClient.next).
   */
  async step(inToken?: Uint8Array): Promise<Uint8Array | null> {
    if (this.#client.complete) throw new InvalidArgumentError('CredSSP step: the handshake is already complete');
    if (this.#channel === undefined) {
      if (inToken !== undefined) throw new InvalidArgumentError('CredSSP step: the first call takes no token');
      this.#channel = await this.#options.tls();
      return this.#channel.handshake();
    }
    const channel = this.#channel;
    if (inToken === undefined) throw new InvalidArgumentError('CredSSP step: expected the server token');
    if (!channel.secure) {
      const records = await channel.handshake(inToken);
      if (!channel.secure && records.length === 0) {
        throw new AuthError('ETSR_AUTH_REJECTED', 'CredSSP: the server sent incomplete TLS handshake records', {
          hint: 'is this a WinRM listener with CredSSP enabled? check the URL and the port',
        });
      }
      if (!channel.secure) return records;
      const certificate = channel.peerCertificate;
      if (certificate === undefined) throw new InvalidArgumentError('CredSSP: TLS finished without a server certificate');
      this.#publicKey = subjectPublicKey(certificate);
      const first = await channel.wrap(this.#client.start());
      return concatBytes([records, first]);
    }
    const reply = this.#client.next(await channel.unwrap(inToken), this.#publicKey ?? new Uint8Array(0));
    return channel.wrap(reply);
  }

  /** Seals a body: one TLS record (per 16 KiB), split at Windows' trailer length. */
  async wrap(data: Uint8Array): Promise<SealedMessage> {
    const channel = this.#sealing('wrap');
    const record = await channel.wrap(data);
    const trailer = Math.min(tlsTrailerLength(channel.protocol, channel.cipherSuite, data.length), record.length);
    return { header: record.subarray(0, trailer), data: record.subarray(trailer) };
  }

  /** @throws AuthError (ETSR_AUTH_INTEGRITY) when a record fails TLS's integrity check. */
  async unwrap(header: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    return this.#sealing('unwrap').unwrap(concatBytes([header, data]));
  }

  #sealing(action: string): CredSspTlsChannel {
    if (!this.#client.complete || this.#channel === undefined) throw new InvalidArgumentError(`CredSSP ${action}: the handshake is not complete`);
    return this.#channel;
  }
}
