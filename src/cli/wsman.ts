/** `tsremote wsman identify|get|enumerate HOST [RESOURCE_URI]` — Get-WSManInstance and friends. */
import { Command } from 'commander';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import { InvalidArgumentError } from '../errors.js';
import type { VerbResult } from './main.js';

export interface WSManVerbOptions extends ConnectionOptions {
  operation: 'identify' | 'get' | 'enumerate';
  resourceUri: string | undefined;
  selectors: Record<string, string>;
  filter: string | undefined;
}

async function runWSManLazy(opts: WSManVerbOptions): Promise<number> {
  const { runWSMan } = await import('./actions/wsman.js');
  return runWSMan(opts);
}

function parseSelector(value: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--selector takes key=value, got '${value}'`);
  return { ...prev, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function wsmanCommand(
  result: VerbResult,
  run: (o: WSManVerbOptions) => Promise<number> = runWSManLazy,
): Command {
  const wsman = new Command('wsman').description('raw WS-Management operations (Get-WSManInstance)');
  const sub = (name: WSManVerbOptions['operation'], withResource: boolean, describe: string): Command => {
    const cmd = new Command(name).description(describe).argument('<host>', 'host name, host:port, or URL');
    if (withResource) {
      cmd.argument('<resource>', 'resource URI or alias (shell, cmd, config, wmicimv2/CLASS …)');
    }
    addConnectionOptions(cmd, false);
    if (name !== 'identify') cmd.option('--selector <k=v>', 'selector (repeatable)', parseSelector);
    if (name === 'enumerate') cmd.option('--filter <wql>', 'WQL filter, e.g. "select * from Win32_Service"');
    cmd.action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const host = args[0] as string;
      const resource = withResource ? (args[1] as string) : undefined;
      const flags = self.optsWithGlobals() as Record<string, unknown>;
      const opts: WSManVerbOptions = {
        ...readConnectionOptions(flags, [host]),
        operation: name,
        resourceUri: resource,
        selectors: (flags.selector as Record<string, string> | undefined) ?? {},
        filter: flags.filter as string | undefined,
      };
      result.code = await run(opts);
    });
    return cmd;
  };
  wsman.addCommand(sub('identify', false, 'the Identify answer of a host'));
  wsman.addCommand(sub('get', true, 'get one resource instance'));
  wsman.addCommand(sub('enumerate', true, 'enumerate resource instances (e.g. the open shells: `shell`)'));
  return wsman;
}
