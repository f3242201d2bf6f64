/** WS-Man faults: recorded ones read into WSManFault field by field; ours written like Windows'. */
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../helpers/fixtures.js';
import { diffXml } from '../helpers/xml-compare.js';
import { fixtureText, IRONPOSH, MASTERZEN, pypsrp, WINRB, winrmsharp } from './corpus.js';
import { TsrError } from '../../src/errors.js';
import {
  ACTION,
  FAULTS,
  NS,
  WSManFault,
  buildFault,
  parseFault,
  parseResponse,
  parseXml,
  type XmlElement,
} from '../../src/wsman/index.js';

function faultOf(xml: string): WSManFault {
  try {
    parseResponse(xml);
  } catch (err) {
    expect(err).toBeInstanceOf(WSManFault);
    return err as WSManFault;
  }
  throw new Error('expected a WSManFault');
}

const fields = (f: WSManFault) => ({
  soapCode: f.soapCode,
  subcode: f.subcode,
  subcodeNs: f.subcodeNs,
  wsmanFaultCode: f.wsmanFaultCode,
  machine: f.machine,
  reason: f.reason,
  faultMessage: f.faultMessage,
});

const TIMED_OUT = 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.';

describeFixtures('recorded faults', (dir) => {
  it('pypsrp test_winrs_operation_timeout: w:TimedOut is an operation timeout, not an error', () => {
    const msg = pypsrp(dir, 'test_winrs_operation_timeout.yml').find((m) => m.response.includes('TimedOut'))!;
    const f = faultOf(msg.response);
    expect(fields(f)).toEqual({
      soapCode: 's:Receiver',
      subcode: 'TimedOut',
      subcodeNs: NS.wsman,
      wsmanFaultCode: 2150858793,
      machine: '192.168.56.11',
      reason: TIMED_OUT,
      faultMessage: TIMED_OUT,
    });
    expect(f.isOperationTimeout).toBe(true);
    expect(f.code).toBe('ETSR_WSMAN_FAULT');
    expect(f).toBeInstanceOf(TsrError);
    expect(f.action).toBe(ACTION.WSManFault);
    expect(f.relatesTo).toMatch(/^uuid:/);
    expect(f.hint).toMatch(/OperationTimeout/);
  });

  it('winrmsharp ProtocolRunCommandExceedingOperationTimeout: the HTTP 500 TimedOut, via parseFault too', () => {
    const ex = winrmsharp(dir, 'ProtocolRunCommandExceedingOperationTimeout.yml').find((x) => x.status === 500)!;
    const f = parseFault(ex.response)!;
    expect(f).toBeInstanceOf(WSManFault);
    expect([f.subcode, f.wsmanFaultCode, f.machine, f.isOperationTimeout]).toEqual(['TimedOut', 2150858793, 'windows-host', true]);
    expect(f.reason).toBe(TIMED_OUT);
  });

  it('pypsrp test_winrs_bad_cmd_id: w:InvalidSelectors with the WinRS message and hint', () => {
    const msg = pypsrp(dir, 'test_winrs_bad_cmd_id.yml').find((m) => m.response.includes('InvalidSelectors'))!;
    const f = faultOf(msg.response);
    expect(fields(f)).toEqual({
      soapCode: 's:Sender',
      subcode: 'InvalidSelectors',
      subcodeNs: NS.wsman,
      wsmanFaultCode: 2150858843,
      machine: '192.168.56.15',
      reason:
        'The WS-Management service cannot process the request because the request contained invalid selectors for the resource.',
      faultMessage:
        'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier.',
    });
    expect(f.faultDetail).toBe('http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors');
    expect(f.hint).toBe('the shell or command no longer exists (it may have idled out or been closed)');
    expect(f.isOperationTimeout).toBe(false);
  });

  it('pypsrp test_psrp_is_alive_invalid_selectors: nested ProviderFault/WSManFault flattened', () => {
    const msg = pypsrp(dir, 'test_psrp_is_alive_invalid_selectors.yml').find((m) => m.response.includes('InvalidSelectors'))!;
    const f = faultOf(msg.response);
    expect(f.faultMessage).toBe(
      'The WS-Management service cannot process the request because the request contained invalid selectors for the resource.',
    );
    expect(f.provider).toBe('Shell provider');
  });

  it('masterzen executeCommandResponseWithError: w:InternalError from winrscmd.dll', () => {
    const f = faultOf(fixtureText(dir, MASTERZEN, 'executeCommandResponseWithError.xml'));
    expect(fields(f)).toEqual({
      soapCode: 's:Receiver',
      subcode: 'InternalError',
      subcodeNs: NS.wsman,
      wsmanFaultCode: 2147942606,
      machine: '52.12.219.136',
      reason: 'The filename or extension is too long.',
      faultMessage: 'The filename or extension is too long.',
    });
    expect(f.provider).toBe('Shell cmd plugin');
    expect(f.message).toBe('The filename or extension is too long. (InternalError 2147942606)');
  });

  it('winrb soap_fault_v1/v2: n:CannotProcessFilter (enumeration namespace), WMI details left out', () => {
    const v1 = faultOf(fixtureText(dir, WINRB, 'soap_fault_v1.xml'));
    expect(fields(v1)).toEqual({
      soapCode: 's:Sender',
      subcode: 'CannotProcessFilter',
      subcodeNs: NS.wsen,
      wsmanFaultCode: 2150858778,
      machine: undefined,
      reason:
        'The data source could not process the filter. The filter might be missing or it might be invalid. Change the filter and try the request again.',
      faultMessage: 'The specified class does not exist in the given namespace.',
    });
    expect(v1.action).toBe(ACTION.EnumerationFault);
    expect(v1.provider).toBe('WMIv1 plugin for Windows Remote Management');
    const v2 = faultOf(fixtureText(dir, WINRB, 'soap_fault_v2.xml'));
    expect([v2.subcode, v2.wsmanFaultCode, v2.machine, v2.faultMessage, v2.provider]).toEqual([
      'CannotProcessFilter',
      2150858778,
      'localhost',
      'The specified class does not exist in the given namespace.',
      'WMI Provider',
    ]);
    expect(v2.hint).toMatch(/filter/);
  });

  it('winrb wmi_error_v2: w:QuotaLimit from an MSFT_WmiError detail, with the MaxShellsPerUser hint', () => {
    const f = faultOf(fixtureText(dir, WINRB, 'wmi_error_v2.xml'));
    expect(fields(f)).toEqual({
      soapCode: 's:Sender',
      subcode: 'QuotaLimit',
      subcodeNs: NS.wsman,
      wsmanFaultCode: 2150859173,
      machine: undefined,
      reason:
        'The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.',
      faultMessage:
        'The WS-Management service cannot process the request. This user is allowed a maximum number of 30 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user.',
    });
    expect(f.hint).toBe('too many shells open for this user (MaxShellsPerUser); close some or wait for them to idle out');
  });

  it('ironposh error_response: w:SchemaValidationError with whitespace-padded text', () => {
    const f = faultOf(fixtureText(dir, IRONPOSH, 'error_response.xml'));
    expect(fields(f)).toEqual({
      soapCode: 's:Sender',
      subcode: 'SchemaValidationError',
      subcodeNs: NS.wsman,
      wsmanFaultCode: 2150858817,
      machine: 'IT-HELP-DC.ad.it-help.ninja',
      reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry.',
      faultMessage:
        'The Windows Remote Shell cannot process the request. The SOAP packet contains an element Receive that is invalid. Retry the request with the correct XML element.',
    });
    expect(f.relatesTo).toBe('uuid:bead0162-a67d-424d-9e22-4a18b6aefea8');
    expect(f.action).toBe(ACTION.WSManFault);
  });

  it('winrb soap_fault_omi: OMI SOAP-ENV prefix, wsman:InternalError, no Detail', () => {
    const f = faultOf(fixtureText(dir, WINRB, 'soap_fault_omi.xml'));
    expect(fields(f)).toEqual({
      soapCode: 's:Receiver',
      subcode: 'InternalError',
      subcodeNs: NS.wsman,
      wsmanFaultCode: undefined,
      machine: undefined,
      reason: 'get-instance: instance name parameter is missing',
      faultMessage: 'get-instance: instance name parameter is missing',
    });
  });

  it('parseFault returns null for non-faults and non-XML', () => {
    expect(parseFault(pypsrp(dir, 'test_winrs_standard.yml')[0]!.response)).toBeNull();
    expect(parseFault('<html><body>500 Internal Server Error</body></html>')).toBeNull();
    expect(parseFault('not xml')).toBeNull();
    expect(parseFault('')).toBeNull();
  });
});

/** Skip the ids and addressing values that legitimately differ between two faults of one kind. */
const ignoreIds = {
  skip: (e: XmlElement) => e.local === 'MessageID' || e.local === 'RelatesTo' || e.local === 'ActivityId',
  ignoreAttr: (e: XmlElement, a: { local: string }) => e.local === 'WSManFault' && a.local === 'Machine',
};

describeFixtures('buildFault matches recorded Windows faults structurally', (dir) => {
  const cases: [string, string, keyof typeof FAULTS][] = [
    ['test_winrs_operation_timeout.yml', 'TimedOut', 'operationTimeout'],
    ['test_winrs_bad_cmd_id.yml', 'InvalidSelectors', 'invalidCommandId'],
    ['test_psrp_is_alive_invalid_selectors.yml', 'InvalidSelectors', 'invalidShellId'],
    ['test_psrp_is_alive_other_wsman_error.yml', 'InvalidMessageInformationHeader', 'invalidHeader'],
    ['test_winrs_no_cmd_shell.yml', 'InternalError', 'fileNotFound'],
    ['test_winrs_fail_poll_process.yml', 'InvalidParameter', 'invalidParameter'],
  ];
  it.each(cases)('%s (%s) == FAULTS.%s', (file, marker, key) => {
    const recorded = pypsrp(dir, file).find((m) => m.response.includes(marker))!.response;
    // The header-invalid fault names the offending value in its message; say the same.
    const badTimeout = 'The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: PT-1S. ';
    const spec = key === 'invalidHeader' ? { ...FAULTS[key], message: badTimeout } : FAULTS[key];
    const ours = buildFault('uuid:00000000-0000-0000-0000-000000000000', spec);
    expect(diffXml(parseXml(ours), parseXml(recorded), ignoreIds)).toEqual([]);
  });

  it('ironposh SchemaValidationError', () => {
    const spec = {
      ...FAULTS.schemaValidation,
      message:
        'The Windows Remote Shell cannot process the request. The SOAP packet contains an element Receive that is invalid. Retry the request with the correct XML element. ',
    };
    const recorded = parseXml(fixtureText(dir, IRONPOSH, 'error_response.xml'));
    const skipExtra = { ...ignoreIds, skip: (e: XmlElement) => ignoreIds.skip(e) || e.local === 'OperationID' || e.local === 'SequenceId' };
    expect(diffXml(parseXml(buildFault('uuid:1', spec)), recorded, skipExtra)).toEqual([]);
  });
});

describe('buildFault', () => {
  it('round-trips every catalogue entry through parseResponse', () => {
    for (const [key, spec] of Object.entries(FAULTS)) {
      const f = faultOf(buildFault('uuid:ABC', { ...spec, machine: 'srv1' }));
      expect([key, f.soapCode, f.subcode, f.subcodeNs ?? NS.wsman, f.wsmanFaultCode, f.machine, f.relatesTo]).toEqual([
        key,
        spec.soapCode,
        spec.subcode,
        'subcodeNs' in spec ? spec.subcodeNs : NS.wsman,
        spec.wsmanFaultCode,
        'srv1',
        'uuid:ABC',
      ]);
      expect(f.reason).toBe(spec.reason.trim().replace(/\s+/g, ' '));
      expect(f.action).toBe('action' in spec ? spec.action : ACTION.WSManFault);
    }
  });

  it('escapes hostile text and accepts a missing RelatesTo', () => {
    const f = faultOf(buildFault(undefined, { soapCode: 's:Sender', subcode: 'x:Odd', subcodeNs: 'urn:odd', reason: '<&>"\'' }));
    expect([f.subcode, f.subcodeNs, f.reason, f.relatesTo, f.wsmanFaultCode]).toEqual(['Odd', 'urn:odd', `<&>"'`, undefined, undefined]);
  });

  it('WSManFault hints come from the subcode or the fault number', () => {
    const hint = (subcode: string, code?: number) => new WSManFault({ soapCode: 's:Sender', subcode, reason: 'r', wsmanFaultCode: code }).hint;
    expect(hint('AccessDenied')).toMatch(/rights/);
    expect(hint('Whatever', 5)).toMatch(/rights/);
    expect(hint('Whatever', 2150859173)).toMatch(/MaxShellsPerUser/);
    expect(hint('Whatever')).toBeUndefined();
    expect(new WSManFault({ soapCode: 's:Receiver', subcode: 'w:TimedOut', reason: 'r' }).isOperationTimeout).toBe(true);
    expect(new WSManFault({ soapCode: 's:Receiver', subcode: 'TimedOut', subcodeNs: NS.wsen, reason: 'r' }).isOperationTimeout).toBe(false);
  });
});
