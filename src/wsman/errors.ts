/**
 * Errors of the WS-Management layer other than SOAP faults (those are WSManFault, in fault.ts).
 */
import { TsrError, type TsrErrorOptions } from '../errors.js';

/** The bytes are not well-formed XML, or hit one of the parser's limits (size, depth, count). */
export class XmlParseError extends TsrError {
  constructor(code: 'ETSR_XML_MALFORMED' | 'ETSR_XML_LIMIT', message: string, options: TsrErrorOptions = {}) {
    super(code, message, options);
    this.name = 'XmlParseError';
  }
}

/** Well-formed XML that is not the WS-Management message we expected (no Envelope, no Action …). */
export class WSManProtocolError extends TsrError {
  constructor(message: string, options: TsrErrorOptions = {}) {
    super('ETSR_WSMAN_PROTOCOL', message, options);
    this.name = 'WSManProtocolError';
  }
}
