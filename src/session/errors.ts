/**
 * Session-level errors: what is left to say once the transport has done all it safely can.
 */
import { TsrError, type TsrCode, type TsrErrorOptions } from '../errors.js';

const OUTPUT_LOST: TsrCode = 'ETSR_OUTPUT_LOST';

/**
 * The response to a Receive was lost (connection reset, read timeout, a body cut short) and could
 * not be recovered, so some of the command's output may be missing. Raised instead of asking
 * again when the server has not shown robust-connection support (it never echoed an OperationID):
 * a plain second Receive would silently skip whatever the lost response carried.
 */
export class OutputLostError extends TsrError {
  constructor(detail: string, options: TsrErrorOptions = {}) {
    super(OUTPUT_LOST, `output may be incomplete: the response to a Receive was lost (${detail})`, {
      hint: 'run the command again; the server cannot resend lost output (it does not support robust connections)',
      ...options,
    });
    this.name = 'OutputLostError';
  }
}

/** A Command whose response was lost: it may or may not have started, so it is never sent twice. */
export class CommandLostError extends TsrError {
  constructor(detail: string, options: TsrErrorOptions = {}) {
    super('ETSR_CONNECT', `the response to the command request was lost (${detail}); the command was not sent again and may or may not have run`, {
      hint: 'check the remote side before running it again',
      ...options,
    });
    this.name = 'CommandLostError';
  }
}

/**
 * A Send (pipeline input) whose response was lost: the chunk may or may not have arrived, so it is
 * never sent twice and the pipeline is stopped.
 */
export class InputLostError extends TsrError {
  constructor(detail: string, options: TsrErrorOptions = {}) {
    super('ETSR_CONNECT', `the response to a send request was lost (${detail}); the input was not sent again and the pipeline was stopped`, {
      hint: 'run it again; input cannot be resent safely once it may have arrived',
      ...options,
    });
    this.name = 'InputLostError';
  }
}
