/**
 * `tsremote enable` (Enable-PSRemoting): sets this machine up to receive remoting — on Windows
 * through WinRM itself, on Linux and macOS through `tsremote serve` run by systemd or launchd —
 * or, with `--script`, prints the PowerShell that does it on a Windows host.
 */
import { Command } from 'commander';
import type { VerbResult } from './main.js';

export interface EnableOptions {
  https: boolean;
  /** serve's address (Linux, macOS); undefined: 127.0.0.1:5985, or :5986 with --https. */
  listen: string | undefined;
  /** The config dir (Linux, macOS); undefined: by scope, see src/enable/layout.ts. */
  dir: string | undefined;
  install: boolean;
  /** Add or update this user in serve's users file. */
  addUser: string | undefined;
  /** False with --no-ntlm: store no NT hash (the user can only use Basic over HTTPS). */
  ntlm: boolean;
  passwordStdin: boolean;
  script: boolean;
  localAccountTokenFilter: boolean;
  debug: boolean;
}

async function runEnableLazy(opts: EnableOptions): Promise<number> {
  const { runEnable } = await import('./actions/enable.js');
  return runEnable(opts);
}

export function enableCommand(result: VerbResult, run: (o: EnableOptions) => Promise<number> = runEnableLazy): Command {
  return new Command('enable')
    .description('set this machine up to receive remoting (Enable-PSRemoting); --script prints it for a Windows host')
    .option('--https', 'HTTPS with a self-signed certificate (Windows: an HTTPS listener on 5986 and its firewall rule)')
    .option('--listen <addr>', "serve's HOST:PORT on Linux/macOS (default 127.0.0.1:5985, or :5986 with --https)")
    .option('--dir <dir>', "serve's config folder on Linux/macOS (default ~/.config/tsremote/serve, /etc/tsremote/serve as root)")
    .option('--install', 'write the systemd unit / launchd plist and start it (default: print it and the commands)')
    .option('--add-user <name>', "add or update a user of serve's users file (password: TSREMOTE_PASSWORD, --password-stdin or a prompt)")
    .option('--no-ntlm', 'with --add-user: store no NT hash, so the user can log on with Basic over HTTPS only')
    .option('--password-stdin', 'read the --add-user password from the first line of stdin')
    .option('--script', 'print the PowerShell script that enables remoting on a Windows host, and do nothing else')
    .option('--local-account-token-filter', 'Windows: set LocalAccountTokenFilterPolicy=1 so local administrator accounts may connect')
    .option('--debug', 'print stack traces')
    .addHelpText(
      'after',
      `
Examples:
  tsremote enable --add-user me --https                 # Linux/macOS: files + print the systemd unit
  tsremote enable --https --install                     # ... and install and start it, then test it
  tsremote enable --add-user ops --password-stdin < pw  # add a user (restart serve to pick it up)
  tsremote enable --script --https > enable-https.ps1   # for GPO, cloud-init or an SSH session
  tsremote enable --https                               # on Windows: Enable-PSRemoting + HTTPS listener`,
    )
    .action(async (flags: Record<string, unknown>, self: Command) => {
      const { InvalidArgumentError } = await import('../errors.js');
      const script = Boolean(flags.script);
      if (script) {
        const clash = ['install', 'addUser', 'dir', 'listen'].filter((k) => flags[k] !== undefined);
        if (clash.length > 0) throw new InvalidArgumentError('--script only prints the Windows script', { hint: `drop ${clash.map(flagName).join(', ')}` });
      }
      if (flags.ntlm === false && flags.addUser === undefined) throw new InvalidArgumentError('--no-ntlm goes with --add-user NAME');
      if (flags.passwordStdin && flags.addUser === undefined) throw new InvalidArgumentError('--password-stdin goes with --add-user NAME');
      result.code = await run({
        https: Boolean(flags.https),
        listen: flags.listen as string | undefined,
        dir: flags.dir as string | undefined,
        install: Boolean(flags.install),
        addUser: flags.addUser as string | undefined,
        ntlm: flags.ntlm !== false,
        passwordStdin: Boolean(flags.passwordStdin),
        script,
        localAccountTokenFilter: Boolean(flags.localAccountTokenFilter),
        debug: Boolean(self.optsWithGlobals().debug),
      });
    });
}

const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
