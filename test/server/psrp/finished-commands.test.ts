/**
 * What serve's PowerShell shell still answers for commands whose pipelines have ended: the last
 * MAX_FINISHED (64) are kept for a late Receive or Signal, older ones are forgotten. Since issue 8 a
 * finished command keeps only its (empty, ended) outbox, not its run: these answers must be the
 * ones the shell gave while it kept the whole run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { RESOURCE_URI, SIGNAL, WSManFault, buildReceive, buildSignal, parseFault, parseResponse, readReceiveResponse } from '../../../src/wsman/index.js';
import { TestClient } from '../client.js';
import { PsrpDriver, outputs } from './driver.js';

const USER = { username: 'tester', password: 'pw' };
const RUNS = 70;
const KEPT = 64;

describe('finished PowerShell commands (issue 8: a finished run is released)', () => {
  let server: RunningServer;
  let d: PsrpDriver;
  let raw: TestClient;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], allowUnencrypted: true });
    d = new PsrpDriver(server.urls[0] as URL, { user: USER.username, password: USER.password });
    raw = new TestClient(server.urls[0] as URL, USER.username, USER.password);
    await d.open();
    for (let i = 0; i < RUNS; i++) {
      const p = d.pool.createPipeline().addScript(`${i} * 2`);
      const events = await d.invoke(p);
      expect(outputs(events)).toEqual([i * 2]);
      ids.push(p.pipelineId);
    }
  }, 60_000);

  afterAll(async () => {
    await raw.close();
    await d.close();
    await server.close();
  });

  const receive = async (commandId: string): Promise<{ fault?: WSManFault; state?: string; data: number }> => {
    const reply = await raw.post(buildReceive(raw.ctx, d.shell.shellId, { commandId, resourceUri: RESOURCE_URI.powershell, streams: 'stdout' }).xml);
    if (reply.status !== 200) return { fault: parseFault(reply.body) ?? undefined, data: 0 };
    const r = readReceiveResponse(parseResponse(reply.body));
    const data = r.streams.reduce((n, s) => n + s.data.length, 0);
    return { ...(r.commandState === undefined ? {} : { state: r.commandState.state }), data };
  };
  const signal = async (commandId: string, code: string): Promise<number> =>
    (await raw.post(buildSignal(raw.ctx, d.shell.shellId, { commandId, code, resourceUri: RESOURCE_URI.powershell }).xml)).status;

  it('answers a late Receive for a kept finished command with Done and no data, again and again', async () => {
    const last = ids[RUNS - 1] as string;
    expect(await receive(last)).toEqual({ state: 'Done', data: 0 });
    expect(await receive(last)).toEqual({ state: 'Done', data: 0 });
    const oldestKept = ids[RUNS - KEPT - 1] as string;
    expect(await receive(oldestKept)).toEqual({ state: 'Done', data: 0 });
  });

  it('forgets exactly the commands beyond the last 64 finished ones', async () => {
    for (const id of ids.slice(0, RUNS - KEPT - 1)) {
      const r = await receive(id);
      expect(r.fault?.wsmanFaultCode).toBe(2150858843); // invalidCommandId
    }
  });

  it('accepts stop and terminate for a finished command, then forgets it', async () => {
    const id = ids[RUNS - 2] as string;
    expect(await signal(id, SIGNAL.ps_ctrl_c)).toBe(200);
    expect(await receive(id)).toEqual({ state: 'Done', data: 0 });
    expect(await signal(id, SIGNAL.terminate)).toBe(200);
    expect((await receive(id)).fault?.wsmanFaultCode).toBe(2150858843);
  });

  it('still runs new pipelines on the pool afterwards', async () => {
    expect(outputs(await d.run('"after"'))).toEqual(['after']);
  });
});
