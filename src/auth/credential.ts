/**
 * A user name and password that refuse to be printed.
 *
 * The password lives in a private field: `JSON.stringify`, `util.inspect`, `console.log`, template
 * strings and error formatting all see `***`. Code that truly needs the secret (an auth context
 * building its token) must call `revealPassword()`, which makes every use easy to find in review.
 */

const REDACTED = '***';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

export class Credential {
  /** The user name exactly as typed: `user`, `DOMAIN\user` or `user@REALM`. */
  readonly username: string;
  readonly #password: string;

  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
  }

  /** The password, for auth contexts only. Never log or embed the result in a message. */
  revealPassword(): string {
    return this.#password;
  }

  /** The NetBIOS domain of `DOMAIN\user`, or the realm of `user@REALM`; empty when neither. */
  get domain(): string {
    const slash = this.username.indexOf('\\');
    if (slash >= 0) return this.username.slice(0, slash);
    const at = this.username.lastIndexOf('@');
    return at >= 0 ? this.username.slice(at + 1) : '';
  }

  /** The user name without its domain or realm. */
  get user(): string {
    const slash = this.username.indexOf('\\');
    if (slash >= 0) return this.username.slice(slash + 1);
    const at = this.username.lastIndexOf('@');
    return at >= 0 ? this.username.slice(0, at) : this.username;
  }

  toJSON(): { username: string; password: string } {
    return { username: this.username, password: REDACTED };
  }

  toString(): string {
    return `Credential(${this.username}, ${REDACTED})`;
  }

  [inspectSymbol](): string {
    return `Credential { username: ${JSON.stringify(this.username)}, password: '${REDACTED}' }`;
  }
}
