/**
 * Requests per one-shot invoke (issue 4): pypsrp needs 6 (Create, Receive, Receive, Command,
 * Receive, Delete); we need 5 — the pool's opening answers arrive in one Receive.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession } from '../../src/session/index.js';
import { basicLoopbackClient } from '../helpers/basic-client.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], allowUnencrypted: true });
});
afterAll(async () => server.close());

it('a one-shot script costs 5 WS-Man requests: Create, Receive, Command, Receive, Delete', async () => {
  const client = basicLoopbackClient(server.urls[0]!.host);
  const session = await PowerShellSession.open(client);
  const outputs: unknown[] = [];
  for await (const e of session.run('"hi"')) if (e.type === 'PipelineOutput') outputs.push(e.value);
  await session.close();
  await client.close();
  expect(outputs).toEqual(['hi']);
  expect(Object.fromEntries(session.requests)).toEqual({ create: 1, receive: 2, command: 1, delete: 1 });
  expect(server.stats().shells).toBe(0);
});
