/**
 * The `trace` hook: one event per HTTP request and response, for `--debug`.
 *
 * What a trace shows is what a reader needs to debug a WinRM conversation, and nothing that would
 * let them impersonate the user: `Authorization` and `WWW-Authenticate` keep their scheme and lose
 * their token (`Negotiate <redacted, 40 bytes>`), and the body is the SOAP envelope as plaintext:
 * for a sealed message the envelope before sealing or after unsealing, flagged `sealed`, never the
 * ciphertext, the signature or a key. The credential's password is blanked from bodies as well, in
 * case an envelope echoes it.
 */
import { parseWwwAuthenticate } from '../auth/www-authenticate.js';

interface TraceBase {
  /** The endpoint label (the host as the user named it). */
  host: string;
  /** Which of the transport's connections carried it (0-based, in order of opening). */
  connection: number;
  url: string;
  /** Header names in lower case; auth tokens redacted. */
  headers: Record<string, string>;
  /** The SOAP envelope as text (unsealed when `sealed`); empty for an empty body. */
  body: string;
  /** True when the body travelled as multipart/encrypted; `body` is then the plaintext. */
  sealed: boolean;
  /** Bytes on the wire (sealed and framed, when `sealed`). */
  bytes: number;
}

export interface TraceRequest extends TraceBase {
  type: 'request';
  method: 'POST';
}

export interface TraceResponse extends TraceBase {
  type: 'response';
  status: number;
  /** Time from sending the request to reading the whole response. */
  durationMs: number;
}

/** One HTTP message the transport sent or received. */
export type TraceEvent = TraceRequest | TraceResponse;

const REDACTED_HEADERS = new Set(['authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate', 'cookie', 'set-cookie']);

/** Header values of an undici or node request/response, flattened, with auth tokens redacted. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    out[key] = REDACTED_HEADERS.has(key) ? values.map((v) => redactAuth(key, v)).join(', ') : values.join(', ');
  }
  return out;
}

/** `<scheme> <redacted, N bytes>`, or the scheme alone when nothing follows it. */
function redactAuth(name: string, value: string): string {
  if (name === 'cookie' || name === 'set-cookie') return `<redacted, ${value.length} bytes>`;
  const challenges = name === 'www-authenticate' || name === 'proxy-authenticate' ? parseWwwAuthenticate(value) : [];
  if (challenges.length > 0) {
    return challenges.map((c) => (c.token === undefined ? c.scheme : `${c.scheme} <redacted, ${tokenBytes(c.token)} bytes>`)).join(', ');
  }
  const m = /^\s*(\S+)(?:\s+(.*))?$/s.exec(value);
  if (!m?.[1]) return '<redacted>';
  return m[2] ? `${m[1]} <redacted, ${tokenBytes(m[2].trim())} bytes>` : m[1];
}

/** The decoded length of a base64 token, or its character count when it is not base64. */
function tokenBytes(token: string): number {
  return /^[A-Za-z0-9+/]+=*$/.test(token) ? Buffer.from(token, 'base64').length : token.length;
}

/** Blanks every occurrence of each secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('***');
  return out;
}
