export { parseFaultSpec, parseFaultRule, FAULT_KINDS, REQUEST_OPS, type FaultKind, type FaultPlan, type FaultRule, type RequestOp, type ShellFamily } from './spec.js';
export { FaultInjector, type Injection } from './injector.js';
export { mulberry32 } from './prng.js';
export { requestOp, shellFamily } from './request-kind.js';
export { writeFaulty, writePlain, resetSocket, MALFORMED_ENVELOPE, PROXY_PAGE, type OutgoingResponse } from './wire.js';
