/**
 * Every RunspacePool and Pipeline state transition of MS-PSRP, client and server, in four tables.
 *
 * Theory of operation (after h11's `_state.py`):
 * - Everything that changes a pool's or a pipeline's state is a row here. The classes in client/
 *   and server/ never assign a state themselves: they ask {@link transition} for the next one.
 * - A row says: this action, taken in one of these states, leads to that state. `to` is a state,
 *   `'same'` (no change), or `'message'` (the state the peer's RUNSPACEPOOL_STATE / PIPELINE_STATE
 *   message names; its `peerStates` lists the values we accept).
 * - Actions are either ours (`by: 'local'`: a method the caller invoked, e.g. `invoke`) or the
 *   peer's (`by: 'peer'`: a message that arrived, named by its MessageType). An illegal local action
 *   is the caller's bug: InvalidStateError, thrown at once, object unchanged. An illegal peer action
 *   is the peer's: PsrpProtocolError, and the object is broken for good (see core/engine.ts).
 * - scripts/psrp-state-tables.ts prints these tables as Markdown for docs/psrp-scenarios.md.
 *
 * Sources: client pool §3.1.1.2.2 and §3.1.4.1/§3.1.4.9/§3.1.4.10, server pool §3.2.1.2.2 and
 * §3.2.5.4.1–2, client pipeline §3.1.1.3.2 and §3.1.4.3, server pipeline §3.2.1.3.2 and §3.2.5.4.10;
 * allowed states per message from §3.1.5.4 (client) and §3.2.5.4 (server), whose subsections follow
 * the order of §2.2.2 (§3.1.5.4.13 is APPLICATION_PRIVATE_DATA as §2.2.2.13 is).
 *
 * Where we are stricter than the spec: §3.1.5.4.21 says a client SHOULD ignore a PIPELINE_STATE
 * for a pipeline that is not Running; we treat any message for a finished or unknown pipeline as
 * the peer's error (Windows never sends one; see test/psrp/client-fixtures.test.ts).
 */
import { PSInvocationState as PI, RunspacePoolState as RS } from './constants.js';
import { InvalidStateError, PsrpProtocolError } from './errors.js';

/** One row of a transition table. */
export interface Transition<S extends number> {
  /** A method name (local) or a MessageType name (peer). */
  action: string;
  by: 'local' | 'peer';
  from: readonly S[];
  to: S | 'same' | 'message';
  /** For `to: 'message'`: the states the peer may announce. */
  peerStates?: readonly S[];
  /** For `to: 'message'`: states the peer may also announce that are stale news here and change nothing. */
  stalePeerStates?: readonly S[];
  /** The spec section that decides this row. */
  spec: string;
}

export type PoolTransition = Transition<RS>;
export type PipelineTransition = Transition<PI>;

const LIVE_POOL = [RS.BeforeOpen, RS.Opening, RS.Opened, RS.NegotiationSent, RS.NegotiationSucceeded, RS.Connecting, RS.Disconnected, RS.Broken, RS.Closing];
const OPENED = [RS.Opened];

/** The client's RunspacePool (client/runspace-pool.ts). */
export const CLIENT_POOL_TRANSITIONS: readonly PoolTransition[] = [
  { action: 'open', by: 'local', from: [RS.BeforeOpen], to: RS.NegotiationSent, spec: '3.1.4.1' },
  { action: 'connect', by: 'local', from: [RS.BeforeOpen, RS.Disconnected], to: RS.Connecting, spec: '3.1.4.10' },
  { action: 'SESSION_CAPABILITY', by: 'peer', from: [RS.NegotiationSent], to: RS.NegotiationSucceeded, spec: '3.1.5.4.1' },
  { action: 'SESSION_CAPABILITY', by: 'peer', from: [RS.Connecting], to: 'same', spec: '3.1.4.10.3' },
  { action: 'APPLICATION_PRIVATE_DATA', by: 'peer', from: [RS.NegotiationSucceeded, RS.Connecting, RS.Opened], to: 'same', spec: '3.1.5.4.13' },
  { action: 'RUNSPACEPOOL_INIT_DATA', by: 'peer', from: [RS.Connecting], to: RS.Opened, spec: '3.1.5.4.30' },
  {
    action: 'RUNSPACEPOOL_STATE', by: 'peer', from: [RS.NegotiationSucceeded, RS.Opened, RS.Connecting], to: 'message',
    peerStates: [RS.Opened, RS.Broken, RS.Closed], spec: '3.1.5.4.9',
  },
  // Opened while Closing: the answer to a pool Receive sent before close() (a reconnect's, which
  // collects RUNSPACEPOOL_STATE after the ConnectResponse already opened the pool) comes late.
  {
    action: 'RUNSPACEPOOL_STATE', by: 'peer', from: [RS.Closing], to: 'message',
    peerStates: [RS.Broken, RS.Closed], stalePeerStates: [RS.Opened], spec: '3.1.5.4.9',
  },
  { action: 'ENCRYPTED_SESSION_KEY', by: 'peer', from: OPENED, to: 'same', spec: '3.1.5.4.4' },
  { action: 'PUBLIC_KEY_REQUEST', by: 'peer', from: OPENED, to: 'same', spec: '3.1.5.4.5' },
  { action: 'RUNSPACE_AVAILABILITY', by: 'peer', from: OPENED, to: 'same', spec: '3.1.5.4.8' },
  { action: 'USER_EVENT', by: 'peer', from: OPENED, to: 'same', spec: '3.1.5.4.12' },
  { action: 'RUNSPACEPOOL_HOST_CALL', by: 'peer', from: OPENED, to: 'same', spec: '3.1.5.4.15' },
  { action: 'setMinRunspaces', by: 'local', from: [RS.BeforeOpen, RS.Opened], to: 'same', spec: '3.1.5.4.7' },
  { action: 'setMaxRunspaces', by: 'local', from: [RS.BeforeOpen, RS.Opened], to: 'same', spec: '3.1.5.4.6' },
  { action: 'getAvailableRunspaces', by: 'local', from: OPENED, to: 'same', spec: '3.1.5.4.11' },
  { action: 'resetRunspaceState', by: 'local', from: OPENED, to: 'same', spec: '3.1.5.4.31' },
  { action: 'getCommandMetadata', by: 'local', from: OPENED, to: 'same', spec: '3.1.5.4.14' },
  { action: 'connectPipeline', by: 'local', from: OPENED, to: 'same', spec: '3.1.4.10' },
  { action: 'createPipeline', by: 'local', from: [RS.BeforeOpen, RS.NegotiationSent, RS.NegotiationSucceeded, RS.Opened], to: 'same', spec: '3.1.4.3' },
  { action: 'invokePipeline', by: 'local', from: OPENED, to: 'same', spec: '3.1.4.3' },
  { action: 'exchangeKey', by: 'local', from: OPENED, to: 'same', spec: '3.1.5.4.3' },
  { action: 'hostResponse', by: 'local', from: OPENED, to: 'same', spec: '3.1.5.4.16' },
  { action: 'disconnect', by: 'local', from: OPENED, to: RS.Disconnected, spec: '3.1.4.9' },
  { action: 'reconnect', by: 'local', from: [RS.Disconnected], to: RS.Opened, spec: '3.1.4.9' },
  { action: 'beginClose', by: 'local', from: LIVE_POOL, to: RS.Closing, spec: '3.1.1.2.2' },
  { action: 'close', by: 'local', from: [...LIVE_POOL, RS.Closed], to: RS.Closed, spec: '3.1.1.2.2' },
];

/** The server's RunspacePool (server/runspace-pool.ts). */
export const SERVER_POOL_TRANSITIONS: readonly PoolTransition[] = [
  { action: 'SESSION_CAPABILITY', by: 'peer', from: [RS.BeforeOpen], to: RS.NegotiationSucceeded, spec: '3.2.5.4.1' },
  // A new client connecting to a disconnected pool opens with SESSION_CAPABILITY again (§3.2.5.4.29).
  { action: 'SESSION_CAPABILITY', by: 'peer', from: [RS.Opened, RS.Disconnected], to: RS.Connecting, spec: '3.2.5.4.1' },
  { action: 'INIT_RUNSPACEPOOL', by: 'peer', from: [RS.NegotiationSucceeded], to: RS.Opening, spec: '3.2.5.4.2' },
  { action: 'CONNECT_RUNSPACEPOOL', by: 'peer', from: [RS.Connecting], to: RS.Opened, spec: '3.2.5.4.29' },
  { action: 'open', by: 'local', from: [RS.Opening], to: RS.Opened, spec: '3.2.5.4.2' },
  { action: 'PUBLIC_KEY', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.3' },
  { action: 'SET_MAX_RUNSPACES', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.6' },
  { action: 'SET_MIN_RUNSPACES', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.7' },
  { action: 'GET_AVAILABLE_RUNSPACES', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.11' },
  { action: 'RESET_RUNSPACE_STATE', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.31' },
  { action: 'GET_COMMAND_METADATA', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.14' },
  { action: 'CREATE_PIPELINE', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.10' },
  { action: 'RUNSPACEPOOL_HOST_RESPONSE', by: 'peer', from: OPENED, to: 'same', spec: '3.2.5.4.16' },
  { action: 'requestKey', by: 'local', from: OPENED, to: 'same', spec: '3.2.5.4.5' },
  { action: 'answer', by: 'local', from: OPENED, to: 'same', spec: '3.2.5.4.8' },
  { action: 'userEvent', by: 'local', from: OPENED, to: 'same', spec: '3.2.5.4.12' },
  { action: 'hostCall', by: 'local', from: OPENED, to: 'same', spec: '3.2.5.4.15' },
  { action: 'disconnect', by: 'local', from: OPENED, to: RS.Disconnected, spec: '3.2.5.3.19' },
  { action: 'reconnect', by: 'local', from: [RS.Disconnected], to: RS.Opened, spec: '3.2.5.3.21' },
  { action: 'fail', by: 'local', from: [RS.NegotiationSucceeded, RS.Opening, RS.Opened, RS.Connecting, RS.Disconnected], to: RS.Broken, spec: '3.2.1.2.2' },
  { action: 'close', by: 'local', from: [...LIVE_POOL, RS.Closed], to: RS.Closed, spec: '3.2.1.2.2' },
];

const ACTIVE = [PI.Running, PI.Stopping];

/** The client's pipeline (client/pipeline.ts). */
export const CLIENT_PIPELINE_TRANSITIONS: readonly PipelineTransition[] = [
  // A finished PowerShell may be invoked again, with the same PID (pypsrp's multiple_invocations).
  { action: 'invoke', by: 'local', from: [PI.NotStarted, PI.Completed, PI.Failed, PI.Stopped], to: PI.Running, spec: '3.1.4.3' },
  // Attaching to a pipeline that runs in a pool we connected to (§3.1.4.10: connect to a pipeline).
  { action: 'connect', by: 'local', from: [PI.NotStarted], to: PI.Running, spec: '3.1.4.10' },
  { action: 'sendInput', by: 'local', from: [PI.Running], to: 'same', spec: '3.1.5.4.17' },
  { action: 'endInput', by: 'local', from: [PI.Running], to: 'same', spec: '3.1.5.4.18' },
  { action: 'hostResponse', by: 'local', from: ACTIVE, to: 'same', spec: '3.1.5.4.28' },
  { action: 'stop', by: 'local', from: [PI.Running], to: PI.Stopping, spec: '3.1.5.3.9' },
  // The binding could not start it (its WS-Man Command failed, or its answer was lost): the pool
  // lives on, this pipeline is over (MS-PSRP leaves transport failures to the binding, §3.1.5.3.5).
  { action: 'abandon', by: 'local', from: ACTIVE, to: PI.Failed, spec: '3.1.5.3.5' },
  { action: 'disconnect', by: 'local', from: ACTIVE, to: PI.Disconnected, spec: '3.1.4.9' },
  { action: 'reconnect', by: 'local', from: [PI.Disconnected], to: PI.Running, spec: '3.1.4.9' },
  { action: 'PIPELINE_OUTPUT', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.19' },
  { action: 'ERROR_RECORD', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.20' },
  { action: 'DEBUG_RECORD', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.22' },
  { action: 'VERBOSE_RECORD', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.23' },
  { action: 'WARNING_RECORD', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.24' },
  { action: 'PROGRESS_RECORD', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.25' },
  { action: 'INFORMATION_RECORD', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.26' },
  { action: 'PIPELINE_HOST_CALL', by: 'peer', from: ACTIVE, to: 'same', spec: '3.1.5.4.27' },
  {
    action: 'PIPELINE_STATE', by: 'peer', from: ACTIVE, to: 'message',
    peerStates: [PI.Completed, PI.Failed, PI.Stopped], spec: '3.1.5.4.21',
  },
];

/** The server's pipeline (server/pipeline.ts). */
export const SERVER_PIPELINE_TRANSITIONS: readonly PipelineTransition[] = [
  // CREATE_PIPELINE makes a NotStarted pipeline and starts it at once (§3.2.5.4.10).
  { action: 'create', by: 'local', from: [PI.NotStarted], to: PI.Running, spec: '3.2.5.4.10' },
  { action: 'PIPELINE_INPUT', by: 'peer', from: ACTIVE, to: 'same', spec: '3.2.5.4.17' },
  { action: 'END_OF_PIPELINE_INPUT', by: 'peer', from: ACTIVE, to: 'same', spec: '3.2.5.4.18' },
  { action: 'PIPELINE_HOST_RESPONSE', by: 'peer', from: ACTIVE, to: 'same', spec: '3.2.5.4.28' },
  { action: 'write', by: 'local', from: ACTIVE, to: 'same', spec: '3.2.5.4.19' },
  { action: 'hostCall', by: 'local', from: [PI.Running], to: 'same', spec: '3.2.5.4.27' },
  { action: 'beginStop', by: 'local', from: [PI.Running], to: PI.Stopping, spec: '3.2.5.3.10' },
  { action: 'complete', by: 'local', from: [PI.Running], to: PI.Completed, spec: '3.2.1.3.2' },
  { action: 'fail', by: 'local', from: ACTIVE, to: PI.Failed, spec: '3.2.1.3.2' },
  { action: 'stopped', by: 'local', from: ACTIVE, to: PI.Stopped, spec: '3.2.5.3.10' },
  { action: 'disconnect', by: 'local', from: ACTIVE, to: PI.Disconnected, spec: '3.2.5.3.19' },
  { action: 'reconnect', by: 'local', from: [PI.Disconnected], to: PI.Running, spec: '3.2.5.3.21' },
];

function rowsFor<S extends number>(table: readonly Transition<S>[], action: string): Transition<S>[] {
  return table.filter((r) => r.action === action);
}

function allowedStates<S extends number>(rows: readonly Transition<S>[]): S[] {
  return [...new Set(rows.flatMap((r) => r.from))];
}

/**
 * The state after `action` in state `current`.
 *
 * @param names the state enum, for messages (RunspacePoolState or PSInvocationState).
 * @param announced for `to: 'message'` rows: the state the peer's message names.
 * @throws InvalidStateError for an illegal local action; PsrpProtocolError for a peer action
 *   (a message) that is not allowed in `current`, or an announced state the row does not accept.
 */
export function transition<S extends number>(
  table: readonly Transition<S>[],
  names: Record<number, string>,
  action: string,
  current: S,
  announced?: S,
): S {
  const rows = rowsFor(table, action);
  if (rows.length === 0) throw new RangeError(`no transition named ${action}`);
  const row = rows.find((r) => r.from.includes(current));
  const name = (s: S): string => names[s] ?? String(s);
  if (row === undefined) {
    const allowed = allowedStates(rows).map(name);
    if (rows[0]?.by === 'peer') {
      throw new PsrpProtocolError(`peer sent ${action} in state ${name(current)}; allowed in: ${allowed.join(', ')}`);
    }
    throw new InvalidStateError({ action, current: name(current), allowed });
  }
  if (row.to === 'same') return current;
  if (row.to !== 'message') return row.to;
  if (announced !== undefined && row.stalePeerStates?.includes(announced) === true) return current;
  if (announced === undefined || !(row.peerStates ?? []).includes(announced)) {
    const got = announced === undefined ? 'nothing' : name(announced);
    throw new PsrpProtocolError(`${action} announced state ${got} in state ${name(current)}`);
  }
  return announced;
}

/** True when `action` is allowed in `current` (no throw). */
export function canTransition<S extends number>(table: readonly Transition<S>[], action: string, current: S): boolean {
  return table.some((r) => r.action === action && r.from.includes(current));
}

/** The states from which `action` is allowed (for error messages and docs). */
export function statesAllowing<S extends number>(table: readonly Transition<S>[], action: string): S[] {
  return allowedStates(rowsFor(table, action));
}
