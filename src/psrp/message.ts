/**
 * The PSRP message (MS-PSRP §2.2.1): what a run of fragments reassembles into.
 *
 * ```
 *   offset size  field
 *   0      4     Destination  uint32 little-endian: 1 = client, 2 = server
 *   4      4     MessageType  uint32 little-endian (§2.2.1 table, see MessageType)
 *   8      16    RPID         GUID of the RunspacePool, .NET byte order
 *   24     16    PID          GUID of the pipeline, .NET byte order; all zeros for pool messages
 *   40     n     Data         UTF-8 CLIXML, usually preceded by the UTF-8 BOM EF BB BF
 * ```
 *
 * ".NET byte order" is Guid.ToByteArray(): the first three groups little-endian, the last two as
 * written. So 76056A84-51DC-4F24-9262-CA2A55464B2B is 84 6A 05 76 DC 51 24 4F 92 62 CA 2A 55 46 4B 2B.
 * Windows sends the BOM on every message with data (END_OF_PIPELINE_INPUT has none); we send it too.
 */
import { Destination, MESSAGE_HEADER_SIZE, MessageType, isMessageType, messageTypeName } from './constants.js';
import { PsrpProtocolError } from './errors.js';

/** One PSRP message with its CLIXML body still as text. */
export interface PsrpMessage {
  destination: Destination;
  type: MessageType;
  /** RunspacePool id, upper-case GUID text (as WS-Man's ShellId). */
  rpid: string;
  /** Pipeline id, upper-case GUID text; {@link NIL_GUID} for RunspacePool messages. */
  pid: string;
  /** The Data field as text, BOM removed: CLIXML, or '' for END_OF_PIPELINE_INPUT. */
  data: string;
}

export const NIL_GUID = '00000000-0000-0000-0000-000000000000';

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** .NET's Guid.ToByteArray order: which byte of the written-out GUID goes to each position. */
const DOTNET_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;
/** Upper-case two-digit hex of every byte: every PSRP message carries two GUIDs each way. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/**
 * Writes `guid` into `out` at `offset` in .NET byte order.
 * @throws RangeError when `guid` is not GUID text.
 */
export function writeGuid(guid: string, out: Uint8Array, offset: number): void {
  const m = GUID_RE.exec(guid);
  if (m === null) throw new RangeError(`not a GUID: ${JSON.stringify(guid)}`);
  const hex = `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}`;
  for (let i = 0; i < 16; i++) {
    const at = DOTNET_ORDER[i] as number;
    out[offset + i] = Number.parseInt(hex.slice(at * 2, at * 2 + 2), 16);
  }
}

/** Reads a GUID in .NET byte order from `bytes` at `offset`; upper-case text. */
export function readGuid(bytes: Uint8Array, offset: number): string {
  const h = (i: number): string => HEX[bytes[offset + i] ?? 0] as string;
  return (
    `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-` +
    `${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`
  );
}

export interface EncodeMessageOptions {
  /** Prefix non-empty Data with the UTF-8 BOM, as Windows does (default true). */
  bom?: boolean;
}

/**
 * Encodes a PSRP message (header + UTF-8 data).
 * @throws RangeError on a bad GUID or an unknown destination/type (local misuse).
 */
export function encodeMessage(message: PsrpMessage, options: EncodeMessageOptions = {}): Uint8Array {
  if (message.destination !== Destination.Client && message.destination !== Destination.Server) {
    throw new RangeError(`unknown destination ${String(message.destination)}`);
  }
  if (!isMessageType(message.type)) throw new RangeError(`unknown message type ${messageTypeName(message.type)}`);
  // Sized first, then encoded in place: a big message (pipeline input) is not copied twice.
  const bodyLength = Buffer.byteLength(message.data, 'utf8');
  const bom = bodyLength > 0 && options.bom !== false ? UTF8_BOM.length : 0;
  const out = new Uint8Array(MESSAGE_HEADER_SIZE + bom + bodyLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, message.destination, true);
  view.setUint32(4, message.type, true);
  writeGuid(message.rpid, out, 8);
  writeGuid(message.pid, out, 24);
  if (bom > 0) out.set(UTF8_BOM, MESSAGE_HEADER_SIZE);
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(message.data, MESSAGE_HEADER_SIZE + bom, 'utf8');
  return out;
}

/**
 * Decodes a reassembled PSRP message.
 * @throws PsrpProtocolError when it is shorter than the header, names an unknown destination or
 *   message type, or its Data is not valid UTF-8.
 */
export function decodeMessage(bytes: Uint8Array): PsrpMessage {
  if (bytes.length < MESSAGE_HEADER_SIZE) {
    throw new PsrpProtocolError(`PSRP message of ${bytes.length} bytes is shorter than its 40-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const destination = view.getUint32(0, true);
  const type = view.getUint32(4, true);
  if (destination !== Destination.Client && destination !== Destination.Server) {
    throw new PsrpProtocolError(`PSRP message has unknown Destination ${destination}`);
  }
  if (!isMessageType(type)) throw new PsrpProtocolError(`PSRP message has unknown MessageType ${messageTypeName(type)}`);
  let body = bytes.subarray(MESSAGE_HEADER_SIZE);
  if (body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2]) body = body.subarray(3);
  let data: string;
  try {
    data = utf8Decoder.decode(body);
  } catch (err) {
    throw new PsrpProtocolError(`${messageTypeName(type)} Data is not valid UTF-8`, { cause: err });
  }
  return { destination, type, rpid: readGuid(bytes, 8), pid: readGuid(bytes, 24), data };
}
