import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { PSInvocationState, RunspacePoolState } from '../../../src/psrp/constants.js';
import { PsrpDriver, outputs } from './driver.js';

const USER = { username: 'tester', password: 'pw' };

describe('serve PowerShell endpoint: happy path', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ listen: ['127.0.0.1:0'], users: [USER], allowUnencrypted: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('opens a pool, runs a script, closes', async () => {
    const d = new PsrpDriver(server.urls[0] as URL, { user: USER.username, password: USER.password });
    await d.open();
    expect(d.pool.state).toBe(RunspacePoolState.Opened);
    const events = await d.run('1 + 1; "two"');
    expect(outputs(events)).toEqual([2, 'two']);
    expect(events.at(-1)).toMatchObject({ type: 'PipelineState', state: PSInvocationState.Completed });
    await d.close();
    expect(server.stats().shells).toBe(0);
  });
});
