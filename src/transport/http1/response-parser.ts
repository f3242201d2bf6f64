/**
 * An HTTP/1.1 response parser for one request at a time (no pipelining), sans-IO: bytes in as the
 * socket delivers them, one response out, body collected whole.
 *
 * Why our own: WS-Man replies are small, one per request, and read whole, so a parser that
 * slices the socket's chunks in place does in a few microseconds what undici does through its
 * WebAssembly llhttp, whose V8 tier-up compile alone cost about 0.35 s of CPU per CLI run.
 *
 * Strict where leniency lets one response be read as another (RFC 9112 §6.3, §11.2): a header
 * name with whitespace, a field without a colon, obsolete line folding, a Content-Length that is
 * not digits or disagrees with itself, Content-Length beside Transfer-Encoding, or any transfer
 * coding but chunked are protocol errors. Limits: the head (status line, fields and any
 * trailers) and each chunk-size line are bounded, and the body is bounded by `maxBodyBytes`
 * whether declared or counted.
 */
import { HttpClientError, HttpProtocolError, HttpTooLargeError } from './errors.js';

export type HttpHeaders = Record<string, string | string[]>;

export interface HttpResponse {
  status: number;
  /** Field names in lower case; a field sent more than once is an array, in order. */
  headers: HttpHeaders;
  body: Buffer;
  /**
   * False when the server closes the connection after this response (or must), and when bytes
   * followed the response in its chunk: without pipelining the connection cannot be trusted then.
   */
  keepAlive: boolean;
  /** The server's `Keep-Alive: timeout=N`, in ms, when it sent one. */
  keepAliveTimeoutMs: number | undefined;
}

export interface ParserLimits {
  /** Largest status line plus fields (and, apart, trailers), in bytes. */
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

/** undici's and Node's default head limit. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
const MAX_CHUNK_LINE = 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const DIGITS = /^\d{1,15}$/;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'close' | 'done';

/**
 * Feed `push` with each chunk the socket delivers and `end` when it closes; `push` returns the
 * response once it is complete (and `end` for a body delimited by the close).
 * @throws HttpProtocolError for a malformed response; HttpTooLargeError past a limit.
 */
export class ResponseParser {
  readonly #limits: ParserLimits;
  #state: State = 'head';
  /** Head bytes seen so far when the head spans chunks. */
  #headParts: Buffer[] = [];
  #headBytes = 0;
  #status = 0;
  #headers: HttpHeaders = {};
  #keepAlive = true;
  #keepAliveTimeoutMs: number | undefined;
  #remaining = 0;
  #body: Buffer[] = [];
  #bodyBytes = 0;
  /** A chunk-size or trailer line that spans chunks. */
  #line = '';
  #trailerBytes = 0;
  /** Bytes of the CRLF after a chunk's data still expected. */
  #crlfLeft = 0;

  constructor(limits: ParserLimits) {
    this.#limits = limits;
  }

  push(chunk: Buffer): HttpResponse | undefined {
    let at = 0;
    while (at < chunk.length) {
      switch (this.#state) {
        case 'head':
          at = this.#readHead(chunk, at);
          break;
        case 'length':
          at = this.#takeCounted(chunk, at);
          if (this.#remaining === 0) this.#state = 'done';
          break;
        case 'chunk-size':
          at = this.#readChunkSize(chunk, at);
          break;
        case 'chunk-data':
          at = this.#takeCounted(chunk, at);
          if (this.#remaining === 0) {
            this.#state = 'chunk-crlf';
            this.#crlfLeft = 2;
          }
          break;
        case 'chunk-crlf': {
          const expected = this.#crlfLeft === 2 ? CR : LF;
          if (chunk[at] !== expected) throw new HttpProtocolError('a chunk is not followed by CRLF');
          at += 1;
          this.#crlfLeft -= 1;
          if (this.#crlfLeft === 0) this.#state = 'chunk-size';
          break;
        }
        case 'trailers':
          at = this.#readTrailers(chunk, at);
          break;
        case 'close':
          this.#addBody(chunk, at, chunk.length);
          at = chunk.length;
          break;
        case 'done':
          // Pushed again after its response: these bytes follow it, so no keep-alive.
          return this.#response(true);
      }
      // A head with no body, or a body that ended exactly here, is complete without more bytes;
      // bytes after it in this chunk (nothing may follow without pipelining) end the keep-alive.
      if (this.#state === 'done') return this.#response(at < chunk.length);
    }
    return undefined;
  }

  /**
   * The socket closed. Completes a body delimited by the close.
   * @throws HttpClientError (ETSR_HTTP_CLOSED) when the response was missing or cut short.
   */
  end(): HttpResponse {
    if (this.#state === 'close') {
      this.#state = 'done';
      return this.#response(false);
    }
    throw new HttpClientError('ETSR_HTTP_CLOSED', this.#state === 'head' ? 'the server closed the connection without a response' : 'the server closed the connection in the middle of its response');
  }

  #readHead(chunk: Buffer, at: number): number {
    const pending = this.#headBytes;
    // The end of the head may straddle the previous chunk: search from up to 3 bytes before it.
    let data = chunk;
    let from = at;
    if (pending > 0) {
      data = Buffer.concat([...this.#headParts, chunk.subarray(at)]);
      from = Math.max(0, pending - 3);
    }
    const end = data.indexOf(CRLF_CRLF, from);
    const limit = this.#limits.maxHeaderBytes;
    if (end < 0) {
      const size = pending > 0 ? data.length : chunk.length - at;
      if (size > limit) throw new HttpProtocolError(`the response head exceeds ${limit} bytes`);
      this.#headParts = [pending > 0 ? data : chunk.subarray(at)];
      this.#headBytes = size;
      return chunk.length;
    }
    const headStart = pending > 0 ? 0 : at;
    if (end - headStart > limit) throw new HttpProtocolError(`the response head exceeds ${limit} bytes`);
    this.#headParts = [];
    this.#headBytes = 0;
    // An interim (1xx) head leaves the state at 'head': the real one follows.
    this.#parseHead(data.toString('latin1', headStart, end));
    // Where the head ends, as an offset into this chunk.
    return pending > 0 ? at + end + 4 - pending : end + 4;
  }

  /** Parses one head; returns true for an interim (1xx) response, which is skipped. */
  #parseHead(text: string): boolean {
    // Walked by offsets rather than split and trimmed by regex: every response has a head.
    let eol = text.indexOf('\r\n');
    const statusLine = eol < 0 ? text : text.slice(0, eol);
    const m = STATUS_LINE.exec(statusLine);
    if (!m) throw new HttpProtocolError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 40))}`);
    const minor = m[1];
    const status = Number(m[2]);
    const headers: HttpHeaders = {};
    while (eol >= 0) {
      const start = eol + 2;
      eol = text.indexOf('\r\n', start);
      const end = eol < 0 ? text.length : eol;
      const colon = text.indexOf(':', start);
      if (colon <= start || colon >= end) {
        const first = text.charCodeAt(start);
        throw new HttpProtocolError(first === 0x20 || first === 0x09 ? 'obsolete line folding in a response field' : 'a response field without a name and colon');
      }
      const name = text.slice(start, colon);
      if (!TOKEN.test(name)) throw new HttpProtocolError(`invalid response field name ${JSON.stringify(name.slice(0, 40))}`);
      let from = colon + 1;
      let to = end;
      while (from < to && isOws(text.charCodeAt(from))) from++;
      while (to > from && isOws(text.charCodeAt(to - 1))) to--;
      const value = text.slice(from, to);
      const key = name.toLowerCase();
      const prior = headers[key];
      if (prior === undefined) headers[key] = value;
      else if (Array.isArray(prior)) prior.push(value);
      else headers[key] = [prior, value];
    }
    if (status < 200) {
      if (status === 101) throw new HttpProtocolError('unexpected 101 Switching Protocols');
      return true; // 100 Continue and other interim responses: the real one follows
    }
    this.#status = status;
    this.#headers = headers;
    const connection = headers['connection'];
    this.#keepAlive = minor === '1' ? !hasToken(connection, 'close') : hasToken(connection, 'keep-alive');
    this.#keepAliveTimeoutMs = keepAliveTimeout(headers['keep-alive']);
    this.#state = this.#bodyState(status, headers);
    return false;
  }

  #bodyState(status: number, headers: HttpHeaders): State {
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (status === 204 || status === 304) return 'done';
    if (te !== undefined) {
      if (cl !== undefined) throw new HttpProtocolError('both Transfer-Encoding and Content-Length in one response');
      const codings = listOf(te);
      if (codings.length !== 1 || codings[0] !== 'chunked') throw new HttpProtocolError(`unsupported Transfer-Encoding ${JSON.stringify(String(te))}`);
      return 'chunk-size';
    }
    if (cl !== undefined) {
      const length = contentLength(cl);
      if (length > this.#limits.maxBodyBytes) throw new HttpTooLargeError(`Content-Length ${length} exceeds ${this.#limits.maxBodyBytes} bytes`);
      this.#remaining = length;
      return length === 0 ? 'done' : 'length';
    }
    this.#keepAlive = false;
    return 'close';
  }

  #readChunkSize(chunk: Buffer, at: number): number {
    const lf = chunk.indexOf(LF, at);
    const piece = chunk.toString('latin1', at, lf < 0 ? chunk.length : lf + 1);
    this.#line += piece;
    if (this.#line.length > MAX_CHUNK_LINE) throw new HttpProtocolError('a chunk-size line is too long');
    if (lf < 0) return chunk.length;
    const line = this.#line;
    this.#line = '';
    if (!line.endsWith('\r\n')) throw new HttpProtocolError('a chunk-size line does not end in CRLF');
    const hex = line.slice(0, line.length - 2).split(';', 1)[0]?.trim() ?? '';
    if (!/^[0-9A-Fa-f]{1,12}$/.test(hex)) throw new HttpProtocolError(`invalid chunk size ${JSON.stringify(hex.slice(0, 20))}`);
    const size = Number.parseInt(hex, 16);
    if (size === 0) {
      this.#state = 'trailers';
    } else {
      if (this.#bodyBytes + size > this.#limits.maxBodyBytes) throw new HttpTooLargeError(`the chunked body exceeds ${this.#limits.maxBodyBytes} bytes`);
      this.#remaining = size;
      this.#state = 'chunk-data';
    }
    return lf + 1;
  }

  /** Trailer fields after the last chunk: read to the empty line, bounded, and ignored. */
  #readTrailers(chunk: Buffer, at: number): number {
    let pos = at;
    while (pos < chunk.length) {
      const lf = chunk.indexOf(LF, pos);
      const piece = chunk.toString('latin1', pos, lf < 0 ? chunk.length : lf + 1);
      this.#line += piece;
      this.#trailerBytes += piece.length;
      if (this.#trailerBytes > this.#limits.maxHeaderBytes) throw new HttpProtocolError(`the response trailers exceed ${this.#limits.maxHeaderBytes} bytes`);
      if (lf < 0) return chunk.length;
      pos = lf + 1;
      const line = this.#line;
      this.#line = '';
      if (!line.endsWith('\r\n')) throw new HttpProtocolError('a trailer line does not end in CRLF');
      if (line === '\r\n') {
        this.#state = 'done';
        return pos;
      }
    }
    return pos;
  }

  /** Up to #remaining body bytes of a Content-Length body or a chunk; returns where they end. */
  #takeCounted(chunk: Buffer, at: number): number {
    const take = Math.min(this.#remaining, chunk.length - at);
    this.#addBody(chunk, at, at + take);
    this.#remaining -= take;
    return at + take;
  }

  #addBody(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.#bodyBytes += to - from;
    if (this.#bodyBytes > this.#limits.maxBodyBytes) throw new HttpTooLargeError(`the response body exceeds ${this.#limits.maxBodyBytes} bytes`);
    this.#body.push(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
  }

  #response(trailingBytes: boolean): HttpResponse {
    const parts = this.#body;
    const body = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, this.#bodyBytes);
    return {
      status: this.#status,
      headers: this.#headers,
      body,
      keepAlive: this.#keepAlive && !trailingBytes,
      keepAliveTimeoutMs: this.#keepAliveTimeoutMs,
    };
  }
}

/** Optional whitespace around a field value (RFC 9110 §5.6.3): space and tab only. */
function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Whether a comma-separated field holds `token` (lower case), ignoring case and the OWS around
 * members (RFC 9110 5.6.1), without listOf's arrays. Every response asks it of Connection, and
 * listOf's chain threw V8's compiled head parser away once per fan-out ("wrong map"; issue 8).
 */
function hasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'string') return value.some((v) => hasToken(v, token));
  for (let start = 0; start <= value.length; ) {
    let end = value.indexOf(',', start);
    if (end < 0) end = value.length;
    let from = start;
    let to = end;
    while (from < to && isOws(value.charCodeAt(from))) from++;
    while (to > from && isOws(value.charCodeAt(to - 1))) to--;
    if (to - from === token.length && value.slice(from, to).toLowerCase() === token) return true;
    start = end + 1;
  }
  return false;
}

/** A comma-separated field's members, lower-cased (over every line of it). */
function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/** Content-Length: digits only; repeated values (as lines or a list) must agree. */
function contentLength(value: string | string[]): number {
  if (typeof value === 'string' && DIGITS.test(value)) return Number(value);
  const members = (Array.isArray(value) ? value.join(',') : value).split(',').map((s) => s.trim());
  const first = members[0] ?? '';
  if (!DIGITS.test(first) || members.some((m) => m !== first)) {
    throw new HttpProtocolError(`invalid Content-Length ${JSON.stringify(String(value).slice(0, 40))}`);
  }
  return Number(first);
}

/** `Keep-Alive: timeout=5, max=100` → 5000. */
function keepAliveTimeout(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /(?:^|[,\s])timeout\s*=\s*(\d+)/i.exec(Array.isArray(value) ? value.join(',') : value);
  return m ? Number(m[1]) * 1000 : undefined;
}
