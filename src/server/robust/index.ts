export { RobustOperations, echo, type RobustOutcome } from './robust-operations.js';
export { OperationCache, DEFAULT_OPERATION_CACHE_LIMITS, type OperationCacheLimits, type CachedResponse } from './operation-cache.js';
