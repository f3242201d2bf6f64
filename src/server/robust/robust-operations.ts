/**
 * How the dispatcher answers a request that carries p:OperationID (MS-WSMV 3.1.4.1.39, and the
 * contract in docs/serve.md "Robust connections"):
 *
 * | OperationID                         | answer                                                   |
 * |-------------------------------------|----------------------------------------------------------|
 * | new (either mustUnderstand)         | run the operation; echo the id; keep the response        |
 * | known, mustUnderstand="true"        | the kept response again, a:RelatesTo → the new MessageID |
 * | known, mustUnderstand="false"       | wsa:InvalidMessageInformationHeader (ids are not reused)  |
 *
 * Only shell operations are kept (Create, Command, Send, Receive, Signal, Delete, Disconnect,
 * Reconnect, Connect); other requests just get the id echoed.
 */
import { NS, attr, withOperationId, withRelatesTo, type WSManRequest, type XmlElement } from '../../wsman/index.js';
import type { RequestOp } from '../fault-injection/spec.js';
import { OperationCache, type CachedResponse, type OperationTarget } from './operation-cache.js';

const KEPT_OPS: ReadonlySet<RequestOp> = new Set(['create', 'command', 'send', 'receive', 'signal', 'delete', 'disconnect', 'reconnect', 'connect']);

export type RobustOutcome =
  | { kind: 'run' }
  | { kind: 'replay'; response: CachedResponse | Promise<CachedResponse> }
  | { kind: 'reused' };

export class RobustOperations {
  readonly cache: OperationCache;

  constructor(cache = new OperationCache()) {
    this.cache = cache;
  }

  /** What to do with a request, before running it. */
  classify(req: WSManRequest, owner: string, op: RequestOp | undefined): RobustOutcome {
    const id = req.operationId;
    if (id === undefined || op === undefined || !KEPT_OPS.has(op)) return { kind: 'run' };
    const kept = this.cache.lookup(owner, id.id);
    if (kept === undefined) return { kind: 'run' };
    return id.mustUnderstand ? { kind: 'replay', response: kept } : { kind: 'reused' };
  }

  /** Runs a new operation: echoes the id on its response and keeps the response when it is a shell operation. */
  run(req: WSManRequest, owner: string, op: RequestOp | undefined, handle: () => Promise<CachedResponse>): Promise<CachedResponse> {
    const id = req.operationId;
    if (id === undefined) return handle();
    const response = handle().then((r) => (r.operationIdEchoed === true ? r : echo(r, id.id)));
    if (op !== undefined && KEPT_OPS.has(op)) this.cache.run(owner, id.id, targetOf(req, op), response);
    return response;
  }

  /** A kept response, re-addressed to the retransmission's MessageID. */
  async replay(req: WSManRequest, kept: CachedResponse | Promise<CachedResponse>): Promise<CachedResponse> {
    const r = await kept;
    return { status: r.status, body: withRelatesTo(r.body, req.messageId) };
  }
}

/** The id echoed on any response (faults included) to a request that carried one. */
export function echo(r: CachedResponse, operationId: string | undefined): CachedResponse {
  if (operationId === undefined || r.body === '' || r.operationIdEchoed === true) return r;
  return { status: r.status, body: withOperationId(r.body, operationId) };
}

function targetOf(req: WSManRequest, op: RequestOp): OperationTarget {
  return { shellId: req.selectors.ShellId ?? '', commandId: commandIdOf(req.body) ?? '', op };
}

/** The CommandId of rsp:Receive/DesiredStream, rsp:Signal, rsp:Send/Stream (first two levels of the Body). */
function commandIdOf(body: XmlElement): string | undefined {
  for (const el of body.children) {
    if (el.ns !== NS.rsp) continue;
    const own = attr(el, 'CommandId');
    if (own !== undefined) return own;
    for (const inner of el.children) {
      const id = attr(inner, 'CommandId');
      if (id !== undefined) return id;
    }
  }
  return undefined;
}
