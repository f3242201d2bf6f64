/** Session layer: WS-Man clients over a transport, and remote shells with their lifecycle. */
export { WSManClient, type Poster, type PostOptions, type SendOptions, type Retransmit, MAX_RETRANSMISSIONS } from './wsman-client.js';
export { OutputLostError, CommandLostError, InputLostError } from './errors.js';
export { WinRSShell, WinRSCommand, type OpenShellOptions, type OutputChunk } from './winrs.js';
export { connect, type ConnectOptions } from './connect.js';
export {
  PowerShellSession, type HostHandler, type PipelineEvent, type OpenPowerShellOptions, type RunOptions,
} from './powershell.js';
export { queryShellState, deleteShell, isShellGone, type RemoteShellState } from './remote-shell.js';
