/**
 * Byte-level HTTP for the fault tests: one fresh connection per request (no pool hides a reset),
 * and whatever arrives is reported, including how the connection ended.
 */
import http from 'node:http';
import https from 'node:https';

export interface RawReply {
  /** undefined when no response head arrived. */
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The error code that ended the exchange (ECONNRESET, ECONNREFUSED …), undefined when it completed. */
  error: string | undefined;
}

export const USER = 'faulty';
export const PASSWORD = 'fault-pass-31';
export const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

/** POSTs `xml` with Basic auth on a new connection; never rejects. `timeoutMs` ends a stalled exchange as 'TIMEOUT'. */
export function rawPost(url: URL, xml: string, opts: { timeoutMs?: number; ca?: string } = {}): Promise<RawReply> {
  const body = Buffer.from(xml, 'utf8');
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let status: number | undefined;
    let headers: http.IncomingHttpHeaders = {};
    let settled = false;
    const done = (error: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, headers, body: Buffer.concat(parts), error });
    };
    const req = lib.request(url, {
      method: 'POST',
      agent: false,
      headers: { authorization: BASIC, 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': body.length },
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    });
    const timer = setTimeout(() => done('TIMEOUT'), opts.timeoutMs ?? 20_000);
    req.on('response', (res) => {
      status = res.statusCode;
      headers = res.headers;
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => done(undefined));
      res.on('aborted', () => done('ECONNRESET'));
      res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    });
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end(body);
  });
}

/** Retries `rawPost` until it gets a response head (after a refuse/restart window). */
export async function untilAnswered(url: URL, xml: string, attempts = 100): Promise<RawReply> {
  for (let i = 0; i < attempts; i++) {
    const r = await rawPost(url, xml);
    if (r.status !== undefined) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the server never answered again');
}
