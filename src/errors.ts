/**
 * The root of every error tsremote raises on purpose.
 *
 * Each layer has its own small family (wsman: WSManFault, transport: ConnectError …), all of them
 * TsrError, so the CLI can print one line per host — `host: message; hint: …` — and match on `code`.
 * Any other exception escaping a layer is a bug.
 */
export type TsrCode =
  // local misuse and bad options
  | 'ETSR_INVALID_ARGUMENT'
  | 'ETSR_INSECURE'
  // XML and WS-Management
  | 'ETSR_XML_MALFORMED'
  | 'ETSR_XML_LIMIT'
  | 'ETSR_WSMAN_FAULT'
  | 'ETSR_WSMAN_PROTOCOL'
  // transport
  | 'ETSR_CONNECT'
  | 'ETSR_TIMEOUT'
  | 'ETSR_TLS'
  | 'ETSR_HTTP_STATUS'
  | 'ETSR_ABORTED'
  | 'ETSR_RESPONSE_TOO_LARGE'
  // authentication
  | 'ETSR_AUTH_REJECTED'
  | 'ETSR_AUTH_UNSUPPORTED'
  | 'ETSR_CREDENTIALS'
  | 'ETSR_AUTH_INTEGRITY'
  // configuration files
  | 'ETSR_CONFIG'
  // PSRP
  | 'ETSR_PSRP_STATE'
  | 'ETSR_PSRP_PROTOCOL'
  // server side
  | 'ETSR_SERVER'
  // file copy: a remote step failed; a SHA-256 did not match
  | 'ETSR_COPY_FAILED'
  | 'ETSR_COPY_INTEGRITY'
  | 'ETSR_COPY_UNSAFE'
  | 'ETSR_OUTPUT_LOST';

export interface TsrErrorOptions {
  /** The host this error concerns, as the user named it. */
  host?: string;
  /** A sentence that tells the user what to try. */
  hint?: string;
  cause?: unknown;
}

export class TsrError extends Error {
  readonly code: TsrCode;
  host: string | undefined;
  readonly hint: string | undefined;

  constructor(code: TsrCode, message: string, options: TsrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TsrError';
    this.code = code;
    this.host = options.host;
    this.hint = options.hint;
  }

  /** Fills in the host when a lower layer did not know it. */
  withHost(host: string): this {
    if (this.host === undefined) this.host = host;
    return this;
  }
}

/** A caller passed something that cannot work (a bad option, a misused API). */
export class InvalidArgumentError extends TsrError {
  constructor(message: string, options: TsrErrorOptions = {}) {
    super('ETSR_INVALID_ARGUMENT', message, options);
    this.name = 'InvalidArgumentError';
  }
}

export function isTsrError(err: unknown): err is TsrError {
  return err instanceof TsrError;
}
