/**
 * Namespace URIs, action URIs, resource URIs and option names of WS-Management as Windows speaks it.
 *
 * Sources: DMTF DSP0226 (WS-Management 1.x), WS-Addressing 2004/08, WS-Transfer / WS-Enumeration
 * 2004/09, MS-WSMV §2.2 (Microsoft extensions) and §3.1.4.x (WinRS shell operations). The prefixes
 * in the comments are the ones recorded Windows responses use (s, a, x, w, p, rsp, n, f).
 */

/** XML namespace URIs, keyed by the conventional prefix. */
export const NS = {
  /** SOAP 1.2 envelope (`s:`; OMI writes `SOAP-ENV:`). */
  s: 'http://www.w3.org/2003/05/soap-envelope',
  /** WS-Addressing 2004/08 (`a:` in Windows responses, `wsa:` in pypsrp requests). */
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  /** DMTF WS-Management (`w:` / `wsman:`). */
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  /** Microsoft WS-Management extensions, MS-WSMV §2.2.4 (`p:` / `wsmv:`). */
  wsmv: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  /** Alias of `wsmv` under the prefix Windows responses use. */
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  /** WinRS remote shell, MS-WSMV §2.2.4.x (`rsp:`). */
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  /** WS-Enumeration 2004/09 (`n:` / `wsen:`). */
  wsen: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  /** WS-Transfer 2004/09 (`x:` / `wst:`). */
  wst: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  /** Alias of `wst` under the prefix Windows responses use. */
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  /** WS-Eventing 2004/08 (`e:`), seen only in the ns declarations of config responses. */
  wse: 'http://schemas.xmlsoap.org/ws/2004/08/eventing',
  /** WS-Management identity, DSP0226 §11 (`wsmid:`). */
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  /** Microsoft's WSManFault detail element (`f:`), MS-WSMV §2.2.4.42. */
  wsmanfault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  /** DMTF CIM binding (`b:`). */
  wsmb: 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd',
  /** winrm/config resources (`cfg:`). */
  cfg: 'http://schemas.microsoft.com/wbem/wsman/1/config',
  /** The predefined `xml:` namespace (xml:lang). */
  xml: 'http://www.w3.org/XML/1998/namespace',
  /** XML Schema instance (`xsi:nil`). */
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  /** The `xmlns` attribute namespace (namespace declarations). */
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;

const TRANSFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer';
const ENUMERATION = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration';
const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';

/** wsa:Action URIs (DSP0226 §7, WS-Transfer, WS-Enumeration, MS-WSMV §3.1.4). */
export const ACTION = {
  Get: `${TRANSFER}/Get`,
  GetResponse: `${TRANSFER}/GetResponse`,
  Put: `${TRANSFER}/Put`,
  PutResponse: `${TRANSFER}/PutResponse`,
  Create: `${TRANSFER}/Create`,
  CreateResponse: `${TRANSFER}/CreateResponse`,
  Delete: `${TRANSFER}/Delete`,
  DeleteResponse: `${TRANSFER}/DeleteResponse`,
  Enumerate: `${ENUMERATION}/Enumerate`,
  EnumerateResponse: `${ENUMERATION}/EnumerateResponse`,
  Pull: `${ENUMERATION}/Pull`,
  PullResponse: `${ENUMERATION}/PullResponse`,
  Release: `${ENUMERATION}/Release`,
  ReleaseResponse: `${ENUMERATION}/ReleaseResponse`,
  Command: `${SHELL}/Command`,
  CommandResponse: `${SHELL}/CommandResponse`,
  Send: `${SHELL}/Send`,
  SendResponse: `${SHELL}/SendResponse`,
  Receive: `${SHELL}/Receive`,
  ReceiveResponse: `${SHELL}/ReceiveResponse`,
  Signal: `${SHELL}/Signal`,
  SignalResponse: `${SHELL}/SignalResponse`,
  Disconnect: `${SHELL}/Disconnect`,
  DisconnectResponse: `${SHELL}/DisconnectResponse`,
  Reconnect: `${SHELL}/Reconnect`,
  ReconnectResponse: `${SHELL}/ReconnectResponse`,
  Connect: `${SHELL}/Connect`,
  ConnectResponse: `${SHELL}/ConnectResponse`,
  /** WS-Addressing fault action (a:DestinationUnreachable, a:ActionNotSupported …). */
  AddressingFault: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault',
  /** WS-Management fault action (w:TimedOut, w:InvalidSelectors …), DSP0226 §14. */
  WSManFault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
  /** WS-Transfer fault action. */
  TransferFault: `${TRANSFER}/fault`,
  /** WS-Enumeration fault action. */
  EnumerationFault: `${ENUMERATION}/fault`,
} as const;

/** Resource URIs (MS-WSMV §2.2.4.x; MS-PSRP §3.1.5.1.1 for PowerShell). */
export const RESOURCE_URI = {
  /** The classic cmd.exe WinRS shell. */
  cmd: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd',
  /** The shell collection: Enumerate lists every shell of the user. */
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  /** The default PowerShell remoting configuration. */
  powershell: 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell',
  /** The WinRM service configuration (Get gives MaxEnvelopeSizekb, MaxTimeoutms …). */
  config: 'http://schemas.microsoft.com/wbem/wsman/1/config',
} as const;

/** The PowerShell resource URI for a configuration name (JEA endpoints have their own). */
export function powershellResourceUri(configName = 'Microsoft.PowerShell'): string {
  return `http://schemas.microsoft.com/powershell/${configName}`;
}

/** rsp:Signal codes, MS-WSMV §2.2.4.38. */
export const SIGNAL = {
  terminate: `${SHELL}/signal/terminate`,
  ctrl_c: `${SHELL}/signal/ctrl_c`,
  ctrl_break: `${SHELL}/signal/ctrl_break`,
  /** PSRP's stop-pipeline signal; "crtl" is Microsoft's spelling (MS-PSRP §3.1.5.3.8). */
  ps_ctrl_c: 'http://schemas.microsoft.com/powershell/signal/crtl_c',
} as const;

/** rsp:CommandState State URIs, MS-WSMV §2.2.4.7. */
export const COMMAND_STATE = {
  Done: `${SHELL}/CommandState/Done`,
  Pending: `${SHELL}/CommandState/Pending`,
  Running: `${SHELL}/CommandState/Running`,
} as const;

/** wsman:Option names that WinRS and PSRP understand (MS-WSMV §3.1.4.5, §3.1.4.11). */
export const OPTION = {
  WINRS_NOPROFILE: 'WINRS_NOPROFILE',
  WINRS_CODEPAGE: 'WINRS_CODEPAGE',
  WINRS_SKIP_CMD_SHELL: 'WINRS_SKIP_CMD_SHELL',
  WINRS_CONSOLEMODE_STDIN: 'WINRS_CONSOLEMODE_STDIN',
  WSMAN_CMDSHELL_OPTION_KEEPALIVE: 'WSMAN_CMDSHELL_OPTION_KEEPALIVE',
  /** PSRP's Create option carrying the client's protocol version (MS-PSRP §3.1.5.1.1). */
  protocolversion: 'protocolversion',
} as const;

/** The WS-Addressing anonymous reply address. */
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
/** Filter dialect for WQL enumeration. */
export const WQL_DIALECT = 'http://schemas.microsoft.com/wbem/wsman/1/WQL';
/** Filter dialect selecting instances by a SelectorSet (DSP0226 §8.3). */
export const SELECTOR_FILTER_DIALECT = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter';
