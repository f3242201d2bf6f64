/**
 * `invoke --cmd`: one WinRS cmd shell per host, the command run in it, output streamed, and the
 * shell deleted afterwards — also on errors, when a host's --timeout runs out, and on Ctrl+C (first
 * Ctrl+C: stop and clean up; a second one: quit at once). Several hosts: whole lines with the
 * aligned host prefix, and common.ts's fan-out reporting (status line, summary, retry file).
 */
import { fanout, timedOut } from '../../fanout/index.js';
import { HostPrefix } from '../../render/host-prefix.js';
import { WinRSShell, type WinRSCommand } from '../../session/winrs.js';
import { connect } from '../../session/connect.js';
import type { WSManClient } from '../../session/wsman-client.js';
import {
  type HostOutput,
  type HostStatus,
  type Terminal,
  jsonOutput,
  prefixedOutput,
  rawOutput,
} from '../../render/text-streams.js';
import { ExitCode, exitCodeForHosts } from '../exit-codes.js';
import { formatError } from '../print-error.js';
import type { InvokeOptions } from '../invoke.js';
import { fanoutReporting, interruptible, isUnreachable, planHosts, planOf } from './common.js';
import { stdinSource } from './stdin.js';

interface HostResult {
  status: HostStatus;
  exitCode: number | undefined;
}

export async function runInvoke(opts: InvokeOptions): Promise<number> {
  const plans = await planHosts(opts, { credentialRequired: true });
  const multi = opts.hosts.length > 1;
  const term: Terminal = { stdout: process.stdout, stderr: process.stderr };
  const errorLine = (line: string): void => void process.stderr.write(`${line}\n`);

  const interrupt = interruptible('stopping remote commands and closing shells');
  const stdinFor = await stdinSource(opts.stdin, multi);
  const prefix = new HostPrefix(opts.hosts, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, hide: opts.hideHost });
  const reporting = await fanoutReporting(opts.hosts, { json: opts.json, retryFile: opts.retryFile });
  // Every running host may wait for stdout or stderr to drain: one 'drain' listener each, by design.
  const listeners = allowListeners([process.stdout, process.stderr], Math.min(opts.hosts.length, opts.throttle ?? 32));

  // `signal`: Ctrl+C, or this host's --timeout (fanout makes one per host).
  const runOne = async (host: string, _index: number, signal: AbortSignal = interrupt.signal): Promise<HostResult> => {
    const out: HostOutput = opts.json
      ? jsonOutput(term, host)
      : multi
        ? prefixedOutput(term, host, errorLine, prefix.of(host))
        : rawOutput(term, errorLine);
    const end = (status: HostStatus, exitCode: number | undefined, line: string | undefined): HostResult => {
      const report = reporting.tally.end(host, status, line ?? (exitCode ? `exit code ${exitCode}` : undefined));
      out.end(status, exitCode, line, report.durationMs);
      return { status, exitCode };
    };
    let client: WSManClient | undefined;
    let shell: WinRSShell | undefined;
    let command: WinRSCommand | undefined;
    let result: HostResult;
    try {
      client = connect(host, planOf(plans, host).connect);
      shell = await WinRSShell.open(client, {
        environment: Object.keys(opts.environment).length ? opts.environment : undefined,
        workingDirectory: opts.workingDirectory,
        noProfile: opts.noProfile,
        signal,
      });
      command = await shell.run(opts.cmd ?? '', [], { signal });
      const source = stdinFor();
      const running = command;
      // stdin goes up while output comes down: a command may not finish reading before it writes.
      const feeding = source ? running.pipeStdin(source, signal).catch((err: unknown) => err) : undefined;
      for await (const chunk of running.output(signal)) await out.data(chunk.stream, chunk.data);
      const feedError = await feeding;
      if (feedError && !running.done) throw feedError;
      const late = timedOut(signal);
      if (late) throw late;
      const exitCode = running.exitCode ?? 0;
      result = end(exitCode === 0 ? 'ok' : 'failed', exitCode, undefined);
    } catch (err) {
      const late = timedOut(signal);
      const status: HostStatus =
        late ? 'failed' : interrupt.interrupted() ? 'interrupted' : !shell && isUnreachable(err) ? 'unreachable' : 'failed';
      result = end(status, undefined, late ? formatError(late, host) : interrupt.interrupted() ? `${host}: interrupted` : formatError(err, host));
    } finally {
      await cleanUp(host, shell, command, errorLine);
      await client?.close();
    }
    return result;
  };

  try {
    const outcomes = await fanout(opts.hosts, runOne, {
      throttle: opts.throttle,
      signal: interrupt.signal,
      timeoutSec: opts.timeoutSec,
      onStart: (host) => reporting.tally.start(host),
    });
    const results = outcomes.map((o): HostResult => {
      if (o.ok) return o.value;
      // Never started (Ctrl+C came first): still one report per host, and its end record in --json.
      const status: HostStatus = interrupt.interrupted() ? 'interrupted' : 'failed';
      const line = interrupt.interrupted() ? `${o.host}: interrupted` : formatError(o.error, o.host);
      const report = reporting.tally.end(o.host, status, line);
      if (opts.json) jsonOutput(term, o.host).end(status, undefined, line, report.durationMs);
      return { status, exitCode: undefined };
    });
    await reporting.finish();
    if (interrupt.interrupted()) return interrupt.exitCode();
    if (!multi) {
      const only = results[0];
      if (only?.exitCode !== undefined) return only.exitCode;
      return only?.status === 'unreachable' ? ExitCode.Unreachable : ExitCode.Failure;
    }
    return exitCodeForHosts(results.map((r) => r.status));
  } finally {
    interrupt.dispose();
    reporting.dispose();
    listeners.restore();
  }
}

/** Raises the listener limit of `emitters` by `extra` until `restore()` (for listeners a fan-out adds per host). */
function allowListeners(emitters: readonly NodeJS.EventEmitter[], extra: number): { restore: () => void } {
  const before = emitters.map((e) => e.getMaxListeners());
  emitters.forEach((e, i) => e.setMaxListeners(before[i]! + extra));
  return { restore: () => emitters.forEach((e, i) => e.setMaxListeners(before[i]!)) };
}

/** Best effort, bounded in time: stop a still-running command, then delete the shell. */
async function cleanUp(
  host: string,
  shell: WinRSShell | undefined,
  command: WinRSCommand | undefined,
  errorLine: (line: string) => void,
): Promise<void> {
  if (!shell) return;
  if (command && !command.done) {
    await command.signal('terminate', AbortSignal.timeout(5_000)).catch(() => undefined);
  }
  try {
    await shell.close(AbortSignal.timeout(10_000));
  } catch (err) {
    errorLine(`${formatError(err, host)} (shell ${shell.shellId} may still be open)`);
  }
}
