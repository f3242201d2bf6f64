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
  asRetransmission,
  echoedOperationId,
} from '../wsman/index.js';
import { TsrError } from '../errors.js';
import { isResponseLost, sleep } from '../transport/index.js';
import { OutputLostError } from './errors.js';

export interface PostOptions {
  signal?: AbortSignal;
  /** Safe to send twice (Identify, Get, Enumerate, Delete): the transport may retry it. */
  idempotent?: boolean;
  /** Overrides the transport's read timeout for one long-poll. */
  readTimeoutMs?: number;
  /** For an idempotent retry after the request may have been seen: the retransmission form (built when needed). */
  resendXml?: string | (() => string);
}

/**
 * What to do when the response to a shell operation is lost (see wsman/robust.ts):
 * - 'create': retransmit with the same OperationID, whatever the server supports;
 * - 'delete': the same, for a Delete: a server that kept the answer gives it again, and one that
 *   did not answers InvalidSelectors for the shell it already deleted, which callers take as gone;
 * - 'receive': retransmit only once this server has echoed an OperationID; otherwise fail with
 *   OutputLostError, since a plain second Receive would skip the lost output.
 */
export type Retransmit = 'create' | 'receive' | 'delete';

export interface SendOptions extends PostOptions {
  retransmit?: Retransmit;
}

/** Retransmissions of one operation after the first send, and the wait before the first (doubling). */
export const MAX_RETRANSMISSIONS = 3;
export const RETRANSMIT_BASE_DELAY_MS = 200;

/** What the client needs from a transport. */
export interface Poster {
  post(xml: string, opts?: PostOptions): Promise<string>;
  close(): Promise<void>;
}

export class WSManClient {
  readonly host: string;
  readonly context: WSManContext;
  readonly #poster: Poster;
  #robust = false;
  #retransmissions = 0;

  constructor(host: string, poster: Poster, context: WSManContext) {
    this.host = host;
    this.#poster = poster;
    this.context = context;
  }

  /** True once this server echoed an OperationID: it keeps responses for retransmissions. */
  get robust(): boolean {
    return this.#robust;
  }

  /** Retransmissions sent so far (lost responses recovered or tried). */
  get retransmissions(): number {
    return this.#retransmissions;
  }

  /**
   * Sends one request and parses the answer; faults and transport errors name this host. With
   * `retransmit`, a lost response is asked for again (same OperationID, mustUnderstand="true")
   * up to MAX_RETRANSMISSIONS times with doubling waits.
   * @throws OutputLostError when a Receive's response is lost and cannot be recovered.
   */
  async send(request: BuiltRequest, opts: SendOptions = {}): Promise<WSManResponse> {
    const { retransmit, ...rest } = opts;
    const post: PostOptions =
      rest.idempotent && request.operationId !== undefined ? { ...rest, resendXml: () => asRetransmission(request).xml } : rest;
    let current = request;
    for (let attempt = 0; ; attempt++) {
      try {
        const resp = parseResponse(await this.#poster.post(current.xml, post));
        if (request.operationId !== undefined && echoedOperationId(resp) === request.operationId) this.#robust = true;
        return resp;
      } catch (err) {
        const lost = retransmit !== undefined && request.operationId !== undefined && isResponseLost(err) && !post.signal?.aborted;
        if (!lost) throw err instanceof TsrError ? err.withHost(this.host) : err;
        const detail = err instanceof Error ? err.message : String(err);
        if (retransmit === 'receive' && !this.#robust) throw new OutputLostError(detail, { host: this.host, cause: err });
        if (attempt >= MAX_RETRANSMISSIONS) {
          if (retransmit === 'receive') {
            throw new OutputLostError(`${detail}; still lost after ${MAX_RETRANSMISSIONS} retransmissions`, { host: this.host, cause: err });
          }
          throw err instanceof TsrError ? err.withHost(this.host) : err;
        }
        await sleep(RETRANSMIT_BASE_DELAY_MS * 2 ** attempt, post.signal, this.host);
        current = asRetransmission(request);
        this.#retransmissions += 1;
      }
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
