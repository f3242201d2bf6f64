/**
 * PsrpShell (the WinRM binding) against an in-memory WinRM server: src/wsman's request readers and
 * response builders around a ServerRunspacePool. Proves the loop the file comment of shell.ts
 * promises ("send what it says, feed back what came") and the binding's own rules: TimedOut is
 * not an error, stop() becomes a crtl_c Signal, one control request plus one Receive per target in
 * flight, MaxEnvelopeSize follows the server's protocol version, Disconnect / Reconnect, close.
 * The recorded-Windows proofs are in test/psrp/replay/.
 */
import { describe, expect, it } from 'vitest';
import { MessageType, PSInvocationState, RunspacePoolState } from '../../../src/psrp/constants.js';
import { RunspacePool } from '../../../src/psrp/client/index.js';
import { ServerRunspacePool } from '../../../src/psrp/server/index.js';
import type { ServerPipeline } from '../../../src/psrp/server/pipeline.js';
import type { PsrpEvent } from '../../../src/psrp/events.js';
import { PsrpShell, configurationResourceUri, type PsrpRequest } from '../../../src/psrp/wsman/index.js';
import {
  ACTION, FAULTS, SIGNAL, buildCommandResponse, buildDeleteResponse, buildDisconnectResponse, buildFault, buildReceiveResponse,
  buildReconnectResponse, buildSendResponse, buildShellCreatedResponse, buildSignalResponse, decodeBase64, defaultContext, parseRequest,
  readCommandRequest, readReceiveRequest, readSendRequest, readShellCreateRequest, readSignalRequest,
} from '../../../src/wsman/index.js';

const ctx = defaultContext('http://host:5985/wsman');

/** A WinRM endpoint hosting one ServerRunspacePool; `script` runs each new pipeline. */
class FakeWinRM {
  readonly server = new ServerRunspacePool();
  readonly log: string[] = [];
  /** Receives to answer with w:TimedOut before any data. */
  timeouts = 0;
  maxEnvelopeSeen: number[] = [];
  constructor(readonly script: (p: ServerPipeline, input: unknown[]) => void = (p) => { p.writeOutput('hello'); p.complete(); }) {}

  #drain(): void {
    const inputs = new Map<string, unknown[]>();
    for (let e = this.server.nextEvent(); e !== null; e = this.server.nextEvent()) {
      if (e.type === 'InitRunspacePool') this.server.open();
      else if (e.type === 'CreatePipeline') {
        if (e.request.noInput) this.script(e.pipeline, []);
        else inputs.set(e.pipelineId, []);
      } else if (e.type === 'PipelineInput') (this.pending.get(e.pipelineId) ?? []).push(e.value);
      else if (e.type === 'EndOfPipelineInput') {
        const p = this.server.pipelines.get(e.pipelineId);
        if (p !== undefined) this.script(p, this.pending.get(e.pipelineId) ?? []);
      }
    }
    for (const [id, list] of inputs) this.pending.set(id, list);
  }
  readonly pending = new Map<string, unknown[]>();
  /** Pipelines whose PIPELINE_STATE went out: their Receives carry CommandState Done. */
  readonly done = new Set<string>();

  post(xml: string): string {
    const req = parseRequest(xml);
    const action = req.action.split('/').pop() ?? '';
    this.log.push(action);
    this.maxEnvelopeSeen.push(req.maxEnvelopeSize ?? 0);
    const shellId = req.selectors.ShellId ?? '';
    switch (req.action) {
      case ACTION.Create: {
        const create = readShellCreateRequest(req);
        this.server.receiveData(decodeBase64(create.creationXml ?? '', 'creationXml'));
        this.#drain();
        return buildShellCreatedResponse(req.messageId, {
          address: ctx.to, resourceUri: req.resourceUri ?? '', shellId: create.shellId ?? 'X', owner: 'me', clientIp: '::1',
          idleTimeoutSec: 7200, inputStreams: ['stdin', 'pr'], outputStreams: ['stdout'],
        });
      }
      case ACTION.Command: {
        const cmd = readCommandRequest(req);
        for (const a of cmd.arguments) this.server.receiveData(decodeBase64(a, 'Arguments'));
        this.#drain();
        return buildCommandResponse(req.messageId, cmd.commandId ?? '');
      }
      case ACTION.Send:
        for (const s of readSendRequest(req).streams) this.server.receiveData(s.data);
        this.#drain();
        return buildSendResponse(req.messageId);
      case ACTION.Receive: {
        if (this.timeouts > 0) {
          this.timeouts -= 1;
          return buildFault(req.messageId, FAULTS.operationTimeout);
        }
        const id = readReceiveRequest(req).commandId;
        const streams: { name: string; commandId?: string; data: Uint8Array }[] = [];
        for (let p = this.server.dataToSend(undefined, id ?? null); p !== null; p = this.server.dataToSend(undefined, id ?? null)) {
          streams.push({ name: 'stdout', ...(id === undefined ? {} : { commandId: id }), data: p.data });
          if (id !== undefined && p.messageTypes.includes(MessageType.PIPELINE_STATE)) this.done.add(id);
        }
        const done = id !== undefined && this.done.has(id);
        return buildReceiveResponse(req.messageId, { streams, ...(done ? { commandState: { commandId: id, state: 'Done' } } : {}) });
      }
      case ACTION.Signal: {
        const sig = readSignalRequest(req);
        const p = this.server.pipelines.get(sig.commandId ?? '');
        if (sig.code === SIGNAL.ps_ctrl_c && p !== undefined) {
          p.beginStop();
          p.stopped();
        }
        return buildSignalResponse(req.messageId);
      }
      case ACTION.Delete:
        return buildDeleteResponse(req.messageId);
      case ACTION.Disconnect:
        this.server.disconnect();
        return buildDisconnectResponse(req.messageId);
      case ACTION.Reconnect:
        this.server.reconnect();
        return buildReconnectResponse(req.messageId);
      default:
        throw new Error(`fake server: unexpected ${action} for ${shellId}`);
    }
  }
}

/** The one-request-at-a-time loop of shell.ts's file comment; returns the events. */
function run(shell: PsrpShell, wsman: FakeWinRM, onEvent: (e: PsrpEvent) => void = () => {}): PsrpEvent[] {
  const events: PsrpEvent[] = [];
  let budget = 100;
  for (let r = shell.nextRequest(); r !== null; r = shell.nextRequest()) {
    if (--budget === 0) throw new Error(`loop did not settle: ${wsman.log.slice(-5).join(',')}`);
    shell.handleResponse(r, wsman.post(r.xml));
    for (let e = shell.pool.nextEvent(); e !== null; e = shell.pool.nextEvent()) {
      events.push(e);
      onEvent(e);
    }
  }
  return events;
}

function opened(wsman = new FakeWinRM()): { shell: PsrpShell; wsman: FakeWinRM } {
  const shell = new PsrpShell(new RunspacePool(), { ctx });
  shell.open();
  run(shell, wsman);
  return { shell, wsman };
}

describe('PsrpShell with a one-request-at-a-time loop', () => {
  it('opens with Create then Receives on the pool until RUNSPACEPOOL_STATE, and goes idle', () => {
    const { shell, wsman } = opened();
    expect(wsman.log).toEqual(['Create', 'Receive']);
    expect(shell.pool.state).toBe(RunspacePoolState.Opened);
    expect(shell.phase).toBe('open');
    expect(shell.nextRequest()).toBeNull();
  });

  it('runs a pipeline: Command, Receive until CommandState Done, then closes with Delete', () => {
    const { shell, wsman } = opened();
    shell.pool.createPipeline().addScript('"hello"').invoke();
    const events = run(shell, wsman);
    expect(events.map((e) => e.type)).toEqual(['PipelineOutput', 'PipelineState']);
    shell.close();
    run(shell, wsman);
    expect(wsman.log).toEqual(['Create', 'Receive', 'Command', 'Receive', 'Delete']);
    expect(shell.phase).toBe('closed');
    expect(shell.pool.state).toBe(RunspacePoolState.Closed);
  });

  it('keeps a long session at Command + Receive per pipeline: finished pipelines are not Received on or signalled', () => {
    const { shell, wsman } = opened();
    for (let i = 0; i < 200; i++) {
      shell.pool.createPipeline().addScript(String(i)).invoke();
      const events = run(shell, wsman);
      expect(events.map((e) => e.type)).toEqual(['PipelineOutput', 'PipelineState']);
      expect(shell.nextRequest()).toBeNull();
      expect(shell.inFlight).toBe(0);
    }
    expect(wsman.log.slice(2)).toEqual(Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 'Command' : 'Receive')));
  });

  it('sends a Receive again after w:TimedOut, which is not an error', () => {
    const { shell, wsman } = opened();
    shell.pool.createPipeline().addScript('1').invoke();
    wsman.timeouts = 2;
    const infos: boolean[] = [];
    for (let r = shell.nextRequest(); r !== null && infos.length < 10; r = shell.nextRequest()) infos.push(shell.handleResponse(r, wsman.post(r.xml)).timedOut);
    expect(wsman.log.slice(2)).toEqual(['Command', 'Receive', 'Receive', 'Receive']);
    expect(infos).toEqual([false, true, true, false]);
  });

  it('sends pipeline input in a Send on stdin with the CommandId, after the Command', () => {
    const wsman = new FakeWinRM((p, input) => {
      for (const v of input) p.writeOutput(v as string);
      p.complete();
    });
    const { shell } = opened(wsman);
    const p = shell.pool.createPipeline().addCommand('Write-Output');
    p.invoke({ noInput: false });
    p.sendInput(['a', 'b']);
    p.endInput();
    const sent: PsrpRequest[] = [];
    const outputs: unknown[] = [];
    for (let r = shell.nextRequest(); r !== null && sent.length < 10; r = shell.nextRequest()) {
      sent.push(r);
      shell.handleResponse(r, wsman.post(r.xml));
      for (let e = shell.pool.nextEvent(); e !== null; e = shell.pool.nextEvent()) if (e.type === 'PipelineOutput') outputs.push(e.value);
    }
    expect(sent.map((r) => `${r.kind}:${r.stream ?? ''}:${r.pipelineId === p.pipelineId}`)).toEqual(['command::true', 'send:stdin:true', 'receive::true']);
    expect(sent[1]?.xml).toContain(`CommandId="${p.pipelineId}"`);
    expect(outputs).toEqual(['a', 'b']);
  });

  it('turns Pipeline.stop() into a Signal with the PSRP crtl_c code; the pipeline ends Stopped', () => {
    const wsman = new FakeWinRM(() => {});
    const { shell } = opened(wsman);
    const p = shell.pool.createPipeline().addScript('Start-Sleep 60');
    p.invoke();
    const command = shell.nextRequest();
    expect(command?.kind).toBe('command');
    if (command) shell.handleResponse(command, wsman.post(command.xml));
    p.stop();
    const signal = shell.nextRequest();
    expect(signal?.kind).toBe('signal');
    expect(signal?.xml).toContain('<rsp:Code>http://schemas.microsoft.com/powershell/signal/crtl_c</rsp:Code>');
    if (signal) shell.handleResponse(signal, wsman.post(signal.xml));
    run(shell, wsman);
    expect(p.state).toBe(PSInvocationState.Stopped);
  });

  it('disconnects and reconnects: no Receive while disconnected, the pool state follows', () => {
    const { shell, wsman } = opened();
    shell.disconnect(60);
    const d = shell.nextRequest();
    expect(d?.xml).toContain('<rsp:Disconnect><rsp:IdleTimeOut>PT60S</rsp:IdleTimeOut></rsp:Disconnect>');
    if (d) shell.handleResponse(d, wsman.post(d.xml));
    expect([shell.phase, shell.pool.state]).toEqual(['disconnected', RunspacePoolState.Disconnected]);
    expect(shell.nextRequest()).toBeNull();
    shell.reconnect();
    run(shell, wsman);
    expect([shell.phase, shell.pool.state]).toEqual(['open', RunspacePoolState.Opened]);
    expect(wsman.log.slice(2)).toEqual(['Disconnect', 'Reconnect']);
  });
});

describe('PsrpShell rules', () => {
  it('keeps at most one control request and one Receive per target in flight', () => {
    const { shell } = opened();
    const a = shell.pool.createPipeline().addScript('1');
    const b = shell.pool.createPipeline().addScript('2');
    a.invoke();
    b.invoke();
    const first = shell.nextRequest();
    expect(first?.kind).toBe('command');
    expect(shell.nextRequest()).toBeNull(); // the second Command waits, and no Receive before a CommandResponse
    expect(shell.inFlight).toBe(1);
  });

  it('MaxEnvelopeSize is 153600 until SESSION_CAPABILITY says 2.2+, then 512000; a pinned size stays', () => {
    const { shell, wsman } = opened();
    expect(wsman.maxEnvelopeSeen).toEqual([153600, 153600]);
    expect(shell.maxEnvelopeSize).toBe(512000);
    const pinned = new PsrpShell(new RunspacePool(), { ctx, maxEnvelopeSize: 65536 });
    pinned.open();
    const w2 = new FakeWinRM();
    run(pinned, w2);
    expect(w2.maxEnvelopeSeen).toEqual([65536, 65536]);
  });

  it('close() before anything was created sends nothing and closes the pool', () => {
    const shell = new PsrpShell(new RunspacePool(), { ctx });
    shell.close();
    expect([shell.nextRequest(), shell.phase, shell.pool.state]).toEqual([null, 'closed', RunspacePoolState.Closed]);
  });

  it('refuses a response to a request it is not waiting for', () => {
    const { shell, wsman } = opened();
    shell.pool.createPipeline().addScript('1').invoke();
    const r = shell.nextRequest();
    if (r === null) throw new Error('expected a request');
    const answer = wsman.post(r.xml);
    shell.handleResponse(r, answer);
    expect(() => shell.handleResponse(r, answer)).toThrow(/not awaiting an answer/);
  });

  it('throws other faults to the caller and marks a failed Create', () => {
    expect.assertions(2);
    const shell = new PsrpShell(new RunspacePool(), { ctx });
    shell.open();
    const r = shell.nextRequest();
    if (r === null) throw new Error('expected a request');
    try {
      shell.handleResponse(r, buildFault(r.messageId, { soapCode: 's:Sender', subcode: 'AccessDenied', reason: 'Access is denied.', wsmanFaultCode: 5 }));
    } catch (err) {
      expect((err as { subcode?: string }).subcode).toBe('AccessDenied');
    }
    expect(shell.phase).toBe('failed');
  });

  it('abandons a pipeline whose Command was lost: Failed, its input dropped, one Signal terminate, and the pool runs the next', () => {
    const wsman = new FakeWinRM();
    const { shell } = opened(wsman);
    const lost = shell.pool.createPipeline().addCommand('Write-Output');
    lost.invoke({ noInput: false });
    lost.sendInput(['never sent']);
    const command = shell.nextRequest();
    expect(command?.kind).toBe('command');
    if (command === null) throw new Error('expected the Command');
    // Its answer never comes (a reset): the binding is told the pipeline is over and may have run.
    shell.abandonPipeline(command, true);
    expect(lost.state).toBe(PSInvocationState.Failed);
    const signal = shell.nextRequest();
    expect([signal?.kind, signal?.signal, signal?.pipelineId]).toEqual(['signal', 'terminate', lost.pipelineId]);
    if (signal === null) throw new Error('expected the Signal');
    // The server never started it: its fault for the terminate is dropped, not thrown.
    shell.dropAnswer(signal);
    expect(shell.nextRequest()).toBeNull();
    const next = shell.pool.createPipeline().addScript('"next"');
    next.invoke();
    const events = run(shell, wsman);
    expect(events.map((e) => e.type)).toEqual(['PipelineOutput', 'PipelineState']);
    expect(wsman.log.slice(2)).toEqual(['Command', 'Receive']);
    expect(next.state).toBe(PSInvocationState.Completed);
  });

  it('abandons a refused Command without a Signal, and ignores only the answers it may', () => {
    const { shell, wsman } = opened();
    const refused = shell.pool.createPipeline().addScript('1');
    refused.invoke();
    const command = shell.nextRequest();
    if (command === null) throw new Error('expected the Command');
    shell.abandonPipeline(command, false);
    expect([refused.state, shell.nextRequest()]).toEqual([PSInvocationState.Failed, null]);
    expect(() => shell.abandonPipeline(command, false)).toThrow(/not awaiting an answer/);
    shell.pool.createPipeline().addScript('2').invoke();
    const next = shell.nextRequest();
    if (next === null) throw new Error('expected a Command');
    expect(() => shell.dropAnswer(next)).toThrow(/cannot be ignored/);
    shell.handleResponse(next, wsman.post(next.xml));
    run(shell, wsman);
  });

  it('abandons a running pipeline whose Send failed: its Receive in flight is dropped, a terminate follows, the pool goes on', () => {
    const wsman = new FakeWinRM(() => {});
    const { shell } = opened(wsman);
    const p = shell.pool.createPipeline().addCommand('Write-Output');
    p.invoke({ noInput: false });
    const command = shell.nextRequest();
    if (command === null) throw new Error('expected the Command');
    shell.handleResponse(command, wsman.post(command.xml));
    p.sendInput(['chunk']);
    const send = shell.nextRequest();
    const receive = shell.nextRequest();
    expect([send?.kind, receive?.kind, receive?.pipelineId]).toEqual(['send', 'receive', p.pipelineId]);
    if (send === null || receive === null) throw new Error('expected a Send and a Receive');
    shell.abandonPipeline(send, true);
    expect(p.state).toBe(PSInvocationState.Failed);
    const signal = shell.nextRequest();
    expect([signal?.kind, signal?.signal]).toEqual(['signal', 'terminate']);
    if (signal === null) throw new Error('expected the Signal');
    shell.dropAnswer(receive);
    shell.handleResponse(signal, wsman.post(signal.xml));
    expect(shell.nextRequest()).toBeNull();
    expect(shell.inFlight).toBe(0);
  });

  it('maps configuration names to resource URIs (JEA endpoints included)', () => {
    expect([configurationResourceUri(), configurationResourceUri('JEARole'), configurationResourceUri('http://x/y')]).toEqual([
      'http://schemas.microsoft.com/powershell/Microsoft.PowerShell',
      'http://schemas.microsoft.com/powershell/JEARole',
      'http://x/y',
    ]);
  });
});
