/**
 * Interop with an NTLM implementation none of us wrote: Debian's python3-ntlm-auth (1.4.0), run
 * as one child process (ntlm_auth_peer.py) that talks JSON lines.
 *
 * - Phase A: ntlm_auth's NtlmContext (the client pywinrm uses, with channel bindings) against our
 *   NtlmServerContext; each side unwraps the other's sealed messages.
 * - Phase B: ntlm_auth has no acceptor, so the peer recomputes our client's NTProofStr, MIC and
 *   exported session key with ntlm_auth's NTOWFv2 and RC4, then opens our sealed messages and
 *   seals a reply with its SessionSecurity in the server role.
 * MD4 in Debian's Python needs OpenSSL's legacy provider: the child alone gets an OPENSSL_CONF
 * that activates it. Skips visibly without the module, unless TSREMOTE_REQUIRE_PEERS=1 (CI).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Credential } from '../../../src/auth/credential.js';
import { NtlmClientContext, NtlmServerContext } from '../../../src/auth/ntlm/index.js';
import { legacyOpensslEnv } from '../../helpers/openssl-legacy.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ntlm_auth_peer.py');
const hasNtlmAuth = spawnSync(PYTHON, ['-c', 'import ntlm_auth.ntlm'], { stdio: 'ignore' }).status === 0;

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The peer process: send a JSON line, await the next JSON line. */
class Peer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #stderr = '';

  constructor() {
    this.#child = spawn(PYTHON, [SCRIPT], { env: legacyOpensslEnv() });
    this.#child.stderr.on('data', (d: Buffer) => (this.#stderr += d.toString()));
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  send(obj: unknown): void {
    this.#child.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  async recv<T>(): Promise<T> {
    const next = await this.#lines.next();
    if (next.done) throw new Error(`ntlm_auth peer exited: ${this.#stderr}`);
    return JSON.parse(next.value) as T;
  }

  close(): void {
    this.#child.stdin.end();
  }
}

if (hasNtlmAuth) {
  describe('interop with python3-ntlm-auth', () => {
    const peer = new Peer();
    afterAll(() => peer.close());
    const bindings = new Uint8Array([...Buffer.from('tls-server-end-point:'), ...new Uint8Array(32).fill(0x5a)]);

    it('our server accepts ntlm_auth (with channel bindings) and both sides open each other\'s sealed messages', async () => {
      const messages = ['<s:Envelope>one</s:Envelope>', 'two', 'x'.repeat(5000)];
      peer.send({ user: 'alice', password: 'S3cret!', domain: 'CORP', bindings: b64(bindings), messages });
      const server = new NtlmServerContext({
        lookup: (user, domain) => (user === 'alice' && domain === 'CORP' ? { username: 'alice', password: 'S3cret!' } : undefined),
        channelBindings: bindings,
        requireChannelBindings: true,
      });
      const { negotiate } = await peer.recv<{ negotiate: string }>();
      const challenge = server.step(unb64(negotiate));
      if (challenge.kind !== 'challenge') throw new Error(JSON.stringify(challenge));
      peer.send({ challenge: b64(challenge.token) });

      const a = await peer.recv<{ authenticate: string; sealed: string[]; sessionKey: string }>();
      expect(server.step(unb64(a.authenticate))).toEqual({ kind: 'accepted', username: 'alice', domain: 'CORP' });
      expect(hex(server.sessionKey!)).toBe(a.sessionKey);
      const opened = a.sealed.map((s) => {
        const bytes = unb64(s);
        return Buffer.from(server.unwrap(bytes.subarray(0, 16), bytes.subarray(16))).toString();
      });
      expect(opened).toEqual(messages);

      const replies = ['reply one', 'reply two'].map((r) => {
        const { header, data } = server.wrap(Buffer.from(r));
        return b64(new Uint8Array([...header, ...data]));
      });
      peer.send({ replies });
      expect(await peer.recv<{ opened: string[] }>()).toEqual({ opened: ['reply one', 'reply two'] });
    });

    it('ntlm_auth confirms our client\'s NTProofStr, MIC and session key, and opens our sealed messages', async () => {
      const client = new NtlmClientContext(new Credential('CORP\\alice', 'S3cret!'), { channelBindings: () => bindings });
      const server = new NtlmServerContext({ lookup: () => undefined, netbiosComputer: 'PEER' });
      const negotiate = client.step();
      const challenge = server.step(negotiate);
      if (challenge.kind !== 'challenge') throw new Error(JSON.stringify(challenge));
      const authenticate = client.step(challenge.token);
      const sealed = ['first request', 'second request'].map((m) => {
        const { header, data } = client.wrap(Buffer.from(m));
        return b64(new Uint8Array([...header, ...data]));
      });
      peer.send({
        negotiate: b64(negotiate),
        challenge: b64(challenge.token),
        authenticate: b64(authenticate),
        password: 'S3cret!',
        sealed,
        reply: 'sealed by ntlm_auth',
      });
      const b = await peer.recv<{
        user: string; domain: string; proofOk: boolean; micOk: boolean; sessionKey: string; keyExch: boolean;
        opened: string[]; reply: string;
      }>();
      expect({ ...b, reply: undefined }).toEqual({
        user: 'alice',
        domain: 'CORP',
        proofOk: true,
        micOk: true,
        sessionKey: hex(client.sessionKey!),
        keyExch: true,
        opened: ['first request', 'second request'],
        reply: undefined,
      });
      const reply = unb64(b.reply);
      expect(Buffer.from(client.unwrap(reply.subarray(0, 16), reply.subarray(16))).toString()).toBe('sealed by ntlm_auth');
    });
  });
} else {
  describe('interop with python3-ntlm-auth', () => {
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') {
      it('requires python3-ntlm-auth (TSREMOTE_REQUIRE_PEERS=1)', () => {
        throw new Error(`${PYTHON} has no ntlm_auth module: apt-get install python3-ntlm-auth`);
      });
    } else {
      it.skip(`skipped: ${PYTHON} has no ntlm_auth module (apt-get install python3-ntlm-auth)`, () => {});
    }
  });
}
