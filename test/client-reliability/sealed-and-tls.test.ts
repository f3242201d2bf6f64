/**
 * Three client bugs the fault matrix found (issue 7, docs/reliability.md "State of the matrix"):
 *
 * 1. On a sealed connection (NTLM over plain HTTP, the CLI's default) a response that cannot be
 *    opened (cut short, an unsealed proxy page, a bad signature) was reported instead of recovered.
 *    Now the connection and its logon are thrown away and the response counts as lost, so a Create
 *    or Receive is retransmitted on a fresh logon and serve answers from its OperationID cache.
 * 2. With a certificate for another name, undici 7 leaves the connection's Client unable to settle
 *    any later request (not even an aborted one): the PSRP clean-up Delete after the failed Create
 *    hung `invoke -s`, and `session new` / `copy` exited 0 once the event loop drained. Now a failed
 *    request discards its Client, and a watchdog does the same to a request nothing settles.
 * 3. An idle PSRP pump that still owes someone an event (the pool still opening, a pipeline not
 *    finished) fails the session with a typed error instead of sleeping forever.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession, WSManClient, WinRSShell, connect } from '../../src/session/index.js';
import {
  SealedResponseError, TlsError, WSManTransport, isResponseLost, parseHostSpec,
} from '../../src/transport/index.js';
import { defaultContext } from '../../src/wsman/index.js';
import { runCli } from '../helpers/cli.js';
import { winrsStdout } from './winrs-stdout.js';

const servers: RunningServer[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: { faultSpec?: string; https?: boolean } = {}): Promise<RunningServer> {
  const server = await startServer({
    listen: ['127.0.0.1:0'], users: [{ username: 'u', password: 'p' }], log: () => undefined, https: opts.https ?? false,
    ...(opts.faultSpec === undefined ? {} : { faultSpec: opts.faultSpec }),
  });
  servers.push(server);
  return server;
}

/** NTLM over plain HTTP: every body sealed, as the CLI does by default. */
function sealedClient(server: RunningServer, lines: string[] = []): WSManClient {
  const c = connect(server.urls[0]!.host, {
    https: false, auth: 'ntlm', credential: new Credential('u', 'p'), operationTimeoutSec: 20, connectTimeoutSec: 5,
    debug: (l) => lines.push(l),
  });
  closers.push(() => c.close());
  return c;
}

const SEQ = 'seq 1 30000';
const expectedSeq = Array.from({ length: 30000 }, (_, i) => `${i + 1}\n`).join('');

async function psOutput(session: PowerShellSession, script: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of session.run(script)) if (e.type === 'PipelineOutput') out.push(e.value);
  return out;
}

describe('bug 1: a sealed response that cannot be opened is a lost response', () => {
  it('classifies SealedResponseError as lost, and keeps it an AuthError ETSR_AUTH_INTEGRITY', () => {
    const err = new SealedResponseError('malformed encrypted body: the closing boundary is missing');
    expect([isResponseLost(err), err.code, err.name]).toEqual([true, 'ETSR_AUTH_INTEGRITY', 'SealedResponseError']);
  });

  it.each(['truncated', 'content-type'])('WinRS, %s on the 2nd sealed Receive: output exact, retransmitted on a fresh logon', async (kind) => {
    const server = await serve({ faultSpec: `${kind}@receive:nth=2` });
    const lines: string[] = [];
    const client = sealedClient(server, lines);
    expect(await winrsStdout(client, SEQ)).toBe(expectedSeq);
    expect(server.faultCounts()[kind]).toBe(1);
    expect(client.retransmissions).toBe(1);
    expect(lines.filter((l) => l.includes('sealed response could not be opened'))).toHaveLength(1);
    expect(server.stats().shells).toBe(0);
  });

  it.each(['truncated', 'content-type'])('PSRP, %s on the 2nd sealed Receive: every record once, in order', async (kind) => {
    const server = await serve({ faultSpec: `${kind}@receive:nth=2` });
    const client = sealedClient(server);
    const session = await PowerShellSession.open(client);
    let out: unknown[];
    try {
      out = await psOutput(session, '1..3000');
    } finally {
      await session.close();
    }
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(server.faultCounts()[kind]).toBe(1);
    expect(client.retransmissions).toBe(1);
    expect(server.stats().shells).toBe(0);
  });

  it('a cut sealed CreateResponse is recovered from the cache: one shell, not two', async () => {
    const server = await serve({ faultSpec: 'truncated@create:nth=1' });
    const client = sealedClient(server);
    const shell = await WinRSShell.open(client);
    expect([server.faultCounts().truncated, client.retransmissions, server.stats().shells]).toEqual([1, 1, 1]);
    await shell.close();
    expect(server.stats().shells).toBe(0);
  });
});

describe('bug 2: a certificate for another name fails at once and is never retried', () => {
  it('every post on the transport rejects with TlsError within a second, and close() settles', async () => {
    const server = await serve({ https: true, faultSpec: 'wrong-cert' });
    const t = new WSManTransport({
      endpoint: parseHostSpec(server.urls[0]!.host, { https: true }), auth: 'ntlm', credential: new Credential('u', 'p'),
      ca: server.certPem!, connectTimeoutMs: 3000,
    });
    const results: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const err = await t.post('<a/>', { idempotent: true }).catch((e: unknown) => e);
      results.push(`${(err as Error).name} ${Date.now() - started < 2000}`);
    }
    expect(results).toEqual(['TlsError true', 'TlsError true', 'TlsError true']);
    await expect(t.close()).resolves.toBeUndefined();
  });

  it('PowerShellSession.open rejects with TlsError (the clean-up Delete after it settles too)', async () => {
    const server = await serve({ https: true, faultSpec: 'wrong-cert' });
    const c = connect(server.urls[0]!.host, {
      https: true, auth: 'ntlm', credential: new Credential('u', 'p'), operationTimeoutSec: 20, connectTimeoutSec: 3,
    });
    closers.push(() => c.close());
    await expect(PowerShellSession.open(c)).rejects.toBeInstanceOf(TlsError);
  });

  // The regression as a user met it: spawned CLIs, each killed (and the test failed) if it hangs.
  it.each([
    ['invoke -s', ['invoke', '-s', '1']],
    ['invoke --cmd', ['invoke', '--cmd', 'echo x']],
    ['session new', ['session', 'new', '--name', 'wc']],
  ])('%s prints one line naming the host and exits 2, within 20 s', async (_, args) => {
    const server = await serve({ https: true, faultSpec: 'wrong-cert' });
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'tsr-wc-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(ca, server.certPem!);
    const host = server.urls[0]!.host;
    const [verb, ...rest] = args as [string, ...string[]];
    const sub = verb === 'session' ? [verb, rest[0]!, '-c', host, ...rest.slice(1)] : [verb, '-c', host, ...rest];
    const res = await runCli([...sub, '-u', 'u', '--https', '--ca-file', ca, '--connect-timeout', '3'], {
      env: { TSREMOTE_PASSWORD: 'p', TSREMOTE_STATE_DIR: path.join(dir, 'state'), XDG_CONFIG_HOME: path.join(dir, 'config') },
      timeoutMs: 20_000,
    });
    const errors = res.stderr.split('\n').filter((l) => l.trim() !== '' && !/^tsremote: \d+ of \d+ hosts/.test(l));
    expect([res.code, errors.length, errors[0]?.startsWith(`${host}: TLS certificate does not match`)]).toEqual([2, 1, true]);
  }, 30_000);
});

describe('bug 3: an idle PSRP pump that still owes an event fails instead of hanging', () => {
  it('a pipeline whose final Receive lost its streams ends with ETSR_PSRP_PROTOCOL, not a hang', async () => {
    const server = await serve();
    const endpoint = parseHostSpec(server.urls[0]!.host, { https: false });
    const transport = new WSManTransport({ endpoint, auth: 'ntlm', credential: new Credential('u', 'p'), operationTimeoutSec: 20 });
    // A broken server: the Receive that says CommandState Done carries no streams, so the
    // pipeline never sees its final PipelineState and no further Receive is due.
    const poster = {
      post: async (xml: string, opts?: Parameters<WSManTransport['post']>[1]): Promise<string> => {
        const answer = await transport.post(xml, opts);
        return /CommandState[^>]*State="[^"]*Done"/.test(answer) ? answer.replace(/<rsp:Stream\b[^>]*>[^<]*<\/rsp:Stream>/g, '') : answer;
      },
      close: () => transport.close(),
    };
    const context = defaultContext(endpoint.url.href, { operationTimeoutSec: 20, maxEnvelopeSize: 153600, sessionId: `uuid:${crypto.randomUUID().toUpperCase()}`, operationIds: true });
    const client = new WSManClient(endpoint.label, poster, context);
    closers.push(() => client.close());
    const session = await PowerShellSession.open(client);
    const outcome = await Promise.race([
      psOutput(session, '"x"').then(() => 'finished', (e: unknown) => (e as { code?: string }).code),
      new Promise((r) => setTimeout(() => r('hung'), 10_000)),
    ]);
    await session.close();
    expect(outcome).toBe('ETSR_PSRP_PROTOCOL');
    expect(server.stats().shells).toBe(0);
  });
});
