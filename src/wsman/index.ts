/**
 * tsremote/wsman — sans-IO WS-Management (SOAP 1.2, DMTF DSP0226, MS-WSMV) for both ends:
 * client request builders and response readers, server request parsers and response builders,
 * and WS-Man faults as typed errors. No I/O: callers bring their own transport.
 */
export { NS, ACTION, RESOURCE_URI, SIGNAL, COMMAND_STATE, OPTION, ANONYMOUS, WQL_DIALECT, SELECTOR_FILTER_DIALECT, powershellResourceUri } from './namespaces.js';
export {
  type XmlElement, type XmlAttribute, type XmlLimits, DEFAULT_XML_LIMITS,
  parseXml, child, childrenOf, descendant, attr, textOf, deepText, resolveQName, escapeText, escapeAttr, el, Base64Text,
} from './xml.js';
export {
  buildResponse, type ResponseEnvelopeOptions, RESPONSE_PREFIXES, withOperationId, withRelatesTo, operationIdHeaderXml,
} from './response-envelope.js';
export { newOperationId, operationIdHeader, asRetransmission, echoedOperationId } from './robust.js';
export { XmlParseError, WSManProtocolError } from './errors.js';
export { formatDuration, formatDurationMillis, formatDurationDHMS, parseDuration } from './duration.js';
export {
  type WSManContext, type BuiltRequest, type Selectors, type Options, type OptionValue, type RequestSpec,
  defaultContext, newMessageId, buildRequestEnvelope,
} from './envelope.js';
export {
  type EnumerateOptions,
  buildIdentify, buildGet, buildPut, buildCreate, buildDelete, buildEnumerate, buildPull, buildRelease,
} from './requests.js';
export {
  type ShellCreateOptions, type ConnectOptions, type CommandOptions, type SendOptions, type ReceiveOptions, type SignalOptions,
  buildShellCreate, buildCommand, buildSend, buildReceive, buildSignal, buildShellDelete,
  buildDisconnect, buildReconnect, buildConnect,
} from './shell-requests.js';
export {
  type WSManResponse, type IdentifyResponse, type ShellInfo, type StreamChunk, type CommandStateInfo,
  type ReceiveResult, type EnumerationResult,
  parseResponse, readIdentifyResponse, readShellCreated, readCommandResponse, readReceiveResponse,
  readEnumerateResponse, readPullResponse, readGetResponse, decodeBase64, xsBoolean, commandStateName,
} from './response.js';
export { type FaultSpec, WSManFault, parseFault, buildFault, faultFromElement } from './fault.js';
export { FAULTS } from './fault-catalogue.js';
export {
  type WSManRequest, type ShellCreateRequest, type CommandRequest, type SendRequest, type ReceiveRequest,
  type SignalRequest, type EnumerateRequest, type PullRequest,
  IDENTIFY_ACTION, parseRequest, readShellCreateRequest, readCommandRequest, readSendRequest, readReceiveRequest,
  readSignalRequest, readEnumerateRequest, readPullRequest, readReleaseRequest, readDisconnectRequest,
} from './request.js';
export {
  type IdentifyInfo, type ShellCreatedInfo, type ReceiveResponseInfo, type EnumerationResponseInfo,
  buildIdentifyResponse, buildShellCreatedResponse, buildCommandResponse, buildSendResponse,
  buildReceiveResponse, buildSignalResponse, buildDeleteResponse, buildEnumerateResponse, buildPullResponse,
  buildGetResponse, buildPutResponse, buildDisconnectResponse, buildReconnectResponse, shellXml,
} from './server-responses.js';
