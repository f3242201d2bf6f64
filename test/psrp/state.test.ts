/**
 * The transition tables of src/psrp/state.ts, and the h11 fuzz invariant: whatever the peer sends,
 * a pool yields events or a PsrpProtocolError, nothing else; whatever the caller calls, it works
 * or throws one of our errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTsrError } from '../../src/errors.js';
import { MessageType, PSInvocationState as PI, RunspacePoolState as RS } from '../../src/psrp/constants.js';
import { InvalidStateError, PsrpProtocolError } from '../../src/psrp/errors.js';
import {
  canTransition, CLIENT_PIPELINE_TRANSITIONS, CLIENT_POOL_TRANSITIONS, SERVER_PIPELINE_TRANSITIONS, SERVER_POOL_TRANSITIONS,
  statesAllowing, transition, type Transition,
} from '../../src/psrp/state.js';
import { clientEvents, makePair, openPair, serverEvents, toClient, toServer } from './pair-helpers.js';

const TO_CLIENT = [
  'SESSION_CAPABILITY', 'APPLICATION_PRIVATE_DATA', 'RUNSPACEPOOL_INIT_DATA', 'RUNSPACEPOOL_STATE', 'ENCRYPTED_SESSION_KEY',
  'PUBLIC_KEY_REQUEST', 'RUNSPACE_AVAILABILITY', 'USER_EVENT', 'RUNSPACEPOOL_HOST_CALL',
];
const TO_CLIENT_PIPELINE = [
  'PIPELINE_OUTPUT', 'ERROR_RECORD', 'DEBUG_RECORD', 'VERBOSE_RECORD', 'WARNING_RECORD', 'PROGRESS_RECORD',
  'INFORMATION_RECORD', 'PIPELINE_HOST_CALL', 'PIPELINE_STATE',
];
const TO_SERVER = [
  'SESSION_CAPABILITY', 'INIT_RUNSPACEPOOL', 'CONNECT_RUNSPACEPOOL', 'PUBLIC_KEY', 'SET_MAX_RUNSPACES', 'SET_MIN_RUNSPACES',
  'GET_AVAILABLE_RUNSPACES', 'RESET_RUNSPACE_STATE', 'GET_COMMAND_METADATA', 'CREATE_PIPELINE', 'RUNSPACEPOOL_HOST_RESPONSE',
];
const TO_SERVER_PIPELINE = ['PIPELINE_INPUT', 'END_OF_PIPELINE_INPUT', 'PIPELINE_HOST_RESPONSE'];

const TABLES: readonly (readonly Transition<number>[])[] = [CLIENT_POOL_TRANSITIONS, SERVER_POOL_TRANSITIONS, CLIENT_PIPELINE_TRANSITIONS, SERVER_PIPELINE_TRANSITIONS];

const peerActions = (t: readonly Transition<number>[]): string[] => [...new Set(t.filter((r) => r.by === 'peer').map((r) => r.action))].sort();

describe('transition tables', () => {
  it('name every message each side can receive, and nothing else', () => {
    expect(peerActions(CLIENT_POOL_TRANSITIONS)).toEqual([...TO_CLIENT].sort());
    expect(peerActions(CLIENT_PIPELINE_TRANSITIONS)).toEqual([...TO_CLIENT_PIPELINE].sort());
    expect(peerActions(SERVER_POOL_TRANSITIONS)).toEqual([...TO_SERVER].sort());
    expect(peerActions(SERVER_PIPELINE_TRANSITIONS)).toEqual([...TO_SERVER_PIPELINE].sort());
    const all = [...TO_CLIENT, ...TO_CLIENT_PIPELINE, ...TO_SERVER, ...TO_SERVER_PIPELINE];
    expect(new Set(all.filter((n) => n !== 'SESSION_CAPABILITY')).size + 1).toBe(Object.keys(MessageType).length / 2);
  });

  it('every row has source states, a spec section, and peer states when the message decides', () => {
    for (const t of TABLES) {
      for (const row of t) {
        expect(row.from.length, row.action).toBeGreaterThan(0);
        expect(row.spec, row.action).toMatch(/^3\.\d+(\.\d+)*$/);
        expect(row.to === 'message', row.action).toBe(row.peerStates !== undefined);
      }
    }
  });

  it('for one action, no state appears in two rows (the table is a function)', () => {
    for (const t of TABLES) {
      const seen = new Set<string>();
      for (const row of t) {
        for (const s of row.from) {
          const key = `${row.action}@${s}`;
          expect(seen.has(key), key).toBe(false);
          seen.add(key);
        }
      }
    }
  });

  it('throws InvalidStateError for a local action, PsrpProtocolError for a peer one', () => {
    expect(() => transition(CLIENT_POOL_TRANSITIONS, RS, 'open', RS.Opened)).toThrow(new InvalidStateError({ action: 'open', current: 'Opened', allowed: ['BeforeOpen'] }));
    expect(() => transition(CLIENT_POOL_TRANSITIONS, RS, 'RUNSPACE_AVAILABILITY', RS.BeforeOpen)).toThrow(PsrpProtocolError);
    expect(() => transition(CLIENT_PIPELINE_TRANSITIONS, PI, 'PIPELINE_STATE', PI.Running, PI.Running)).toThrow('PIPELINE_STATE announced state Running in state Running');
    expect(transition(CLIENT_PIPELINE_TRANSITIONS, PI, 'PIPELINE_STATE', PI.Stopping, PI.Stopped)).toBe(PI.Stopped);
    expect(() => transition(CLIENT_POOL_TRANSITIONS, RS, 'no such action', RS.Opened)).toThrow(RangeError);
    expect(canTransition(SERVER_PIPELINE_TRANSITIONS, 'complete', PI.Stopping)).toBe(false);
    expect(statesAllowing(CLIENT_PIPELINE_TRANSITIONS, 'hostResponse')).toEqual([PI.Running, PI.Stopping]);
  });

  it('takes a late Opened while Closing as stale news, and still refuses one in any other state that cannot have it', () => {
    // The answer to a pool Receive sent before close() (a reconnect's) may still say Opened.
    expect(transition(CLIENT_POOL_TRANSITIONS, RS, 'RUNSPACEPOOL_STATE', RS.Closing, RS.Opened)).toBe(RS.Closing);
    expect(transition(CLIENT_POOL_TRANSITIONS, RS, 'RUNSPACEPOOL_STATE', RS.Closing, RS.Closed)).toBe(RS.Closed);
    expect(() => transition(CLIENT_POOL_TRANSITIONS, RS, 'RUNSPACEPOOL_STATE', RS.Closing, RS.Opening)).toThrow('announced state Opening in state Closing');
    expect(() => transition(CLIENT_POOL_TRANSITIONS, RS, 'RUNSPACEPOOL_STATE', RS.Closed, RS.Opened)).toThrow(PsrpProtocolError);
  });
});

describe('fuzz: malformed peer input gives events or PsrpProtocolError only', () => {
  /** Payloads a real exchange produces, server -> client, after open. */
  function recordedServerPayloads(): Uint8Array[] {
    const p = makePair({ maxBytes: 200 });
    openPair(p);
    p.client.createPipeline().addScript('x').invoke();
    toServer(p);
    for (const e of serverEvents(p)) {
      if (e.type !== 'CreatePipeline') continue;
      e.pipeline.writeOutput('hello');
      e.pipeline.writeWarning('careful');
      e.pipeline.complete();
    }
    return p.received.map((x) => x.data);
  }

  it('a client fed corrupted server payloads', () => {
    const good = recordedServerPayloads();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (which, flips) => {
        const p = makePair();
        p.client.open();
        try {
          good.forEach((payload, i) => {
            const bytes = payload.slice();
            if (i === which) for (const [at, v] of flips) bytes[at % bytes.length] = v;
            p.client.receiveData(bytes);
            clientEvents(p);
          });
        } catch (err) {
          if (!(err instanceof PsrpProtocolError)) throw err;
          expect(() => p.client.nextEvent()).toThrow(/unusable after/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a server fed random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        const p = makePair();
        try {
          p.server.receiveData(bytes);
          serverEvents(p);
        } catch (err) {
          if (!(err instanceof PsrpProtocolError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random caller actions throw only our own errors', () => {
    const actions = ['open', 'close', 'beginClose', 'disconnect', 'reconnect', 'exchangeKey', 'getAvailableRunspaces', 'invoke', 'stop', 'endInput', 'setMax', 'flush'] as const;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...actions), { maxLength: 12 }), (seq) => {
        const p = makePair();
        const pipe = p.client.createPipeline().addScript('1');
        for (const a of seq) {
          try {
            if (a === 'open') p.client.open();
            else if (a === 'close') p.client.close();
            else if (a === 'beginClose') p.client.beginClose();
            else if (a === 'disconnect') p.client.disconnect();
            else if (a === 'reconnect') p.client.reconnect();
            else if (a === 'exchangeKey') p.client.exchangeKey();
            else if (a === 'getAvailableRunspaces') p.client.getAvailableRunspaces();
            else if (a === 'invoke') pipe.invoke();
            else if (a === 'stop') pipe.stop();
            else if (a === 'endInput') pipe.endInput();
            else if (a === 'setMax') p.client.setMaxRunspaces(2);
            else {
              toServer(p);
              for (const e of serverEvents(p)) if (e.type === 'InitRunspacePool') p.server.open();
              toClient(p);
              clientEvents(p);
            }
          } catch (err) {
            if (!isTsrError(err)) throw err;
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
