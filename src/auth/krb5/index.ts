/**
 * Kerberos for serve's acceptor, in TypeScript with node:crypto only (no GSSAPI library): keytab
 * files, AES enctypes 17/18, the AP-REQ/AP-REP exchange, SPNEGO framing and RFC 4121 wrap tokens.
 * Sans-IO throughout. See acceptor.ts for what is checked.
 */
export { acceptKrb5, DEFAULT_SKEW_MS, type Krb5AcceptorOptions, type Krb5Verdict } from './acceptor.js';
export { CfxSession, CfxError, WINRM_HEADER_LENGTH } from './cfx.js';
export { ReplayCache } from './replay-cache.js';
export { parseKeytab, findKey, KeytabError, type KeytabEntry } from './keytab.js';
export { enctypeName, isSupportedEnctype } from './crypto.js';
export { KRB5_OID, MS_KRB5_OID, decodeMechToken } from './gss.js';
export { SPNEGO_OID, NTLM_OID, NEG_STATE, isSpnegoInit, decodeNegTokenInit, decodeNegTokenResp, encodeNegTokenResp } from './spnego.js';
export { DerError } from '../der.js';
