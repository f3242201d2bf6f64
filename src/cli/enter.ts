/**
 * `tsremote enter HOST | --session NAME` — Enter-PSSession: an interactive prompt on one host, each
 * line run as a remote pipeline in one runspace pool (variables and location persist between lines).
 */
import { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import type { VerbResult } from './main.js';

export interface EnterOptions extends ConnectionOptions {
  /** `--session NAME`: enter a session made by `tsremote session new` (disconnected again on exit). */
  session: string | undefined;
  /** `--keep`: on exit, disconnect the new pool and record it as a session instead of closing it. */
  keep: boolean;
  /** The session name `--keep` records (default HOST-N). */
  name: string | undefined;
  /** `--keepalive SEC`: a keep-alive after each SEC idle at the prompt (0 = never). */
  keepAliveSec: number;
}

/** Default --keepalive: well inside any IdleTimeout a server allows (Windows' minimum is 60 s). */
export const DEFAULT_KEEPALIVE_SEC = 240;

function parseKeepAlive(v: unknown): number {
  if (v === undefined) return DEFAULT_KEEPALIVE_SEC;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`--keepalive takes whole seconds (0 = off), not '${String(v)}'`);
  }
  return n;
}

async function runEnterLazy(opts: EnterOptions): Promise<number> {
  const { runEnter } = await import('./actions/enter.js');
  return runEnter(opts);
}

export function enterCommand(result: VerbResult, run: (o: EnterOptions) => Promise<number> = runEnterLazy): Command {
  const cmd = new Command('enter')
    .description('an interactive PowerShell prompt on a host (Enter-PSSession)')
    .argument('[host]', 'host name, host:port, or URL')
    .option('--session <name>', 'enter a session made by `tsremote session new` (it stays, disconnected, on exit)')
    .option('--keep', 'on exit, keep the session: disconnect it and record it (see `tsremote session list`)')
    .option('--name <name>', 'the name --keep records it under (default HOST-N)')
    .option('--configuration-name <name>', 'PowerShell session configuration (JEA endpoint)')
    .option('--keepalive <sec>', `keep the session alive: a keep-alive request after SEC idle at the prompt (0 = off; default ${DEFAULT_KEEPALIVE_SEC})`);
  addConnectionOptions(cmd, false);
  // Shared flags that make no sense at a prompt: refused below, so not offered in --help.
  for (const o of cmd.options) if (o.long === '--json' || o.long === '--password-stdin') o.hideHelp();
  // Examples come from help-examples.ts (applied to every verb by name).
  return cmd.action(async (host: string | undefined, _flags: Record<string, unknown>, self: Command) => {
    const flags = self.optsWithGlobals() as Record<string, unknown>;
    const conn = readConnectionOptions(flags, host === undefined ? [] : [host]);
    const session = flags.session as string | undefined;
    if (session === undefined && conn.hosts.length !== 1) {
      throw new InvalidArgumentError('enter needs one HOST (or --session NAME)', { hint: 'tsremote enter web1 -u admin' });
    }
    if (session !== undefined && conn.hosts.length > 0) throw new InvalidArgumentError('--session already names the host: drop HOST');
    if (session !== undefined && flags.keep === true) throw new InvalidArgumentError('--keep goes with HOST: a --session is always kept');
    if (flags.name !== undefined && flags.keep !== true) throw new InvalidArgumentError('--name goes with --keep');
    if (conn.json) throw new InvalidArgumentError('enter is interactive: --json is not supported', { hint: 'use tsremote invoke --json' });
    if (conn.passwordStdin) {
      throw new InvalidArgumentError('enter reads commands from standard input: --password-stdin cannot share it', {
        hint: 'give the password with TSREMOTE_PASSWORD, a passwordCommand, or at the prompt',
      });
    }
    const keepAliveSec = parseKeepAlive(flags.keepalive);
    result.code = await run({ ...conn, session, keep: flags.keep === true, name: flags.name as string | undefined, keepAliveSec });
  });
}
