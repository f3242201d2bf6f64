/**
 * NTLM (MS-NLMP), sans-IO: the client and server contexts the transport and `serve` drive, with
 * NTLMv2 responses, key exchange, MIC, channel bindings and session security (sealing).
 *
 * Layout: md4.ts and rc4.ts (the primitives OpenSSL 3 lacks), constants.ts, wire.ts and
 * av-pairs.ts (bounded encoding), messages.ts (the three messages), crypto.ts (keys and
 * responses), seal.ts (signing and sealing), client.ts and server.ts (the two state machines).
 */
export { NtlmClientContext, type NtlmClientOptions } from './client.js';
export { NtlmServerContext, type NtlmServerOptions, type NtlmServerStep } from './server.js';
export { decodeAuthenticate, isNtlmToken } from './messages.js';
export { ntowfv1 } from './crypto.js';
