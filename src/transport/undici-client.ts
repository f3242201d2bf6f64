/**
 * undici's HTTP/1.1 `Client` and its connector, loaded from their own modules. undici's index
 * also loads fetch, WebSocket, EventSource, the cache and mock layers: about 180 ms of CPU at
 * start-up against about 70 ms for these two, and a fan-out CLI pays start-up on every run. The
 * types are the index's (the same classes). undici has no "exports" map, so these paths resolve.
 *
 * Without the index, `Client#request` does not exist (the index copies it onto the prototype):
 * requests go through {@link exchange}, on `Client#dispatch`.
 */
import { createRequire } from 'node:module';
import type { Client as UndiciClient, Dispatcher, buildConnector as undiciBuildConnector } from 'undici';

const require = createRequire(import.meta.url);

export const Client = require('undici/lib/dispatcher/client.js') as typeof UndiciClient;
export type Client = UndiciClient;
/** undici's Client.Options, under the same name. */
export declare namespace Client {
  export type Options = UndiciClient.Options;
}
export const buildConnector = require('undici/lib/core/connect.js') as typeof undiciBuildConnector;
/** undici's connector types, under the same name. */
export declare namespace buildConnector {
  export type BuildOptions = undiciBuildConnector.BuildOptions;
  export type Callback = undiciBuildConnector.Callback;
  export type connector = undiciBuildConnector.connector;
}

type HeaderParser = (raw: Buffer[], into?: Record<string, string | string[]>) => Dispatcher.ResponseData['headers'];
const { parseHeaders } = require('undici/lib/core/util.js') as { parseHeaders: HeaderParser };
const { RequestAbortedError } = require('undici/lib/core/errors.js') as { RequestAbortedError: new () => Error };

/** One response, its body read whole (WS-Man bodies are bounded by MaxEnvelopeSize). */
export interface CollectedResponse {
  statusCode: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Buffer;
}

export interface ExchangeOptions {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  signal?: AbortSignal | undefined;
  headersTimeout: number;
  bodyTimeout: number;
  /** Largest body read; past it (declared or counted) the request fails with `tooLarge()`. */
  maxBytes: number;
  tooLarge: () => Error;
}

/**
 * One request on `client`, the body collected into one Buffer: what `request()` plus reading its
 * body stream gives, without the Readable, its async iterator and the AsyncResource per request
 * (a fan-out makes five requests per host). Headers are parsed by undici's own parseHeaders, so
 * they read exactly as `request()` reports them; failures are undici's own errors, or the signal's
 * reason when it aborts, as with `request()`.
 */
export function exchange(client: UndiciClient, o: ExchangeOptions): Promise<CollectedResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = o;
    let abort: ((reason: Error) => void) | null = null;
    let reason: Error | null = null;
    let done = false;
    let statusCode = 0;
    let headers: Dispatcher.ResponseData['headers'] = {};
    const chunks: Buffer[] = [];
    let total = 0;
    const onAbort = (): void => {
      reason = (signal?.reason as Error | undefined) ?? new RequestAbortedError();
      abort?.(reason);
    };
    if (signal?.aborted) reason = (signal.reason as Error | undefined) ?? new RequestAbortedError();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      done = true;
      signal?.removeEventListener('abort', onAbort);
    };
    const refuse = (): false => {
      abort?.(o.tooLarge());
      return false;
    };
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        if (reason) abortRequest(reason);
        else abort = abortRequest;
      },
      onHeaders(status, raw) {
        if (status < 200) return true; // 1xx: the real answer follows
        statusCode = status;
        headers = parseHeaders(raw as Buffer[]);
        // A declared length over the cap costs nothing to refuse.
        if (Number(headers['content-length']) > o.maxBytes) return refuse();
        return true;
      },
      onData(chunk) {
        total += chunk.length;
        if (total > o.maxBytes) return refuse();
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (done) return;
        settle();
        resolve({ statusCode, headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) });
      },
      onError(err) {
        if (done) return;
        settle();
        reject(err);
      },
    };
    client.dispatch(
      { method: o.method, path: o.path, headers: o.headers, body: o.body, headersTimeout: o.headersTimeout, bodyTimeout: o.bodyTimeout },
      handler,
    );
  });
}
