/** `tsremote test HOST…` — Test-WSMan: asks each host to identify itself. */
import { Command } from 'commander';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import type { VerbResult } from './main.js';

export type TestOptions = ConnectionOptions;

async function runTestLazy(opts: TestOptions): Promise<number> {
  const { runTest } = await import('./actions/test.js');
  return runTest(opts);
}

export function testCommand(result: VerbResult, run: (o: TestOptions) => Promise<number> = runTestLazy): Command {
  const cmd = new Command('test')
    .description('check that hosts answer WS-Management (Test-WSMan); authenticated when -u is given')
    .argument('[hosts...]', 'host names, host:port, or URLs');
  addConnectionOptions(cmd);
  return cmd.action(async (hosts: string[], flags: Record<string, unknown>, self: Command) => {
    const opts = readConnectionOptions({ ...self.optsWithGlobals(), ...flags }, hosts);
    result.code = await run(opts);
  });
}
