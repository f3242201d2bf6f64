/**
 * `tsremote invoke -c HOSTS -s SCRIPT | -f FILE | --cmd COMMAND` — Invoke-Command: a PowerShell
 * script over PSRP (objects and every stream back), or a native command through a WinRS cmd shell,
 * on every host in parallel, streamed as it arrives: each line prefixed with its host (aligned,
 * coloured), objects from all hosts in one table with a PSComputerName column, a status line on a
 * terminal, a summary of the hosts that failed, and `--retry-file` to run just those again.
 */
import { Command, Option } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import type { VerbResult } from './main.js';

export type InvokeFormat = 'auto' | 'table' | 'list' | 'json' | 'raw';

export interface InvokeOptions extends ConnectionOptions {
  /** Exactly one of these says what to run. */
  cmd: string | undefined;
  script: string | undefined;
  file: string | undefined;
  /** Arguments bound to `$args` of the script (Invoke-Command -ArgumentList). */
  args: string[];
  /** Send this process's stdin to the remote command (to every host). */
  stdin: boolean;
  throttle: number;
  /** Per-host time limit in seconds (`--timeout`); undefined: none. */
  timeoutSec: number | undefined;
  /** Write the hosts that did not succeed here, one per line (`--retry-file`). */
  retryFile: string | undefined;
  /** No `[host]` prefix and no PSComputerName column (`--hide-host`). */
  hideHost: boolean;
  /** How -s/-f output objects are shown (`--format`); `json` also sets `json`. */
  format: InvokeFormat;
  environment: Record<string, string>;
  workingDirectory: string | undefined;
  noProfile: boolean;
  /** `--session NAME`: run in this recorded session (connect, run, disconnect) instead of a new pool. */
  session?: string | undefined;
}

async function runInvokeLazy(opts: InvokeOptions): Promise<number> {
  if (opts.cmd !== undefined) {
    const { runInvoke } = await import('./actions/invoke.js');
    return runInvoke(opts);
  }
  const { runInvokePowerShell } = await import('./actions/invoke-ps.js');
  return runInvokePowerShell(opts);
}

function parseEnv(value: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--env takes NAME=VALUE, got '${value}'`);
  return { ...prev, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function invokeCommand(result: VerbResult, run: (o: InvokeOptions) => Promise<number> = runInvokeLazy): Command {
  const cmd = new Command('invoke').description('run a command on one or more hosts (Invoke-Command)');
  addConnectionOptions(cmd);
  cmd
    .addOption(new Option('-s, --script <script>', 'a PowerShell script to run (PSRP)').conflicts(['file', 'cmd']))
    .addOption(new Option('-f, --file <path>', 'a PowerShell script file to run (PSRP)').conflicts(['cmd']))
    .option('--args <values...>', 'arguments for the script: $args / positional parameters')
    .option('--configuration-name <name>', 'PowerShell session configuration (JEA endpoint)')
    .addOption(new Option('--cmd <command>', 'a native command line, run by the remote cmd shell'))
    .option('--stdin', "send standard input to the remote command (--cmd: as bytes; -s/-f: one $input object per line)")
    .option('--throttle <n>', 'hosts at once', '32')
    .option('--timeout <sec>', 'stop a host that takes longer than this and report it failed')
    .option('--retry-file <path>', 'write the hosts that failed or were unreachable here (use as -c @PATH)')
    .option('--hide-host', 'no [host] prefix and no PSComputerName column (Invoke-Command -HideComputerName)')
    .addOption(new Option('--format <format>', 'how -s/-f output objects are shown').choices(['auto', 'table', 'list', 'json', 'raw']).default('auto'))
    .option('--env <NAME=VALUE>', 'environment variable for the remote shell (repeatable)', parseEnv)
    .option('--cwd <dir>', 'working directory of the remote shell')
    // Not --no-profile (winrs -noprofile): --profile NAME picks a config profile.
    .option('--no-user-profile', 'do not load the remote user profile (WINRS_NOPROFILE)')
    .addOption(new Option('--session <name>', 'run in a session made by `tsremote session new` (its host; state kept)').conflicts(['cmd']));
  return cmd.action(async (_flags: Record<string, unknown>, self: Command) => {
    const flags = self.optsWithGlobals() as Record<string, unknown>;
    // --configuration-name travels with the connection settings: the config file may give it per host.
    const conn = readConnectionOptions(flags);
    if (conn.hosts.length === 0 && flags.session === undefined) throw new InvalidArgumentError('no hosts: give -c HOST[,HOST…] or -c @FILE');
    const given = ['script', 'file', 'cmd'].filter((k) => typeof flags[k] === 'string');
    if (given.length !== 1) throw new InvalidArgumentError('say what to run: one of -s SCRIPT, -f FILE or --cmd "COMMAND"');
    if (flags.args !== undefined && flags.cmd !== undefined) throw new InvalidArgumentError('--args goes with -s or -f, not --cmd');
    if (flags.stdin === true && conn.passwordStdin) {
      throw new InvalidArgumentError('--stdin and --password-stdin both read standard input', {
        hint: 'give the password with TSREMOTE_PASSWORD or a passwordCommand in the config file',
      });
    }
    const throttle = Number(flags.throttle);
    if (!Number.isInteger(throttle) || throttle < 1) throw new InvalidArgumentError('--throttle must be a whole number >= 1');
    const timeoutSec = flags.timeout === undefined ? undefined : Number(flags.timeout);
    if (timeoutSec !== undefined && !(Number.isFinite(timeoutSec) && timeoutSec > 0)) {
      throw new InvalidArgumentError('--timeout takes seconds > 0', { hint: 'e.g. --timeout 300' });
    }
    const format = flags.format as InvokeFormat;
    if (flags.cmd !== undefined && (format === 'table' || format === 'list')) {
      throw new InvalidArgumentError(`--format ${format} lays out objects from -s/-f; --cmd output is text`, { hint: 'use --format raw or json with --cmd' });
    }
    result.code = await run({
      ...conn,
      json: conn.json || format === 'json',
      cmd: flags.cmd as string | undefined,
      script: flags.script as string | undefined,
      file: flags.file as string | undefined,
      args: (flags.args as string[] | undefined) ?? [],
      stdin: Boolean(flags.stdin),
      throttle,
      timeoutSec,
      retryFile: flags.retryFile as string | undefined,
      hideHost: flags.hideHost === true,
      format,
      environment: (flags.env as Record<string, string> | undefined) ?? {},
      workingDirectory: flags.cwd as string | undefined,
      noProfile: flags.userProfile === false,
      session: flags.session as string | undefined,
    });
  });
}
