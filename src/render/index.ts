/**
 * render/: records → text for people (PowerShell-style tables, lists, error views, stream
 * prefixes, a progress line) and NDJSON for machines. Pure apart from the injected terminal's
 * `write`. Also the WinRS byte-stream renderers and the WS-Man instance view.
 */
export type { RenderTerminal, Style, Paint } from './terminal.js';
export { createStyle } from './terminal.js';
export type { PipelineRecord, PipelineStream, HostStatus } from './record.js';
export { RecordRenderer, type RecordRendererOptions } from './renderer.js';
export { ObjectRenderer, type ObjectRendererOptions, type OutputShape } from './object-renderer.js';
export { HostPrefix, type HostPrefixOptions } from './host-prefix.js';
export { formatObjects, type FormatOptions } from './format.js';
export { conciseErrorView, isErrorRecord, type ErrorViewOptions } from './error-view.js';
export {
  warningText, verboseText, debugText, informationText, hostCallText, informationalMessage, isHostCall,
  type HostCallValue, type StreamText,
} from './streams.js';
export { ProgressLine, progressInfo, progressText, type ProgressInfo, type ProgressLineOptions } from './progress.js';
export { ndjsonRecord, ndjsonEnd, typesOf, type EndError } from './ndjson.js';
export { displayWidth, truncate, stripAnsi } from './width.js';
export * as textStreams from './text-streams.js';
export { xmlToJson, xmlToText } from './xml-view.js';
