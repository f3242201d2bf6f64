/**
 * `tsremote session new|list|remove|disconnect|connect` — PowerShell sessions that outlive one CLI
 * run (New/Get/Remove/Disconnect/Connect-PSSession), reused by `invoke --session NAME`.
 */
import { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import type { VerbResult } from './main.js';

/** `session new`. */
export interface SessionNewOptions extends ConnectionOptions {
  name: string | undefined;
  /** How long the host keeps the disconnected pool without a request (rsp:IdleTimeOut). */
  idleTimeoutSec: number;
}

/** `session list|remove|disconnect|connect`. */
export interface SessionTargetOptions extends ConnectionOptions {
  names: string[];
  all: boolean;
  /** remove: drop the record even when the host cannot be reached. */
  force: boolean;
  /** list: show the registry without asking the hosts. */
  offline: boolean;
}

export type SessionVerb = 'new' | 'list' | 'remove' | 'disconnect' | 'connect';

/** What the verb hands its action. */
export type SessionRun = { verb: 'new'; opts: SessionNewOptions } | { verb: Exclude<SessionVerb, 'new'>; opts: SessionTargetOptions };

/** Two hours, as Windows' default IdleTimeout. */
const DEFAULT_IDLE_TIMEOUT_SEC = 7200;

async function runSessionLazy(run: SessionRun): Promise<number> {
  const actions = await import('./actions/session.js');
  switch (run.verb) {
    case 'new':
      return actions.runSessionNew(run.opts);
    case 'list':
      return actions.runSessionList(run.opts);
    case 'remove':
      return actions.runSessionRemove(run.opts);
    case 'connect':
    case 'disconnect':
      return actions.runSessionAttach(run.opts, run.verb);
  }
}

function idleTimeout(raw: unknown): number {
  if (raw === undefined) return DEFAULT_IDLE_TIMEOUT_SEC;
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || n < 60) throw new InvalidArgumentError(`--idle-timeout must be whole seconds >= 60, got '${String(raw)}'`);
  return n;
}

export function sessionCommand(result: VerbResult, run: (r: SessionRun) => Promise<number> = runSessionLazy): Command {
  const session = new Command('session').description('PowerShell sessions that outlive one run (New/Get/Remove/Connect-PSSession)');

  const create = new Command('new')
    .description('open a runspace pool on HOST, disconnect it and record it for later runs')
    .option('--name <name>', 'session name (default HOST-N)')
    .option('--idle-timeout <sec>', 'how long the host keeps the disconnected session (default 7200)')
    .option('--configuration-name <name>', 'PowerShell session configuration (JEA endpoint)');
  addConnectionOptions(create);
  create.addHelpText('after', '\nExample:\n  TSREMOTE_PASSWORD=… tsremote session new -c web1 -u admin --name s1\n  tsremote invoke --session s1 -s \'$x = 42\'; tsremote invoke --session s1 -s \'$x\'\n');
  create.action(async (_flags: unknown, self: Command) => {
    const flags = self.optsWithGlobals() as Record<string, unknown>;
    const conn = readConnectionOptions(flags);
    if (conn.hosts.length !== 1) throw new InvalidArgumentError('session new needs exactly one host: -c HOST');
    result.code = await run({
      verb: 'new',
      opts: { ...conn, name: flags.name as string | undefined, idleTimeoutSec: idleTimeout(flags.idleTimeout) },
    });
  });
  session.addCommand(create);

  const target = (verb: Exclude<SessionVerb, 'new'>, describe: string): Command => {
    const cmd = new Command(verb).description(describe);
    if (verb === 'list') cmd.option('--offline', 'show the registry only; do not ask the hosts');
    else cmd.argument('[names...]', 'session names').option('--all', 'every recorded session');
    if (verb === 'remove') cmd.option('--force', 'drop the record even when the host cannot be reached');
    addConnectionOptions(cmd, false);
    cmd.action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const flags = self.optsWithGlobals() as Record<string, unknown>;
      const names = verb === 'list' ? [] : ((args[0] as string[] | undefined) ?? []);
      const all = flags.all === true;
      if (verb !== 'list' && names.length === 0 && !all) throw new InvalidArgumentError(`session ${verb} needs a NAME (or --all)`, { hint: 'tsremote session list' });
      if (names.length > 0 && all) throw new InvalidArgumentError('give NAMEs or --all, not both');
      result.code = await run({
        verb,
        opts: { ...readConnectionOptions(flags), names, all, force: flags.force === true, offline: flags.offline === true },
      });
    });
    return cmd;
  };
  session.addCommand(target('list', 'recorded sessions and their state on their hosts'));
  session.addCommand(target('remove', 'delete sessions on their hosts and forget them'));
  session.addCommand(target('disconnect', 'disconnect a session left connected (e.g. by a killed run)'));
  session.addCommand(target('connect', 'check a session: connect, report, disconnect again for the next run'));
  return session;
}
