/**
 * NTLM message encryption under volume, and channel binding, end to end against `serve` (issue 5):
 * 5 MB of pipeline input crossing many sealed Send messages (in-process, so the wire can be counted,
 * and through the CLI), 5 MB of WinRS stdin, and NTLM over HTTPS against `--cbt strict`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { PowerShellSession, connect } from '../../src/session/index.js';
import type { TraceEvent } from '../../src/transport/index.js';
import { runCli } from '../helpers/cli.js';

const USER = 'sealer';
const PASSWORD = 'Seal-me-5MB!';
const LINE = 'x'.repeat(99);
const LINES = 52_429; // 52,429 × 100 bytes = 5,242,900 bytes
const COUNT_SCRIPT = '$n = 0; $len = 0; foreach ($l in $input) { $n++; $len += $l.Length }; "$n $len"';
const env = { TSREMOTE_PASSWORD: PASSWORD, TSREMOTE_USERNAME: undefined, XDG_CONFIG_HOME: '/nonexistent-tsremote-e2e' };

let plain: RunningServer;
let strict: RunningServer;
const serverLog: string[] = [];
beforeAll(async () => {
  [plain, strict] = await Promise.all([
    startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], log: (l) => serverLog.push(l) }),
    startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], https: true, cbt: 'strict' }),
  ]);
});
afterAll(async () => Promise.all([plain?.close(), strict?.close()]));

describe('5 MB through sealed NTLM over plain HTTP', () => {
  it('pipeline input: every request and response is sealed, and the data arrives whole', async () => {
    const trace: (TraceEvent & { action: string })[] = [];
    const client = connect(plain.urls[0]!.host, {
      https: false,
      auth: 'negotiate',
      credential: new Credential(USER, PASSWORD),
      operationTimeoutSec: 20,
      connectTimeoutSec: 5,
      trace: (e) => trace.push({ ...e, body: '', action: /Action[^>]*>([^<]+)</.exec(e.body)?.[1] ?? '' }),
    });
    const session = await PowerShellSession.open(client);
    const outputs: unknown[] = [];
    function* input(): Generator<string> {
      for (let i = 0; i < LINES; i++) yield LINE;
    }
    for await (const e of session.run(COUNT_SCRIPT, { input: input() })) if (e.type === 'PipelineOutput') outputs.push(e.value);
    await session.close();
    await client.close();

    expect(outputs).toEqual([`${LINES} ${LINES * 99}`]);
    const withBody = trace.filter((e) => e.bytes > 0);
    // Only the NEGOTIATE leg of each connection's handshake (and its 401) goes without a body.
    expect(trace.length - withBody.length).toBeLessThanOrEqual(4);
    expect(withBody.length).toBeGreaterThan(40);
    expect(withBody.filter((e) => !e.sealed)).toEqual([]);
    // The PowerShell endpoint's 500 KiB MaxEnvelopeSize: 5 MB of CLIXML input needs a score of Send
    // messages, each sealed on its own with the next sequence number.
    const sends = trace.filter((e) => e.type === 'request' && e.action.endsWith('/windows/shell/Send'));
    expect(sends.length).toBeGreaterThan(15);
    expect(sends.every((e) => e.bytes <= 512_000 + 1024)).toBe(true);
    const sealedBytes = withBody.filter((e) => e.type === 'request').reduce((sum, e) => sum + e.bytes, 0);
    expect(sealedBytes).toBeGreaterThan(5_242_900); // base64 fragments inside SOAP, sealed: more than the input
    expect(plain.stats().shells).toBe(0);
  });

  it('through the CLI: -s with --stdin, and --cmd with --stdin', async () => {
    const input = `${LINE}\n`.repeat(LINES);
    const host = plain.urls[0]!.host;
    const ps = await runCli(['invoke', '-c', host, '-u', USER, '-s', COUNT_SCRIPT, '--stdin'], { env, input, timeoutMs: 120_000 });
    expect([ps.stdout, ps.stderr, ps.code]).toEqual([`${LINES} ${LINES * 99}\n`, '', 0]);
    const cmd = await runCli(['invoke', '-c', host, '-u', USER, '--cmd', 'wc -c', '--stdin'], { env, input, timeoutMs: 120_000 });
    expect([cmd.stdout.trim(), cmd.stderr, cmd.code]).toEqual([String(LINES * 100), '', 0]);
  });
});

describe('NTLM over HTTPS with channel binding', () => {
  it('passes serve --cbt strict: the client binds to the certificate it was shown', async () => {
    const res = await runCli(
      ['invoke', '-c', strict.urls[0]!.host, '-u', USER, '--https', '--skip-cert-check', '-s', '"bound"'],
      { env },
    );
    expect(res.stdout).toBe('bound\n');
    expect(res.stderr).toBe('warning: --skip-cert-check: server certificates are NOT verified\n');
    expect(res.code).toBe(0);
  });

  it('--cbt strict refuses a client that sends no bindings over TLS', async () => {
    // A plain-HTTP NTLM exchange carries all-zero bindings; replaying that shape over TLS must fail.
    const { NtlmClientContext } = await import('../../src/auth/ntlm/index.js');
    const ctx = new NtlmClientContext(new Credential(USER, PASSWORD), { channelBindings: () => undefined });
    const { Client } = await import('undici');
    const origin = `https://${strict.urls[0]!.host}`;
    const http = new Client(origin, { connect: { rejectUnauthorized: false }, pipelining: 1 });
    try {
      const first = await http.request({ method: 'POST', path: '/wsman', headers: { authorization: `Negotiate ${Buffer.from(ctx.step() as Uint8Array).toString('base64')}`, 'content-type': 'application/soap+xml;charset=UTF-8' }, body: '' });
      await first.body.dump();
      expect(first.statusCode).toBe(401);
      const challenge = String(first.headers['www-authenticate']).replace(/^Negotiate /, '');
      const auth = ctx.step(Buffer.from(challenge, 'base64')) as Uint8Array;
      const second = await http.request({ method: 'POST', path: '/wsman', headers: { authorization: `Negotiate ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/soap+xml;charset=UTF-8' }, body: '' });
      await second.body.dump();
      expect(second.statusCode).toBe(401);
    } finally {
      await http.destroy();
    }
  });
});
