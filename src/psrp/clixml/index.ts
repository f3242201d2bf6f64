/**
 * CLIXML (MS-PSRP §2.2.5): the typed value model, the deserializer and serializer, the JSON
 * projection used by `--json`, and the text rendering of powershell.exe's `#< CLIXML` stderr.
 */
export {
  PSObject, isPSObject, kindOf, ps, DEFAULT_TYPE_NAMES,
  type PSValue, type MemberList, type PSPrimitive, type PSCollection, type PSList, type PSDict, type PSNumber, type PSNumberKind,
  type PSBigInt, type PSText, type PSTextKind, type PSDateTime, type PSTimeSpan, type PSBytes, type PSProgressRecord,
} from './model.js';
export { ClixmlError } from './errors.js';
export { encodeString, decodeString } from './escape.js';
export type { XElement } from './xml.js';
export { timeSpanFromMs } from './primitives.js';
export { deserialize, deserializeAll, deserializeRecords, type DeserializeOptions, type ClixmlRecord } from './deserialize.js';
export { serialize, serializeAll, CLIXML_NAMESPACE } from './serialize.js';
export { toJSON, isEnum, type ProjectOptions } from './project.js';
export { clixmlToText, clixmlToRecords, type StreamRecord } from './text.js';
