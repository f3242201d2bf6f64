/**
 * KerberosClientContext (through the `kerberos` package, MIT GSSAPI) against an acceptor none of us
 * wrote: MIT's GSSAPI in python3-gssapi (test/peers/gss_krb_server.py --pipe), in a throwaway realm
 * on loopback (test/helpers/krb5-realm.ts). The sealed messages are checked against what pyspnego's
 * `wrap_winrm`/`unwrap_winrm` do on MIT (gss_wrap_iov with header, data and padding buffers;
 * gss_unwrap_iov), which is the layout Windows sends and expects.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuthError } from '../../../src/auth/errors.js';
import { readFile } from 'node:fs/promises';
import { KerberosClientContext, type KerberosClientOptions, KerberosError } from '../../../src/auth/kerberos/index.js';
import { describeKrb5, startKrb5Realm, type Krb5Realm, useRealmInThisProcess } from '../../helpers/krb5-realm.js';

const PYTHON = '/usr/bin/python3';
const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'peers', 'gss_krb_server.py');
const hasGssapi = spawnSync(PYTHON, ['-c', 'import gssapi.raw; gssapi.raw.wrap_iov'], { stdio: 'ignore' }).status === 0;
const hasBinding = await import('kerberos').then(() => true, () => false);

type Answer = Record<string, string | boolean | null>;

/** One python3-gssapi acceptor context, driven line by line. */
class PipePeer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: Array<(a: Answer) => void> = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.#child = spawn(PYTHON, [PEER, '--pipe'], { env });
    this.#child.stderr.resume();
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#waiting.shift()?.(JSON.parse(line) as Answer));
  }

  ask(req: Record<string, string>): Promise<Answer> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  close(): void {
    this.#child.stdin.end();
  }
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
/** EC and RRC of an RFC 4121 wrap token header (bytes 4..7, big-endian). */
const ecRrc = (h: Uint8Array): { ec: number; rrc: number } => ({ ec: Buffer.from(h).readUInt16BE(4), rrc: Buffer.from(h).readUInt16BE(6) });
const bytes = (s: unknown): Buffer => Buffer.from(String(s ?? ''), 'base64');

describeKrb5('Kerberos client context against MIT GSSAPI (python3-gssapi)', () => {
  let realm: Krb5Realm;
  let restoreEnv: (() => void) | undefined;
  const peers: PipePeer[] = [];

  beforeAll(async () => {
    if (!hasGssapi || !hasBinding) return;
    realm = await startKrb5Realm();
    await realm.kinit(realm.user.principal, realm.user.password);
    // The binding runs in this process: GSSAPI reads the realm's config and ccache from its env.
    restoreEnv = useRealmInThisProcess(realm);
  }, 60_000);

  afterAll(async () => {
    for (const p of peers) p.close();
    restoreEnv?.();
    await realm?.close();
  });

  const needs = (): boolean => {
    if (hasGssapi && hasBinding) return true;
    if (process.env.TSREMOTE_REQUIRE_PEERS === '1') throw new Error('python3-gssapi and the kerberos package are required');
    return false;
  };

  /** Our context for HTTP/localhost, reading the realm's ccache for the message keys. */
  const client = (opts: Partial<KerberosClientOptions> = {}): KerberosClientContext =>
    new KerberosClientContext({
      spn: { service: 'HTTP', hostname: 'localhost' },
      readTicketCaches: async () => [await readFile(realm.ccache)],
      ...opts,
    });

  /** A logged-on pair: our context and the Python acceptor. */
  async function logon(opts: { delegate?: boolean } = {}): Promise<{ ctx: KerberosClientContext; peer: PipePeer; accepted: Answer }> {
    const peer = new PipePeer(realm.env());
    peers.push(peer);
    const ctx = client({ delegate: opts.delegate });
    const apReq = await ctx.step();
    expect(ctx.complete).toBe(false);
    const accepted = await peer.ask({ op: 'accept', token: b64(apReq ?? new Uint8Array()) });
    expect(accepted.error).toBeUndefined();
    expect(accepted.complete).toBe(true);
    expect(await ctx.step(bytes(accepted.token))).toBeNull();
    expect(ctx.complete).toBe(true);
    return { ctx, peer, accepted };
  }

  it('logs on with mutual authentication as the ccache principal to HTTP/localhost', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const { accepted } = await logon();
    expect(accepted.initiator).toBe(realm.user.principal);
    expect(accepted.target).toMatch(/^HTTP\/localhost@/);
    expect(accepted.delegated).toBe(false);
  });

  it('seals in the layout gss_unwrap_iov opens (60-byte header, RRC 28, EC 0) and opens what gss_wrap_iov seals, many times each way', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const { ctx, peer } = await logon();
    const results: string[] = [];
    for (let i = 0; i < 5; i++) {
      const plain = Buffer.from(`<s:Envelope>${'request '.repeat(i * 37)}${i}</s:Envelope>`);
      const sealed = await ctx.wrap(plain);
      expect(sealed.data.length).toBe(plain.length);
      expect(sealed.header.length).toBe(60);
      expect(ecRrc(sealed.header)).toMatchObject({ ec: 0, rrc: 28 });
      const opened = await peer.ask({ op: 'unwrap_iov', header: b64(sealed.header), data: b64(sealed.data) });
      results.push(bytes(opened.plain).equals(plain) ? 'ok' : `request ${i}: ${JSON.stringify(opened)}`);

      const reply = Buffer.from(`<s:Envelope>${'response '.repeat(i * 41)}${i}</s:Envelope>`);
      const theirs = await peer.ask({ op: 'wrap_iov', plain: b64(reply) });
      const header = bytes(theirs.header);
      expect(header.length).toBe(60);
      expect(ecRrc(header)).toMatchObject({ ec: 0, rrc: 28 });
      expect(bytes(theirs.padding).length).toBe(0);
      const mine = await ctx.unwrap(header, Buffer.concat([bytes(theirs.data), bytes(theirs.padding)]));
      results.push(Buffer.from(mine).equals(reply) ? 'ok' : `response ${i} differs`);
    }
    expect(results).toEqual(Array(10).fill('ok'));
  });

  it('refuses a sealed response that was altered or replayed', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const { ctx, peer } = await logon();
    const theirs = await peer.ask({ op: 'wrap_iov', plain: b64(Buffer.from('<s:Envelope>one</s:Envelope>')) });
    const data = bytes(theirs.data);
    const altered = Buffer.from(data);
    altered[3] = (altered[3] ?? 0) ^ 0x01;
    await expect(ctx.unwrap(bytes(theirs.header), altered)).rejects.toMatchObject({ code: 'ETSR_AUTH_INTEGRITY' });
    // The untouched message opens once; the same bytes again are a replay.
    await expect(ctx.unwrap(bytes(theirs.header), data)).resolves.toBeDefined();
    await expect(ctx.unwrap(bytes(theirs.header), data)).rejects.toBeInstanceOf(AuthError);
  });

  it('cannot seal when the ticket is in no readable ccache (KCM, KEYRING) and says to use HTTPS', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const peer = new PipePeer(realm.env());
    peers.push(peer);
    const ctx = client({ readTicketCaches: async () => [] });
    const answer = await peer.ask({ op: 'accept', token: b64((await ctx.step()) ?? new Uint8Array()) });
    await ctx.step(bytes(answer.token));
    const err = await ctx.wrap(Buffer.from('x')).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETSR_AUTH_UNSUPPORTED' });
    expect((err as AuthError).hint).toContain('--https');
  });

  it('asks for delegation with --delegate: the acceptor receives a forwarded TGT', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const { accepted } = await logon({ delegate: true });
    expect(accepted.delegated).toBe(true);
  });

  it('fails mutual authentication when the AP-REP is missing or forged', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const missing = client();
    await missing.step();
    await expect(missing.step()).rejects.toThrow(/did not prove it is HTTP\/localhost .*no AP-REP/);
    expect(missing.complete).toBe(false);
    await expect(missing.wrap(Buffer.from('x'))).rejects.toMatchObject({ code: 'ETSR_AUTH_INTEGRITY' });

    // An AP-REP of another logon (a replayed or forged answer) does not authenticate this one.
    const other = await logon();
    const forged = client();
    await forged.step();
    const peer = new PipePeer(realm.env());
    peers.push(peer);
    const otherReq = await client().step();
    const answer = await peer.ask({ op: 'accept', token: b64(otherReq ?? new Uint8Array()) });
    await expect(forged.step(bytes(answer.token))).rejects.toThrow(/mutual authentication failed/);
    expect(other.ctx.complete).toBe(true);
  });

  it('names the SPN when the KDC does not know it, as a typed error with a hint', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const ctx = new KerberosClientContext({ spn: { service: 'HTTP', hostname: 'web9.nowhere.test' }, host: 'web9' });
    const err = await ctx.step().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KerberosError);
    expect(err).toMatchObject({ kind: 'unknown-server', host: 'web9' });
    expect((err as KerberosError).message).toContain('HTTP/web9.nowhere.test');
    expect((err as KerberosError).hint).toContain('--spn-hostname');
  });

  it('says no ticket-granting ticket is available when the ccache is empty', async ({ skip }) => {
    if (!needs()) return skip('python3-gssapi or the kerberos package is missing');
    const before = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = `FILE:${path.join(realm.dir, 'no-such-ccache')}`;
    try {
      const err = await client().step().then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ kind: 'no-credentials', code: 'ETSR_CREDENTIALS' });
      expect((err as KerberosError).hint).toContain('kinit');
    } finally {
      process.env.KRB5CCNAME = before;
    }
  });
});
