/**
 * `tsremote invoke -c HOSTS --cmd "COMMAND"` — runs a native command through a WinRS cmd shell on
 * every host in parallel, streaming stdout and stderr as they arrive.
 * (PowerShell scripts, `-s/-f`, come with the PSRP layer.)
 */
import { Command, Option } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import type { VerbResult } from './main.js';

export interface InvokeOptions extends ConnectionOptions {
  cmd: string;
  /** Send this process's stdin to the remote command (to every host). */
  stdin: boolean;
  throttle: number;
  environment: Record<string, string>;
  workingDirectory: string | undefined;
  noProfile: boolean;
}

async function runInvokeLazy(opts: InvokeOptions): Promise<number> {
  const { runInvoke } = await import('./actions/invoke.js');
  return runInvoke(opts);
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
    .addOption(new Option('--cmd <command>', 'a native command line, run by the remote cmd shell'))
    .option('--stdin', "send this process's standard input to the remote command")
    .option('--throttle <n>', 'hosts at once', '32')
    .option('--env <NAME=VALUE>', 'environment variable for the remote shell (repeatable)', parseEnv)
    .option('--cwd <dir>', 'working directory of the remote shell')
    .option('--no-profile', 'do not load the user profile (WINRS_NOPROFILE)');
  return cmd.action(async (_flags: Record<string, unknown>, self: Command) => {
    const flags = self.optsWithGlobals() as Record<string, unknown>;
    const conn = readConnectionOptions(flags);
    if (conn.hosts.length === 0) throw new InvalidArgumentError('no hosts: give -c HOST[,HOST…] or -c @FILE');
    if (typeof flags.cmd !== 'string' || flags.cmd.trim() === '') {
      throw new InvalidArgumentError('nothing to run: give --cmd "COMMAND"');
    }
    const throttle = Number(flags.throttle);
    if (!Number.isInteger(throttle) || throttle < 1) throw new InvalidArgumentError('--throttle must be a whole number >= 1');
    result.code = await run({
      ...conn,
      cmd: flags.cmd,
      stdin: Boolean(flags.stdin),
      throttle,
      environment: (flags.env as Record<string, string> | undefined) ?? {},
      workingDirectory: flags.cwd as string | undefined,
      noProfile: flags.profile === false,
    });
  });
}
