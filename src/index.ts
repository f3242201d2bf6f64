/**
 * tsremote — PowerShell remoting from any OS. The package's root export: the layers a program
 * embeds. The sans-IO protocol layers also have their own subpaths: `tsremote/wsman`, `tsremote/psrp`.
 */
export { TsrError, InvalidArgumentError, isTsrError, type TsrCode } from './errors.js';
export { VERSION } from './version.js';
export { Credential } from './auth/index.js';
export { WSManTransport, parseHostSpec, type Endpoint, type TransportOptions } from './transport/index.js';
export { WSManClient, WinRSShell, WinRSCommand, connect, type ConnectOptions } from './session/index.js';
export { fanout, type HostOutcome } from './fanout/index.js';
export { startServer, type ServeOptions, type RunningServer } from './server/index.js';
