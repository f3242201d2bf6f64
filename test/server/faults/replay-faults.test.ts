/**
 * A retransmission that serve answers from its kept responses does not run the operation, so the
 * faults of running one (TimedOut, InternalError, QuotaLimit, vanish) are not injected into it.
 * Found by the soak: the pool-opening Receive's response was lost (content-type), its
 * retransmission got an injected TimedOut, the client sent a fresh Receive, and the opening kept
 * under the first OperationID was never delivered: the client waited in NegotiationSent forever.
 */
import { afterEach, expect, it } from 'vitest';
import { Credential } from '../../../src/auth/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import { PowerShellSession, connect } from '../../../src/session/index.js';

/** The fault each operation-level kind answers with, once it hits the pipeline's Receive. */
const SUBCODE: Record<string, string> = { http500: 'InternalError', quota: 'QuotaLimit', vanish: 'InvalidSelectors' };

let server: RunningServer | undefined;
afterEach(async () => server?.close());

it.each(['timeout', 'http500', 'quota', 'vanish'])('a lost opening is replayed even when %s would hit the retransmission', async (kind) => {
  server = await startServer({
    listen: ['127.0.0.1:0'],
    users: [{ username: 'u', password: 'p' }],
    allowUnencrypted: true,
    // The first Receive's response is replaced by an HTML page; the second Receive is its
    // retransmission, which the rule skips: it fires on the next Receive that runs (the pipeline's).
    faultSpec: `content-type@receive:nth=1;${kind}@receive:nth=2;seed=3`,
  });
  const client = connect(server.urls[0]!.host, {
    https: false,
    auth: 'basic',
    credential: new Credential('u', 'p'),
    allowUnencrypted: true,
    operationTimeoutSec: 5,
    connectTimeoutSec: 5,
  });
  const out: unknown[] = [];
  let failure: unknown;
  try {
    const session = await PowerShellSession.open(client, { openTimeoutMs: 20_000 });
    try {
      for await (const e of session.run('1..3')) if (e.type === 'PipelineOutput') out.push(e.value);
    } catch (err) {
      failure = err;
    }
    await session.close();
  } finally {
    await client.close();
  }
  expect(server.faultCounts()).toEqual({ 'content-type': 1, [kind]: 1 });
  // A TimedOut is the long poll's normal end; the others end the pipeline with their fault.
  if (kind === 'timeout') expect(out).toEqual([1, 2, 3]);
  else expect(failure).toMatchObject({ subcode: SUBCODE[kind] });
  expect(server.stats().shells).toBe(0);
});
