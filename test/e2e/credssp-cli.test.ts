/**
 * `--auth credssp` end to end (issue 9): the real CLI against `serve --auth credssp` on loopback,
 * over plain HTTP (bodies sealed through the CredSSP TLS channel) and HTTPS; bodies over 16 KiB
 * both ways (multipart/x-multi-encrypted); a wrong password; a tampered sealed body; a man in the
 * middle that terminates the inner TLS with its own key; and --debug output free of secrets.
 *
 * No independent CredSSP peer exists on Debian (no python3-requests-credssp or python3-pyspnego;
 * pywinrm's CredSSP transport needs requests-credssp), so both ends here are ours; the wire
 * formats are checked against published encodings and pywinrm's framing in test/auth/credssp.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/credential.js';
import { CredSspClientContext } from '../../src/auth/credssp/index.js';
import { md4 } from '../../src/auth/ntlm/md4.js';
import { CredSspAcceptor } from '../../src/server/auth/credssp.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { MemoryTlsChannel } from '../../src/transport/credssp-tls.js';
import { encryptedContentType, sealBody } from '../../src/transport/encrypted-body.js';
import { runCli, spawnCli } from '../helpers/cli.js';

const USER = 'delegate';
const PASSWORD = 'Dëlegated-Pw-7f3a';
/** The password in every form a leak would take: text, UTF-16LE (TSPasswordCreds), base64, NT hash. */
const SECRETS = [
  PASSWORD,
  Buffer.from(PASSWORD, 'utf16le').toString('latin1'),
  Buffer.from(PASSWORD, 'utf16le').toString('base64'),
  Buffer.from(PASSWORD, 'utf8').toString('base64'),
  Buffer.from(md4(Buffer.from(PASSWORD, 'utf16le'))).toString('hex'),
];
const env = { XDG_CONFIG_HOME: '/nonexistent-tsremote-e2e', TSREMOTE_USERNAME: undefined, TSREMOTE_PASSWORD: PASSWORD };
const users = [{ username: USER, password: PASSWORD }];

let plain: RunningServer;
let secure: RunningServer;
let mitm: { url: string; close: () => Promise<void> };
const plainLog: string[] = [];
beforeAll(async () => {
  [plain, secure] = await Promise.all([
    startServer({ listen: ['127.0.0.1:0'], users, auth: ['credssp'], log: (l) => plainLog.push(l) }),
    startServer({ listen: ['127.0.0.1:0'], users, auth: ['credssp'], https: true }),
  ]);
  mitm = await startMitm(`http://${plain.urls[0]!.host}`);
});
afterAll(async () => Promise.all([plain?.close(), secure?.close(), mitm?.close()]));

const invoke = (host: string, args: string[], opts: { password?: string; input?: string } = {}) =>
  runCli(['invoke', '-c', host, '-u', USER, '--auth', 'credssp', ...args], {
    env: { ...env, TSREMOTE_PASSWORD: opts.password ?? PASSWORD },
    ...(opts.input === undefined ? {} : { input: opts.input }),
    timeoutMs: 60_000,
  });

describe('tsremote invoke --auth credssp against serve --auth credssp', () => {
  it('plain HTTP: --cmd and -s, every body sealed through the CredSSP channel', async () => {
    const host = plain.urls[0]!.host;
    const cmd = await invoke(host, ['--cmd', 'echo credssp-cmd']);
    expect([cmd.stdout, cmd.stderr, cmd.code]).toEqual(['credssp-cmd\n', '', 0]);
    const ps = await invoke(host, ['-s', '"credssp-ps " + (40 + 2)', '--debug']);
    expect([ps.stdout, ps.code]).toEqual(['credssp-ps 42\n', 0]);
    // Every request with a body after the handshake went sealed under the CredSSP protocol.
    const posts = ps.stderr.split('\n').filter((l) => /> POST .*bytes/.test(l));
    expect(posts.length).toBeGreaterThan(3);
    expect(posts.filter((l) => !/bytes sealed\)|\(connection \d+, 0 bytes\)/.test(l))).toEqual([]);
    expect(ps.stderr).toContain('> content-type: multipart/encrypted;protocol="application/HTTP-CredSSP-session-encrypted"');
    expect(ps.stderr).toContain('< content-type: multipart/encrypted;protocol="application/HTTP-CredSSP-session-encrypted"');
  });

  it('HTTPS: --cmd and -s (TLS outside, CredSSP TLS inside, bodies not sealed twice)', async () => {
    const host = secure.urls[0]!.host;
    const cmd = await invoke(host, ['--https', '--skip-cert-check', '--cmd', 'echo over-https']);
    expect([cmd.stdout, cmd.code]).toEqual(['over-https\n', 0]);
    const ps = await invoke(host, ['--https', '--skip-cert-check', '-s', '"ps over https"', '--debug']);
    expect([ps.stdout, ps.code]).toEqual(['ps over https\n', 0]);
    expect(ps.stderr).not.toContain('bytes sealed');
    expect(ps.stderr).toContain('authorization: CredSSP <redacted');
  });

  it('bodies over 16 KiB go as multipart/x-multi-encrypted both ways and arrive whole', async () => {
    const host = plain.urls[0]!.host;
    const input = `${'0123456789abcdef'.repeat(4)}\n`.repeat(1200); // 78,000 bytes of stdin
    const res = await invoke(host, ['--cmd', 'wc -c; head -c 60000 /dev/zero | tr "\\0" y', '--stdin', '--debug'], { input });
    expect(res.code).toBe(0);
    const [count, ys] = res.stdout.split('\n');
    expect(Number(count?.trim())).toBe(input.length);
    expect(ys).toBe('y'.repeat(60_000));
    expect(res.stderr).toContain('> content-type: multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted"');
    expect(res.stderr).toContain('< content-type: multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted"');
  });

  it('through `tsremote serve --auth credssp` itself (the CLI wiring of both ends)', async () => {
    const serve = spawnCli(['serve', '--user', USER, '--listen', '127.0.0.1:0', '--auth', 'credssp'], {
      env: { TSREMOTE_SERVE_PASSWORD: PASSWORD, XDG_CONFIG_HOME: '/nonexistent-tsremote-e2e' },
    });
    serve.stdin.end();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /listening on (http:\/\/\S+)\/wsman/.exec(out);
          if (m?.[1] !== undefined) resolve(m[1]);
        });
        serve.once('exit', (code) => reject(new Error(`serve exited (${code}): ${out}`)));
      });
      const res = await invoke(new URL(url).host, ['--cmd', 'echo via-serve-cli']);
      expect([res.stdout, res.stderr, res.code]).toEqual(['via-serve-cli\n', '', 0]);
    } finally {
      serve.kill('SIGTERM');
    }
  });

  it('a wrong password is refused with one line', async () => {
    const res = await invoke(plain.urls[0]!.host, ['--cmd', 'echo never'], { password: 'not-it' });
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+: logon rejected \(401\) for CredSSP; .*hint: /)]);
    expect(res.code).not.toBe(0);
    expect(plainLog.some((l) => /CredSSP: NTLM: wrong password for delegate/.test(l))).toBe(true);
  });

  it('--debug shows the exchange but never the password or the delegated credentials', async () => {
    const res = await invoke(plain.urls[0]!.host, ['--cmd', 'echo traced', '--debug']);
    expect(res.stdout).toBe('traced\n');
    expect(res.stderr).toMatch(/authorization: CredSSP <redacted, \d+ bytes>/);
    for (const secret of SECRETS) expect(res.stderr).not.toContain(secret);
    expect(res.stderr).not.toMatch(/TSCredentials|TSPasswordCreds|authInfo/);
  });
});

describe('refusals on the wire', () => {
  it('serve refuses a tampered sealed body (400) after serving the same connection untampered', async () => {
    const origin = `http://${plain.urls[0]!.host}`;
    const client = new Client(origin, { pipelining: 1 });
    const ctx = new CredSspClientContext(new Credential(USER, PASSWORD), { tls: () => MemoryTlsChannel.client() });
    const identify = Buffer.from(
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>',
    );
    const post = async (authorization: string | undefined, body: Buffer, sealed: boolean) => {
      const res = await client.request({
        method: 'POST',
        path: '/wsman',
        headers: {
          ...(authorization === undefined ? {} : { authorization }),
          'content-type': sealed ? encryptedContentType('application/HTTP-CredSSP-session-encrypted') : 'application/soap+xml;charset=UTF-8',
        },
        body,
      });
      await res.body.dump();
      return { status: res.statusCode, challenge: String(res.headers['www-authenticate'] ?? '') };
    };
    try {
      let token = await ctx.step();
      while (!ctx.complete) {
        const leg = await post(`CredSSP ${Buffer.from(token ?? []).toString('base64')}`, Buffer.alloc(0), false);
        expect(leg.status).toBe(401);
        token = await ctx.step(Buffer.from(leg.challenge.replace(/^CredSSP /, ''), 'base64'));
      }
      const good = await post(`CredSSP ${Buffer.from(token ?? []).toString('base64')}`, await sealBody(ctx, identify), true);
      expect(good.status).toBe(200);
      const tampered = await sealBody(ctx, identify);
      tampered.writeUInt8(tampered.readUInt8(tampered.length - 30) ^ 0x40, tampered.length - 30);
      expect((await post(undefined, tampered, true)).status).toBe(400);
      expect(plainLog.some((l) => /sealed body from 'delegate' refused: CredSSP unsealing failed/.test(l))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('a man in the middle with its own inner TLS key is refused, and the password is never delegated', async () => {
    const before = plainLog.length;
    const res = await runCli(['invoke', '-c', mitm.url, '-u', USER, '--auth', 'credssp', '--cmd', 'echo intercepted'], { env, timeoutMs: 60_000 });
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/logon rejected \(401\) for CredSSP/)]);
    const log = plainLog.slice(before);
    expect(log.some((l) => /public-key binding of delegate does not match our TLS key/.test(l))).toBe(true);
    expect(log.some((l) => /created for delegate/.test(l))).toBe(false);
  });
});

/**
 * A relay that terminates the client's CredSSP TLS with its own certificate and opens its own to
 * the real server, passing the TSRequests through unchanged: what an attacker on the path would do.
 */
async function startMitm(upstreamOrigin: string): Promise<{ url: string; close: () => Promise<void> }> {
  const own = await CredSspAcceptor.generateCertificate();
  const sessions = new WeakMap<object, { down: MemoryTlsChannel; up: MemoryTlsChannel; http: Client }>();
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
  const server = http.createServer((req, res) => {
    void (async () => {
      req.resume();
      const refuse = (token?: Uint8Array): void => {
        res.writeHead(401, { 'www-authenticate': token === undefined ? 'CredSSP' : `CredSSP ${b64(token)}`, 'content-length': '0' }).end();
      };
      const header = req.headers.authorization ?? '';
      if (!header.startsWith('CredSSP ')) return refuse();
      const token = new Uint8Array(Buffer.from(header.slice(8), 'base64'));
      let s = sessions.get(req.socket);
      if (token[0] === 22 && token[5] === 1) {
        s = { down: MemoryTlsChannel.server(own), up: MemoryTlsChannel.client(), http: new Client(upstreamOrigin, { pipelining: 1 }) };
        sessions.set(req.socket, s);
      }
      if (s === undefined) return refuse();
      const session = s;
      const upstream = async (t: Uint8Array): Promise<Uint8Array | undefined> => {
        const r = await session.http.request({ method: 'POST', path: '/wsman', headers: { authorization: `CredSSP ${b64(t)}`, 'content-type': 'application/soap+xml;charset=UTF-8' }, body: '' });
        await r.body.dump();
        const m = /^CredSSP (\S+)/.exec(String(r.headers['www-authenticate'] ?? ''));
        return r.statusCode === 401 && m?.[1] !== undefined ? new Uint8Array(Buffer.from(m[1], 'base64')) : undefined;
      };
      let handshake: Uint8Array = new Uint8Array(0);
      let plaintext: Uint8Array;
      if (!session.down.secure) {
        handshake = await session.down.handshake(token);
        if (!session.down.secure) return refuse(handshake);
        plaintext = await session.down.unwrap(new Uint8Array(0));
        if (plaintext.length === 0) return refuse(handshake);
      } else plaintext = await session.down.unwrap(token);
      if (!session.up.secure) {
        let out = await session.up.handshake();
        while (!session.up.secure) {
          const back = await upstream(out);
          if (back === undefined) return refuse();
          out = await session.up.handshake(back);
        }
      }
      const answer = await upstream(await session.up.wrap(plaintext));
      if (answer === undefined) return refuse(); // the real server said no: pass the refusal on
      const relayed = await session.down.wrap(await session.up.unwrap(answer));
      refuse(Buffer.concat([handshake, relayed]));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
