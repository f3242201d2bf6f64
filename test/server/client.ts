/**
 * A raw WS-Management test client for the server tests: src/wsman builds the requests and reads the
 * responses, undici carries them (one keep-alive connection pool per client).
 */
import { Agent, request } from 'undici';
import {
  SIGNAL, WSManFault,
  buildCommand, buildEnumerate, buildIdentify, buildPull, buildReceive, buildSend, buildShellCreate, buildShellDelete,
  buildSignal, defaultContext, parseFault, parseResponse, readCommandResponse, readEnumerateResponse, readIdentifyResponse,
  readPullResponse, readReceiveResponse, readShellCreated,
  type IdentifyResponse, type ReceiveResult, type ShellCreateOptions, type WSManContext, type XmlElement,
} from '../../src/wsman/index.js';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CommandOutput {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | undefined;
  receives: number;
}

export class TestClient {
  readonly url: URL;
  readonly ctx: WSManContext;
  readonly #auth: string | undefined;
  readonly #agent: Agent;

  constructor(url: URL, user: string | undefined, password = '', opts: { ca?: string; maxEnvelopeSize?: number; operationTimeoutSec?: number } = {}) {
    this.url = url;
    this.ctx = defaultContext(url.toString(), { maxEnvelopeSize: opts.maxEnvelopeSize ?? 153600, operationTimeoutSec: opts.operationTimeoutSec ?? 20 });
    this.#auth = user === undefined ? undefined : `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#agent = new Agent({ connect: opts.ca === undefined ? {} : { ca: opts.ca }, headersTimeout: 0, bodyTimeout: 0 });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** POSTs raw XML; returns status, headers and body text whatever the status. */
  async post(xml: string | Buffer, contentType = 'application/soap+xml;charset=UTF-8', method: 'POST' | 'GET' = 'POST', path = this.url.pathname): Promise<HttpReply> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (this.#auth !== undefined) headers.authorization = this.#auth;
    const target = new URL(path, this.url);
    const res = await request(target, { method, headers, body: method === 'POST' ? xml : undefined, dispatcher: this.#agent });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  }

  /** POSTs and parses a 200 response; throws the WSManFault of a fault response. */
  async call(xml: string): Promise<ReturnType<typeof parseResponse>> {
    const reply = await this.post(xml);
    if (reply.status !== 200) {
      const f = parseFault(reply.body);
      if (f !== null) throw Object.assign(f, { httpStatus: reply.status });
      throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
    }
    return parseResponse(reply.body);
  }

  async identify(): Promise<IdentifyResponse> {
    return readIdentifyResponse(await this.call(buildIdentify().xml));
  }

  async createShell(opts: ShellCreateOptions = {}): Promise<string> {
    return readShellCreated(await this.call(buildShellCreate(this.ctx, opts).xml)).shellId;
  }

  async command(shellId: string, command: string, args: string[] = [], skipCmdShell?: boolean): Promise<string> {
    const opts = skipCmdShell === undefined ? { command, arguments: args } : { command, arguments: args, skipCmdShell };
    return readCommandResponse(await this.call(buildCommand(this.ctx, shellId, opts).xml));
  }

  async send(shellId: string, commandId: string, data: Uint8Array, end = false): Promise<void> {
    await this.call(buildSend(this.ctx, shellId, { commandId, data, end }).xml);
  }

  async receive(shellId: string, commandId: string, operationTimeoutSec?: number): Promise<ReceiveResult & { bytes: number }> {
    const opts = operationTimeoutSec === undefined ? { commandId } : { commandId, operationTimeoutSec };
    const reply = await this.post(buildReceive(this.ctx, shellId, opts).xml);
    if (reply.status !== 200) {
      const f = parseFault(reply.body);
      if (f !== null) throw f;
      throw new Error(`HTTP ${reply.status}`);
    }
    return { ...readReceiveResponse(parseResponse(reply.body)), bytes: Buffer.byteLength(reply.body) };
  }

  /** Receives until Done, retrying after TimedOut, concatenating each stream. */
  async collect(shellId: string, commandId: string, onReceive?: (bytes: number) => void): Promise<CommandOutput> {
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let receives = 0;
    for (;;) {
      let r: ReceiveResult & { bytes: number };
      try {
        r = await this.receive(shellId, commandId);
      } catch (err) {
        if (err instanceof WSManFault && err.isOperationTimeout) continue;
        throw err;
      }
      receives++;
      onReceive?.(r.bytes);
      for (const s of r.streams) if (s.name === 'stdout' || s.name === 'stderr') out[s.name].push(Buffer.from(s.data));
      if (r.commandState?.state === 'Done') {
        return { stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr), exitCode: r.commandState.exitCode, receives };
      }
    }
  }

  /** Creates a shell, runs one command to the end, deletes the shell. */
  async run(command: string, args: string[] = [], shellOpts: ShellCreateOptions = {}): Promise<CommandOutput> {
    const shellId = await this.createShell(shellOpts);
    try {
      const id = await this.command(shellId, command, args);
      return await this.collect(shellId, id);
    } finally {
      await this.deleteShell(shellId);
    }
  }

  async signal(shellId: string, commandId: string, code: string = SIGNAL.terminate): Promise<void> {
    await this.call(buildSignal(this.ctx, shellId, { commandId, code }).xml);
  }

  async deleteShell(shellId: string): Promise<void> {
    await this.call(buildShellDelete(this.ctx, shellId).xml);
  }

  /** Enumerates the caller's shells (optimized, then Pull until the end); returns their ShellIds. */
  async enumerateShells(maxElements?: number): Promise<string[]> {
    const uri = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
    const first = readEnumerateResponse(await this.call(buildEnumerate(this.ctx, uri, { optimize: true, ...(maxElements ? { maxElements } : {}) }).xml));
    const items: XmlElement[] = [...first.items];
    let context = first.enumerationContext;
    let end = first.endOfSequence;
    while (!end && context) {
      const next = readPullResponse(await this.call(buildPull(this.ctx, uri, context, maxElements).xml));
      items.push(...next.items);
      context = next.enumerationContext;
      end = next.endOfSequence;
    }
    return items.map((el) => el.children.find((c) => c.local === 'ShellId')?.text ?? '');
  }
}
