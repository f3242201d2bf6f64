/** Types for clixml-payload.mjs (plain JavaScript; its PRNG comes from the built dist/, as the fleet's serve does). */
export interface ProcessPayload {
  /** One CLIXML document per object, RefIds from 0 in each (a PIPELINE_OUTPUT message each). */
  messages: string[];
  /** The random fields each object was built from. */
  records: object[];
  /** UTF-8 bytes of all messages together. */
  bytes: number;
  /** The same objects as one <Objs> stream, RefIds running on across objects. */
  document(): string;
  /** The same objects as one JSON array, as toJSON projects them. */
  json(): string;
  /** Object i as toJSON projects it. */
  jsonOf(i: number): object;
}
export function buildProcessPayload(opts?: { bytes?: number; seed?: number }): ProcessPayload;
export function encodeClixmlString(s: string): string;
