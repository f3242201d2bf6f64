/**
 * Faults the server answers with. Handlers throw {@link ServerFault}; the dispatcher turns it into a
 * SOAP fault built by src/wsman (HTTP 500, as Windows answers every WS-Man fault).
 *
 * Texts and numbers come from wsman's FAULTS catalogue of real Windows faults; the server only
 * picks one and fills in the machine name (and, where Windows words a case differently, the message).
 */
import { TsrError } from '../errors.js';
import { FAULTS, type FaultSpec, type WSManRequest } from '../wsman/index.js';

/** Test hook: answer a request with this fault instead of handling it (undefined = handle it). */
export type FaultHook = (req: WSManRequest) => FaultSpec | undefined;

export type FaultName = keyof typeof FAULTS;

/** A WS-Man fault to send back; thrown inside the server, never escapes it. */
export class ServerFault extends TsrError {
  readonly spec: FaultSpec;
  readonly httpStatus: number;

  constructor(spec: FaultSpec, httpStatus = 500) {
    super('ETSR_SERVER', spec.message ?? spec.reason);
    this.name = 'ServerFault';
    this.spec = spec;
    this.httpStatus = httpStatus;
  }
}

/** The catalogue entry `name`, with f:Message replaced when `message` is given. */
export function faultSpec(name: FaultName, message?: string): FaultSpec {
  const base: FaultSpec = FAULTS[name];
  return message === undefined ? { ...base } : { ...base, message };
}

/** Shorthand: a ServerFault for catalogue entry `name`. */
export function fault(name: FaultName, message?: string, httpStatus?: number): ServerFault {
  return new ServerFault(faultSpec(name, message), httpStatus);
}
