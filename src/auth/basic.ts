/**
 * HTTP Basic (RFC 7617): one token, `user:password` in UTF-8, sent with every request.
 *
 * WinRM accepts Basic only for local accounts and only when the service allows it
 * (`winrm set winrm/config/service/auth @{Basic="true"}`). It reveals the password to anyone who
 * can read the connection, so the transport allows it over HTTPS only unless the user opts in.
 */
import type { AuthContext } from './context.js';
import type { Credential } from './credential.js';

export class BasicAuthContext implements AuthContext {
  readonly scheme = 'Basic';
  readonly encrypts = false;
  readonly revealsSecret = true;
  readonly everyRequest = true;
  readonly #credential: Credential;
  #complete = false;

  constructor(credential: Credential) {
    this.#credential = credential;
  }

  get complete(): boolean {
    return this.#complete;
  }

  /** Returns the UTF-8 bytes of `user:password` (RFC 7617 section 2.1, charset="UTF-8"). */
  step(): Uint8Array {
    this.#complete = true;
    return new TextEncoder().encode(`${this.#credential.username}:${this.#credential.revealPassword()}`);
  }
}
