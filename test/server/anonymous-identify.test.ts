/** Identify without a logon (`WSMANIDENTIFY: unauthenticated`), and nothing else without one. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request } from 'undici';
import { buildIdentify, buildShellCreate, defaultContext } from '../../src/wsman/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';

let server: RunningServer;
beforeAll(async () => {
  // Plain HTTP without allowUnencrypted: no Basic is offered here, yet Identify still answers.
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }] });
});
afterAll(async () => server.close());

async function post(xml: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await request(server.urls[0]!, {
    method: 'POST',
    headers: { 'content-type': 'application/soap+xml;charset=UTF-8', ...headers },
    body: xml,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

it('answers a marked Identify without credentials, revealing no OS version', async () => {
  const res = await post(buildIdentify().xml, { wsmanidentify: 'unauthenticated' });
  expect(res.status).toBe(200);
  expect(res.body).toContain('OS: 0.0.0 SP: 0.0 Stack: 3.0');
});

it('refuses an unmarked Identify without credentials (401)', async () => {
  expect((await post(buildIdentify().xml, {})).status).toBe(401);
});

it('refuses any other operation marked unauthenticated (401), creating no shell', async () => {
  const ctx = defaultContext(server.urls[0]!.href);
  const res = await post(buildShellCreate(ctx, {}).xml, { wsmanidentify: 'unauthenticated' });
  expect(res.status).toBe(401);
  expect(server.stats().shells).toBe(0);
});
