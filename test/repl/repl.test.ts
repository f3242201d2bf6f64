/**
 * The REPL loop (src/repl/repl.ts) against a fake session: what it runs, what it prints, how it
 * ends, and Ctrl+C as a stop of the running pipeline only.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PSInvocationState } from '../../src/psrp/index.js';
import { LineEditor } from '../../src/repl/line-editor.js';
import { Repl, type ReplSession } from '../../src/repl/repl.js';
import { TsrError } from '../../src/errors.js';
import type { PipelineEvent, RunOptions } from '../../src/session/index.js';

const out = (value: unknown): PipelineEvent => ({ type: 'PipelineOutput', pipelineId: 'p', value }) as PipelineEvent;
const done = (state = PSInvocationState.Completed): PipelineEvent =>
  ({ type: 'PipelineState', pipelineId: 'p', state, previous: PSInvocationState.Running }) as PipelineEvent;

/** Answers a few scripts; records every script it was asked to run. */
class FakeSession implements ReplSession {
  readonly scripts: string[] = [];
  location = '/home/me';
  onWait: (() => void) | undefined;

  async *run(script: string, opts: RunOptions = {}): AsyncGenerator<PipelineEvent> {
    this.scripts.push(script);
    if (script === '(Get-Location).Path') yield out(this.location);
    else if (script === 'cd /tmp') this.location = '/tmp';
    else if (script === 'lose') throw new TsrError('ETSR_CONNECT', 'connection refused');
    else if (script === 'wait') {
      // Runs until stopped, as Start-Sleep would.
      const stopped = new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve(), { once: true }));
      this.onWait?.();
      await stopped;
      yield done(PSInvocationState.Stopped);
      return;
    } else yield out(`ran: ${script}`);
    yield done();
  }

  async *runPipeline(): AsyncGenerator<PipelineEvent> {
    yield done();
  }
}

function setup(input: string): { repl: Repl; session: FakeSession; written: () => string; signals: EventEmitter; stdin: PassThrough } {
  const stdin = new PassThrough();
  const session = new FakeSession();
  let text = '';
  const signals = new EventEmitter();
  const editor = new LineEditor({ input: stdin, output: new PassThrough() });
  const repl = new Repl({
    session,
    hostName: 'web1',
    editor,
    terminal: { isTTY: false, columns: 80, color: false, write: (t) => void (text += t) },
    notes: (line) => void (text += `note: ${line}\n`),
    signals: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
  });
  if (input) stdin.end(input);
  return { repl, session, written: () => text, signals, stdin };
}

describe('Repl', () => {
  it('runs each command, asks the location after each, and ends at exit', async () => {
    const { repl, session, written } = setup('1+1\nif ($x) {\n2\n}\nexit\nnot run\n');
    expect(await repl.run()).toEqual({ reason: 'exit' });
    expect(session.scripts).toEqual(['(Get-Location).Path', '1+1', '(Get-Location).Path', 'if ($x) {\n2\n}', '(Get-Location).Path']);
    expect(written()).toBe('ran: 1+1\nran: if ($x) {\n2\n}\n');
    expect(repl.pipelines).toBe(5);
  });

  it('ends with eof at the end of input, skipping blank lines', async () => {
    const { repl, session } = setup('\n   \ncd /tmp\n');
    expect(await repl.run()).toEqual({ reason: 'eof' });
    expect(session.scripts).toEqual(['(Get-Location).Path', 'cd /tmp', '(Get-Location).Path']);
  });

  it('reports a session that died as lost', async () => {
    const { repl } = setup('lose\n1+1\n');
    const end = await repl.run();
    expect(end.reason).toBe('lost');
    expect(end.reason === 'lost' && (end.error as TsrError).code).toBe('ETSR_CONNECT');
  });

  it('SIGINT stops the running pipeline and the loop goes on; between commands it is ignored', async () => {
    const { repl, session, written, signals, stdin } = setup('');
    session.onWait = () => {
      signals.emit('SIGINT');
      stdin.end("'after'\n");
    };
    const running = repl.run();
    await new Promise((r) => setImmediate(r));
    // At the prompt nothing runs: the handler must swallow it (no default exit).
    expect(signals.listenerCount('SIGINT')).toBe(1);
    signals.emit('SIGINT');
    stdin.write('wait\n');
    expect(await running).toEqual({ reason: 'eof' });
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(session.scripts).toEqual(['(Get-Location).Path', 'wait', '(Get-Location).Path', "'after'", '(Get-Location).Path']);
    expect(written()).toBe("ran: 'after'\n");
  });

  it('SIGTERM ends the loop as terminated', async () => {
    const { repl, signals, stdin } = setup('');
    const running = repl.run();
    await new Promise((r) => setImmediate(r));
    signals.emit('SIGTERM');
    stdin.write('1+1\n');
    expect(await running).toEqual({ reason: 'terminated' });
  });
});
