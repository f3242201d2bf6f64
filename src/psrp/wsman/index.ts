/**
 * The WinRM binding of PSRP (MS-PSRP §3.1.5.3), sans-IO: PsrpShell maps a client RunspacePool and
 * its pipelines onto WS-Man Create / Command / Send / Receive / Signal / Delete / Disconnect /
 * Reconnect / Connect requests and feeds the responses back. See docs/psrp.md for the table.
 */
export {
  PsrpShell, type PsrpShellOptions, type PsrpRequest, type PsrpRequestKind, type PsrpResponseInfo,
} from './shell.js';
export {
  DEFAULT_CONFIGURATION_NAME, configurationResourceUri, type PsrpCreateOptions,
  psrpCreate, psrpCommand, psrpSend, psrpReceive, psrpSignal, psrpDelete, psrpDisconnect, psrpReconnect, psrpConnect,
  psrpConnectCommand, configGet, shellGet,
} from './requests.js';
export { readConnectResponse, readMaxEnvelopeSize, readShellState, peekMessages, type PeekedMessage } from './responses.js';
