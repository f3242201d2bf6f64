/**
 * PSRP packet fragments (MS-PSRP §2.2.4): the wire unit that carries PSRP messages inside WS-Man
 * bodies (creationXml, Send/Stream, Command/Arguments, Receive/Stream, all base64).
 *
 * One fragment:
 *
 * ```
 *   offset size  field
 *   0      8     ObjectId     uint64, big-endian (network order); > 0, one per PSRP message
 *   8      8     FragmentId   uint64, big-endian; 0 for the first fragment of a message, then +1
 *   16     1     flags        bit 0 (0x01) S = start fragment, bit 1 (0x02) E = end fragment,
 *                             the other 6 bits are reserved (sent as 0, ignored on receipt)
 *   17     4     BlobLength   uint32, big-endian
 *   21     n     Blob         BlobLength bytes of the PSRP message (§2.2.1)
 * ```
 *
 * A message small enough travels as one fragment with S and E set. A WS-Man payload may hold
 * several fragments back to back, of several messages; one fragment never spans two payloads.
 * This file holds the codec and the sending side; fragment-defragmenter.ts the receiving side and
 * fragment-size.ts the envelope budget.
 */
import { FRAGMENT_HEADER_SIZE } from './constants.js';
import { PsrpProtocolError } from './errors.js';

/** One decoded fragment. The ids are numbers: real peers count up from 1, far below 2^53. */
export interface Fragment {
  objectId: number;
  fragmentId: number;
  /** S flag: the first fragment of its message. */
  start: boolean;
  /** E flag: the last fragment of its message. */
  end: boolean;
  blob: Uint8Array;
}

const FLAG_START = 0x01;
const FLAG_END = 0x02;
const UINT32_MAX = 0xffffffff;

function writeUint64(view: DataView, offset: number, value: number): void {
  view.setBigUint64(offset, BigInt(value), false);
}

function assertId(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Encodes one fragment.
 * @throws RangeError when an id is out of range or the blob is over 4 GiB (local misuse).
 */
export function encodeFragment(fragment: Fragment): Uint8Array {
  const out = new Uint8Array(FRAGMENT_HEADER_SIZE + fragment.blob.length);
  encodeFragmentInto(fragment, out, 0);
  return out;
}

/**
 * Writes one fragment (header and blob) into `out` at `offset`; returns the offset after it.
 * The sending side packs a payload's fragments straight into one array with it, copying each
 * blob once.
 * @throws RangeError as {@link encodeFragment}, or when `out` has no room for it.
 */
export function encodeFragmentInto(fragment: Fragment, out: Uint8Array, offset: number): number {
  assertId('objectId', fragment.objectId, 1);
  assertId('fragmentId', fragment.fragmentId, 0);
  if (fragment.blob.length > UINT32_MAX) throw new RangeError('fragment blob is larger than 4 GiB');
  const end = offset + FRAGMENT_HEADER_SIZE + fragment.blob.length;
  if (end > out.length) throw new RangeError(`no room for a fragment of ${end - offset} bytes at offset ${offset}`);
  const view = new DataView(out.buffer, out.byteOffset + offset, FRAGMENT_HEADER_SIZE);
  writeUint64(view, 0, fragment.objectId);
  writeUint64(view, 8, fragment.fragmentId);
  view.setUint8(16, (fragment.start ? FLAG_START : 0) | (fragment.end ? FLAG_END : 0));
  view.setUint32(17, fragment.blob.length, false);
  out.set(fragment.blob, offset + FRAGMENT_HEADER_SIZE);
  return end;
}

function readId(view: DataView, offset: number, name: string): number {
  const value = view.getBigUint64(offset, false);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new PsrpProtocolError(`fragment ${name} ${value} is beyond what we track (2^53 - 1)`);
  }
  return Number(value);
}

/**
 * Splits one WS-Man payload (already base64-decoded) into its fragments.
 *
 * The blobs are views into `bytes`, not copies.
 * @param maxBlobLength refuse any fragment whose BlobLength exceeds this (default: no limit
 *   beyond the payload itself).
 * @throws PsrpProtocolError on a truncated header or blob, an ObjectId of 0, or a BlobLength over
 *   `maxBlobLength`.
 */
export function decodeFragments(bytes: Uint8Array, maxBlobLength = Number.POSITIVE_INFINITY): Fragment[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fragments: Fragment[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < FRAGMENT_HEADER_SIZE) {
      throw new PsrpProtocolError(
        `truncated fragment header: ${bytes.length - offset} bytes left at offset ${offset}, need ${FRAGMENT_HEADER_SIZE}`,
      );
    }
    const objectId = readId(view, offset, 'ObjectId');
    const fragmentId = readId(view, offset + 8, 'FragmentId');
    const flags = view.getUint8(offset + 16);
    const blobLength = view.getUint32(offset + 17, false);
    if (objectId === 0) throw new PsrpProtocolError('fragment ObjectId is 0 (MS-PSRP 2.2.4: MUST be greater than 0)');
    if (blobLength > maxBlobLength) {
      throw new PsrpProtocolError(`fragment BlobLength ${blobLength} exceeds the limit of ${maxBlobLength} bytes`);
    }
    const blobStart = offset + FRAGMENT_HEADER_SIZE;
    if (blobLength > bytes.length - blobStart) {
      throw new PsrpProtocolError(
        `truncated fragment: BlobLength ${blobLength} but only ${bytes.length - blobStart} bytes follow (object ${objectId}, fragment ${fragmentId})`,
      );
    }
    fragments.push({
      objectId,
      fragmentId,
      start: (flags & FLAG_START) !== 0,
      end: (flags & FLAG_END) !== 0,
      blob: bytes.subarray(blobStart, blobStart + blobLength),
    });
    offset = blobStart + blobLength;
  }
  return fragments;
}

/**
 * Cuts one PSRP message into encoded fragments of at most `maxBlobSize` blob bytes each.
 * @throws RangeError when `maxBlobSize` < 1 or `objectId` < 1.
 */
export function fragmentMessage(message: Uint8Array, objectId: number, maxBlobSize: number): Uint8Array[] {
  if (!Number.isSafeInteger(maxBlobSize) || maxBlobSize < 1) {
    throw new RangeError(`maxBlobSize must be a positive integer, got ${maxBlobSize}`);
  }
  const out: Uint8Array[] = [];
  let offset = 0;
  let fragmentId = 0;
  do {
    const blob = message.subarray(offset, offset + maxBlobSize);
    offset += blob.length;
    out.push(encodeFragment({ objectId, fragmentId, start: fragmentId === 0, end: offset >= message.length, blob }));
    fragmentId += 1;
  } while (offset < message.length);
  return out;
}

export { concatBytes } from '../util/bytes.js';

interface Outgoing {
  objectId: number;
  data: Uint8Array;
  offset: number;
  fragmentId: number;
}

/**
 * The sending side: hands out ObjectIds and turns queued messages into payloads that fit a
 * byte budget, packing fragments of several messages back to back (§2.2.4 allows it) and cutting a
 * message across payloads when it does not fit.
 *
 * ObjectIds MUST be unique within a RunspacePool and its pipelines (§2.2.4), so a pool and its
 * pipelines share one Fragmenter; each sending target (the pool, each pipeline) keeps its own
 * queue through {@link Fragmenter.queue}.
 */
export class Fragmenter {
  #nextObjectId: number;

  /** @param firstObjectId the ObjectId of the first message (default 1). */
  constructor(firstObjectId = 1) {
    assertId('firstObjectId', firstObjectId, 1);
    this.#nextObjectId = firstObjectId;
  }

  /** Reserves the next ObjectId. */
  allocateObjectId(): number {
    const id = this.#nextObjectId;
    this.#nextObjectId += 1;
    return id;
  }

  /** Cuts `message` into encoded fragments under `objectId` (see {@link fragmentMessage}). */
  fragment(message: Uint8Array, objectId: number, maxBlobSize: number): Uint8Array[] {
    return fragmentMessage(message, objectId, maxBlobSize);
  }

  /** A new send queue whose messages take their ObjectIds from this Fragmenter. */
  queue(): FragmentQueue {
    return new FragmentQueue(this);
  }
}

/** Messages waiting to be sent to one target, cut into payloads on demand. */
export class FragmentQueue {
  readonly #fragmenter: Fragmenter;
  readonly #pending: Outgoing[] = [];

  constructor(fragmenter: Fragmenter) {
    this.#fragmenter = fragmenter;
  }

  /** Queues one encoded PSRP message; returns the ObjectId it was given. */
  enqueue(message: Uint8Array): number {
    const objectId = this.#fragmenter.allocateObjectId();
    this.#pending.push({ objectId, data: message, offset: 0, fragmentId: 0 });
    return objectId;
  }

  /** Messages not yet (fully) handed out. */
  get pendingMessages(): number {
    return this.#pending.length;
  }

  /**
   * The next payload: whole fragments, back to back, at most `maxBytes` long (before base64).
   * Returns null when nothing is queued.
   * @throws RangeError when `maxBytes` cannot hold a fragment header plus one byte.
   */
  dataToSend(maxBytes: number): Uint8Array | null {
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= FRAGMENT_HEADER_SIZE) {
      throw new RangeError(`maxBytes must exceed the ${FRAGMENT_HEADER_SIZE}-byte fragment header, got ${maxBytes}`);
    }
    if (this.#pending.length === 0) return null;
    // Cut first (the blobs are views), then write every fragment once into one array.
    const parts: Fragment[] = [];
    let room = maxBytes;
    while (room > FRAGMENT_HEADER_SIZE) {
      const head = this.#pending[0];
      if (head === undefined) break;
      const blob = head.data.subarray(head.offset, head.offset + room - FRAGMENT_HEADER_SIZE);
      const start = head.fragmentId === 0;
      head.offset += blob.length;
      const end = head.offset >= head.data.length;
      parts.push({ objectId: head.objectId, fragmentId: head.fragmentId, start, end, blob });
      room -= FRAGMENT_HEADER_SIZE + blob.length;
      head.fragmentId += 1;
      if (end) this.#pending.shift();
    }
    const out = new Uint8Array(maxBytes - room);
    let at = 0;
    for (const f of parts) at = encodeFragmentInto(f, out, at);
    return out;
  }
}
