/**
 * Host calls (MS-PSRP §2.2.2.15, §2.2.2.16, §2.2.2.27, §2.2.2.28): the server asks the client's
 * host to do something (ReadLine, WriteProgress, PromptForCredential …) and, for methods that
 * return a value, the client answers. RUNSPACEPOOL_* and PIPELINE_* variants share one layout.
 */
import { type PSObject, type PSValue } from '../clixml/index.js';
import { HostMethodIdentifier, MessageType } from '../constants.js';
import { enumObject, listObject, msObject, parseObject, write } from './fields.js';

/** RUNSPACEPOOL_HOST_CALL / PIPELINE_HOST_CALL. */
export interface HostCall {
  ci: bigint;
  methodId: HostMethodIdentifier;
  /** The method name as the server wrote it (the enum's ToString). */
  methodName: string;
  /** Parameters, encoded per §2.2.6. */
  parameters: PSValue[];
}

/** RUNSPACEPOOL_HOST_RESPONSE / PIPELINE_HOST_RESPONSE: `result` and/or `error`. */
export interface HostResponse {
  ci: bigint;
  methodId: HostMethodIdentifier;
  methodName: string;
  result?: PSValue;
  /** An ErrorRecord (FullyQualifiedErrorId RemoteHostExecutionException). */
  error?: PSObject;
}

const METHOD_ID_TYPE = 'System.Management.Automation.Remoting.RemoteHostMethodId';

const methodObject = (id: HostMethodIdentifier, name: string): PSObject => enumObject(METHOD_ID_TYPE, name, id);

export function encodeHostCall(m: HostCall): string {
  return write(
    msObject([
      ['ci', { kind: 'I64', value: m.ci }],
      ['mi', methodObject(m.methodId, m.methodName)],
      ['mp', listObject(['System.Collections.ArrayList', 'System.Object'], m.parameters)],
    ]),
  );
}

function decodeHostCall(type: MessageType, data: string): HostCall {
  const p = parseObject(type, data);
  const mi = p.object('mi');
  const methodId = p.int('mi');
  return {
    ci: p.long('ci'),
    methodId,
    methodName: mi.toStringText ?? HostMethodIdentifier[methodId] ?? String(methodId),
    parameters: p.listOrNull('mp') ?? [],
  };
}

export const decodeRunspacePoolHostCall = (d: string): HostCall => decodeHostCall(MessageType.RUNSPACEPOOL_HOST_CALL, d);
export const decodePipelineHostCall = (d: string): HostCall => decodeHostCall(MessageType.PIPELINE_HOST_CALL, d);

export function encodeHostResponse(m: HostResponse): string {
  const props: [string, PSValue][] = [];
  if (m.result !== undefined) props.push(['mr', m.result]);
  props.push(['ci', { kind: 'I64', value: m.ci }], ['mi', methodObject(m.methodId, m.methodName)]);
  if (m.error !== undefined) props.push(['me', m.error]);
  return write(msObject(props));
}

function decodeHostResponse(type: MessageType, data: string): HostResponse {
  const p = parseObject(type, data);
  const mi = p.object('mi');
  const methodId = p.int('mi');
  const out: HostResponse = {
    ci: p.long('ci'),
    methodId,
    methodName: mi.toStringText ?? HostMethodIdentifier[methodId] ?? String(methodId),
  };
  const result = p.raw('mr');
  if (result !== undefined) out.result = result;
  const error = p.objectOrNull('me');
  if (error !== null) out.error = error;
  return out;
}

export const decodeRunspacePoolHostResponse = (d: string): HostResponse => decodeHostResponse(MessageType.RUNSPACEPOOL_HOST_RESPONSE, d);
export const decodePipelineHostResponse = (d: string): HostResponse => decodeHostResponse(MessageType.PIPELINE_HOST_RESPONSE, d);
