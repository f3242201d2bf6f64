import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/index.js';
import { FAULTS, RESOURCE_URI, SIGNAL, WSManFault, buildPut, buildShellCreate, parseFault, parseResponse } from '../../src/wsman/index.js';
import { TestClient } from './client.js';

const USER = { username: 'vagrant', password: 'vagrant-pw' };
const servers: RunningServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const s = await startServer({ listen: ['127.0.0.1:0'], users: [USER], allowUnencrypted: true, ...opts });
  servers.push(s);
  return s;
}

function client(url: URL, user: string | undefined = USER.username, pw = USER.password, opts: ConstructorParameters<typeof TestClient>[3] = {}): TestClient {
  const c = new TestClient(url, user, pw, opts);
  clients.push(c);
  return c;
}

async function expectFault(p: Promise<unknown>): Promise<WSManFault> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WSManFault) return err;
    throw err;
  }
  throw new Error('expected a WS-Man fault');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('serve: WinRS cmd shell over loopback HTTP', () => {
  it('answers Identify as tsremote with the WS-Man 1.x protocol version', async () => {
    const s = await serve();
    const id = await client(s.urls[0] as URL).identify();
    expect([id.productVendor, id.protocolVersion]).toEqual(['tsremote', 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd']);
    expect(id.productVersion).toMatch(/^OS: \S+ SP: 0\.0 Stack: 3\.0$/);
  });

  it("runs 'echo hi' and returns 'hi\\n' with exit code 0", async () => {
    const s = await serve();
    const out = await client(s.urls[0] as URL).run('echo', ['hi']);
    expect([out.stdout.toString(), out.stderr.toString(), out.exitCode]).toEqual(['hi\n', '', 0]);
  });

  it('returns stderr and a non-zero exit code', async () => {
    const s = await serve();
    const out = await client(s.urls[0] as URL).run('echo oops 1>&2; exit 3');
    expect([out.stdout.toString(), out.stderr.toString(), out.exitCode]).toEqual(['', 'oops\n', 3]);
  });

  it('feeds stdin from Send and closes it on End', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const id = await c.command(shell, 'cat');
    await c.send(shell, id, Buffer.from('line one\n'));
    await c.send(shell, id, Buffer.from('line two\n'), true);
    const out = await c.collect(shell, id);
    expect([out.stdout.toString(), out.exitCode]).toEqual(['line one\nline two\n', 0]);
  });

  it('passes UTF-8 bytes through untouched', async () => {
    const s = await serve();
    const out = await client(s.urls[0] as URL).run("printf 'こんにちは'", [], { codepage: 65001 });
    expect(out.stdout.toString('utf8')).toBe('こんにちは');
  });

  it("applies the shell's environment and working directory", async () => {
    const s = await serve();
    const out = await client(s.urls[0] as URL).run('echo "$GREETING" && pwd', [], { environment: { GREETING: 'hello <&> env' }, workingDirectory: '/tmp' });
    expect(out.stdout.toString()).toBe('hello <&> env\n/tmp\n');
  });

  it('runs the command directly with WINRS_SKIP_CMD_SHELL', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const id = await c.command(shell, '/bin/echo', ['$HOME', 'a;b'], true);
    expect((await c.collect(shell, id)).stdout.toString()).toBe('$HOME a;b\n');
    const f = await expectFault(c.command(shell, '/no/such/program', [], true));
    expect([f.subcode, f.wsmanFaultCode]).toEqual(['InternalError', 2147942402]);
  });

  it('hides TSREMOTE_SERVE_PASSWORD from the commands it runs', async () => {
    process.env.TSREMOTE_SERVE_PASSWORD = 'leak-me';
    try {
      const s = await serve();
      const out = await client(s.urls[0] as URL).run('echo "[$TSREMOTE_SERVE_PASSWORD]"');
      expect(out.stdout.toString()).toBe('[]\n');
    } finally {
      delete process.env.TSREMOTE_SERVE_PASSWORD;
    }
  });

  it('answers a Receive with no output within OperationTimeout with the w:TimedOut fault', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const id = await c.command(shell, 'sleep 5');
    const t0 = Date.now();
    const f = await expectFault(c.receive(shell, id, 1));
    expect([f.subcode, f.wsmanFaultCode, f.isOperationTimeout]).toEqual(['TimedOut', 2150858793, true]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('ends a running command promptly on Signal terminate', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const id = await c.command(shell, 'sleep 30');
    const [pid] = s.stats().pids;
    expect(pid !== undefined && alive(pid)).toBe(true);
    const t0 = Date.now();
    await c.signal(shell, id, SIGNAL.terminate);
    while (alive(pid as number) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid as number)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('interrupts with ctrl_c (SIGINT to the group)', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const id = await c.command(shell, "trap 'echo interrupted; exit 42' INT; sleep 30 & wait");
    await new Promise((r) => setTimeout(r, 100));
    await c.signal(shell, id, SIGNAL.ctrl_c);
    const out = await c.collect(shell, id);
    expect([out.stdout.toString(), out.exitCode]).toEqual(['interrupted\n', 42]);
  });

  it('Enumerate lists exactly the open shells and Delete removes them', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const a = await c.createShell();
    const b = await c.createShell();
    const other = client(s.urls[0] as URL, 'second', 'pw2');
    expect((await c.enumerateShells(32000)).sort()).toEqual([a, b].sort());
    expect(await c.enumerateShells(1)).toHaveLength(2); // one per Pull
    await c.deleteShell(a);
    expect(await c.enumerateShells(32000)).toEqual([b]);
    await c.deleteShell(b);
    expect(await c.enumerateShells(32000)).toEqual([]);
    void other;
  });

  it('answers an unknown ShellId with the real InvalidSelectors fault', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const f = await expectFault(c.command('4A5C3C1E-0000-0000-0000-000000000000', 'echo'));
    expect([f.subcode, f.wsmanFaultCode, (f as WSManFault & { httpStatus?: number }).httpStatus]).toEqual(['InvalidSelectors', 2150858843, 500]);
    const shell = await c.createShell();
    const g = await expectFault(c.receive(shell, 'DEADBEEF-0000-0000-0000-000000000000'));
    expect(g.faultMessage).toContain('command identifier that does not exist');
  });

  it('refuses the 31st shell of a user with the QuotaLimit fault', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    for (let i = 0; i < 30; i++) await c.createShell();
    const f = await expectFault(c.createShell());
    expect([f.subcode, f.wsmanFaultCode]).toEqual(['QuotaLimit', 2150859173]);
  });

  it('answers a wrong password with 401, an empty body and the NTLM and Basic challenges', async () => {
    const s = await serve();
    const reply = await client(s.urls[0] as URL, USER.username, 'wrong').post(buildShellCreate(client(s.urls[0] as URL).ctx).xml);
    expect([reply.status, reply.body, reply.headers['www-authenticate']]).toEqual([401, '', ['Negotiate', 'NTLM', 'Basic realm="WSMAN"']]);
  });

  it('refuses Basic over plain HTTP without allowUnencrypted, offering no Basic challenge', async () => {
    const lines: string[] = [];
    const s = await serve({ allowUnencrypted: false, log: (l) => lines.push(l) });
    const reply = await client(s.urls[0] as URL).post(buildShellCreate(client(s.urls[0] as URL).ctx).xml);
    expect([reply.status, reply.headers['www-authenticate']]).toEqual([401, ['Negotiate', 'NTLM']]);
    expect(lines.some((l) => l.includes('allowUnencrypted'))).toBe(true);
    expect(lines.join('\n')).not.toContain(USER.password);
  });

  it('serves only POST /wsman', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    expect((await c.post('', undefined, 'POST', '/other')).status).toBe(404);
    expect((await c.post('', undefined, 'GET')).status).toBe(405);
  });

  it('answers unknown resources and actions with the real addressing faults', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const xml = buildShellCreate(c.ctx, { resourceUri: 'http://example.com/nothing' }).xml;
    const f = await expectFault(c.call(xml));
    expect(f.subcode).toBe('DestinationUnreachable');
    const shell = await c.createShell();
    const g = await expectFault(c.call(buildPut(c.ctx, RESOURCE_URI.cmd, '<Shell xmlns="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" />', { ShellId: shell }).xml));
    expect([g.subcode, g.subcodeNs]).toEqual(['ActionNotSupported', 'http://schemas.xmlsoap.org/ws/2004/08/addressing']);
  });

  it('answers malformed XML with HTTP 400 and a SchemaValidationError fault', async () => {
    const s = await serve();
    const reply = await client(s.urls[0] as URL).post('<s:Envelope><unclosed>');
    expect(reply.status).toBe(400);
    expect(parseFault(reply.body)?.subcode).toBe('SchemaValidationError');
  });

  it('answers a request over MaxEnvelopeSize with HTTP 413', async () => {
    const s = await serve({ maxEnvelopeSize: 10_000 });
    const reply = await client(s.urls[0] as URL).post(`<x>${'a'.repeat(40_000)}</x>`);
    expect(reply.status).toBe(413);
  });

  it('accepts a UTF-16 request body (as winrmsharp sends)', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const xml = `<?xml version="1.0" encoding="utf-16"?>${buildShellCreate(c.ctx).xml}`;
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const reply = await c.post(body, 'application/soap+xml;charset=UTF-16');
    expect(reply.status).toBe(200);
    expect(parseResponse(reply.body).action).toBe('http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse');
  });

  it('streams 50 MB through repeated Receives, each within MaxEnvelopeSize, with bounded buffers', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL, USER.username, USER.password, { maxEnvelopeSize: 153600 });
    const shell = await c.createShell();
    const id = await c.command(shell, 'head -c 52428800 /dev/zero');
    let largest = 0;
    const out = await c.collect(shell, id, (bytes) => {
      largest = Math.max(largest, bytes);
    });
    expect([out.stdout.length, out.exitCode]).toEqual([52428800, 0]);
    expect(largest).toBeLessThanOrEqual(153600);
    expect(s.stats().bufferedHighWater).toBeLessThan(2 * 153600 + 128 * 1024);
  }, 120_000);

  it('answers on every port of a 50-port range', async () => {
    // Below Linux's ephemeral range (32768+), where client sockets would collide; and another
    // process may hold a port of ours, so a range that cannot be bound is retried elsewhere.
    let base = 0;
    let s: RunningServer | undefined;
    for (let attempt = 0; s === undefined; attempt++) {
      base = 20000 + Math.floor(Math.random() * 12000);
      try {
        s = await serve({ listen: [`127.0.0.1:${base}-${base + 49}`] });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 4) throw err;
      }
    }
    expect(s.urls.map((u) => Number(u.port))).toEqual(Array.from({ length: 50 }, (_, i) => base + i));
    const ids = await Promise.all(s.urls.map((u) => client(u).identify()));
    expect(ids.map((i) => i.productVendor)).toEqual(Array(50).fill('tsremote'));
  });

  it('close() kills a running child and ends its pending Receive', async () => {
    const s = await serve();
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const id = await c.command(shell, 'sleep 100');
    const [pid] = s.stats().pids;
    expect(pid !== undefined && alive(pid)).toBe(true);
    const pending = c.receive(shell, id, 60).then(() => 'answered', () => 'failed');
    await new Promise((r) => setTimeout(r, 50));
    await s.close();
    expect(alive(pid as number)).toBe(false);
    expect(await pending).toBe('failed');
  });

  it('expires idle shells after idleTimeoutMs', async () => {
    const s = await serve({ idleTimeoutMs: 200 });
    const c = client(s.urls[0] as URL);
    await c.createShell();
    expect(s.stats().shells).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(s.stats().shells).toBe(0);
  });
});

describe('serve: fault injection hook', () => {
  it('answers with the fault the hook returns, and handles requests it lets through', async () => {
    const s = await serve({ faults: (req) => (req.action.endsWith('/Command') ? { ...FAULTS.accessDenied } : undefined) });
    const c = client(s.urls[0] as URL);
    const shell = await c.createShell();
    const f = await expectFault(c.command(shell, 'echo'));
    expect([f.subcode, f.wsmanFaultCode]).toEqual(['AccessDenied', 5]);
  });
});

describe('serve: HTTPS', () => {
  it('generates a self-signed certificate that a client trusting certPem accepts', async () => {
    const s = await serve({ https: true, allowUnencrypted: false });
    expect(s.urls[0]?.protocol).toBe('https:');
    expect(s.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const out = await client(s.urls[0] as URL, USER.username, USER.password, { ca: s.certPem as string }).run('echo secure');
    expect(out.stdout.toString()).toBe('secure\n');
  });
});
