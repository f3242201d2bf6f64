/**
 * Errors of the PSRP layer.
 *
 * Two families, kept apart the way h11 keeps LocalProtocolError and RemoteProtocolError apart:
 * - {@link PsrpProtocolError}: the peer sent something we cannot accept (a malformed fragment, a
 *   message over our size limit, an unknown message type). The object that saw it is broken for good.
 * - {@link InvalidStateError}: our own caller asked for something the current state forbids.
 */
import { TsrError, type TsrErrorOptions } from '../errors.js';

/** The peer broke MS-PSRP: malformed or oversized input, or a message out of place. */
export class PsrpProtocolError extends TsrError {
  constructor(message: string, options: TsrErrorOptions = {}) {
    super('ETSR_PSRP_PROTOCOL', message, options);
    this.name = 'PsrpProtocolError';
  }
}

export interface InvalidStateDetails {
  /** What the caller tried to do, e.g. 'invoke pipeline'. */
  action: string;
  /** The state the object is in now. */
  current: string;
  /** The states in which the action is allowed. */
  allowed: readonly string[];
}

/**
 * Local misuse: the action is not allowed in the object's current state.
 * The message names the action, the current state and the allowed states.
 */
export class InvalidStateError extends TsrError {
  readonly action: string;
  readonly current: string;
  readonly allowed: readonly string[];

  constructor(details: InvalidStateDetails, options: TsrErrorOptions = {}) {
    const allowed = details.allowed.length > 0 ? details.allowed.join(', ') : '(none)';
    super(
      'ETSR_PSRP_STATE',
      `cannot ${details.action}: state is ${details.current}, expected one of: ${allowed}`,
      options,
    );
    this.name = 'InvalidStateError';
    this.action = details.action;
    this.current = details.current;
    this.allowed = details.allowed;
  }
}
