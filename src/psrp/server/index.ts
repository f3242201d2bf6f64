/** The server side of PSRP: ServerRunspacePool and ServerPipeline (sans-IO). */
export { ServerRunspacePool, type ServerRunspacePoolOptions } from './runspace-pool.js';
export { ServerPipeline } from './pipeline.js';
export { defaultApplicationPrivateData, type ServerVersionInfo } from './defaults.js';
export { buildErrorRecord, type ErrorRecordOptions } from '../core/error-record.js';
export { informationalRecord, informationRecord, type InformationRecordOptions } from '../core/records.js';
export type { PsrpPayload, EngineLimits } from '../core/engine.js';
