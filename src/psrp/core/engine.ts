/**
 * The part of a RunspacePool that does not care which end it is: the byte plumbing shared by the
 * client pool (client/runspace-pool.ts) and the server pool (server/runspace-pool.ts), as ssh2's
 * `Protocol` serves both its Client and Server.
 *
 * Outbound: each message is encoded (§2.2.1), given an ObjectId from one Fragmenter per pool
 * (§2.2.4: unique within the pool and its pipelines) and queued on its *target* — the pool or one
 * pipeline, and on the client also the stream ('default' = stdin, 'pr' = host responses,
 * §3.1.5.3.5). `dataToSend` hands out fragments of one target at a time, since one WS-Man request
 * addresses one CommandId. A message queued with `endsPayload` closes its segment: nothing queued later
 * is packed behind it in the same payload, so the opening creationXml / connectXml and each
 * CREATE_PIPELINE / GET_COMMAND_METADATA (the WS-Man Command's Arguments) make a payload that
 * holds only them.
 *
 * Inbound: `receiveData` reassembles fragments (Defragmenter) into whole messages and keeps them,
 * bounded, until `nextMessage` hands them out one at a time. Any malformed input breaks the engine
 * for good: every later call throws "unusable after <reason>" (h11's ERROR state, ssh2's
 * swapped-in throwers). The RPID of incoming messages is not checked: Windows answers
 * SESSION_CAPABILITY and ENCRYPTED_SESSION_KEY with a nil RPID and echoes whatever byte order the
 * client used (see test/psrp/fragment-fixtures.test.ts).
 */
import { Destination, MESSAGE_HEADER_SIZE, MessageType, messageTypeName } from '../constants.js';
import { PsrpProtocolError } from '../errors.js';
import { Fragmenter, type FragmentQueue } from '../fragment.js';
import { Defragmenter } from '../fragment-defragmenter.js';
import { DEFAULT_MAX_ENVELOPE_SIZE, maxPayloadSize } from '../fragment-size.js';
import { decodeMessage, encodeMessage, NIL_GUID, type PsrpMessage } from '../message.js';
import { decodeBody, encodeBody, type BodyOf, type MessageBodies } from '../message-body.js';

/** What to send next: fragments for one target (the pool or one pipeline) on one stream. */
export interface PsrpPayload {
  /** Whole fragments back to back (§2.2.4), to be base64-encoded into the WS-Man request. */
  data: Uint8Array;
  /**
   * Client: 'default' (rsp:Stream Name="stdin", or creationXml / Command Arguments) or 'pr'
   * (host responses, §3.1.5.3.5). Server: always 'default' (rsp:Stream Name="stdout").
   */
  stream: 'default' | 'pr';
  /** The pipeline (upper-case GUID, the WS-Man CommandId); undefined for the RunspacePool. */
  pipelineId?: string;
  /** The message types whose fragments this payload carries (for tracing and the binding). */
  messageTypes: MessageType[];
}

/** Limits on what an engine buffers (STYLE.md: every buffer is bounded). */
export interface EngineLimits {
  /** Largest PSRP message we reassemble (default 64 MiB). */
  maxMessageSize?: number;
  /** Most bytes of whole messages waiting for nextEvent() (default 128 MiB). */
  maxBufferedBytes?: number;
}

interface Segment {
  queue: FragmentQueue;
  types: MessageType[];
  closed: boolean;
}

interface Target {
  pipelineId: string | undefined;
  stream: 'default' | 'pr';
  segments: Segment[];
}

const DEFAULT_MAX_BUFFERED = 128 * 1024 * 1024;

/** Shared plumbing of one RunspacePool end; see the file comment. Internal to psrp/. */
export class Engine {
  #runspacePoolId: string;
  readonly #sendTo: Destination;
  #fragmenter = new Fragmenter();
  readonly #targets = new Map<string, Target>();
  readonly #defragmenter: Defragmenter;
  readonly #inbox: { message: PsrpMessage; size: number }[] = [];
  readonly #maxBuffered: number;
  #buffered = 0;
  #broken: string | null = null;
  /** Default payload budget; the client raises it once the server's protocol version is known. */
  maxEnvelopeSize = DEFAULT_MAX_ENVELOPE_SIZE;

  constructor(runspacePoolId: string, sendTo: Destination, limits: EngineLimits = {}) {
    this.#runspacePoolId = runspacePoolId;
    this.#sendTo = sendTo;
    this.#defragmenter = new Defragmenter(
      limits.maxMessageSize === undefined ? {} : { maxMessageSize: limits.maxMessageSize },
    );
    this.#maxBuffered = limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
  }

  /** The RPID written into every message we send. */
  get runspacePoolId(): string {
    return this.#runspacePoolId;
  }

  /** Takes the peer's RPID (a server learning its pool id from the first message); only before sending. */
  adoptRunspacePoolId(id: string): void {
    if (this.#fragmenter.allocateObjectId() !== 1) throw new RangeError('cannot change the RPID after sending');
    this.#fragmenter = new Fragmenter();
    this.#runspacePoolId = id.toUpperCase();
  }

  /** Why the engine is broken, or null. */
  get brokenReason(): string | null {
    return this.#broken;
  }

  /** Throws when broken (every public entry point of a pool or pipeline calls this first). */
  checkUsable(what: string): void {
    if (this.#broken !== null) throw new PsrpProtocolError(`${what} unusable after ${this.#broken}`);
  }

  /** Marks the engine broken for good and returns the error to throw. */
  fail(err: unknown): PsrpProtocolError {
    const reason = err instanceof Error ? err.message : String(err);
    if (this.#broken === null) this.#broken = reason;
    this.#inbox.length = 0;
    this.#buffered = 0;
    return err instanceof PsrpProtocolError ? err : new PsrpProtocolError(reason, { cause: err });
  }

  /** Queues one message for `pipelineId` (undefined = the pool). */
  send<K extends MessageType>(
    type: K,
    body: MessageBodies[K],
    opts: { pipelineId?: string; stream?: 'default' | 'pr'; endsPayload?: boolean } = {},
  ): void {
    const data = encodeBody({ type, ...body } as BodyOf<K> as Parameters<typeof encodeBody>[0]);
    const bytes = encodeMessage({
      destination: this.#sendTo,
      type,
      rpid: this.#runspacePoolId,
      pid: opts.pipelineId ?? NIL_GUID,
      data,
    });
    const target = this.#target(opts.pipelineId, opts.stream ?? 'default');
    let seg = target.segments[target.segments.length - 1];
    if (seg === undefined || seg.closed) {
      seg = { queue: this.#fragmenter.queue(), types: [], closed: false };
      target.segments.push(seg);
    }
    seg.queue.enqueue(bytes);
    seg.types.push(type);
    if (opts.endsPayload === true) seg.closed = true;
  }

  #target(pipelineId: string | undefined, stream: 'default' | 'pr'): Target {
    const key = `${pipelineId ?? ''}/${stream}`;
    let t = this.#targets.get(key);
    if (t === undefined) {
      t = { pipelineId, stream, segments: [] };
      this.#targets.set(key, t);
    }
    return t;
  }

  /** Drops every queued message of a pipeline (it finished; nothing more may go to it). */
  forget(pipelineId: string): void {
    this.#targets.delete(`${pipelineId}/default`);
    this.#targets.delete(`${pipelineId}/pr`);
  }

  /** True when something is waiting in dataToSend. */
  get hasDataToSend(): boolean {
    for (const t of this.#targets.values()) if (t.segments.some((s) => s.queue.pendingMessages > 0)) return true;
    return false;
  }

  /**
   * The next payload of at most `maxBytes` (default: what fits the current MaxEnvelopeSize),
   * or null when nothing is queued. One target per payload; the pool before pipelines.
   */
  dataToSend(maxBytes?: number, pipelineId?: string | null): PsrpPayload | null {
    const budget = maxBytes ?? maxPayloadSize(this.maxEnvelopeSize);
    for (const [key, target] of this.#targets) {
      if (pipelineId !== undefined && pipelineId !== null && target.pipelineId !== pipelineId) continue;
      if (pipelineId === null && target.pipelineId !== undefined) continue;
      const seg = target.segments[0];
      if (seg === undefined) {
        this.#targets.delete(key);
        continue;
      }
      const before = seg.queue.pendingMessages;
      const data = seg.queue.dataToSend(budget);
      if (data === null) {
        target.segments.shift();
        return this.dataToSend(maxBytes, pipelineId);
      }
      const sent = before - seg.queue.pendingMessages;
      // The types whose fragments are in this payload: the finished ones plus a partly sent head.
      const types = seg.types.slice(0, sent + (seg.queue.pendingMessages > 0 ? 1 : 0));
      seg.types.splice(0, sent);
      if (seg.queue.pendingMessages === 0) target.segments.shift();
      const payload: PsrpPayload = { data, stream: target.stream, messageTypes: types };
      if (target.pipelineId !== undefined) payload.pipelineId = target.pipelineId;
      return payload;
    }
    return null;
  }

  /**
   * Feeds the bytes of one payload from the peer (one rsp:Stream, creationXml, Arguments …).
   * @throws PsrpProtocolError on malformed fragments or messages, or when the buffer limit is hit.
   */
  receiveData(data: Uint8Array): void {
    this.checkUsable('runspace pool');
    try {
      for (const bytes of this.#defragmenter.add(data)) {
        if (bytes.length < MESSAGE_HEADER_SIZE) throw new PsrpProtocolError('PSRP message shorter than its header');
        const message = decodeMessage(bytes);
        const want = this.#sendTo === Destination.Client ? Destination.Server : Destination.Client;
        if (message.destination !== want) {
          throw new PsrpProtocolError(`${messageTypeName(message.type)} has Destination ${message.destination}, expected ${want}`);
        }
        this.#buffered += bytes.length;
        if (this.#buffered > this.#maxBuffered) {
          throw new PsrpProtocolError(`more than ${this.#maxBuffered} bytes of messages waiting for nextEvent()`);
        }
        this.#inbox.push({ message, size: bytes.length });
      }
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** The next whole message from the peer, or null. */
  nextMessage(): PsrpMessage | null {
    this.checkUsable('runspace pool');
    const entry = this.#inbox.shift();
    if (entry === undefined) return null;
    this.#buffered -= entry.size;
    return entry.message;
  }

  /** Decodes a message's body; a decoding error breaks the engine. */
  decode(message: PsrpMessage): ReturnType<typeof decodeBody> {
    try {
      return decodeBody(message);
    } catch (err) {
      throw this.fail(err);
    }
  }
}
