/**
 * `invoke -s/-f`: a runspace pool per host over PSRP, the script run in it, every record rendered
 * as it arrives (objects as PowerShell shows them, or NDJSON), and the pool closed and the shell
 * deleted afterwards — also on errors, on Ctrl+C and when a host's --timeout runs out (the
 * pipeline is stopped first). common.ts's fan-out reporting counts the hosts, draws the status
 * line, prints the summary and writes the retry file.
 */
import { readFile } from 'node:fs/promises';
import { fanout, timedOut } from '../../fanout/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { PSInvocationState, type PSValue } from '../../psrp/index.js';
import { consoleHostInfo } from '../../psrp/client/index.js';
import { RecordRenderer, conciseErrorView, createStyle, stripAnsi, type HostStatus } from '../../render/index.js';
import { PowerShellSession, connect, type WSManClient } from '../../session/index.js';
import { consoleHost } from '../console-host.js';
import { exitCodeForHosts } from '../exit-codes.js';
import { formatError } from '../print-error.js';
import type { InvokeOptions } from '../invoke.js';
import { fanoutReporting, interruptible, isUnreachable, planHosts, planOf } from './common.js';
import { lines, stdinSource } from './stdin.js';
import { HOST_WRITES, isHostEcho, toRecord } from '../pipeline-records.js';

interface HostRun {
  status: HostStatus;
  errors: number;
}

/** Host calls that ask at the terminal (the status line steps aside for them). */
const isPrompt = (methodName: string): boolean => /^(Read|Prompt)/.test(methodName);

const PLAIN = createStyle(false);

/** The first line of an error record as the concise view shows it, for the summary. */
function errorLine(value: PSValue): string {
  return stripAnsi(conciseErrorView(value, { style: PLAIN })).split('\n', 1)[0] ?? '';
}

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
  // --session NAME: its host and settings; Connect/Disconnect its pool instead of Create/Delete.
  const recorded = opts.session === undefined ? undefined : await (await import('./invoke-session.js')).recordedSession(opts);
  if (recorded) opts = recorded.opts;
  const script = await scriptText(opts);
  const plans = await planHosts(opts, { credentialRequired: true });
  const multi = opts.hosts.length > 1;
  // --stdin: each line becomes one pipeline input object ($input), to every host.
  const stdinFor = await stdinSource(opts.stdin, multi);
  const stdout = process.stdout;
  const color = Boolean(stdout.isTTY) && !process.env.NO_COLOR;
  const reporting = await fanoutReporting(opts.hosts, { json: opts.json, retryFile: opts.retryFile });
  const renderer = new RecordRenderer({
    terminal: {
      isTTY: Boolean(stdout.isTTY),
      columns: stdout.columns || 120,
      color,
      write: (text) => void stdout.write(text),
    },
    json: opts.json,
    multiHost: multi,
    hosts: opts.hosts,
    hideHost: opts.hideHost,
    shape: opts.format === 'json' ? 'auto' : opts.format,
    onProgress: reporting.progress,
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

  // `signal`: Ctrl+C, or this host's --timeout (fanout makes one per host).
  const runOne = async (host: string, _index: number, signal: AbortSignal = interrupt.signal): Promise<HostRun> => {
    let client: WSManClient | undefined;
    let session: PowerShellSession | undefined;
    let errors = 0;
    let firstError: string | undefined;
    let seq = 0;
    let hostWrites = false;
    // With --session, the error line waits for the release, which may add the session's advice.
    let pendingLine: string | undefined;
    try {
      const plan = planOf(plans, host);
      client = connect(host, plan.connect);
      session = await (recorded?.open ?? PowerShellSession.open)(client, {
        configurationName: plan.settings.configurationName,
        hostInfo: consoleHostInfo({ windowSize: { width: stdout.columns || 120, height: stdout.rows || 30 } }),
        hostHandler: (call) => {
          hostOfCall.set(call, host);
          return isPrompt(call.methodName) ? reporting.paused(() => hostHandler(call)) : hostHandler(call);
        },
        signal,
      });
      let state: PSInvocationState | undefined;
      for await (const event of session.run(script, { args, signal, input: inputFor(stdinFor()) })) {
        if (event.type === 'PipelineHostCall' && HOST_WRITES.has(event.methodName)) hostWrites = true;
        if (event.type === 'ErrorRecord') {
          errors++;
          firstError ??= errorLine(event.value);
        }
        if (event.type === 'PipelineState') {
          state = event.state;
          if (event.error && !timedOut(signal)) {
            firstError ??= errorLine(event.error);
            renderer.render({ host, stream: 'error', value: event.error, seq: ++seq });
          }
          continue;
        }
        if (hostWrites && isHostEcho(event) && !opts.json) continue;
        const record = toRecord(host, ++seq, event);
        if (record) renderer.render(record);
      }
      renderer.flush();
      const late = timedOut(signal);
      if (late) return ended('failed', formatError(late, host));
      const status: HostStatus =
        interrupt.interrupted() ? 'interrupted' : state === PSInvocationState.Completed && errors === 0 ? 'ok' : 'failed';
      return ended(status, undefined);
    } catch (err) {
      renderer.flush();
      const late = timedOut(signal);
      if (late) return ended('failed', formatError(late, host));
      const status: HostStatus = interrupt.interrupted() ? 'interrupted' : !session && isUnreachable(err) ? 'unreachable' : 'failed';
      return ended(status, interrupt.interrupted() ? `${host}: interrupted` : formatError(err, host));
    } finally {
      if (session && recorded) await recorded.release(session, pendingLine);
      else if (session) {
        await session.close().catch((err: unknown) => {
          process.stderr.write(`${formatError(err, host)} (runspace pool ${session?.shellId} may still be open)\n`);
        });
      }
      await client?.close();
    }

    /** How the host ended: its error line (printed at once, in text mode), the tally, the JSON end line. */
    function ended(status: HostStatus, line: string | undefined): HostRun {
      if (line !== undefined && !opts.json) {
        if (recorded && session) pendingLine = line;
        else process.stderr.write(`${line}\n`);
      }
      const report = reporting.tally.end(host, status, line ?? firstError);
      renderer.hostEnd(host, status, line ?? firstError, report.durationMs);
      return { status, errors };
    }
  };

  try {
    const outcomes = await fanout(opts.hosts, runOne, {
      throttle: opts.throttle,
      signal: interrupt.signal,
      timeoutSec: opts.timeoutSec,
      onStart: (host) => reporting.tally.start(host),
    });
    const runs = outcomes.map((o) => {
      if (o.ok) return o.value;
      // Never started (Ctrl+C came first) or a bug that escaped runOne: still one report per host,
      // and its end record in --json.
      const status: HostStatus = interrupt.interrupted() ? 'interrupted' : 'failed';
      const line = interrupt.interrupted() ? `${o.host}: interrupted` : formatError(o.error, o.host);
      const report = reporting.tally.end(o.host, status, line);
      renderer.hostEnd(o.host, status, line, report.durationMs);
      return { status, errors: 0 };
    });
    renderer.close();
    await reporting.finish();
    if (interrupt.interrupted()) return interrupt.exitCode();
    return exitCodeForHosts(runs.map((r) => r.status));
  } finally {
    clearInterval(flusher);
    interrupt.dispose();
    reporting.dispose();
  }
}
