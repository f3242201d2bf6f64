/**
 * `tsremote enable`'s building blocks (Enable-PSRemoting): where serve's files and service live
 * on Linux and macOS, its certificate, the service definition, and the PowerShell that enables
 * remoting on Windows. The CLI action (src/cli/actions/enable.ts) puts them in order.
 */
export { resolveLayout, LAUNCHD_LABEL, SYSTEMD_UNIT, type Layout, type LayoutInput, type Scope, type ServiceManager } from './layout.js';
export { ensureCertificate, RENEW_BEFORE_MS, type CertOutcome, type CertResult } from './cert.js';
export { launchdPlist, loadCommands, serveArgv, serviceText, shellLine, systemdUnit, systemdWord, type LoadCommand, type ServeCommand } from './service.js';
export { enableScript, parseScriptOutput, powershellInvocation, HTTPS_FIREWALL_RULE, type WindowsScriptOptions } from './windows.js';
