/**
 * `tsremote copy [-r] SOURCE… DEST` — Copy-Item -ToSession / -FromSession: files up to one or many
 * hosts, or down from one, over PSRP, SHA-256 verified at both ends.
 *
 * Which argument is remote (`HOST:PATH`, `:PATH` with -c) is decided in the action: the rule lives
 * with the copy code (session/copy/paths.ts), which --help must not load.
 */
import { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { addConnectionOptions, readConnectionOptions, type ConnectionOptions } from './connection-options.js';
import type { VerbResult } from './main.js';

export interface CopyOptions extends ConnectionOptions {
  /** The arguments as typed: every source, then the destination. */
  sources: string[];
  destination: string;
  recurse: boolean;
  /** Upload: follow symbolic links that lead outside the source folder (refused by default). */
  followSymlinks: boolean;
  throttle: number;
  /** Raw bytes per chunk of pipeline input / output. */
  chunkSize: number | undefined;
}

async function runCopyLazy(opts: CopyOptions): Promise<number> {
  const { runCopy } = await import('./actions/copy.js');
  return runCopy(opts);
}

const EXAMPLES = `
Examples:
  tsremote copy ./app.zip 'web1:C:\\deploy\\'          upload into a directory
  tsremote copy -c web1,web2 ./app.zip ':C:\\deploy\\'  upload to every -c host (":PATH")
  tsremote copy -r ./site web1:/srv/www               a directory tree
  tsremote copy 'web1:C:\\logs\\x.log' ./              download
  tsremote copy -c @hosts.txt ':C:\\logs\\x.log' ./logs/  download from many: ./logs/HOST/x.log

A remote argument is HOST:PATH; the host ends at the FIRST colon (web1:C:\\x is host web1).
HOST:PORT:PATH gives a port, [v6]:PATH an IPv6 host. C:\\x, ./a:b and /a:b are local.`;

export function copyCommand(result: VerbResult, run: (o: CopyOptions) => Promise<number> = runCopyLazy): Command {
  const cmd = new Command('copy')
    .description('copy files to or from hosts over PowerShell remoting (Copy-Item -ToSession/-FromSession)')
    .argument('<paths...>', 'SOURCE… DEST: local paths and HOST:PATH (or :PATH with -c)')
    .option('-r, --recurse', 'copy directories and everything in them')
    .option('--follow-symlinks', 'upload: also follow symbolic links that lead outside the source folder')
    .option('--throttle <n>', 'hosts at once', '32')
    .option('--chunk-size <KiB>', 'bytes per chunk, in KiB (default 256)');
  addConnectionOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  return cmd.action(async (paths: string[], _flags: Record<string, unknown>, self: Command) => {
    const flags = self.optsWithGlobals() as Record<string, unknown>;
    if (paths.length < 2) throw new InvalidArgumentError('copy needs a source and a destination', { hint: 'tsremote copy ./file HOST:PATH, or HOST:PATH ./' });
    const throttle = Number(flags.throttle);
    if (!Number.isInteger(throttle) || throttle < 1) throw new InvalidArgumentError('--throttle must be a whole number >= 1');
    let chunkSize: number | undefined;
    if (flags.chunkSize !== undefined) {
      const kib = Number(flags.chunkSize);
      if (!Number.isInteger(kib) || kib < 1 || kib > 16384) throw new InvalidArgumentError('--chunk-size must be 1-16384 (KiB)');
      chunkSize = kib * 1024;
    }
    result.code = await run({
      ...readConnectionOptions(flags),
      sources: paths.slice(0, -1),
      destination: paths[paths.length - 1] ?? '',
      recurse: Boolean(flags.recurse),
      followSymlinks: Boolean(flags.followSymlinks),
      throttle,
      chunkSize,
    });
  });
}
