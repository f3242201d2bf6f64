/** `tsremote clixml FILE|-` — CLIXML (Export-Clixml files, `#< CLIXML` stderr) to JSON or text. */
import { Command, Option } from 'commander';
import type { VerbResult } from './main.js';

export interface ClixmlVerbOptions {
  /** A path, or '-' for standard input. */
  input: string;
  format: 'json' | 'ndjson' | 'text';
}

async function runClixmlLazy(opts: ClixmlVerbOptions): Promise<number> {
  const { runClixml } = await import('./actions/clixml.js');
  return runClixml(opts);
}

export function clixmlCommand(result: VerbResult, run: (o: ClixmlVerbOptions) => Promise<number> = runClixmlLazy): Command {
  return new Command('clixml')
    .description('convert CLIXML (Export-Clixml files, #< CLIXML stderr) to JSON or readable text')
    .argument('<file>', "a file, or '-' for standard input")
    .addOption(new Option('--ndjson', 'one JSON value per line').conflicts('text'))
    .option('--text', 'readable text: error and progress messages decoded, stream prefixes added')
    .action(async (input: string, flags: { ndjson?: boolean; text?: boolean }) => {
      result.code = await run({ input, format: flags.text ? 'text' : flags.ndjson ? 'ndjson' : 'json' });
    });
}
