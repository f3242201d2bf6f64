/** The PowerShell remoting endpoint of `tsremote serve` (MS-PSRP over WinRM shells). */
export { PowerShellShellKind, configurationNameOf } from './kind.js';
export { PowerShellShell, type PowerShellShellConfig } from './shell.js';
