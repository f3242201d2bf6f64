/**
 * The record that crosses from the protocol layers to the CLI (DESIGN.md "What flows"): one value
 * from one host's pipeline, tagged with its stream and a per-host sequence number.
 */
import type { PSValue } from '../psrp/clixml/index.js';
import type { ProgressInfo } from './progress.js';
import type { HostCallValue } from './streams.js';

export type PipelineStream = 'output' | 'error' | 'warning' | 'verbose' | 'debug' | 'information' | 'progress' | 'host';

/**
 * One record. `value` by stream:
 * - output: any deserialized value;
 * - error: the ErrorRecord object (or text);
 * - warning / verbose / debug: the InformationalRecord object, or its message;
 * - information: the InformationRecord object, or its MessageData;
 * - progress: the PROGRESS_RECORD fields (the ProgressRecord event, a `<PR>` value or the object);
 * - host: the host call (`{ methodName, parameters }`, e.g. the PipelineHostCall event).
 */
export interface PipelineRecord {
  host: string;
  stream: PipelineStream;
  value: PSValue | HostCallValue | ProgressInfo | object;
  seq: number;
}

/** How a host's run ended, for the final NDJSON line. */
export type HostStatus = 'ok' | 'failed' | 'unreachable' | 'interrupted';
