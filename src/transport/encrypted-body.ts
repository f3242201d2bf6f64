/**
 * The MIME framing WinRM puts around sealed bodies on plain HTTP (MS-WSMV 2.2.9.1, Negotiate/SPNEGO
 * variant), shared by the client transport and `serve`. Sans-IO: bytes in, bytes out.
 *
 * ```
 * --Encrypted Boundary\r\n
 * \tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
 * \tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext bytes>\r\n
 * --Encrypted Boundary\r\n
 * \tContent-Type: application/octet-stream\r\n
 * <u32le header length><header (NTLM: 16-byte signature)><sealed bytes>--Encrypted Boundary--\r\n
 * ```
 *
 * The HTTP Content-Type is `multipart/encrypted;protocol="…";boundary="Encrypted Boundary"`. There is
 * no blank line after the part headers and no CRLF before the closing boundary: the sealed bytes run
 * straight up to it, exactly as Windows, pywinrm and pypsrp write it (the ironposh fixture, captured
 * from Windows, has this shape).
 *
 * CredSSP (MS-WSMV 2.2.9.1.3) seals each 16 KiB of plaintext as its own TLS record, so a larger body
 * repeats the two parts once per chunk and goes as `multipart/x-multi-encrypted`, each part pair
 * declaring its own Length; the closing boundary follows the last. Only CredSSP may send several
 * parts: for NTLM a second part is refused, as before.
 */
import { CREDSSP_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL, type MaybePromise, type SealedMessage } from '../auth/context.js';
import { AuthError } from '../auth/errors.js';

export { SPNEGO_ENCRYPTED_PROTOCOL };
export const ENCRYPTED_BOUNDARY = 'Encrypted Boundary';
export const ENCRYPTED_CONTENT_TYPE = encryptedContentType(SPNEGO_ENCRYPTED_PROTOCOL);
/** CredSSP seals at most one TLS record's worth of plaintext per part (MS-WSMV 2.2.9.1.3). */
export const CREDSSP_CHUNK_BYTES = 16 * 1024;
/** Parts one body may hold: 16 KiB each covers far more than any envelope size limit. */
const MAX_PARTS = 4096;
const ORIGINAL_TYPE = 'application/soap+xml;charset=UTF-8';
/** A header longer than this is not a signature or a Kerberos wrap token: reject, don't allocate. */
const MAX_HEADER_BYTES = 64 * 1024;

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const OPEN = latin1(`--${ENCRYPTED_BOUNDARY}\r\n`);
const CLOSE = latin1(`--${ENCRYPTED_BOUNDARY}--`);
const OCTET_STREAM = latin1('\tContent-Type: application/octet-stream\r\n');

/** The parts of a framed body, before the mechanism opens them. */
export interface EncryptedParts {
  protocol: string;
  /** The plaintext length the sender declared (OriginalContent Length=). */
  originalLength: number;
  /** The plaintext's media type, from OriginalContent (usually application/soap+xml;charset=UTF-8). */
  originalType: string;
  header: Buffer;
  data: Buffer;
}

/**
 * What sealing and opening need of a context: the client's AuthContext and the server's logon
 * both fit. `scheme` only names the mechanism in errors. `encryptionProtocol` is the MIME protocol
 * the mechanism seals under (default SPNEGO's, which NTLM and Negotiate use). Mechanisms whose
 * sealing runs elsewhere (GSSAPI, a TLS engine) may answer with a promise; NTLM never does, so its
 * hot path stays synchronous. `unwrap` may unseal in place (NTLM does): openBody hands it bytes of
 * a body it has just received and no longer needs sealed.
 */
export interface SessionSecurity {
  readonly scheme?: string;
  readonly encryptionProtocol?: string;
  /** `inPlace`: the caller will not read `data` again, so its bytes may become the ciphertext. */
  wrap?(data: Uint8Array, inPlace?: boolean): MaybePromise<SealedMessage>;
  unwrap?(header: Uint8Array, data: Uint8Array): MaybePromise<Uint8Array>;
}

/** A context whose sealing is synchronous (NTLM): sealBody and openBody then return bytes. */
export interface SyncSessionSecurity extends SessionSecurity {
  wrap(data: Uint8Array, inPlace?: boolean): SealedMessage;
  unwrap(header: Uint8Array, data: Uint8Array): Uint8Array;
}

/**
 * The HTTP Content-Type of a body sealed under `protocol` from `plainLength` bytes: a CredSSP body
 * longer than one chunk is split into parts by sealBody and goes as `multipart/x-multi-encrypted`.
 */
export function encryptedContentType(protocol: string, plainLength = 0): string {
  const multiPart = protocol === CREDSSP_ENCRYPTED_PROTOCOL && plainLength > CREDSSP_CHUNK_BYTES;
  const kind = multiPart ? 'multipart/x-multi-encrypted' : 'multipart/encrypted';
  return `${kind};protocol="${protocol}";boundary="${ENCRYPTED_BOUNDARY}"`;
}

/** The MIME protocol a context seals under. */
export function protocolOf(context: SessionSecurity): string {
  return context.encryptionProtocol ?? SPNEGO_ENCRYPTED_PROTOCOL;
}

/** True when an HTTP Content-Type announces a sealed WinRM body. */
export function isEncryptedContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*multipart\/(x-multi-)?encrypted\b/i.test(contentType);
}

/** Frames a mechanism's header and sealed bytes; `originalLength` is the plaintext's byte length. */
export function encodeEncryptedBody(
  header: Uint8Array,
  data: Uint8Array,
  originalLength: number,
  protocol = SPNEGO_ENCRYPTED_PROTOCOL,
): Buffer {
  return Buffer.concat([...partBytes({ header, data }, originalLength, protocol), CLOSE, latin1('\r\n')]);
}

/**
 * Frames several sealed chunks, each with its plaintext length, as one multi-part body (CredSSP);
 * one chunk gives exactly {@link encodeEncryptedBody}'s bytes.
 */
export function encodeEncryptedParts(chunks: readonly { sealed: SealedMessage; originalLength: number }[], protocol: string): Buffer {
  return Buffer.concat([...chunks.flatMap((c) => partBytes(c.sealed, c.originalLength, protocol)), CLOSE, latin1('\r\n')]);
}

/** One part pair: the OriginalContent part and the octet-stream part, up to (not with) the next boundary. */
function partBytes(sealed: SealedMessage, originalLength: number, protocol: string): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(sealed.header.length, 0);
  return [
    OPEN,
    latin1(`\tContent-Type: ${protocol}\r\n\tOriginalContent: type=${ORIGINAL_TYPE};Length=${originalLength}\r\n`),
    OPEN,
    OCTET_STREAM,
    length,
    Buffer.from(sealed.header.buffer, sealed.header.byteOffset, sealed.header.byteLength),
    Buffer.from(sealed.data.buffer, sealed.data.byteOffset, sealed.data.byteLength),
  ];
}

/**
 * Splits a framed body into its parts.
 * @throws AuthError (ETSR_AUTH_INTEGRITY) when the framing is not what MS-WSMV describes.
 */
export function decodeEncryptedBody(body: Uint8Array): EncryptedParts {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const bad = (why: string): AuthError => new AuthError('ETSR_AUTH_INTEGRITY', `malformed encrypted body: ${why}`);
  if (!buf.subarray(0, OPEN.length).equals(OPEN)) throw bad('it does not start with the Encrypted Boundary');
  const second = buf.indexOf(OPEN, OPEN.length);
  if (second < 0) throw bad('the octet-stream part is missing');
  const headers = buf.subarray(OPEN.length, second).toString('latin1');
  const protocol = /^\s*Content-Type:\s*([^\r\n]+)/im.exec(headers)?.[1]?.trim();
  const original = /^\s*OriginalContent:\s*([^\r\n]+)/im.exec(headers)?.[1]?.trim();
  if (protocol === undefined || original === undefined) throw bad('the Content-Type or OriginalContent header is missing');
  const lengthText = /(?:^|;)\s*Length=(\d{1,10})\s*(?:;|$)/i.exec(original)?.[1];
  if (lengthText === undefined) throw bad('OriginalContent has no Length');
  const originalType = original.replace(/^type=/i, '').replace(/;\s*Length=\d+\s*$/i, '');

  let at = second + OPEN.length;
  const partHeaderEnd = buf.indexOf('\r\n', at, 'latin1');
  if (partHeaderEnd < 0 || !/^\s*Content-Type:\s*application\/octet-stream\s*$/i.test(buf.subarray(at, partHeaderEnd).toString('latin1'))) {
    throw bad('the second part is not application/octet-stream');
  }
  at = partHeaderEnd + 2;
  const end = buf.lastIndexOf(CLOSE);
  if (end < at + 4) throw bad('the closing boundary is missing');
  if (!/^(\r\n)?$/.test(buf.subarray(end + CLOSE.length).toString('latin1'))) throw bad('bytes follow the closing boundary');
  const headerLength = buf.readUInt32LE(at);
  if (headerLength > MAX_HEADER_BYTES || at + 4 + headerLength > end) throw bad(`header length ${headerLength} does not fit`);
  return {
    protocol,
    originalLength: Number(lengthText),
    originalType,
    header: buf.subarray(at + 4, at + 4 + headerLength),
    data: buf.subarray(at + 4 + headerLength, end),
  };
}

/**
 * Splits a body of one or more part pairs (CredSSP's `multipart/x-multi-encrypted`) into its parts.
 * A part's sealed bytes end where the next part pair's headers begin, or at the closing boundary.
 * @throws AuthError (ETSR_AUTH_INTEGRITY) when the framing is not what MS-WSMV describes.
 */
export function decodeEncryptedParts(body: Uint8Array): EncryptedParts[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const bad = (why: string): AuthError => new AuthError('ETSR_AUTH_INTEGRITY', `malformed encrypted body: ${why}`);
  if (!buf.subarray(0, OPEN.length).equals(OPEN)) throw bad('it does not start with the Encrypted Boundary');
  const end = buf.lastIndexOf(CLOSE);
  const lineEnd = buf.indexOf('\r\n', OPEN.length, 'latin1');
  if (end < 0 || lineEnd < 0 || lineEnd > end) throw bad('the closing boundary is missing');
  // Every pair opens with the same two lines: the boundary and the protocol's Content-Type.
  const opening = buf.subarray(0, lineEnd + 2);
  const starts = [0];
  for (let at = buf.indexOf(opening, opening.length); at > 0 && at < end; at = buf.indexOf(opening, at + opening.length)) {
    if (starts.length >= MAX_PARTS) throw bad(`more than ${MAX_PARTS} parts`);
    starts.push(at);
  }
  return starts.map((start, i) => decodeEncryptedBody(Buffer.concat([buf.subarray(start, starts[i + 1] ?? end), CLOSE])));
}

/**
 * Seals a SOAP envelope with an established context and frames it (a promise only if `wrap` gives
 * one). `inPlace`: the caller will not read `plaintext` again (serve's fresh response bytes; never
 * the client's request body, which a retry sends again), so the context may seal it where it lies.
 */
export function sealBody(context: SyncSessionSecurity, plaintext: Uint8Array, inPlace?: boolean): Buffer;
export function sealBody(context: SessionSecurity, plaintext: Uint8Array, inPlace?: boolean): MaybePromise<Buffer>;
export function sealBody(context: SessionSecurity, plaintext: Uint8Array, inPlace = false): MaybePromise<Buffer> {
  if (!context.wrap) throw new AuthError('ETSR_AUTH_INTEGRITY', `${context.scheme ?? 'this mechanism'} cannot seal messages`);
  if (protocolOf(context) === CREDSSP_ENCRYPTED_PROTOCOL) return sealChunks(context.wrap.bind(context), plaintext);
  const frame = (sealed: SealedMessage): Buffer => encodeEncryptedBody(sealed.header, sealed.data, plaintext.length, protocolOf(context));
  const sealed = context.wrap(plaintext, inPlace);
  return sealed instanceof Promise ? sealed.then(frame) : frame(sealed);
}

/**
 * Opens a framed body: verifies the signature, unseals, and checks the declared length (a promise
 * only if `unwrap` gives one).
 * @throws AuthError (ETSR_AUTH_INTEGRITY) on bad framing, a bad signature or a length mismatch.
 */
export function openBody(context: SyncSessionSecurity, body: Uint8Array): Buffer;
export function openBody(context: SessionSecurity, body: Uint8Array): MaybePromise<Buffer>;
export function openBody(context: SessionSecurity, body: Uint8Array): MaybePromise<Buffer> {
  if (!context.unwrap) throw new AuthError('ETSR_AUTH_INTEGRITY', `${context.scheme ?? 'this mechanism'} cannot open sealed messages`);
  if (protocolOf(context) === CREDSSP_ENCRYPTED_PROTOCOL) return openChunks(context.unwrap.bind(context), body);
  const parts = decodeEncryptedBody(body);
  if (parts.protocol.toLowerCase() !== protocolOf(context).toLowerCase()) {
    throw new AuthError('ETSR_AUTH_INTEGRITY', `unexpected encryption protocol ${parts.protocol}`);
  }
  const check = (opened: Uint8Array): Buffer => {
    // A view, not a copy: the unsealed bytes are ours already.
    const plain = Buffer.from(opened.buffer, opened.byteOffset, opened.byteLength);
    if (plain.length !== parts.originalLength) {
      throw new AuthError(
        'ETSR_AUTH_INTEGRITY',
        `sealed body is ${plain.length} bytes but declares ${parts.originalLength}: it was altered or cut short`,
      );
    }
    return plain;
  };
  const opened = context.unwrap(parts.header, parts.data);
  return opened instanceof Promise ? opened.then(check) : check(opened);
}

/** CredSSP: one TLS record per 16 KiB of plaintext, sealed in order, framed as one body. */
async function sealChunks(wrap: (data: Uint8Array) => MaybePromise<SealedMessage>, plaintext: Uint8Array): Promise<Buffer> {
  const chunks: { sealed: SealedMessage; originalLength: number }[] = [];
  for (let at = 0; at === 0 || at < plaintext.length; at += CREDSSP_CHUNK_BYTES) {
    const chunk = plaintext.subarray(at, at + CREDSSP_CHUNK_BYTES);
    chunks.push({ sealed: await wrap(chunk), originalLength: chunk.length });
  }
  return encodeEncryptedParts(chunks, CREDSSP_ENCRYPTED_PROTOCOL);
}

/** CredSSP: opens each part in order, checks its declared length, and joins the plaintexts. */
async function openChunks(unwrap: (header: Uint8Array, data: Uint8Array) => MaybePromise<Uint8Array>, body: Uint8Array): Promise<Buffer> {
  const opened: Buffer[] = [];
  for (const part of decodeEncryptedParts(body)) {
    if (part.protocol.toLowerCase() !== CREDSSP_ENCRYPTED_PROTOCOL.toLowerCase()) {
      throw new AuthError('ETSR_AUTH_INTEGRITY', `unexpected encryption protocol ${part.protocol}`);
    }
    const plain = await unwrap(part.header, part.data);
    if (plain.length !== part.originalLength) {
      throw new AuthError('ETSR_AUTH_INTEGRITY', `sealed part is ${plain.length} bytes but declares ${part.originalLength}: it was altered or cut short`);
    }
    opened.push(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength));
  }
  return Buffer.concat(opened);
}
