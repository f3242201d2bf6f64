/**
 * `serve`'s PowerShell endpoint driven by our own client (RunspacePool + PsrpShell binding) over
 * loopback HTTP: streams, input, host calls, key exchange, stop, failures, Unicode, shared state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { secureStringResult } from '../../../src/psrp/client/index.js';
import { HostMethodIdentifier, PSInvocationState } from '../../../src/psrp/constants.js';
import type { PsrpEvent } from '../../../src/psrp/events.js';
import { PsrpDriver, outputs } from './driver.js';

const USER = { username: 'tester', password: 'pw' };

function stateOf(events: PsrpEvent[]): PsrpEvent | undefined {
  return events.find((e) => e.type === 'PipelineState');
}

describe('serve PowerShell endpoint with our client', () => {
  let server: RunningServer;
  let d: PsrpDriver;
  const answers: string[] = [];
  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], allowUnencrypted: true });
    d = new PsrpDriver(server.urls[0] as URL, {
      user: USER.username,
      password: USER.password,
      onEvent: (e, drv) => {
        if (e.type !== 'PipelineHostCall') return;
        const p = drv.pool.pipelines.get(e.pipelineId);
        if (p === undefined) throw new Error('host call for an unknown pipeline');
        if (e.methodId === HostMethodIdentifier.ReadLine) p.hostResponse(e, { value: answers.shift() ?? '' });
        if (e.methodId === HostMethodIdentifier.ReadLineAsSecureString) p.hostResponse(e, secureStringResult(answers.shift() ?? ''));
      },
    });
    await d.open();
  });
  afterAll(async () => {
    await server.close();
  });

  it('delivers output, warning, verbose and error streams, then Completed', async () => {
    const events = await d.run('Write-Output 1,2,3; Write-Warning w; Write-Verbose v -Verbose; Write-Error e');
    expect(events.map((e) => e.type)).toEqual(['PipelineOutput', 'PipelineOutput', 'PipelineOutput', 'WarningRecord', 'VerboseRecord', 'ErrorRecord', 'PipelineState']);
    expect(outputs(events)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'WarningRecord' || e.type === 'VerboseRecord').map((e) => ('message' in e ? e.message : ''))).toEqual(['w', 'v']);
    const err = events.find((e) => e.type === 'ErrorRecord');
    expect(err?.type === 'ErrorRecord' ? err.info.message : undefined).toBe('e');
    expect(stateOf(events)).toMatchObject({ state: PSInvocationState.Completed });
  });

  it('feeds pipeline input to $input', async () => {
    const p = d.pool.createPipeline().addScript('$input | ForEach-Object { $_ * 2 }');
    p.invoke({ noInput: false });
    p.sendInput([1, 2, 3]);
    p.endInput();
    await d.finished(p);
    expect(outputs(d.eventsOf(p.pipelineId))).toEqual([2, 4, 6]);
    expect(p.state).toBe(PSInvocationState.Completed);
  });

  it('runs Read-Host as a host call the client answers', async () => {
    answers.push('typed by the test');
    const events = await d.run('$a = Read-Host; "got $a"');
    expect(events.filter((e) => e.type === 'PipelineHostCall').map((e) => (e.type === 'PipelineHostCall' ? e.methodName : ''))).toEqual(['ReadLine']);
    expect(outputs(events)).toEqual(['got typed by the test']);
  });

  it('runs Read-Host -AsSecureString through the key exchange', async () => {
    answers.push('s3cret ✓');
    const events = await d.run('Read-Host -AsSecureString');
    expect(d.pool.hasSessionKey).toBe(true);
    const [value] = outputs(events);
    expect(d.pool.decryptSecureString(value as never)).toBe('s3cret ✓');
  });

  it('stops Start-Sleep 30 promptly', async () => {
    const p = d.pool.createPipeline().addScript('Start-Sleep 30; "not reached"');
    p.invoke();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    p.stop();
    await d.finished(p, 5000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(p.state).toBe(PSInvocationState.Stopped);
    expect(outputs(d.eventsOf(p.pipelineId))).toEqual([]);
  });

  it('reports an unknown command as a CommandNotFoundException ErrorRecord', async () => {
    const events = await d.run('Get-NoSuchThing');
    const err = events.find((e) => e.type === 'ErrorRecord');
    expect(err?.type === 'ErrorRecord' ? err.info.fullyQualifiedErrorId : undefined).toBe('CommandNotFoundException');
  });

  it('fails the pipeline on throw', async () => {
    const events = await d.run("throw 'x'");
    const st = stateOf(events);
    expect(st?.type === 'PipelineState' ? [st.state, st.errorInfo?.message] : undefined).toEqual([PSInvocationState.Failed, 'x']);
  });

  it('round-trips Unicode text both ways', async () => {
    const text = 'こんにちは _x000A_ 𐐷 ü';
    const p = d.pool.createPipeline().addScript('$input | ForEach-Object { "$_|" + "こんにちは 𐐷" }');
    p.invoke({ noInput: false });
    p.sendInput([text]);
    p.endInput();
    await d.finished(p);
    expect(outputs(d.eventsOf(p.pipelineId))).toEqual([`${text}|こんにちは 𐐷`]);
  });

  it('shares variables between pipelines of one pool', async () => {
    await d.run('$shared = 41');
    expect(outputs(await d.run('$shared + 1'))).toEqual([42]);
  });

  it('runs a command list with parameters (runCommands)', async () => {
    const p = d.pool.createPipeline().addCommand('Write-Output').addParameter('InputObject', 'abc');
    expect(outputs(await d.invoke(p))).toEqual(['abc']);
  });

  it('leaves no shell after close', async () => {
    expect(server.stats().shells).toBe(1);
    await d.close();
    expect(server.stats().shells).toBe(0);
  });
});

describe('serve PowerShell endpoint: configuration names and big output', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], allowUnencrypted: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves a JEA-style configuration name and shows it as $PSSenderInfo.ConfigurationName', async () => {
    const d = new PsrpDriver(server.urls[0] as URL, { user: USER.username, password: USER.password, configurationName: 'Contoso.JEA_Maintenance' });
    await d.open();
    expect(d.shell.resourceUri).toBe('http://schemas.microsoft.com/powershell/Contoso.JEA_Maintenance');
    expect(outputs(await d.run('$PSSenderInfo.ConfigurationName'))).toEqual(['Contoso.JEA_Maintenance']);
    await d.close();
    expect(server.stats().shells).toBe(0);
  });

  it('streams 1..100000 across many responses with bounded server buffering', async () => {
    const d = new PsrpDriver(server.urls[0] as URL, { user: USER.username, password: USER.password });
    await d.open();
    const before = d.exchanges.length;
    const events = await d.run('1..100000');
    const values = outputs(events);
    expect(values.length).toBe(100000);
    expect(values[0]).toBe(1);
    expect(values[99999]).toBe(100000);
    expect(values.every((v, i) => v === i + 1)).toBe(true);
    const receives = d.exchanges.slice(before).filter((x) => x.kind === 'receive');
    expect(receives.length).toBeGreaterThan(20);
    expect(Math.max(...receives.map((x) => x.bytes))).toBeLessThanOrEqual(d.shell.maxEnvelopeSize);
    // Two envelopes of payload plus what one write adds: far below the ~10 MB the whole output takes.
    expect(server.stats().bufferedHighWater).toBeLessThan(3 * d.shell.maxEnvelopeSize);
    expect(server.stats().bufferedBytes).toBe(0);
    await d.close();
  }, 60_000);
});
