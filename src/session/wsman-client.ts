/**
 * A WS-Management client for one endpoint: sends the envelopes src/wsman builds through a transport
 * and reads the answers. The transport is anything with `post` (the real one is
 * transport/WSManTransport; tests pass a replaying fake).
 */
import {
  type BuiltRequest,
  type EnumerateOptions,
  type IdentifyResponse,
  type Selectors,
  type WSManContext,
  type WSManResponse,
  type XmlElement,
  buildEnumerate,
  buildGet,
  buildIdentify,
  buildPull,
  buildRelease,
  parseResponse,
  readEnumerateResponse,
  readGetResponse,
  readIdentifyResponse,
  readPullResponse,
} from '../wsman/index.js';
import { TsrError } from '../errors.js';

export interface PostOptions {
  signal?: AbortSignal;
  /** Safe to send twice (Identify, Get, Enumerate, Delete): the transport may retry it. */
  idempotent?: boolean;
  /** Overrides the transport's read timeout for one long-poll. */
  readTimeoutMs?: number;
}

/** What the client needs from a transport. */
export interface Poster {
  post(xml: string, opts?: PostOptions): Promise<string>;
  close(): Promise<void>;
}

export class WSManClient {
  readonly host: string;
  readonly context: WSManContext;
  readonly #poster: Poster;

  constructor(host: string, poster: Poster, context: WSManContext) {
    this.host = host;
    this.#poster = poster;
    this.context = context;
  }

  /** Sends one request and parses the answer; faults and transport errors name this host. */
  async send(request: BuiltRequest, opts: PostOptions = {}): Promise<WSManResponse> {
    try {
      const body = await this.#poster.post(request.xml, opts);
      return parseResponse(body);
    } catch (err) {
      if (err instanceof TsrError) throw err.withHost(this.host);
      throw err;
    }
  }

  /** Test-WSMan: the Identify answer. */
  async identify(signal?: AbortSignal): Promise<IdentifyResponse> {
    const resp = await this.send(buildIdentify(), { signal, idempotent: true });
    return readIdentifyResponse(resp);
  }

  /** Get-WSManInstance: the resource's body element. */
  async get(resourceUri: string, selectors?: Selectors, signal?: AbortSignal): Promise<XmlElement> {
    const resp = await this.send(buildGet(this.context, resourceUri, selectors), { signal, idempotent: true });
    return readGetResponse(resp);
  }

  /**
   * Enumerate (optimized) then Pull until EndOfSequence, yielding items as they arrive. An early
   * `break` by the caller releases the enumeration context on the server.
   */
  async *enumerate(
    resourceUri: string,
    opts: EnumerateOptions = {},
    signal?: AbortSignal,
  ): AsyncGenerator<XmlElement, void, undefined> {
    const first = await this.send(
      buildEnumerate(this.context, resourceUri, { optimize: true, maxElements: 32000, ...opts }),
      { signal, idempotent: true },
    );
    let page = readEnumerateResponse(first);
    let finished = false;
    try {
      for (;;) {
        yield* page.items;
        if (page.endOfSequence || !page.enumerationContext) {
          finished = true;
          return;
        }
        const next = await this.send(buildPull(this.context, resourceUri, page.enumerationContext), { signal });
        page = readPullResponse(next);
      }
    } finally {
      if (!finished && page.enumerationContext && !signal?.aborted) {
        await this.send(buildRelease(this.context, resourceUri, page.enumerationContext)).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    await this.#poster.close();
  }
}
