/** Errors raised while reading or writing CLIXML (MS-PSRP §2.2.5). */
import { TsrError, type TsrCode, type TsrErrorOptions } from '../../errors.js';

/**
 * The peer sent CLIXML we cannot accept: not well-formed XML (`ETSR_XML_MALFORMED`), an element or
 * value MS-PSRP §2.2.5 does not allow (`ETSR_PSRP_PROTOCOL`), or input past a configured limit
 * (`ETSR_XML_LIMIT`). `path` names where in the document it went wrong, e.g. `Obj/MS/I32[N=Id]`.
 */
export class ClixmlError extends TsrError {
  readonly path: string | undefined;

  constructor(code: TsrCode, message: string, options: TsrErrorOptions & { path?: string } = {}) {
    super(code, options.path ? `${message} (at ${options.path})` : message, options);
    this.name = 'ClixmlError';
    this.path = options.path;
  }
}
