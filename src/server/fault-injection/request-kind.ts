/**
 * What a rule's OPS and shell= keys match against: the operation named by the request's wsa:Action
 * (Identify has none: parseRequest reports a synthetic one) and the family of its ResourceURI.
 */
import { ACTION, IDENTIFY_ACTION, RESOURCE_URI, type WSManRequest } from '../../wsman/index.js';
import type { RequestOp, ShellFamily } from './spec.js';

const OP_OF_ACTION: ReadonlyMap<string, RequestOp> = new Map<string, RequestOp>([
  [IDENTIFY_ACTION, 'identify'],
  [ACTION.Get, 'get'],
  [ACTION.Put, 'put'],
  [ACTION.Enumerate, 'enumerate'],
  [ACTION.Pull, 'pull'],
  [ACTION.Release, 'release'],
  [ACTION.Create, 'create'],
  [ACTION.Delete, 'delete'],
  [ACTION.Command, 'command'],
  [ACTION.Send, 'send'],
  [ACTION.Receive, 'receive'],
  [ACTION.Signal, 'signal'],
  [ACTION.Disconnect, 'disconnect'],
  [ACTION.Reconnect, 'reconnect'],
  [ACTION.Connect, 'connect'],
]);

/** The operation of a request; undefined for an Action no rule can name. */
export function requestOp(req: WSManRequest): RequestOp | undefined {
  return OP_OF_ACTION.get(req.action);
}

const PSRP_PREFIX = 'http://schemas.microsoft.com/powershell/';

/** psrp for a PowerShell endpoint, winrs for the cmd shell, undefined for anything else. */
export function shellFamily(resourceUri: string | undefined): ShellFamily | undefined {
  const uri = (resourceUri ?? '').toLowerCase();
  if (uri.startsWith(PSRP_PREFIX)) return 'psrp';
  if (uri === RESOURCE_URI.cmd.toLowerCase()) return 'winrs';
  return undefined;
}
