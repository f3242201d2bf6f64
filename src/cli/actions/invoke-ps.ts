/**
 * `invoke -s/-f`: a runspace pool per host over PSRP, the script run in it, every record rendered
 * as it arrives (objects as PowerShell shows them, or NDJSON), and the pool closed and the shell
 * deleted afterwards — also on errors and on Ctrl+C (the pipeline is stopped first).
 */
import { readFile } from 'node:fs/promises';
import { fanout } from '../../fanout/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { PSInvocationState, type PSValue } from '../../psrp/index.js';
import { consoleHostInfo } from '../../psrp/client/index.js';
import { RecordRenderer, type HostStatus, type PipelineRecord, type PipelineStream } from '../../render/index.js';
import { PowerShellSession, connect, type PipelineEvent, type WSManClient } from '../../session/index.js';
import { consoleHost } from '../console-host.js';
import { ExitCode, exitCodeForHosts } from '../exit-codes.js';
import { formatError } from '../print-error.js';
import type { InvokeOptions } from '../invoke.js';
import { interruptible, isUnreachable, planHosts, planOf } from './common.js';
import { lines, stdinSource } from './stdin.js';

interface HostRun {
  status: HostStatus;
  errors: number;
}

const STREAM_OF: Partial<Record<PipelineEvent['type'], PipelineStream>> = {
  PipelineOutput: 'output',
  ErrorRecord: 'error',
  WarningRecord: 'warning',
  VerboseRecord: 'verbose',
  DebugRecord: 'debug',
  InformationRecord: 'information',
  ProgressRecord: 'progress',
  PipelineHostCall: 'host',
};

/** The record a pipeline event becomes, or null when it shows nothing by itself. */
function toRecord(host: string, seq: number, event: PipelineEvent): PipelineRecord | null {
  const stream = STREAM_OF[event.type];
  if (!stream) return null;
  if (event.type === 'PipelineState') return null;
  const value = event.type === 'ProgressRecord' || event.type === 'PipelineHostCall' ? event : event.value;
  return { host, stream, value, seq };
}

/** Write-Host reaches us twice when we offer a host: as a host call and as an information record tagged PSHOST. */
function isHostEcho(event: PipelineEvent): boolean {
  return event.type === 'InformationRecord' && event.tags.includes('PSHOST');
}

const HOST_WRITES = new Set(['Write1', 'Write2', 'WriteLine1', 'WriteLine2', 'WriteLine3']);

async function scriptText(opts: InvokeOptions): Promise<string> {
  if (opts.script !== undefined) return opts.script;
  try {
    return await readFile(opts.file ?? '', 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read script file ${opts.file}: ${(err as Error).message}`, { cause: err });
  }
}

function inputFor(source: AsyncIterable<Uint8Array> | undefined): AsyncIterable<PSValue> | undefined {
  return source === undefined ? undefined : lines(source);
}

export async function runInvokePowerShell(opts: InvokeOptions): Promise<number> {
  const script = await scriptText(opts);
  const plans = await planHosts(opts, { credentialRequired: true });
  const multi = opts.hosts.length > 1;
  // --stdin: each line becomes one pipeline input object ($input), to every host.
  const stdinFor = await stdinSource(opts.stdin, multi);
  const stdout = process.stdout;
  const renderer = new RecordRenderer({
    terminal: {
      isTTY: Boolean(stdout.isTTY),
      columns: stdout.columns || 120,
      color: Boolean(stdout.isTTY) && !process.env.NO_COLOR,
      write: (text) => void stdout.write(text),
    },
    json: opts.json,
    multiHost: multi,
  });
  const hostOfCall = new WeakMap<object, string>();
  const hostHandler = consoleHost({
    stdin: process.stdin,
    prompt: process.stderr,
    label: multi ? (call) => `[${hostOfCall.get(call) ?? '?'}] ` : undefined,
    columns: stdout.columns || 120,
    rows: stdout.rows || 30,
  });
  const args: PSValue[] = opts.args;
  const interrupt = interruptible('stopping remote pipelines and closing their runspace pools');
  // Let a paused stream size its table (PowerShell waits ~300 ms before it does).
  const flusher = setInterval(() => renderer.flush(), 300);

  const runOne = async (host: string): Promise<HostRun> => {
    let client: WSManClient | undefined;
    let session: PowerShellSession | undefined;
    let errors = 0;
    let seq = 0;
    let hostWrites = false;
    try {
      const plan = planOf(plans, host);
      client = connect(host, plan.connect);
      session = await PowerShellSession.open(client, {
        configurationName: plan.settings.configurationName,
        hostInfo: consoleHostInfo({ windowSize: { width: stdout.columns || 120, height: stdout.rows || 30 } }),
        hostHandler: (call) => {
          hostOfCall.set(call, host);
          return hostHandler(call);
        },
        signal: interrupt.signal,
      });
      let state: PSInvocationState | undefined;
      for await (const event of session.run(script, { args, signal: interrupt.signal, input: inputFor(stdinFor()) })) {
        if (event.type === 'PipelineHostCall' && HOST_WRITES.has(event.methodName)) hostWrites = true;
        if (event.type === 'ErrorRecord') errors++;
        if (event.type === 'PipelineState') {
          state = event.state;
          if (event.error) renderer.render({ host, stream: 'error', value: event.error, seq: ++seq });
          continue;
        }
        if (hostWrites && isHostEcho(event) && !opts.json) continue;
        const record = toRecord(host, ++seq, event);
        if (record) renderer.render(record);
      }
      renderer.flush();
      const status: HostStatus =
        interrupt.interrupted() ? 'interrupted' : state === PSInvocationState.Completed && errors === 0 ? 'ok' : 'failed';
      renderer.hostEnd(host, status);
      return { status, errors };
    } catch (err) {
      renderer.flush();
      const status: HostStatus = interrupt.interrupted() ? 'interrupted' : !session && isUnreachable(err) ? 'unreachable' : 'failed';
      const line = interrupt.interrupted() ? `${host}: interrupted` : formatError(err, host);
      renderer.hostEnd(host, status, line);
      if (!opts.json) process.stderr.write(`${line}\n`);
      return { status, errors };
    } finally {
      if (session) {
        await session.close().catch((err: unknown) => {
          process.stderr.write(`${formatError(err, host)} (runspace pool ${session?.shellId} may still be open)\n`);
        });
      }
      await client?.close();
    }
  };

  try {
    const outcomes = await fanout(opts.hosts, runOne, { throttle: opts.throttle });
    renderer.close();
    if (interrupt.interrupted()) return ExitCode.Interrupted;
    const runs = outcomes.map((o) => (o.ok ? o.value : { status: 'failed' as const, errors: 0 }));
    return exitCodeForHosts(runs.map((r) => r.status));
  } finally {
    clearInterval(flusher);
    interrupt.dispose();
  }
}
