/**
 * CredSSP's messages (MS-CSSP 2.2.1), DER-encoded, sans-IO:
 * ```
 * TSRequest ::= SEQUENCE {
 *   version     [0] INTEGER,                 -- 2..6
 *   negoTokens  [1] NegoData OPTIONAL,       -- SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING }
 *   authInfo    [2] OCTET STRING OPTIONAL,   -- the sealed TSCredentials
 *   pubKeyAuth  [3] OCTET STRING OPTIONAL,   -- the sealed public-key binding
 *   errorCode   [4] INTEGER OPTIONAL,        -- NTSTATUS, versions 3, 4 and 6+
 *   clientNonce [5] OCTET STRING OPTIONAL }  -- 32 bytes, versions 5+
 * TSCredentials   ::= SEQUENCE { credType [0] INTEGER, credentials [1] OCTET STRING }
 * TSPasswordCreds ::= SEQUENCE { domainName [0] OCTET STRING, userName [1] OCTET STRING,
 *                                password [2] OCTET STRING }   -- UTF-16LE text
 * ```
 */
import {
  TAG_SEQUENCE, der, derExplicit, derInteger, derOctetString, malformedDer, readChildren, readInteger,
  readOctetString, readOnly, readTaggedFields,
} from './der.js';

/** The newest CredSSP version we speak (MS-CSSP 2.2.1: 6 adds errorCode back and the nonce stays). */
export const CREDSSP_VERSION = 6;
/** TSCredentials.credType of TSPasswordCreds. */
export const CRED_TYPE_PASSWORD = 1;
/** Nothing CredSSP carries legitimately comes near this; a bigger TSRequest is refused unread. */
export const MAX_TSREQUEST_BYTES = 64 * 1024;

export interface TsRequest {
  version: number;
  /** The SPNEGO/NTLM tokens; we send and read one. */
  negoTokens?: Uint8Array[];
  authInfo?: Uint8Array;
  pubKeyAuth?: Uint8Array;
  errorCode?: number;
  clientNonce?: Uint8Array;
}

export interface TsPasswordCreds {
  domainName: string;
  userName: string;
  password: string;
}

export function encodeTsRequest(req: TsRequest): Uint8Array {
  const fields: Uint8Array[] = [derExplicit(0, derInteger(req.version))];
  if (req.negoTokens !== undefined && req.negoTokens.length > 0) {
    const items = req.negoTokens.map((t) => der(TAG_SEQUENCE, derExplicit(0, derOctetString(t))));
    fields.push(derExplicit(1, der(TAG_SEQUENCE, ...items)));
  }
  if (req.authInfo !== undefined) fields.push(derExplicit(2, derOctetString(req.authInfo)));
  if (req.pubKeyAuth !== undefined) fields.push(derExplicit(3, derOctetString(req.pubKeyAuth)));
  if (req.errorCode !== undefined) fields.push(derExplicit(4, derInteger(req.errorCode)));
  if (req.clientNonce !== undefined) fields.push(derExplicit(5, derOctetString(req.clientNonce)));
  return der(TAG_SEQUENCE, ...fields);
}

/** @throws AuthError (ETSR_AUTH_REJECTED) for a malformed or oversized TSRequest. */
export function decodeTsRequest(bytes: Uint8Array): TsRequest {
  if (bytes.length > MAX_TSREQUEST_BYTES) throw malformedDer(`TSRequest of ${bytes.length} bytes`);
  const f = readTaggedFields(bytes, 'TSRequest');
  const version = f.get(0);
  if (version === undefined) throw malformedDer('TSRequest has no version');
  const req: TsRequest = { version: readInteger(version, 'TSRequest.version') };
  const nego = f.get(1);
  if (nego !== undefined) {
    req.negoTokens = readChildren(readOnly(nego, TAG_SEQUENCE, 'NegoData'), 8).map((item) => {
      if (item.tag !== TAG_SEQUENCE) throw malformedDer('NegoData item is not a SEQUENCE');
      const token = readTaggedFields(der(TAG_SEQUENCE, item.contents), 'NegoData item').get(0);
      if (token === undefined) throw malformedDer('NegoData item has no negoToken');
      return readOctetString(token, 'negoToken');
    });
  }
  const authInfo = f.get(2);
  if (authInfo !== undefined) req.authInfo = readOctetString(authInfo, 'TSRequest.authInfo');
  const pubKeyAuth = f.get(3);
  if (pubKeyAuth !== undefined) req.pubKeyAuth = readOctetString(pubKeyAuth, 'TSRequest.pubKeyAuth');
  const errorCode = f.get(4);
  if (errorCode !== undefined) req.errorCode = readInteger(errorCode, 'TSRequest.errorCode');
  const nonce = f.get(5);
  if (nonce !== undefined) req.clientNonce = readOctetString(nonce, 'TSRequest.clientNonce');
  return req;
}

const utf16 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));
const fromUtf16 = (b: Uint8Array, what: string): string => {
  if (b.length % 2 !== 0) throw malformedDer(`${what} is not UTF-16`);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf16le');
};

/** TSCredentials holding TSPasswordCreds: what the client delegates. */
export function encodeTsCredentials(creds: TsPasswordCreds): Uint8Array {
  const password = der(
    TAG_SEQUENCE,
    derExplicit(0, derOctetString(utf16(creds.domainName))),
    derExplicit(1, derOctetString(utf16(creds.userName))),
    derExplicit(2, derOctetString(utf16(creds.password))),
  );
  return der(TAG_SEQUENCE, derExplicit(0, derInteger(CRED_TYPE_PASSWORD)), derExplicit(1, derOctetString(password)));
}

/**
 * @throws AuthError (ETSR_AUTH_REJECTED) for a malformed TSCredentials, or one that delegates
 *   something other than a password (smart card, Remote Credential Guard).
 */
export function decodeTsCredentials(bytes: Uint8Array): TsPasswordCreds {
  const f = readTaggedFields(bytes, 'TSCredentials');
  const type = f.get(0);
  const credentials = f.get(1);
  if (type === undefined || credentials === undefined) throw malformedDer('TSCredentials lacks credType or credentials');
  const credType = readInteger(type, 'TSCredentials.credType');
  if (credType !== CRED_TYPE_PASSWORD) throw malformedDer(`credType ${credType} (only passwords, type 1, are accepted)`);
  const p = readTaggedFields(readOctetString(credentials, 'TSCredentials.credentials'), 'TSPasswordCreds');
  const field = (n: number, what: string): string => {
    const v = p.get(n);
    if (v === undefined) throw malformedDer(`TSPasswordCreds has no ${what}`);
    return fromUtf16(readOctetString(v, what), what);
  };
  return { domainName: field(0, 'domainName'), userName: field(1, 'userName'), password: field(2, 'password') };
}

