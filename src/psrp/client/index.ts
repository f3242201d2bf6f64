/** The client side of PSRP: RunspacePool and Pipeline (sans-IO). */
export { RunspacePool, type RunspacePoolOptions } from './runspace-pool.js';
export { Pipeline, type CommandOptions, type InvokeOptions } from './pipeline.js';
export {
  defaultApplicationArguments, consoleHostInfo, primitiveDictionary,
  type ClientVersionInfo, type ConsoleDefaults,
} from './defaults.js';
export { secureStringResult, credentialResult, credentialObject, hostErrorRecord, type HostResult } from '../core/host-result.js';
export type { PsrpPayload, EngineLimits } from '../core/engine.js';
