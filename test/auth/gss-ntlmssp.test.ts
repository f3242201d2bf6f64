/**
 * Our NTLM client against an acceptor none of us wrote: Debian's gss-ntlmssp (the GSSAPI NTLM
 * mechanism) through python3-gssapi, behind test/peers/gss_ntlm_server.py, which speaks the MS-WSMV
 * 2.2.9.1 framing. pywinrm (python3-winrm) proves the peer first, so a failure of ours cannot hide
 * behind a broken peer. Skips visibly when the Debian packages are missing, unless
 * TSREMOTE_REQUIRE_PEERS=1 (CI), where that fails.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credential } from '../../src/auth/index.js';
import { NtlmClientContext } from '../../src/auth/ntlm/index.js';
import { ENCRYPTED_CONTENT_TYPE, openBody, sealBody } from '../../src/transport/encrypted-body.js';
import { WSManTransport, parseHostSpec } from '../../src/transport/index.js';
import { legacyOpensslEnv } from '../helpers/openssl-legacy.js';
import {
  buildGet, buildIdentify, parseResponse, readIdentifyResponse, type WSManContext, type WSManResponse,
} from '../../src/wsman/index.js';

const PYTHON = '/usr/bin/python3';
const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'gss_ntlm_server.py');
const NTLM_OID = '1.3.6.1.4.1.311.2.2.10';
const ECHO_NS = 'urn:tsremote:test:gss-ntlmssp';
const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';

const DOMAIN = 'TESTDOM';
const USER = 'alice';
const PASSWORD = 'S3cret!pass';
/**
 * A password outside ASCII (NTOWFv1 hashes its UTF-16LE). No ':' — gss-ntlmssp 1.2.0 does not find a
 * user whose line has a fourth field (it reads such lines as Samba's smbpasswd format).
 */
const USER2 = 'bob';
const PASSWORD2 = 'Pä55wörd€';

// gss-ntlmssp answers when an acceptor credential for the NTLM mechanism can be acquired.
const hasGssNtlm =
  spawnSync(PYTHON, ['-c', `import gssapi; gssapi.Credentials(usage='accept', mechs=[gssapi.OID.from_int_seq('${NTLM_OID}')])`], {
    stdio: 'ignore',
  }).status === 0;
const hasWinrm = spawnSync(PYTHON, ['-c', 'import winrm'], { stdio: 'ignore' }).status === 0;

/** loopback must not go through a proxy (requests honours *_PROXY). */
const NO_PROXY_ENV = { NO_PROXY: '*', no_proxy: '*' };

let dir = '';
let server: ChildProcess | undefined;
let port = 0;
let serverLog = '';

async function startPeer(): Promise<void> {
  dir = mkdtempSync(path.join(tmpdir(), 'tsremote-gss-'));
  // gss-ntlmssp's NTLM_USER_FILE: Heimdal's format, DOMAIN:user:password.
  const users = path.join(dir, 'ntlm-users');
  writeFileSync(users, `# test users\n${DOMAIN}:${USER}:${PASSWORD}\n${DOMAIN}:${USER2}:${PASSWORD2}\n`, { mode: 0o600 });
  // --exit-with-stdin: the server also goes when this process dies without running afterAll
  const child = spawn(PYTHON, [SERVER, '--exit-with-stdin'], {
    env: { ...process.env, ...NO_PROXY_ENV, NTLM_USER_FILE: users },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  server = child;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    serverLog = (serverLog + s).slice(-8000);
  });
  port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const fail = (why: string): void => reject(new Error(`gss_ntlm_server.py ${why}\n${serverLog}`));
    lines.once('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
      else fail(`printed ${JSON.stringify(line)} instead of PORT <n>`);
    });
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.once('error', (err) => fail(`did not start: ${err.message}`));
  });
}

async function stopPeer(): Promise<void> {
  const child = server;
  server = undefined;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// pywinrm, a client none of us wrote, proves the peer.

interface PeerResult {
  name: string;
  ok: boolean;
  xml?: string;
  error?: string;
  status?: number;
  message?: string;
}

const PYWINRM_SCRIPT = String.raw`
import json, sys, winrm
from winrm.exceptions import WinRMError, WinRMTransportError, InvalidCredentialsError
endpoint, user, password = sys.argv[1:4]
S = 'http://www.w3.org/2003/05/soap-envelope'
A = 'http://schemas.xmlsoap.org/ws/2004/08/addressing'
def run(name, encryption, xml):
    p = winrm.Protocol(endpoint, transport='ntlm', username=user, password=password, message_encryption=encryption)
    try:
        out = p.send_message(xml)
        res = {'ok': True, 'xml': out.decode() if isinstance(out, bytes) else out}
    except WinRMTransportError as e:
        text = e.response_text
        res = {'ok': False, 'error': 'WinRMTransportError', 'status': e.code, 'xml': text.decode() if isinstance(text, bytes) else text}
    except (WinRMError, InvalidCredentialsError) as e:
        res = {'ok': False, 'error': type(e).__name__, 'message': str(e)}
    res['name'] = name
    print(json.dumps(res), flush=True)
identify = '<s:Envelope xmlns:s="%s" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>' % S
get = ('<s:Envelope xmlns:s="%s" xmlns:a="%s"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>'
       '<a:MessageID>uuid:11111111-2222-3333-4444-555555555555</a:MessageID></s:Header><s:Body/></s:Envelope>') % (S, A)
no_message_id = ('<s:Envelope xmlns:s="%s" xmlns:a="%s"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>'
                 '</s:Header><s:Body/></s:Envelope>') % (S, A)
for name in sys.argv[4:]:
    if name == 'identify': run(name, 'always', identify)
    elif name == 'echo': run(name, 'always', get)
    elif name == 'fault': run(name, 'always', no_message_id)
    elif name == 'unsealed': run(name, 'never', identify)
`;

function runPywinrm(user: string, password: string, cases: string[]): Promise<PeerResult[]> {
  // pywinrm's ntlm-auth hashes with MD4, which Debian's OpenSSL 3 keeps in the legacy provider;
  // gss-ntlmssp has its own MD4, so only this child gets OPENSSL_CONF.
  const env = { ...legacyOpensslEnv(), ...NO_PROXY_ENV };
  const endpoint = `http://127.0.0.1:${port}/wsman`;
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', PYWINRM_SCRIPT, endpoint, user, password, ...cases], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pywinrm failed: ${err.message}\n${stderr}\npeer log:\n${serverLog}`));
      resolve(stdout.trim().split('\n').map((l) => JSON.parse(l) as PeerResult));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP for the low-level tests: one keep-alive socket, since NTLM authenticates a connection.

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The client port of the socket used: equal across requests means one TCP connection. */
  localPort: number | undefined;
}

function post(agent: http.Agent, headers: Record<string, string>, body: Buffer = Buffer.alloc(0)): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/wsman', method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        // read now: a keep-alive agent takes the socket back before 'end' handlers run
        const localPort = res.socket.localPort;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), localPort }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const authHeader = (scheme: string, token: Uint8Array): Record<string, string> => ({
  authorization: `${scheme} ${Buffer.from(token).toString('base64')}`,
});

function challengeOf(reply: RawReply, scheme: string): Buffer {
  const header = reply.headers['www-authenticate'] ?? '';
  const m = new RegExp(`^${scheme} ([A-Za-z0-9+/=]+)$`).exec(header);
  if (!m?.[1]) throw new Error(`no ${scheme} challenge in ${reply.status} ${JSON.stringify(header)}\n${serverLog}`);
  return Buffer.from(m[1], 'base64');
}

interface Session {
  agent: http.Agent;
  ctx: NtlmClientContext;
  localPort: number | undefined;
}

/** NEGOTIATE -> 401 CHALLENGE -> AUTHENTICATE; returns the AUTHENTICATE reply and the session. */
async function handshake(
  username: string,
  password: string,
  scheme: 'Negotiate' | 'NTLM' = 'Negotiate',
  body?: (ctx: NtlmClientContext) => Buffer,
): Promise<{ session: Session; reply: RawReply }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ctx = new NtlmClientContext(new Credential(username, password), { scheme });
  const negotiate = await ctx.step();
  if (!negotiate) throw new Error('no NEGOTIATE token');
  const first = await post(agent, authHeader(scheme, negotiate));
  expect(first.status).toBe(401);
  const authenticate = await ctx.step(challengeOf(first, scheme));
  if (!authenticate) throw new Error('no AUTHENTICATE token');
  const headers: Record<string, string> = authHeader(scheme, authenticate);
  let payload: Buffer | undefined;
  if (body) {
    payload = body(ctx);
    headers['content-type'] = ENCRYPTED_CONTENT_TYPE;
  }
  const reply = await post(agent, headers, payload);
  expect(reply.localPort).toBe(first.localPort);
  return { session: { agent, ctx, localPort: first.localPort }, reply };
}

/** Seals `xml`, posts it on the session's connection, and opens the sealed reply. */
async function exchange(session: Session, xml: string): Promise<{ status: number; xml: string }> {
  const reply = await post(session.agent, { 'content-type': ENCRYPTED_CONTENT_TYPE }, sealBody(session.ctx, Buffer.from(xml, 'utf8')));
  expect(reply.localPort).toBe(session.localPort);
  if (!/^multipart\/encrypted;/.test(reply.headers['content-type'] ?? '')) {
    throw new Error(`unsealed ${reply.status} reply: ${reply.body.toString('utf8').slice(0, 300)}\n${serverLog}`);
  }
  return { status: reply.status, xml: openBody(session.ctx, reply.body).toString('utf8') };
}

/** The p:Echo the peer answers a request with a MessageID with. */
function readEcho(resp: WSManResponse): { action: string; user: string; requestBytes: number; sequence: number } {
  const echo = resp.body.children.find((c) => c.ns === ECHO_NS && c.local === 'Echo');
  if (!echo) throw new Error('no p:Echo in the response body');
  const text = (local: string): string => echo.children.find((c) => c.local === local)?.text.trim() ?? '';
  return { action: text('Action'), user: text('User'), requestBytes: Number(text('RequestBytes')), sequence: Number(text('Sequence')) };
}

const CTX: WSManContext = { to: 'http://127.0.0.1/wsman', maxEnvelopeSize: 153600, operationTimeoutSec: 20 };
const CONFIG_URI = 'http://schemas.microsoft.com/wbem/wsman/1/config';

// ---------------------------------------------------------------------------------------------

if (hasGssNtlm) {
  describe('gss-ntlmssp peer (Debian GSSAPI NTLM acceptor behind MS-WSMV framing)', () => {
    beforeAll(startPeer, 30_000);
    afterAll(stopPeer);

    describe.runIf(hasWinrm || process.env.TSREMOTE_REQUIRE_PEERS === '1')('validated by pywinrm', () => {
      it('authenticates pywinrm, unseals its requests and seals answers pywinrm opens', async () => {
        const cases = ['identify', 'echo', 'fault', 'unsealed'];
        const [identify, echo, fault, unsealed] = await runPywinrm(`${DOMAIN}\\${USER}`, PASSWORD, cases);
        expect(identify).toMatchObject({ name: 'identify', ok: true });
        expect(identify?.xml).toContain('<wsmid:ProductVendor>gss-ntlmssp peer</wsmid:ProductVendor>');
        expect(echo).toMatchObject({ name: 'echo', ok: true });
        expect(echo?.xml).toContain('<a:RelatesTo>uuid:11111111-2222-3333-4444-555555555555</a:RelatesTo>');
        expect(echo?.xml).toContain(`<p:User>${DOMAIN}\\${USER}</p:User>`);
        // the 500 fault came back sealed, and pywinrm unsealed it to read the subcode
        expect(fault).toMatchObject({ name: 'fault', ok: false, error: 'WinRMError' });
        expect(fault?.message).toContain('a:InvalidMessageInformationHeader');
        // message_encryption='never': authenticated but unsealed -> refused
        expect(unsealed).toMatchObject({ name: 'unsealed', ok: false, error: 'WinRMTransportError', status: 400 });
      });

      it('rejects pywinrm with a wrong password', async () => {
        expect(await runPywinrm(`${DOMAIN}\\${USER}`, 'not-the-password', ['identify'])).toEqual([
          expect.objectContaining({ name: 'identify', ok: false, error: 'InvalidCredentialsError' }),
        ]);
      });
    });

    describe('NtlmClientContext + MS-WSMV framing over raw HTTP', () => {
      it('authenticates, then exchanges sealed requests and responses in a row on one connection', async () => {
        const { session, reply } = await handshake(`${DOMAIN}\\${USER}`, PASSWORD);
        expect(reply.status).toBe(200);
        expect(reply.body.length).toBe(0);
        expect(session.ctx.complete).toBe(true);

        const identify = await exchange(session, buildIdentify().xml);
        expect(identify.status).toBe(200);
        const info = readIdentifyResponse(parseResponse(identify.xml));
        expect(info.productVendor).toBe('gss-ntlmssp peer');
        expect(info.protocolVersion).toBe('http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');

        // each request and each response advances both sides' sequence numbers and RC4 streams:
        // a slip on either side fails gss_unwrap on the server or openBody here
        for (let i = 2; i <= 5; i++) {
          const req = buildGet(CTX, CONFIG_URI);
          const out = await exchange(session, req.xml);
          expect(out.status).toBe(200);
          const resp = parseResponse(out.xml);
          expect(resp.relatesTo).toBe(req.messageId);
          expect(readEcho(resp)).toEqual({
            action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
            user: `${DOMAIN}\\${USER}`,
            requestBytes: Buffer.byteLength(req.xml, 'utf8'),
            sequence: i,
          });
        }

        // a sealed 500 fault opens too
        const noMessageId = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body/></s:Envelope>';
        const fault = await exchange(session, noMessageId);
        expect(fault.status).toBe(500);
        expect(fault.xml).toContain('a:InvalidMessageInformationHeader');
        session.agent.destroy();
      });

      it('carries a sealed body on the AUTHENTICATE request itself, with the NTLM scheme and a non-ASCII password', async () => {
        const identify = buildIdentify().xml;
        const sealIdentify = (ctx: NtlmClientContext): Buffer => sealBody(ctx, Buffer.from(identify));
        const { session, reply } = await handshake(`${DOMAIN}\\${USER2}`, PASSWORD2, 'NTLM', sealIdentify);
        expect(reply.status).toBe(200);
        const opened = openBody(session.ctx, reply.body).toString('utf8');
        expect(readIdentifyResponse(parseResponse(opened)).productVendor).toBe('gss-ntlmssp peer');
        const req = buildGet(CTX, CONFIG_URI);
        const echo = readEcho(parseResponse((await exchange(session, req.xml)).xml));
        expect(echo.user).toBe(`${DOMAIN}\\${USER2}`);
        expect(echo.sequence).toBe(2);
        session.agent.destroy();
      });

      it('authenticates a user name without a domain', async () => {
        const { session, reply } = await handshake(USER, PASSWORD);
        expect(reply.status).toBe(200);
        const echo = readEcho(parseResponse((await exchange(session, buildGet(CTX, CONFIG_URI).xml)).xml));
        expect(echo.user).toBe(USER);
        session.agent.destroy();
      });

      it('is refused with 401 for a wrong password', async () => {
        const { session, reply } = await handshake(`${DOMAIN}\\${USER}`, 'not-the-password');
        expect(reply.status).toBe(401);
        expect(reply.headers['www-authenticate']).toBe('Negotiate');
        session.agent.destroy();
      });

      it('is refused by the peer when a body is unsealed, altered or replayed', async () => {
        const { session } = await handshake(`${DOMAIN}\\${USER}`, PASSWORD);
        const plain = await post(session.agent, { 'content-type': SOAP_TYPE }, Buffer.from(buildIdentify().xml));
        expect(plain.status).toBe(400);

        const sealed = sealBody(session.ctx, Buffer.from(buildGet(CTX, CONFIG_URI).xml));
        expect((await post(session.agent, { 'content-type': ENCRYPTED_CONTENT_TYPE }, sealed)).status).toBe(200);
        // the same bytes again: sequence number 0 where the peer expects 1
        expect((await post(session.agent, { 'content-type': ENCRYPTED_CONTENT_TYPE }, sealed)).status).toBe(400);
        session.agent.destroy();

        const second = (await handshake(`${DOMAIN}\\${USER}`, PASSWORD)).session;
        const altered = sealBody(second.ctx, Buffer.from(buildGet(CTX, CONFIG_URI).xml));
        const at = altered.length - '--Encrypted Boundary--\r\n'.length - 5;
        altered[at] = (altered[at] ?? 0) ^ 0x01;
        expect((await post(second.agent, { 'content-type': ENCRYPTED_CONTENT_TYPE }, altered)).status).toBe(400);
        second.agent.destroy();
      });

      it('rejects an altered sealed response', async () => {
        const { session } = await handshake(`${DOMAIN}\\${USER}`, PASSWORD);
        const sealed = sealBody(session.ctx, Buffer.from(buildIdentify().xml));
        const reply = await post(session.agent, { 'content-type': ENCRYPTED_CONTENT_TYPE }, sealed);
        expect(reply.status).toBe(200);
        const at = reply.body.length - '--Encrypted Boundary--\r\n'.length - 5;
        reply.body[at] = (reply.body[at] ?? 0) ^ 0x01;
        expect(() => openBody(session.ctx, reply.body)).toThrow(/signature|integrity|altered/i);
        session.agent.destroy();
      });
    });

    describe('WSManTransport with auth negotiate over plain HTTP', () => {
      it('posts an Identify and further requests, sealed', async () => {
        const transport = new WSManTransport({
          endpoint: parseHostSpec('127.0.0.1', { https: false, port }),
          auth: 'negotiate',
          credential: new Credential(`${DOMAIN}\\${USER}`, PASSWORD),
          retry: { tries: 1 },
        });
        try {
          expect(transport.encrypts).toBe(true);
          const info = readIdentifyResponse(parseResponse(await transport.post(buildIdentify().xml, { idempotent: true })));
          expect(info.productVendor).toBe('gss-ntlmssp peer');
          for (let i = 0; i < 3; i++) {
            const req = buildGet(CTX, CONFIG_URI);
            const resp = parseResponse(await transport.post(req.xml));
            expect(resp.relatesTo).toBe(req.messageId);
            expect(readEcho(resp)).toMatchObject({ user: `${DOMAIN}\\${USER}`, requestBytes: Buffer.byteLength(req.xml, 'utf8') });
          }
        } finally {
          await transport.close();
        }
      });

      it('reports a wrong password as a rejected logon', async () => {
        const transport = new WSManTransport({
          endpoint: parseHostSpec('127.0.0.1', { https: false, port }),
          auth: 'negotiate',
          credential: new Credential(`${DOMAIN}\\${USER}`, 'not-the-password'),
          retry: { tries: 1 },
        });
        try {
          await expect(transport.post(buildIdentify().xml)).rejects.toMatchObject({ name: 'AuthError', code: 'ETSR_AUTH_REJECTED' });
        } finally {
          await transport.close();
        }
      });
    });
  });
} else {
  describe('gss-ntlmssp peer', () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
      it('requires gss-ntlmssp and python3-gssapi (TSREMOTE_REQUIRE_PEERS=1)', () => {
        throw new Error(`${PYTHON} cannot acquire a gss-ntlmssp acceptor credential: apt-get install gss-ntlmssp python3-gssapi`);
      });
    } else {
      it.skip(`skipped: ${PYTHON} has no gss-ntlmssp (apt-get install gss-ntlmssp python3-gssapi)`, () => {});
    }
  });
}
