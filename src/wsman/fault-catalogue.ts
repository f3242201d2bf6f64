/**
 * The faults a Windows WinRM service sends, with their exact texts and numbers, for our loopback
 * server to send the same. Windows ends most texts with a space (two after "OperationTimeout."):
 * kept verbatim. Each entry says where it was recorded; numbers not seen in a recording come from
 * the WSMan error table in winerror.h (ERROR_WSMAN_*, 0x8033xxxx) and MS-WSMV §2.2.4.42.
 *
 * `machine` is left out: the server fills in its own name.
 */
import { ACTION, NS } from './namespaces.js';
import type { FaultSpec } from './fault.js';

const TIMED_OUT_TEXT = 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ';
const INVALID_SELECTORS_TEXT =
  'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ';

/** Fault specs keyed by a short name. Spread and override `message`/`machine` as needed. */
export const FAULTS = {
  /** pypsrp test_winrs_operation_timeout.yml, winrmsharp ProtocolRunCommandExceedingOperationTimeout.yml (0x80338029). */
  operationTimeout: {
    soapCode: 's:Receiver',
    subcode: 'TimedOut',
    reason: TIMED_OUT_TEXT,
    wsmanFaultCode: 2150858793,
    message: TIMED_OUT_TEXT,
  },
  /** pypsrp test_winrs_bad_cmd_id.yml: a CommandId that does not exist (0x8033805B). */
  invalidCommandId: {
    soapCode: 's:Sender',
    subcode: 'InvalidSelectors',
    reason: INVALID_SELECTORS_TEXT,
    wsmanFaultCode: 2150858843,
    faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
    message:
      'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. ',
  },
  /** pypsrp test_psrp_is_alive_invalid_selectors.yml: a ShellId that does not exist. */
  invalidShellId: {
    soapCode: 's:Sender',
    subcode: 'InvalidSelectors',
    reason: INVALID_SELECTORS_TEXT,
    wsmanFaultCode: 2150858843,
    faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
    message: INVALID_SELECTORS_TEXT,
    provider: { name: 'Shell provider', path: '%systemroot%\\system32\\WsmSvc.dll', nested: true },
  },
  /** winrb wmi_error_v2.xml: MaxShellsPerUser exceeded (HRESULT 0x803381A5). */
  quotaLimit: {
    soapCode: 's:Sender',
    subcode: 'QuotaLimit',
    reason:
      'The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ',
    wsmanFaultCode: 2150859173,
    message:
      'The WS-Management service cannot process the request. This user is allowed a maximum number of 30 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. ',
  },
  /** DSP0226 §14.6 wsman:AccessDenied; Windows reports Win32 ERROR_ACCESS_DENIED (5). */
  accessDenied: {
    soapCode: 's:Sender',
    subcode: 'AccessDenied',
    reason: 'Access is denied. ',
    wsmanFaultCode: 5,
    message: 'Access is denied. ',
  },
  /** WS-Addressing ActionNotSupported (ERROR_WSMAN_ACTION_NOT_SUPPORTED 0x80338013). */
  actionNotSupported: {
    soapCode: 's:Sender',
    subcode: 'ActionNotSupported',
    subcodeNs: NS.wsa,
    action: ACTION.AddressingFault,
    reason: 'The WS-Management service does not support the specified action. ',
    wsmanFaultCode: 2150858771,
    message: 'The WS-Management service does not support the action specified in the request. ',
  },
  /** WS-Addressing DestinationUnreachable for an unknown resource (ERROR_WSMAN_RESOURCE_NOT_FOUND 0x80338000). */
  destinationUnreachable: {
    soapCode: 's:Sender',
    subcode: 'DestinationUnreachable',
    subcodeNs: NS.wsa,
    action: ACTION.AddressingFault,
    reason:
      'The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ',
    wsmanFaultCode: 2150858752,
    message:
      'The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ',
  },
  /** pypsrp test_psrp_is_alive_other_wsman_error.yml: a bad OperationTimeout header (PT-1S) (0x8033800F). */
  invalidHeader: {
    soapCode: 's:Sender',
    subcode: 'InvalidMessageInformationHeader',
    subcodeNs: NS.wsa,
    action: ACTION.AddressingFault,
    reason: 'The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ',
    wsmanFaultCode: 2150858767,
    message: 'The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ',
  },
  /** ironposh error_response.xml (0x80338041); the message names the offending element. */
  schemaValidation: {
    soapCode: 's:Sender',
    subcode: 'SchemaValidationError',
    reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
    wsmanFaultCode: 2150858817,
    message: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
  },
  /** pypsrp test_winrs_no_cmd_shell.yml: the command could not be started (Win32 2 as HRESULT 0x80070002). */
  fileNotFound: {
    soapCode: 's:Receiver',
    subcode: 'InternalError',
    reason: 'The system cannot find the file specified. ',
    wsmanFaultCode: 2147942402,
    message: 'The system cannot find the file specified. ',
    provider: { name: 'Shell cmd plugin', path: '%systemroot%\\system32\\winrscmd.dll' },
  },
  /** A generic internal error (masterzen executeCommandResponseWithError shape; the code is E_FAIL). */
  internalError: {
    soapCode: 's:Receiver',
    subcode: 'InternalError',
    reason: 'The service cannot comply with the request due to internal processing errors. ',
    wsmanFaultCode: 2147500037,
    message: 'The service cannot comply with the request due to internal processing errors. ',
  },
  /** pypsrp test_winrs_fail_poll_process.yml: w:InvalidParameter from the cmd plugin (Win32 87). */
  invalidParameter: {
    soapCode: 's:Sender',
    subcode: 'InvalidParameter',
    reason: 'The parameter is incorrect. ',
    wsmanFaultCode: 87,
    faultDetail: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue',
    message: 'The parameter is incorrect. ',
    provider: { name: 'Shell cmd plugin', path: '%systemroot%\\system32\\winrscmd.dll' },
  },
  /**
   * A request over MaxEnvelopeSizekb. Windows answers it with HTTP 413 (ansible.windows#391); the
   * HRESULT its clients report is 0x80338111 (ERROR_WSMAN_QUOTA_MAX_ENVELOPE_SIZE). No recording.
   */
  encodingLimit: {
    soapCode: 's:Sender',
    subcode: 'EncodingLimit',
    reason:
      'The WS-Management service cannot process the request because the request size exceeded the configured MaxEnvelopeSize quota. ',
    wsmanFaultCode: 2150859025,
    message:
      'The WS-Management service cannot process the request because the request size exceeded the configured MaxEnvelopeSize quota. ',
  },
  /** WS-Enumeration InvalidEnumerationContext: Pull/Release of an unknown or finished enumeration (0x8033801B). */
  invalidEnumerationContext: {
    soapCode: 's:Receiver',
    subcode: 'InvalidEnumerationContext',
    subcodeNs: NS.wsen,
    action: ACTION.EnumerationFault,
    reason:
      'The WS-Enumeration context in the enumeration is not valid. Enumeration may have been completed or canceled. You cannot use this enumeration context anymore. Start a new enumeration. ',
    wsmanFaultCode: 2150858779,
    message:
      'The WS-Enumeration context in the enumeration is not valid. Enumeration may have been completed or canceled. You cannot use this enumeration context anymore. Start a new enumeration. ',
  },
} as const satisfies Record<string, FaultSpec>;
