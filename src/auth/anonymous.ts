/**
 * No authentication, for the one operation that allows it: an unauthenticated Identify
 * (Test-WSMan without -Authentication; WSManFlagUseNoAuthentication). It carries no secret, so it
 * may go over plain HTTP; the transport marks such requests with `WSMANIDENTIFY: unauthenticated`,
 * the header Windows looks for before answering an Identify without a logon.
 */
import type { AuthContext } from './context.js';

export class AnonymousAuthContext implements AuthContext {
  readonly scheme = 'Anonymous';
  readonly complete = true;
  readonly encrypts = false;
  readonly revealsSecret = false;
  readonly everyRequest = false;

  step(): null {
    return null;
  }
}
