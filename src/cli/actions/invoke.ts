/**
 * `invoke --cmd`: one WinRS cmd shell per host, the command run in it, output streamed, and the
 * shell deleted afterwards — also on errors and on Ctrl+C (first Ctrl+C: stop and clean up; a
 * second one: quit at once).
 */
import { fanout } from '../../fanout/index.js';
import { WinRSShell, connect, type WSManClient, type WinRSCommand } from '../../session/index.js';
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
import { interruptible, isUnreachable, planHosts, planOf } from './common.js';
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

  const runOne = async (host: string): Promise<HostResult> => {
    const out: HostOutput = opts.json
      ? jsonOutput(term, host)
      : multi
        ? prefixedOutput(term, host, errorLine)
        : rawOutput(term, errorLine);
    const signal = interrupt.signal;
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
      const exitCode = running.exitCode ?? 0;
      result = { status: exitCode === 0 ? 'ok' : 'failed', exitCode };
      out.end(result.status, exitCode, undefined);
    } catch (err) {
      const status: HostStatus = interrupt.interrupted() ? 'interrupted' : !shell && isUnreachable(err) ? 'unreachable' : 'failed';
      result = { status, exitCode: undefined };
      out.end(status, undefined, interrupt.interrupted() ? `${host}: interrupted` : formatError(err, host));
    } finally {
      await cleanUp(host, shell, command, errorLine);
      await client?.close();
    }
    return result;
  };

  try {
    const outcomes = await fanout(opts.hosts, runOne, { throttle: opts.throttle });
    if (interrupt.interrupted()) return ExitCode.Interrupted;
    const results = outcomes.map((o) => (o.ok ? o.value : { status: 'failed' as const, exitCode: undefined }));
    if (!multi) {
      const only = results[0];
      if (only?.exitCode !== undefined) return only.exitCode;
      return only?.status === 'unreachable' ? ExitCode.Unreachable : ExitCode.Failure;
    }
    return exitCodeForHosts(results.map((r) => r.status));
  } finally {
    interrupt.dispose();
  }
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
