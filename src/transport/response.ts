/**
 * Reading a response, its body already collected under its size cap (http1/response-parser.ts): the status
 * turned into the envelope or the error it stands for (a SOAP fault as WSManFault, anything else
 * as HttpStatusError with an excerpt).
 */
import { STATUS_CODES } from 'node:http';
import { parseFault, type WSManFault } from '../wsman/index.js';
import type { HttpHeaders } from './http1/response-parser.js';
import { HttpStatusError } from './errors.js';
import { RETRY_STATUSES, parseRetryAfter } from './retry.js';
import { scrub } from './trace.js';

export interface RawResponse {
  status: number;
  headers: HttpHeaders;
  body: Buffer;
}

const EXCERPT_CHARS = 200;

const STATUS_HINTS: Partial<Record<number, string>> = {
  404: 'no WinRM listener at this path; the default is /wsman',
  413: 'the request exceeds the server MaxEnvelopeSizekb',
  415: 'the server rejected the content type; is this a WinRM listener?',
};

export interface InterpretOptions {
  host: string;
  /** Strings to blank from excerpts (the password and tokens derived from it). */
  secrets: readonly string[];
  /** False when the body must not be trusted as a SOAP fault (it came unsealed on a sealed connection). */
  parseFaults: boolean;
}

/**
 * Turns a non-401 response, its body already decoded (and unsealed), into the envelope.
 * @throws WSManFault for a SOAP fault (HTTP 500/400); HttpStatusError for any other non-200 status.
 */
export function interpretResponse(status: number, headers: RawResponse['headers'], text: string, opts: InterpretOptions): string {
  if (status === 200) return text;
  let cause: unknown;
  if (opts.parseFaults && (status === 500 || status === 400) && text.trim() !== '') {
    let fault: WSManFault | null = null;
    try {
      fault = parseFault(text);
    } catch (err) {
      cause = err; // not a SOAP fault after all: report the status, keep why as the cause
    }
    if (fault) throw fault.withHost(opts.host);
  }
  const reason = STATUS_CODES[status] ?? 'unknown status';
  const excerpt = excerptOf(text, opts.secrets);
  const retryAfterMs = RETRY_STATUSES.has(status) ? parseRetryAfter(headerValue(headers['retry-after'])) : undefined;
  throw new HttpStatusError(status, `HTTP ${status} ${reason}${excerpt ? `: ${excerpt}` : ''}`, {
    host: opts.host, cause, retryAfterMs, hint: STATUS_HINTS[status],
  });
}

/** A short, single-line piece of a response body, with anything of ours that is secret removed. */
function excerptOf(text: string, secrets: readonly string[]): string {
  const out = scrub(text.replace(/\s+/g, ' ').trim(), secrets);
  return out.length > EXCERPT_CHARS ? `${out.slice(0, EXCERPT_CHARS)}…` : out;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
