/**
 * WinRSCommand.output sends the next Receive before it hands over the current chunks (the round
 * trip overlaps the consumer's writing), never more than one ahead, and no Receive more than one
 * at a time would send; leaving early aborts the Receive sent ahead.
 */
import { describe, expect, it } from 'vitest';
import { WSManClient, WinRSShell, type Poster, type PostOptions } from '../../src/session/index.js';
import {
  ACTION,
  buildCommandResponse,
  buildDeleteResponse,
  buildReceiveResponse,
  buildShellCreatedResponse,
  defaultContext,
  type ReceiveResponseInfo,
} from '../../src/wsman/index.js';
import { AbortedError } from '../../src/transport/index.js';

const SHELL = 'S-1';
const COMMAND = 'C-1';

/** Answers Create, Command and Delete at once; each Receive waits until the test releases it. */
class ReceivePoster implements Poster {
  readonly receives: { info: ReceiveResponseInfo | undefined; release: (info: ReceiveResponseInfo) => void; aborted: boolean }[] = [];
  readonly actions: string[] = [];
  #waiting: (() => void) | undefined;

  async post(xml: string, opts: PostOptions = {}): Promise<string> {
    const action = /<wsa:Action[^>]*>([^<]*)</.exec(xml)?.[1] ?? '';
    const relatesTo = /<wsa:MessageID>([^<]*)</.exec(xml)?.[1] ?? '';
    this.actions.push(action.slice(action.lastIndexOf('/') + 1));
    if (action === ACTION.Create) {
      return buildShellCreatedResponse(relatesTo, {
        address: 'http://h/wsman', resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd', shellId: SHELL,
        owner: 'u', clientIp: '127.0.0.1', idleTimeoutSec: 60, inputStreams: ['stdin'], outputStreams: ['stdout', 'stderr'],
      });
    }
    if (action === ACTION.Command) return buildCommandResponse(relatesTo, COMMAND);
    if (action === ACTION.Delete) return buildDeleteResponse(relatesTo);
    if (action !== ACTION.Receive) throw new Error(`unexpected ${action}`);
    return new Promise<string>((resolve, reject) => {
      const entry = {
        info: undefined as ReceiveResponseInfo | undefined,
        aborted: false,
        release: (info: ReceiveResponseInfo) => resolve(buildReceiveResponse(relatesTo, info)),
      };
      opts.signal?.addEventListener('abort', () => {
        entry.aborted = true;
        reject(new AbortedError({ host: 'h' }));
      }, { once: true });
      this.receives.push(entry);
      this.#waiting?.();
    });
  }

  /** Resolves once `n` Receives have been sent. */
  async receivesSent(n: number): Promise<void> {
    while (this.receives.length < n) await new Promise<void>((resolve) => (this.#waiting = resolve));
  }

  async close(): Promise<void> {}
}

const out = (text: string): ReceiveResponseInfo => ({ streams: [{ name: 'stdout', commandId: COMMAND, data: Buffer.from(text) }] });
const done = (text: string, exitCode: number): ReceiveResponseInfo => ({
  streams: [{ name: 'stdout', commandId: COMMAND, data: Buffer.from(text), end: true }],
  commandState: { commandId: COMMAND, state: 'Done', exitCode },
});

async function started(): Promise<{ poster: ReceivePoster; command: Awaited<ReturnType<WinRSShell['run']>> }> {
  const poster = new ReceivePoster();
  const client = new WSManClient('h', poster, defaultContext('http://h/wsman'));
  const shell = await WinRSShell.open(client);
  return { poster, command: await shell.run('dir') };
}

describe('WinRSCommand.output: one Receive ahead', () => {
  it('has the next Receive in flight while the consumer holds a chunk, and sends no extra one after Done', async () => {
    const { poster, command } = await started();
    const chunks: string[] = [];
    const it = command.output()[Symbol.asyncIterator]();
    const first = it.next();
    await poster.receivesSent(1);
    poster.receives[0]!.release(out('a'));
    chunks.push(Buffer.from(((await first).value as { data: Uint8Array }).data).toString());
    // The consumer has 'a' and has not asked for more: the second Receive is already out, no third.
    await poster.receivesSent(2);
    expect(poster.receives).toHaveLength(2);
    poster.receives[1]!.release(done('b', 3));
    for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(Buffer.from(r.value.data).toString());
    expect(chunks).toEqual(['a', 'b']);
    expect(command.exitCode).toBe(3);
    expect(command.done).toBe(true);
    expect(poster.actions).toEqual(['Create', 'Command', 'Receive', 'Receive']);
  });

  it('a consumer that leaves early aborts the Receive sent ahead, and the generator settles', async () => {
    const { poster, command } = await started();
    const it = command.output()[Symbol.asyncIterator]();
    const first = it.next();
    await poster.receivesSent(1);
    poster.receives[0]!.release(out('a'));
    await first;
    await poster.receivesSent(2);
    await it.return(undefined);
    expect(poster.receives[1]!.aborted).toBe(true);
    expect(command.done).toBe(false);
  });

  it('a response without output or Done is followed by one more Receive', async () => {
    const { poster, command } = await started();
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const c of command.output()) chunks.push(Buffer.from(c.data).toString());
    })();
    await poster.receivesSent(1);
    poster.receives[0]!.release(out(''));
    await poster.receivesSent(2);
    poster.receives[1]!.release(done('z', 0));
    await reading;
    expect(chunks).toEqual(['z']);
    expect(poster.receives).toHaveLength(2);
  });
});
