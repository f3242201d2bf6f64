/**
 * How many fragment bytes fit in one WS-Man request (§2.2.4: "Each fragment MUST fit into the
 * payload of a WS-MAN message"; MS-WSMV §3.1.4.1.7 MaxEnvelopeSize).
 *
 * The payload travels base64 inside a Send, Command or Create envelope, so the budget is the
 * envelope limit, minus the SOAP around the payload, times 3/4. pypsrp and psrpcore do the same
 * sum: pypsrp measured its Send skeleton and added 256 bytes of slack; psrp (pypsrp 1.x) takes a
 * flat 2048 bytes, which we follow because our headers vary (option sets, long resource URIs).
 *
 * The envelope limit itself: the server's MaxEnvelopeSizekb, 150 KiB on Windows 7 / 2008 R2 and
 * 500 KiB from Windows 8 / 2012 on. Before anything is known we use 153600; once the server's
 * SESSION_CAPABILITY says protocolversion >= 2.2 we may use 512000, as psrp does. A caller that read
 * winrm/config (`cfg:MaxEnvelopeSizekb`, see test_wsman_update_envelope_size_*) passes that instead.
 */
import { FRAGMENT_HEADER_SIZE } from './constants.js';

/** MaxEnvelopeSize to assume before the server's version is known (150 KiB). */
export const DEFAULT_MAX_ENVELOPE_SIZE = 153600;
/** MaxEnvelopeSize of servers speaking protocol 2.2 or later (500 KiB). */
export const MODERN_MAX_ENVELOPE_SIZE = 512000;
/** Bytes reserved for the SOAP envelope around the base64 payload. */
export const DEFAULT_ENVELOPE_OVERHEAD = 2048;

/** Compares dotted versions numerically ('2.10' > '2.2'); a missing part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * The MaxEnvelopeSize to assume for a server that announced `protocolVersion` in its
 * SESSION_CAPABILITY (undefined: not known yet).
 */
export function maxEnvelopeSizeFor(protocolVersion: string | undefined): number {
  if (protocolVersion === undefined) return DEFAULT_MAX_ENVELOPE_SIZE;
  return compareVersions(protocolVersion, '2.2') >= 0 ? MODERN_MAX_ENVELOPE_SIZE : DEFAULT_MAX_ENVELOPE_SIZE;
}

/**
 * Raw (pre-base64) payload bytes that fit in one envelope of `maxEnvelopeSize` bytes.
 * @throws RangeError when the envelope cannot hold even one fragment.
 */
export function maxPayloadSize(maxEnvelopeSize: number, envelopeOverhead = DEFAULT_ENVELOPE_OVERHEAD): number {
  const size = Math.floor(((maxEnvelopeSize - envelopeOverhead) * 3) / 4);
  if (!Number.isFinite(size) || size <= FRAGMENT_HEADER_SIZE) {
    throw new RangeError(`MaxEnvelopeSize ${maxEnvelopeSize} leaves no room for a PSRP fragment`);
  }
  return size;
}

/** Largest fragment blob that fits in one envelope: the payload budget minus one fragment header. */
export function maxBlobSize(maxEnvelopeSize: number, envelopeOverhead = DEFAULT_ENVELOPE_OVERHEAD): number {
  return maxPayloadSize(maxEnvelopeSize, envelopeOverhead) - FRAGMENT_HEADER_SIZE;
}
