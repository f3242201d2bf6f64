/**
 * The password must not surface anywhere a user or a log could see it: error messages, hints,
 * cause chains, util.inspect of errors and of the transport, and debug lines.
 */
import { inspect } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { WSManTransport, parseHostSpec, type TraceEvent, type TransportOptions } from '../../src/transport/index.js';
import { closeAll, freePort, selfSignedCert, startHttp, startHttps, type Handler } from './servers.js';

const PASSWORD = 'S3cr3t-Pässwörd-xyzzy';
const USER = 'DOMAIN\\operator';
const TOKEN = Buffer.from(`${USER}:${PASSWORD}`, 'utf8').toString('base64');
const transports: WSManTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await closeAll();
});

function leaks(text: string): boolean {
  return text.includes(PASSWORD) || text.includes(TOKEN);
}

/** Everything a user could be shown about an error. */
function surface(err: unknown): string {
  const e = err as { message?: string; hint?: string; host?: string };
  return [e.message, e.hint, e.host, String(err), inspect(err, { depth: 10 }), JSON.stringify(err)].join('\n');
}

it('never shows the password or the Basic token in errors, inspect output or debug lines', async () => {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const make = (spec: string, https: boolean, extra: Partial<TransportOptions> = {}): WSManTransport => {
    const t = new WSManTransport({
      endpoint: parseHostSpec(spec, { https }),
      credential: new Credential(USER, PASSWORD),
      auth: 'basic',
      allowUnencrypted: true,
      readTimeoutMs: 150,
      retry: { baseDelayMs: 5 },
      debug: (l) => lines.push(l),
      ...extra,
    });
    transports.push(t);
    return t;
  };
  const attempt = async (t: WSManTransport, idempotent = false): Promise<void> => {
    try {
      await t.post('<x/>', { idempotent });
    } catch (err) {
      errors.push(err);
    }
  };

  // A server that echoes the request headers back in its error body, as a careless proxy might.
  const echo: Handler = (req, res) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`you sent ${req.headers.authorization ?? ''} as ${JSON.stringify(req.headers)}`);
  };
  const unauthorized: Handler = (_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="WSMAN", Negotiate' });
    res.end(`denied ${PASSWORD}`);
  };
  const hangs: Handler = () => {};
  const drops: Handler = (req) => req.socket.destroy();

  for (const handler of [echo, unauthorized, hangs, drops]) {
    const srv = await startHttp(handler);
    await attempt(make(`127.0.0.1:${srv.port}`, false), true);
  }
  await attempt(make(`127.0.0.1:${await freePort()}`, false), true);
  const pems = await selfSignedCert();
  const tls = await startHttps(pems, echo);
  await attempt(make(`127.0.0.1:${tls.port}`, true));
  try {
    make('127.0.0.1:1', false, { allowUnencrypted: false });
  } catch (err) {
    errors.push(err);
  }

  expect(errors.map((e) => (e as { code: string }).code)).toEqual([
    'ETSR_HTTP_STATUS', 'ETSR_AUTH_REJECTED', 'ETSR_TIMEOUT', 'ETSR_CONNECT', 'ETSR_CONNECT', 'ETSR_TLS', 'ETSR_INSECURE',
  ]);
  expect(errors.filter((e) => leaks(surface(e)))).toEqual([]);
  expect(lines.length).toBeGreaterThan(5);
  expect(lines.filter(leaks)).toEqual([]);
  expect(transports.map((t) => inspect(t, { depth: 10 })).filter(leaks)).toEqual([]);
  // The echo really carried the token, so the redaction above was exercised.
  expect((errors[0] as Error).message).toContain('***');
});

it('traces Basic exchanges with the token redacted and the password blanked from bodies', async () => {
  const events: TraceEvent[] = [];
  const srv = await startHttp((req, res) => {
    res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
    res.end(`<s:Envelope>you sent ${req.headers.authorization ?? ''}</s:Envelope>`);
  });
  const t = new WSManTransport({
    endpoint: parseHostSpec(`127.0.0.1:${srv.port}`, { https: false }),
    credential: new Credential(USER, PASSWORD),
    auth: 'basic',
    allowUnencrypted: true,
    trace: (e) => events.push(e),
  });
  transports.push(t);
  await t.post(`<x>${PASSWORD}</x>`);
  expect(events.map((e) => [e.type, e.headers.authorization, e.body])).toEqual([
    ['request', `Basic <redacted, ${Buffer.byteLength(`${USER}:${PASSWORD}`)} bytes>`, '<x>***</x>'],
    ['response', undefined, '<s:Envelope>you sent Basic ***</s:Envelope>'],
  ]);
  expect(leaks(JSON.stringify(events))).toBe(false);
});
