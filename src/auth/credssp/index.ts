/**
 * CredSSP (MS-CSSP), sans-IO: the TSRequest/TSCredentials encoding (messages.ts over der.ts), the
 * public-key binding and trailer arithmetic (binding.ts), the client and server state machines
 * (client.ts, server.ts) and the client AuthContext (context.ts) that runs them through a TLS
 * engine it is given (channel.ts; node:tls over memory lives in src/transport/credssp-tls.ts).
 */
export { CredSspClientContext, CREDSSP_ENCRYPTED_PROTOCOL, type CredSspContextOptions } from './context.js';
export { CredSspClient, type CredSspClientOptions } from './client.js';
export { CredSspServer, type CredSspServerOptions, type CredSspServerStep } from './server.js';
export type { CredSspTlsChannel } from './channel.js';
export { subjectPublicKey, subjectPublicKeyOfSpki, clientBinding, serverBinding, tlsTrailerLength } from './binding.js';
export {
  CREDSSP_VERSION, type TsRequest, type TsPasswordCreds, encodeTsRequest, decodeTsRequest, encodeTsCredentials, decodeTsCredentials,
} from './messages.js';
export { describeNtStatus } from './ntstatus.js';
