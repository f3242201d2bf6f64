/**
 * Client RunspacePool against ServerRunspacePool through memory (no network): every scenario of
 * docs/psrp-scenarios.md, with events and payloads asserted on both sides.
 */
import { describe, expect, it } from 'vitest';
import { PSObject, ps, toJSON, type PSValue } from '../../src/psrp/clixml/index.js';
import { MessageType, PSInvocationState as PI, PipelineResultTypes, RunspacePoolState as RS } from '../../src/psrp/constants.js';
import { InvalidStateError, PsrpProtocolError } from '../../src/psrp/errors.js';
import type { PsrpEvent, ServerEvent } from '../../src/psrp/events.js';
import type { ServerPipeline } from '../../src/psrp/server/index.js';
import { clientEvents, makePair, openPair, roundTrip, serverEvents, toClient, toServer, types, type Pair } from './pair-helpers.js';

function created(events: ServerEvent[]): ServerPipeline {
  const e = events.find((x) => x.type === 'CreatePipeline');
  if (e?.type !== 'CreatePipeline') throw new Error('no CreatePipeline event');
  return e.pipeline;
}

/** Runs a script whose server side writes one record of every stream, then completes. */
function runAllStreams(p: Pair): PsrpEvent[] {
  const pipe = p.client.createPipeline().addScript('everything');
  pipe.invoke();
  return roundTrip(p, (e) => {
    if (e.type !== 'CreatePipeline') return;
    const s = e.pipeline;
    s.writeOutput('out 1');
    s.writeOutput(42);
    s.writeError('an error');
    s.writeWarning('a warning');
    s.writeVerbose('verbose text');
    s.writeDebug('debug text');
    s.writeInformation('info text', { source: 'test', tags: ['t1'] });
    s.writeProgress({ activity: 'copying', statusDescription: 'half', percentComplete: 50 });
    s.complete();
  });
}

function summary(events: PsrpEvent[]): unknown[] {
  return events.map((e) => {
    switch (e.type) {
      case 'PipelineOutput':
        return ['out', toJSON(e.value)];
      case 'ErrorRecord':
        return ['error', e.info.message];
      case 'WarningRecord':
      case 'VerboseRecord':
      case 'DebugRecord':
        return [e.type, e.message];
      case 'InformationRecord':
        return ['info', e.messageData, e.source, e.tags];
      case 'ProgressRecord':
        return ['progress', e.activity, e.statusDescription, e.percentComplete];
      case 'PipelineState':
        return ['state', PI[e.state], e.errorInfo?.message];
      default:
        return [e.type];
    }
  });
}

describe('open', () => {
  it('opens with SESSION_CAPABILITY + INIT_RUNSPACEPOOL in one payload and reaches Opened on both sides', () => {
    const p = makePair({ client: { minRunspaces: 1, maxRunspaces: 3 } });
    expect(p.client.state).toBe(RS.BeforeOpen);
    p.client.open();
    expect(p.client.state).toBe(RS.NegotiationSent);
    const opening = toServer(p);
    expect(opening.map((x) => [x.messageTypes, x.pipelineId, x.stream])).toEqual([
      [[MessageType.SESSION_CAPABILITY, MessageType.INIT_RUNSPACEPOOL], undefined, 'default'],
    ]);
    const sev = serverEvents(p);
    expect(types(sev)).toEqual(['SessionCapability', 'InitRunspacePool']);
    expect(p.server.state).toBe(RS.Opening);
    expect(p.server.runspacePoolId).toBe(p.client.runspacePoolId);
    expect([p.server.minRunspaces, p.server.maxRunspaces]).toEqual([1, 3]);
    const args = toJSON(p.server.applicationArguments) as { PSVersionTable: Record<string, unknown> };
    expect(args.PSVersionTable.PSEdition).toBe('Core');
    p.server.open();
    expect(p.server.state).toBe(RS.Opened);
    const answer = toClient(p);
    expect(answer.map((x) => x.messageTypes)).toEqual([
      [MessageType.SESSION_CAPABILITY, MessageType.APPLICATION_PRIVATE_DATA, MessageType.RUNSPACEPOOL_STATE],
    ]);
    const cev = clientEvents(p);
    expect(types(cev)).toEqual(['SessionCapability', 'ApplicationPrivateData', 'RunspacePoolState']);
    expect(cev[2]).toMatchObject({ state: RS.Opened, previous: RS.NegotiationSucceeded });
    expect(p.client.state).toBe(RS.Opened);
    expect(p.client.protocolVersion).toBe('2.3');
    expect((toJSON(p.client.applicationPrivateData ?? null) as { PSVersionTable: { PSEdition: string } }).PSVersionTable.PSEdition).toBe('Desktop');
  });

  it('a server can refuse to open: RUNSPACEPOOL_STATE Broken with the ErrorRecord', () => {
    const p = makePair();
    p.client.open();
    toServer(p);
    serverEvents(p);
    p.server.fail(new PSObject({ typeNames: ['System.Management.Automation.ErrorRecord'], extended: [['FullyQualifiedErrorId', 'Nope'], ['Exception', new PSObject({ adapted: [['Message', 'not allowed']] })]] }));
    toClient(p);
    const ev = clientEvents(p);
    expect(types(ev)).toEqual(['SessionCapability', 'RunspacePoolState']);
    expect(ev[1]).toMatchObject({ type: 'RunspacePoolState', state: RS.Broken, errorInfo: { message: 'not allowed', fullyQualifiedErrorId: 'Nope' } });
    expect(p.client.state).toBe(RS.Broken);
  });
});

describe('run', () => {
  it('delivers output and every stream as events, then Completed', () => {
    const p = makePair();
    openPair(p);
    const ev = runAllStreams(p);
    expect(summary(ev)).toEqual([
      ['out', 'out 1'],
      ['out', 42],
      ['error', 'an error'],
      ['WarningRecord', 'a warning'],
      ['VerboseRecord', 'verbose text'],
      ['DebugRecord', 'debug text'],
      ['info', 'info text', 'test', ['t1']],
      ['progress', 'copying', 'half', 50],
      ['state', 'Completed', undefined],
    ]);
    expect(new Set(ev.map((e) => ('pipelineId' in e ? e.pipelineId : undefined))).size).toBe(1);
    const create = p.sent.find((x) => x.messageTypes[0] === MessageType.CREATE_PIPELINE);
    expect(create?.messageTypes).toEqual([MessageType.CREATE_PIPELINE]);
    expect(p.server.pipelines.size).toBe(0);
  });

  it('sends commands, parameters, arguments, statements and merge settings as the server decodes them', () => {
    const p = makePair();
    openPair(p);
    const pipe = p.client.createPipeline()
      .addCommand('Get-Item').addParameter('Path', 'C:\\').addParameter('Force').addArgument(3)
      .addCommand('Select-Object', { useLocalScope: true }).mergeErrorToOutput()
      .addStatement().addScript('"second"');
    pipe.invoke({ addToHistory: true, history: 'typed', isNested: false });
    toServer(p);
    const s = created(serverEvents(p));
    expect(s.commands.map((st) => st.map((c) => [c.cmd, c.isScript, c.useLocalScope, c.args.map((a) => [a.name, toJSON(a.value)])]))).toEqual([
      [
        ['Get-Item', false, null, [['Path', 'C:\\'], ['Force', true], [null, 3]]],
        ['Select-Object', false, true, []],
      ],
      [['"second"', true, null, []]],
    ]);
    const merged = s.commands[0]?.[1];
    expect([merged?.mergeMyResult, merged?.mergeToResult, merged?.mergeError]).toEqual([PipelineResultTypes.Error, PipelineResultTypes.Output, PipelineResultTypes.Output]);
    expect(s.request?.addToHistory).toBe(true);
    expect(s.request?.powerShell.history).toBe('typed');
    expect(s.request?.noInput).toBe(true);
  });

  it('marks a nested pipeline IsNested', () => {
    const p = makePair();
    openPair(p);
    p.client.createPipeline().addScript('1').invoke({ isNested: true });
    toServer(p);
    const s = created(serverEvents(p));
    expect([s.request?.isNested, s.request?.powerShell.isNested]).toEqual([true, true]);
  });

  it('reports a failure with the ErrorRecord', () => {
    const p = makePair();
    openPair(p);
    const pipe = p.client.createPipeline().addScript('throw "boom"');
    pipe.invoke();
    const ev = roundTrip(p, (e) => {
      if (e.type === 'CreatePipeline') {
        e.pipeline.writeOutput('before');
        e.pipeline.fail('boom');
      }
    });
    expect(summary(ev)).toEqual([['out', 'before'], ['state', 'Failed', 'boom']]);
    const last = ev[1];
    expect(last?.type === 'PipelineState' ? last.errorInfo?.fullyQualifiedErrorId : null).toBe('RemotePipelineExecutionFailed');
    expect(pipe.state).toBe(PI.Failed);
  });

  it('runs several pipelines at once, each payload for one pipeline only', () => {
    const p = makePair({ client: { maxRunspaces: 2 } });
    openPair(p);
    const a = p.client.createPipeline().addScript('a');
    const b = p.client.createPipeline().addScript('b');
    a.invoke();
    b.invoke();
    const sent = toServer(p);
    expect(sent.map((x) => x.pipelineId)).toEqual([a.pipelineId, b.pipelineId]);
    const pipes = serverEvents(p).map((e) => (e.type === 'CreatePipeline' ? e.pipeline : null));
    pipes[1]?.writeOutput('from b');
    pipes[0]?.writeOutput('from a');
    pipes[1]?.complete();
    pipes[0]?.complete();
    const out = toClient(p);
    expect(out.map((x) => x.pipelineId)).toEqual([b.pipelineId, a.pipelineId]);
    expect(clientEvents(p).map((e) => [e.type, 'pipelineId' in e ? e.pipelineId : null])).toEqual([
      ['PipelineOutput', b.pipelineId], ['PipelineState', b.pipelineId],
      ['PipelineOutput', a.pipelineId], ['PipelineState', a.pipelineId],
    ]);
  });
});

describe('input', () => {
  it('sends PIPELINE_INPUT per value then END_OF_PIPELINE_INPUT; the server echoes them', () => {
    const p = makePair();
    openPair(p);
    const pipe = p.client.createPipeline().addCommand('ForEach-Object');
    pipe.invoke({ noInput: false });
    let server: ServerPipeline | undefined;
    roundTrip(p, (e) => {
      if (e.type === 'CreatePipeline') server = e.pipeline;
    });
    expect(server?.request?.noInput).toBe(false);
    pipe.sendInput(['one', 2, ps.i64(3n)]);
    pipe.endInput();
    const payloads = toServer(p);
    expect(payloads.flatMap((x) => x.messageTypes)).toEqual([
      MessageType.PIPELINE_INPUT, MessageType.PIPELINE_INPUT, MessageType.PIPELINE_INPUT, MessageType.END_OF_PIPELINE_INPUT,
    ]);
    const got: PSValue[] = [];
    for (const e of serverEvents(p)) {
      if (e.type === 'PipelineInput') {
        got.push(e.value);
        server?.writeOutput(e.value);
      }
      if (e.type === 'EndOfPipelineInput') server?.complete();
    }
    expect(got.map((v) => toJSON(v))).toEqual(['one', 2, 3]);
    expect(server?.inputEnded).toBe(true);
    toClient(p);
    expect(summary(clientEvents(p))).toEqual([['out', 'one'], ['out', 2], ['out', 3], ['state', 'Completed', undefined]]);
  });

  it('refuses input for a pipeline invoked with noInput', () => {
    const p = makePair();
    openPair(p);
    const pipe = p.client.createPipeline().addScript('1');
    pipe.invoke();
    expect(() => pipe.sendInput(['x'])).toThrow(/noInput/);
  });
});

describe('stop', () => {
  it('goes Running -> Stopping -> Stopped with the PipelineStoppedException record', () => {
    const p = makePair();
    openPair(p);
    const pipe = p.client.createPipeline().addScript('sleep 100');
    pipe.invoke();
    let server: ServerPipeline | undefined;
    roundTrip(p, (e) => {
      if (e.type === 'CreatePipeline') server = e.pipeline;
    });
    pipe.stop();
    expect(pipe.state).toBe(PI.Stopping);
    expect(p.client.dataToSend()).toBeNull(); // the stop is a WS-Man Signal, not a PSRP message
    server?.beginStop();
    server?.stopped();
    toClient(p);
    const ev = clientEvents(p);
    expect(ev).toMatchObject([{ type: 'PipelineState', state: PI.Stopped, previous: PI.Stopping, errorInfo: { fullyQualifiedErrorId: 'PipelineStopped' } }]);
    expect(pipe.state).toBe(PI.Stopped);
  });
});

describe('runspace counts', () => {
  it('sets max and min, asks for available runspaces, and resets the runspace state', () => {
    const p = makePair({ client: { minRunspaces: 1, maxRunspaces: 2 } });
    expect(p.client.setMaxRunspaces(4)).toBeNull(); // before open: local only
    openPair(p);
    expect(p.server.maxRunspaces).toBe(4);
    const max = p.client.setMaxRunspaces(5);
    const min = p.client.setMinRunspaces(2);
    const bad = p.client.setMinRunspaces(3);
    const avail = p.client.getAvailableRunspaces();
    const reset = p.client.resetRunspaceState();
    const ev = roundTrip(p, (e) => {
      if (e.type === 'ResetRunspaceState') p.server.answerResetRunspaceState(e.callId, true);
    });
    expect(ev.map((e) => (e.type === 'RunspaceAvailability' ? [e.callId, e.request, e.value] : e.type))).toEqual([
      [max, 'SetMaxRunspaces', true],
      [min, 'SetMinRunspaces', true],
      [bad, 'SetMinRunspaces', true],
      [avail, 'GetAvailableRunspaces', 5n],
      [reset, 'ResetRunspaceState', true],
    ]);
    expect([p.client.minRunspaces, p.client.maxRunspaces]).toEqual([3, 5]);
    expect([p.server.minRunspaces, p.server.maxRunspaces]).toEqual([3, 5]);
  });

  it('the server refuses a minimum above the maximum and the client keeps its old minimum', () => {
    const p = makePair({ client: { minRunspaces: 1, maxRunspaces: 2 } });
    openPair(p);
    // Both pass the client's local check (max is still 2 until the first answer arrives).
    const max = p.client.setMaxRunspaces(1);
    const min = p.client.setMinRunspaces(2);
    const ev = roundTrip(p);
    expect(ev.map((e) => (e.type === 'RunspaceAvailability' ? [e.callId, e.value] : e.type))).toEqual([[max, true], [min, false]]);
    expect([p.client.minRunspaces, p.client.maxRunspaces]).toEqual([1, 1]);
    expect([p.server.minRunspaces, p.server.maxRunspaces]).toEqual([1, 1]);
    // Before open the client checks the counts itself.
    expect(() => makePair({ client: { maxRunspaces: 2 } }).client.setMinRunspaces(3)).toThrow('runspace counts must satisfy 1 <= min <= max, got min 3, max 2');
  });

  it('answers GET_COMMAND_METADATA through its own pipeline', () => {
    const p = makePair();
    openPair(p);
    const meta = p.client.getCommandMetadata({ name: ['Get-*'] });
    const sent = toServer(p);
    expect(sent.map((x) => [x.messageTypes, x.pipelineId])).toEqual([[[MessageType.GET_COMMAND_METADATA], meta.pipelineId]]);
    for (const e of serverEvents(p)) {
      if (e.type !== 'GetCommandMetadata') continue;
      expect(e.request.name).toEqual(['Get-*']);
      e.pipeline.writeOutput(1);
      e.pipeline.writeOutput('Get-Item');
      e.pipeline.complete();
    }
    toClient(p);
    expect(summary(clientEvents(p))).toEqual([['out', 1], ['out', 'Get-Item'], ['state', 'Completed', undefined]]);
  });
});

describe('late messages', () => {
  it('the server drops input that crossed its PIPELINE_STATE on the wire', () => {
    const p = makePair();
    openPair(p);
    const pipe = p.client.createPipeline().addCommand('Out-Null');
    pipe.invoke({ noInput: false });
    let server: ServerPipeline | undefined;
    roundTrip(p, (e) => {
      if (e.type === 'CreatePipeline') server = e.pipeline;
    });
    server?.complete(); // not yet seen by the client
    pipe.sendInput(['late']);
    toServer(p);
    expect(serverEvents(p)).toEqual([]);
    expect(p.server.state).toBe(RS.Opened);
    toClient(p);
    expect(clientEvents(p)).toMatchObject([{ type: 'PipelineState', state: PI.Completed }]);
  });
});

describe('user events', () => {
  it('USER_EVENT from the server arrives as a UserEvent event', () => {
    const p = makePair();
    openPair(p);
    p.server.userEvent({
      eventIdentifier: 7, sourceIdentifier: 'Timer.Elapsed', timeGenerated: ps.dateTime(new Date('2024-01-02T03:04:05Z')),
      sender: null, sourceArgs: null, messageData: 'tick', computerName: 'srv', runspaceId: ps.guid('11111111-2222-3333-4444-555555555555'),
    });
    toClient(p);
    expect(clientEvents(p)).toMatchObject([{ type: 'UserEvent', eventIdentifier: 7, sourceIdentifier: 'Timer.Elapsed', messageData: 'tick', computerName: 'srv' }]);
  });
});

describe('close and disconnect', () => {
  it('close() only changes state: Closing then Closed, nothing queued', () => {
    const p = makePair();
    openPair(p);
    p.client.beginClose();
    expect(p.client.state).toBe(RS.Closing);
    p.client.close();
    expect(p.client.state).toBe(RS.Closed);
    expect(p.client.dataToSend()).toBeNull();
    p.server.close();
    expect(p.server.state).toBe(RS.Closed);
    expect(() => p.client.createPipeline()).toThrow(InvalidStateError);
  });

  it('a new client connects to a disconnected pool: SESSION_CAPABILITY + CONNECT_RUNSPACEPOOL, INIT_DATA back', () => {
    const p = makePair({ client: { maxRunspaces: 2 } });
    openPair(p);
    p.client.disconnect();
    p.server.disconnect();
    expect([p.client.state, p.server.state]).toEqual([RS.Disconnected, RS.Disconnected]);
    const q = makePair({ client: { runspacePoolId: p.client.runspacePoolId } });
    q.server = p.server;
    q.client.connect();
    expect(q.client.state).toBe(RS.Connecting);
    const connectXml = toServer(q);
    expect(connectXml.map((x) => x.messageTypes)).toEqual([[MessageType.SESSION_CAPABILITY, MessageType.CONNECT_RUNSPACEPOOL]]);
    expect(types(serverEvents(q))).toEqual(['SessionCapability', 'ConnectRunspacePool']);
    const back = toClient(q);
    expect(back.map((x) => x.messageTypes)).toEqual([
      [MessageType.SESSION_CAPABILITY, MessageType.RUNSPACEPOOL_INIT_DATA],
      [MessageType.RUNSPACEPOOL_STATE],
    ]);
    const ev = clientEvents(q);
    expect(types(ev)).toEqual(['SessionCapability', 'RunspacePoolInitData', 'RunspacePoolState']);
    expect([q.client.state, q.client.maxRunspaces, q.server.state]).toEqual([RS.Opened, 2, RS.Opened]);
  });
});

describe('misuse throws InvalidStateError at once', () => {
  it('names the action, the current state and the allowed states', () => {
    const p = makePair();
    const err = (() => {
      try {
        p.client.getAvailableRunspaces();
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(InvalidStateError);
    expect((err as Error).message).toBe('cannot getAvailableRunspaces: state is BeforeOpen, expected one of: Opened');
    expect(p.client.dataToSend()).toBeNull();
  });

  it('refuses to invoke before the pool is open, to invoke twice, and to stop a finished pipeline', () => {
    const p = makePair();
    const early = p.client.createPipeline().addScript('1');
    expect(() => early.invoke()).toThrow('cannot invokePipeline: state is BeforeOpen, expected one of: Opened');
    openPair(p);
    const pipe = p.client.createPipeline().addScript('1');
    pipe.invoke();
    expect(() => pipe.invoke()).toThrow('cannot invoke: state is Running, expected one of: NotStarted');
    roundTrip(p, (e) => {
      if (e.type === 'CreatePipeline') e.pipeline.complete();
    });
    expect(() => pipe.stop()).toThrow('cannot stop: state is Completed, expected one of: Running');
    expect(() => pipe.endInput()).toThrow('cannot endInput: state is Completed, expected one of: Running');
    expect(() => p.client.open()).toThrow('cannot open: state is Opened, expected one of: BeforeOpen');
  });

  it('the server refuses to write to a completed pipeline and to open twice', () => {
    const p = makePair();
    openPair(p);
    expect(() => p.server.open()).toThrow('cannot open: state is Opened, expected one of: Opening');
    p.client.createPipeline().addScript('1').invoke();
    toServer(p);
    const s = created(serverEvents(p));
    s.complete();
    expect(() => s.writeOutput(1)).toThrow('cannot write: state is Completed, expected one of: Running, Stopping');
  });
});

describe('malformed peer input breaks the object for good', () => {
  it('garbage bytes: PsrpProtocolError, then "unusable after"', () => {
    const p = makePair();
    p.client.open();
    expect(() => p.client.receiveData(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow(PsrpProtocolError);
    expect(() => p.client.nextEvent()).toThrow(/unusable after truncated fragment header/);
    expect(() => p.client.createPipeline()).toThrow(/unusable after/);
    expect(p.client.brokenReason).toMatch(/truncated/);
  });

  it('a message out of place (PIPELINE_STATE for an unknown pipeline) breaks the pool', () => {
    const p = makePair();
    openPair(p);
    p.client.createPipeline().addScript('1').invoke();
    toServer(p);
    const s = created(serverEvents(p));
    s.complete();
    const payload = p.server.dataToSend();
    if (payload === null) throw new Error('nothing to send');
    p.client.receiveData(payload.data);
    clientEvents(p);
    p.client.receiveData(payload.data.slice()); // replayed: object ids repeat … and the pipeline is done
    expect(() => clientEvents(p)).toThrow(PsrpProtocolError);
    expect(p.client.state).toBe(RS.Broken);
    expect(() => p.client.nextEvent()).toThrow(/unusable after/);
  });

  it('a server message sent to a server breaks the server pool', () => {
    const p = makePair();
    openPair(p);
    // Feed the server its own output: RUNSPACEPOOL_STATE is not something a client sends.
    p.server.requestKey();
    const own = p.server.dataToSend();
    if (own === null) throw new Error('nothing queued');
    expect(() => p.server.receiveData(own.data)).toThrow(/Destination/);
    expect(() => p.server.nextEvent()).toThrow(/unusable after/);
  });
});

describe('fragmentation', () => {
  it.each([22, 40, 100, 1000])('a %i-byte budget gives the same events', (maxBytes) => {
    const big = makePair();
    openPair(big);
    const expected = summary(runAllStreams(big));
    const small = makePair({ maxBytes });
    const opened = openPair(small);
    expect(types(opened.client)).toEqual(['SessionCapability', 'ApplicationPrivateData', 'RunspacePoolState']);
    expect(summary(runAllStreams(small))).toEqual(expected);
    for (const payload of [...small.sent, ...small.received]) expect(payload.data.length).toBeLessThanOrEqual(maxBytes);
    if (maxBytes < 100) expect(small.sent.length).toBeGreaterThan(big.sent.length);
  });
});
