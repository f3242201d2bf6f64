/**
 * The receiving side of §2.2.4: fragments in, whole PSRP messages out.
 *
 * Fragments arrive in the order the peer sent them, possibly spread over several Stream elements
 * and several Receive responses, and fragments of different messages may follow each other in one
 * payload. MS-PSRP §3.1.5.1.2 keeps a single "partially defragmented message" per target; we key
 * by ObjectId instead, so one Defragmenter can serve a whole runspace pool and its pipelines.
 *
 * Rules we enforce (any breach is the peer's fault, a PsrpProtocolError, and breaks the object
 * for good — h11 / ssh2 style — because the byte stream can no longer be trusted):
 * - a message starts with a fragment that has S set and FragmentId 0;
 * - each later fragment of that ObjectId has FragmentId = previous + 1 and S clear;
 * - a fragment for an ObjectId we have not seen start is refused;
 * - the message being assembled stays under `maxMessageSize` bytes;
 * - at most `maxPendingObjects` messages are half-assembled at any time, holding at most
 *   `maxPendingBytes` between them (so 64 open objects cannot each grow to `maxMessageSize`).
 */
import { concatBytes, decodeFragments, type Fragment } from './fragment.js';
import { PsrpProtocolError } from './errors.js';

export interface DefragmenterOptions {
  /** Largest message we assemble, in bytes (default 64 MiB). */
  maxMessageSize?: number;
  /** How many messages may be half-assembled at once (default 64). */
  maxPendingObjects?: number;
  /** Bytes all half-assembled messages may hold together (default twice `maxMessageSize`). */
  maxPendingBytes?: number;
}

interface Partial {
  nextFragmentId: number;
  size: number;
  parts: Uint8Array[];
}

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
export const DEFAULT_MAX_PENDING_OBJECTS = 64;

/** Reassembles PSRP messages from fragments; see the file comment for the rules it enforces. */
export class Defragmenter {
  readonly #maxMessageSize: number;
  readonly #maxPendingObjects: number;
  readonly #maxPendingBytes: number;
  readonly #pending = new Map<number, Partial>();
  #pendingBytes = 0;
  #broken: string | null = null;

  constructor(options: DefragmenterOptions = {}) {
    this.#maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxPendingObjects = options.maxPendingObjects ?? DEFAULT_MAX_PENDING_OBJECTS;
    this.#maxPendingBytes = options.maxPendingBytes ?? 2 * this.#maxMessageSize;
  }

  /** Number of messages started but not yet complete. */
  get pendingObjects(): number {
    return this.#pending.size;
  }

  /** Bytes held by messages started but not yet complete. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Feeds one base64-decoded payload (one Stream element's content).
   * @returns the messages it completed, in order (possibly none).
   * @throws PsrpProtocolError on malformed or out-of-order input; afterwards every call throws.
   */
  add(bytes: Uint8Array): Uint8Array[] {
    this.#checkUsable();
    let fragments: Fragment[];
    try {
      fragments = decodeFragments(bytes, this.#maxMessageSize);
    } catch (err) {
      throw this.#fail(err instanceof PsrpProtocolError ? err.message : String(err));
    }
    const done: Uint8Array[] = [];
    for (const fragment of fragments) {
      const message = this.push(fragment);
      if (message !== null) done.push(message);
    }
    return done;
  }

  /**
   * Feeds one decoded fragment.
   * @returns the completed message when this was its end fragment, else null.
   * @throws PsrpProtocolError as {@link Defragmenter.add} does.
   */
  push(fragment: Fragment): Uint8Array | null {
    this.#checkUsable();
    const { objectId, fragmentId } = fragment;
    let partial = this.#pending.get(objectId);
    if (fragment.start) {
      if (partial !== undefined) {
        throw this.#fail(`object ${objectId} started again while fragment ${partial.nextFragmentId} was expected`);
      }
      if (fragmentId !== 0) throw this.#fail(`object ${objectId} starts with FragmentId ${fragmentId}, expected 0`);
      if (!fragment.end && this.#pending.size >= this.#maxPendingObjects) {
        throw this.#fail(`more than ${this.#maxPendingObjects} messages half-assembled at once`);
      }
      partial = { nextFragmentId: 0, size: 0, parts: [] };
    } else if (partial === undefined) {
      throw this.#fail(`fragment ${fragmentId} of object ${objectId} without a start fragment`);
    }
    if (fragmentId !== partial.nextFragmentId) {
      throw this.#fail(
        `object ${objectId}: got FragmentId ${fragmentId}, expected ${partial.nextFragmentId} (duplicate or out of order)`,
      );
    }
    partial.size += fragment.blob.length;
    if (partial.size > this.#maxMessageSize) {
      throw this.#fail(`object ${objectId} exceeds the message size limit of ${this.#maxMessageSize} bytes`);
    }
    if (!fragment.end && this.#pendingBytes + fragment.blob.length > this.#maxPendingBytes) {
      throw this.#fail(`half-assembled messages would hold more than ${this.#maxPendingBytes} bytes`);
    }
    // Copy: the blob is a view into a payload buffer the caller may reuse.
    partial.parts.push(fragment.blob.slice());
    partial.nextFragmentId += 1;
    if (fragment.end) {
      this.#pending.delete(objectId);
      this.#pendingBytes -= partial.size - fragment.blob.length;
      return partial.parts.length === 1 ? (partial.parts[0] ?? new Uint8Array(0)) : concatBytes(partial.parts);
    }
    this.#pendingBytes += fragment.blob.length;
    this.#pending.set(objectId, partial);
    return null;
  }

  #checkUsable(): void {
    if (this.#broken !== null) throw new PsrpProtocolError(`defragmenter unusable after ${this.#broken}`);
  }

  #fail(reason: string): PsrpProtocolError {
    this.#broken = reason;
    this.#pending.clear();
    this.#pendingBytes = 0;
    return new PsrpProtocolError(reason);
  }
}
