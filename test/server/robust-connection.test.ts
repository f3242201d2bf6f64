/**
 * serve's side of robust connections (MS-WSMV 3.1.4.1.39; docs/serve.md "Robust connections"):
 * p:OperationID echoed with p:SequenceId, responses kept per OperationID so a retransmission
 * (same id, mustUnderstand="true") gets the lost response again without running the operation
 * twice, and a reused id without mustUnderstand refused.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { RunspacePool } from '../../src/psrp/client/index.js';
import { PSInvocationState, RunspacePoolState } from '../../src/psrp/constants.js';
import type { PsrpEvent } from '../../src/psrp/events.js';
import { PsrpShell, type PsrpRequest } from '../../src/psrp/wsman/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { OperationCache } from '../../src/server/robust/index.js';
import {
  NS, buildCommand, buildIdentify, buildReceive, buildShellCreate, child, parseFault, parseResponse, parseXml, readCommandResponse,
  defaultContext, readReceiveResponse, readShellCreated, type XmlElement,
} from '../../src/wsman/index.js';
import { TestClient } from './client.js';
import { PASSWORD, USER, rawPost, type RawReply } from './faults/raw-http.js';

let server: RunningServer | undefined;
let client: TestClient | undefined;

async function serve(faultSpec?: string): Promise<{ url: URL; server: RunningServer; client: TestClient }> {
  server = await startServer({ listen: ['127.0.0.1:0'], users: [{ username: USER, password: PASSWORD }], allowUnencrypted: true, ...(faultSpec === undefined ? {} : { faultSpec }) });
  const url = server.urls[0]!;
  client = new TestClient(url, USER, PASSWORD);
  return { url, server, client };
}

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

/** Puts p:OperationID in a built request's header (as a robust client does) and a fresh MessageID. */
function withOperation(xml: string, operationId: string, mustUnderstand: boolean): string {
  const fresh = xml.replace(/<wsa:MessageID>[^<]*<\/wsa:MessageID>/, `<wsa:MessageID>uuid:${randomUUID().toUpperCase()}</wsa:MessageID>`);
  return fresh.replace('</s:Header>', `<wsmv:OperationID s:mustUnderstand="${mustUnderstand}">${operationId}</wsmv:OperationID></s:Header>`);
}

const messageIdOf = (xml: string): string => /<wsa:MessageID>([^<]*)</.exec(xml)?.[1] ?? '';

function header(reply: RawReply): XmlElement {
  const root = parseXml(reply.body.toString());
  const h = child(root, NS.s, 'Header');
  if (h === undefined) throw new Error('no header');
  return h;
}

function echoed(reply: RawReply): { operationId: string | undefined; mustUnderstand: string | undefined; sequenceId: string | undefined; relatesTo: string | undefined } {
  const h = header(reply);
  const op = child(h, NS.wsmv, 'OperationID');
  return {
    operationId: op?.text,
    mustUnderstand: op?.attrs.find((a) => a.local === 'mustUnderstand' && a.ns === NS.s)?.value,
    sequenceId: child(h, NS.wsmv, 'SequenceId')?.text,
    relatesTo: child(h, NS.wsa, 'RelatesTo')?.text,
  };
}

function stdoutOf(reply: RawReply): { text: string; done: boolean } {
  const r = readReceiveResponse(parseResponse(reply.body.toString()));
  return { text: Buffer.concat(r.streams.filter((s) => s.name === 'stdout').map((s) => Buffer.from(s.data))).toString(), done: r.commandState?.state === 'Done' };
}

const opId = (): string => `uuid:${randomUUID()}`;

describe('robust connections in serve', () => {
  it('echoes OperationID (mustUnderstand false) and SequenceId 1 in the response header, as Windows does', async () => {
    const { url, client } = await serve();
    const id = opId();
    const create = await rawPost(url, withOperation(buildShellCreate(client.ctx).xml, id, false));
    expect(create.status).toBe(200);
    expect(echoed(create)).toMatchObject({ operationId: id, mustUnderstand: 'false', sequenceId: '1' });
    // Windows' order: …, a:To, p:OperationID, p:SequenceId, a:RelatesTo.
    expect(header(create).children.map((c) => c.local).slice(-3)).toEqual(['OperationID', 'SequenceId', 'RelatesTo']);
    const identifyXml = buildIdentify().xml.replace('<s:Header />', `<s:Header><p:OperationID xmlns:p="${NS.wsmv}" s:mustUnderstand="false">${id}</p:OperationID></s:Header>`);
    const identify = await rawPost(url, identifyXml);
    expect(echoed(identify).operationId).toBe(id);
  });

  it('answers a Receive retransmitted after a reset with the same output, consumed once (WinRS)', async () => {
    const { url, server, client } = await serve('reset@receive:nth=1');
    const shellId = await client.createShell();
    const commandId = await client.command(shellId, 'echo one; sleep 1; echo two');
    const a = opId();
    const receive = buildReceive(client.ctx, shellId, { commandId }).xml;
    const lost = await rawPost(url, withOperation(receive, a, false));
    expect(lost.error).toBe('ECONNRESET');
    const retransmission = withOperation(receive, a, true);
    const again = await rawPost(url, retransmission);
    expect(again.status).toBe(200);
    expect(echoed(again)).toMatchObject({ operationId: a, relatesTo: messageIdOf(retransmission) });
    const first = stdoutOf(again);
    expect(first.text).toBe('one\n');
    // Sent again on request, byte for byte apart from RelatesTo.
    const twice = await rawPost(url, withOperation(receive, a, true));
    expect(twice.body.toString().replace(/<a:RelatesTo>[^<]*/, '')).toBe(again.body.toString().replace(/<a:RelatesTo>[^<]*/, ''));
    let rest = '';
    for (let done = false; !done; ) {
      const next = stdoutOf(await rawPost(url, withOperation(receive, opId(), false)));
      rest += next.text;
      done = next.done;
    }
    expect(first.text + rest).toBe('one\ntwo\n');
    expect(server.faultCounts()).toEqual({ reset: 1 });
  });

  it('joins a retransmission that arrives while the original Receive is still waiting', async () => {
    const { url, client } = await serve();
    const shellId = await client.createShell();
    const commandId = await client.command(shellId, 'sleep 1; echo late');
    const id = opId();
    const receive = buildReceive(client.ctx, shellId, { commandId }).xml;
    const original = rawPost(url, withOperation(receive, id, false));
    await new Promise((r) => setTimeout(r, 200));
    const retransmitted = await rawPost(url, withOperation(receive, id, true));
    expect(stdoutOf(retransmitted).text).toBe('late\n');
    expect(stdoutOf(await original).text).toBe('late\n');
  });

  it('does not run a retransmitted Command twice', async () => {
    const { url, server, client } = await serve();
    const shellId = await client.createShell();
    const id = opId();
    const command = buildCommand(client.ctx, shellId, { command: 'sleep', arguments: ['30'] }).xml;
    const first = readCommandResponse(parseResponse((await rawPost(url, withOperation(command, id, false))).body.toString()));
    const second = readCommandResponse(parseResponse((await rawPost(url, withOperation(command, id, true))).body.toString()));
    expect(second).toBe(first);
    expect(server.stats().pids).toHaveLength(1);
  });

  it('handles an unknown id with mustUnderstand="true" as a new operation', async () => {
    const { url, server, client } = await serve();
    const created = await rawPost(url, withOperation(buildShellCreate(client.ctx).xml, opId(), true));
    expect(readShellCreated(parseResponse(created.body.toString())).shellId).not.toBe('');
    expect(server.stats().shells).toBe(1);
  });

  it('refuses a reused OperationID without mustUnderstand with InvalidMessageInformationHeader', async () => {
    const { url, server, client } = await serve();
    const id = opId();
    await rawPost(url, withOperation(buildShellCreate(client.ctx).xml, id, false));
    const reused = await rawPost(url, withOperation(buildShellCreate(client.ctx).xml, id, false));
    expect([reused.status, parseFault(reused.body.toString())?.subcode]).toEqual([500, 'InvalidMessageInformationHeader']);
    expect(echoed(reused).operationId).toBe(id);
    expect(server.stats().shells).toBe(1);
  });

  it('echoes the id on injected faults too, and does not keep them', async () => {
    const { url, client } = await serve('timeout@create:nth=1');
    const id = opId();
    const faulted = await rawPost(url, withOperation(buildShellCreate(client.ctx).xml, id, false));
    expect([faulted.status, echoed(faulted).operationId]).toEqual([500, id]);
    const retried = await rawPost(url, withOperation(buildShellCreate(client.ctx).xml, id, true));
    expect(retried.status).toBe(200);
  });

  it('keeps one response per command target: each new Receive drops the one before', async () => {
    const { url, server, client } = await serve();
    const shellId = await client.createShell();
    const commandId = await client.command(shellId, 'for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done');
    const receive = buildReceive(client.ctx, shellId, { commandId }).xml;
    const ids: string[] = [];
    for (let done = false; !done; ) {
      const id = opId();
      ids.push(id);
      done = stdoutOf(await rawPost(url, withOperation(receive, id, false))).done;
    }
    expect(ids.length).toBeGreaterThan(1);
    expect(server.stats().operationCache.entries).toBe(1);
    const old = await rawPost(url, withOperation(receive, ids[0]!, true));
    // Superseded: handled as new, and the command is done (its output was not served twice).
    expect(old.body.toString()).not.toContain('MQo=');
  });
});

describe('OperationCache bounds', () => {
  const r = (body: string): Promise<{ status: number; body: string }> => Promise.resolve({ status: 200, body });
  const settle = (): Promise<void> => new Promise((res) => setImmediate(res));

  it('keeps at most perShell entries per shell, oldest evicted first', async () => {
    const cache = new OperationCache({ perShell: 2, perUserCreates: 2, maxBytes: 1_000_000, deleteKeptMs: 60_000 });
    for (const n of [1, 2, 3]) cache.run('u', `op${n}`, { shellId: 'S', commandId: `C${n}`, op: 'receive' }, r(`b${n}`));
    cache.run('u', 'other', { shellId: 'T', commandId: 'C', op: 'receive' }, r('bt'));
    await settle();
    expect([cache.lookup('u', 'op1'), cache.lookup('u', 'op2'), cache.lookup('u', 'op3'), cache.lookup('u', 'other')]).toEqual([
      undefined, { status: 200, body: 'b2' }, { status: 200, body: 'b3' }, { status: 200, body: 'bt' },
    ]);
    expect(cache.stats()).toEqual({ entries: 3, bytes: 6 });
  });

  it('holds the global byte cap and never keeps an entry larger than it', async () => {
    const cache = new OperationCache({ perShell: 100, perUserCreates: 100, maxBytes: 10, deleteKeptMs: 60_000 });
    cache.run('u', 'a', { shellId: 'S1', commandId: '', op: 'send' }, r('xxxx'));
    cache.run('u', 'b', { shellId: 'S2', commandId: '', op: 'send' }, r('yyyy'));
    cache.run('u', 'c', { shellId: 'S3', commandId: '', op: 'send' }, r('zzzz'));
    cache.run('u', 'd', { shellId: 'S4', commandId: '', op: 'send' }, r('x'.repeat(11)));
    await settle();
    expect(cache.stats()).toEqual({ entries: 2, bytes: 8 });
    expect([cache.lookup('u', 'a'), cache.lookup('u', 'd')]).toEqual([undefined, undefined]);
  });

  it('drops a target\'s entries when its next operation starts, and never answers another user', async () => {
    const cache = new OperationCache();
    cache.run('alice', 'op1', { shellId: 'S', commandId: 'C', op: 'receive' }, r('first'));
    await settle();
    expect(cache.lookup('bob', 'op1')).toBeUndefined();
    cache.run('alice', 'op2', { shellId: 's', commandId: 'c', op: 'receive' }, r('second'));
    expect(cache.lookup('alice', 'op1')).toBeUndefined();
    expect(await cache.lookup('alice', 'op2')).toEqual({ status: 200, body: 'second' });
  });

  it('keeps only the Delete of a deleted shell, so finished shells do not fill the cache', async () => {
    const cache = new OperationCache();
    for (let s = 0; s < 1000; s++) {
      cache.run('u', `create${s}`, { shellId: '', commandId: '', op: 'create' }, r('created'));
      cache.run('u', `cmd${s}`, { shellId: `S${s}`, commandId: '', op: 'command' }, r('command'));
      cache.run('u', `recv${s}`, { shellId: `S${s}`, commandId: 'C', op: 'receive' }, r('output'));
      await settle();
      cache.run('u', `del${s}`, { shellId: `s${s}`, commandId: '', op: 'delete' }, r('deleted'));
    }
    await settle();
    // The other shell's entries and the Creates (shell '') are not the Delete's to drop.
    expect(cache.lookup('u', 'recv999')).toBeUndefined();
    expect(cache.lookup('u', 'cmd0')).toBeUndefined();
    expect(await cache.lookup('u', 'del999')).toEqual({ status: 200, body: 'deleted' });
    expect(await cache.lookup('u', 'create999')).toEqual({ status: 200, body: 'created' });
    expect(cache.stats().entries).toBe(1000 + 256);
  });

  it('keeps a Delete response for deleteKeptMs, then lets it go (finished shells do not pile up)', async () => {
    let now = 1_000;
    const cache = new OperationCache(undefined, () => now);
    for (let s = 0; s < 100; s++) cache.run('u', `del${s}`, { shellId: `S${s}`, commandId: '', op: 'delete' }, r('deleted'));
    await settle();
    expect(cache.stats().entries).toBe(100);
    now += 59_000;
    cache.run('u', 'recv', { shellId: 'T', commandId: 'C', op: 'receive' }, r('output'));
    await settle();
    expect(await cache.lookup('u', 'del0')).toEqual({ status: 200, body: 'deleted' });
    now += 2_000;
    cache.run('u', 'recv2', { shellId: 'T', commandId: 'D', op: 'receive' }, r('output'));
    await settle();
    expect(cache.lookup('u', 'del0')).toBeUndefined();
    expect(cache.stats().entries).toBe(2);
  });

  it('keeps the Creates of a burst (one serve standing for many hosts), each until its own bound', async () => {
    const cache = new OperationCache();
    for (let h = 0; h < 256; h++) cache.run('u', `create${h}`, { shellId: '', commandId: '', op: 'create' }, r(`shell ${h}`));
    await settle();
    expect(await cache.lookup('u', 'create0')).toEqual({ status: 200, body: 'shell 0' });
    cache.run('u', 'create256', { shellId: '', commandId: '', op: 'create' }, r('shell 256'));
    await settle();
    expect(cache.lookup('u', 'create0')).toBeUndefined();
    expect(await cache.lookup('u', 'create1')).toEqual({ status: 200, body: 'shell 1' });
  });
});

/**
 * A PSRP client loop that behaves as the robust-connection contract asks: an OperationID on every
 * request, and a Receive whose response was lost sent again with the same id and mustUnderstand.
 */
class RetransmittingPsrpClient {
  readonly pool = new RunspacePool();
  readonly shell: PsrpShell;
  readonly events: PsrpEvent[] = [];
  retransmissions = 0;
  error: unknown;
  readonly #url: URL;
  readonly #agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: 8 });
  readonly #auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  constructor(url: URL) {
    this.#url = url;
    this.shell = new PsrpShell(this.pool, { ctx: defaultContext(url.toString(), { operationTimeoutSec: 5 }) });
  }

  pump(): void {
    for (let r = this.shell.nextRequest(); r !== null; r = this.shell.nextRequest()) void this.#send(r);
  }

  async #send(r: PsrpRequest): Promise<void> {
    const id = opId();
    for (let attempt = 0; ; attempt++) {
      try {
        const xml = r.xml.replace(/<(\w+):MessageID>[^<]*<\/\1:MessageID>/, `<$1:MessageID>uuid:${randomUUID().toUpperCase()}</$1:MessageID>`)
          .replace('</s:Header>', `<p:OperationID xmlns:p="${NS.wsmv}" s:mustUnderstand="${attempt > 0}">${id}</p:OperationID></s:Header>`);
        const res = await request(this.#url, { method: 'POST', headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: this.#auth }, body: xml, dispatcher: this.#agent });
        this.shell.handleResponse(r, await res.body.text());
        for (let e = this.pool.nextEvent(); e !== null; e = this.pool.nextEvent()) this.events.push(e);
        this.pump();
        return;
      } catch (err) {
        if (r.kind !== 'receive' || attempt >= 3) {
          this.error ??= err;
          return;
        }
        this.retransmissions++;
      }
    }
  }

  async until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 400 && !done(); i++) {
      if (this.error !== undefined) throw this.error;
      this.pump();
      await new Promise((res) => setTimeout(res, 50));
    }
    if (!done()) throw new Error('timed out');
  }

  async close(): Promise<void> {
    this.shell.close();
    await this.until(() => this.shell.phase === 'closed' || this.shell.phase === 'failed');
    await this.#agent.close();
  }
}

describe('robust connections on the PowerShell endpoint', () => {
  it('recovers PSRP output whose Receive responses were reset, each object once and in order', async () => {
    const { url, server } = await serve('reset@receive:shell=psrp,every=2,count=3');
    const c = new RetransmittingPsrpClient(url);
    c.shell.open();
    await c.until(() => c.pool.state === RunspacePoolState.Opened);
    const p = c.pool.createPipeline().addScript('1..5 | ForEach-Object { $_ * 10 }');
    p.invoke({ noInput: true });
    await c.until(() => p.state === PSInvocationState.Completed || p.state === PSInvocationState.Failed);
    const values = c.events.filter((e) => e.type === 'PipelineOutput' && e.pipelineId === p.pipelineId).map((e) => (e as { value: unknown }).value);
    expect(values).toEqual([10, 20, 30, 40, 50]);
    expect(p.state).toBe(PSInvocationState.Completed);
    expect(server.faultCounts().reset).toBe(c.retransmissions);
    expect(c.retransmissions).toBeGreaterThan(0);
    await c.close();
  });
});
