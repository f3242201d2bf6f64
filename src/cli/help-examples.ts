/**
 * The "Examples:" block of each verb's --help, kept in one map and applied by command path after
 * main.ts has registered every verb, so verbs owned by others get examples without edits to them.
 *
 * Rules the tests hold these to (test/cli/help.test.ts): every registered verb shows an
 * "Examples:" block; every example here is a bash command line whose `tsremote …` part parses
 * against the real program (verbs, flags, choices, required arguments). A path that is not
 * registered (yet) is skipped. A command that already prints its own help text after the usage
 * (`addHelpText('after', …)` in its verb file) keeps it, and this map's entry is not added twice.
 */
import type { EventEmitter } from 'node:events';
import type { Command } from 'commander';

export interface HelpExample {
  /** A full bash command line, copy-pasteable (quote Windows paths: `'web1:C:\deploy\'`). */
  command: string;
  /** What it does, shown as a `#` comment above it. */
  what: string;
}

/** Examples by command path: `invoke`, `wsman get`, `session new`. */
export const HELP_EXAMPLES: Readonly<Record<string, readonly HelpExample[]>> = {
  test: [
    { what: 'do these hosts answer WS-Management? (anonymous Identify, as Test-WSMan)', command: 'tsremote test web1 web2:5985' },
    { what: 'also check a logon (password: TSREMOTE_PASSWORD, the config file, or a prompt)', command: "tsremote test web1 -u 'CORP\\admin'" },
    { what: 'over HTTPS, trusting a private CA, as JSON', command: 'tsremote test web1.corp.example --https --ca-file corp-ca.pem --json' },
  ],
  wsman: [
    { what: "a host's Identify answer", command: 'tsremote wsman identify web1' },
    { what: 'my open shells on web1, as JSON', command: 'tsremote wsman enumerate web1 shell -u admin --https --json' },
    { what: 'one WMI instance', command: 'tsremote wsman get web1 wmicimv2/Win32_OperatingSystem -u admin --https' },
    { what: 'a WQL query', command: `tsremote wsman enumerate web1 wmicimv2/Win32_Service --filter "select * from Win32_Service where State='Running'" -u admin` },
  ],
  invoke: [
    { what: 'a PowerShell script on one host', command: "tsremote invoke -c web1 -s 'Get-Service W32Time'" },
    { what: 'on many hosts (a list and an inventory file), 64 at a time', command: "tsremote invoke -c web1,web2 -c @hosts.txt -s '$PSVersionTable.PSVersion' --throttle 64" },
    { what: 'a local script file with arguments ($args)', command: 'tsremote invoke -c web1 -f ./deploy.ps1 --args prod 3' },
    { what: 'a native command through a WinRS cmd shell', command: "tsremote invoke -c web1 --cmd 'ipconfig /all'" },
    { what: 'many hosts: stop any still running after 120 s, list the ones that did not succeed', command: "tsremote invoke -c @hosts.txt -s 'Get-Service W32Time' --retry-file failed.txt --timeout 120" },
    { what: '...then run again on just those hosts', command: "tsremote invoke -c @failed.txt -s 'Get-Service W32Time'" },
    { what: 'plain values, no [host] prefix: for scripts that parse the output', command: "tsremote invoke -c web1,web2 -s 'hostname' --hide-host --format raw" },
    { what: 'local lines as pipeline input ($input)', command: "cat names.txt | tsremote invoke -c web1 -s '$input | Measure-Object' --stdin" },
    { what: 'in a session made by `tsremote session new` (state kept between runs)', command: "tsremote invoke --session s1 -s '$x'" },
    { what: 'a lab host: config profile, Basic over HTTPS, NDJSON out', command: "tsremote invoke -c box1.lab.example --profile lab --auth basic --https -s 'hostname' --json" },
  ],
  serve: [
    { what: 'a loopback endpoint on 127.0.0.1:5985 with one user', command: 'TSREMOTE_SERVE_PASSWORD=secret tsremote serve --user me' },
    { what: 'HTTPS with a generated certificate, saved for clients', command: 'TSREMOTE_SERVE_PASSWORD=secret tsremote serve --user me --https --cert-out serve.pem' },
    { what: '...and a client trusting it', command: 'TSREMOTE_PASSWORD=secret tsremote test 127.0.0.1:5986 --https --ca-file serve.pem -u me' },
    { what: 'a fleet of 100 endpoints in one process', command: 'TSREMOTE_SERVE_PASSWORD=secret tsremote serve --user me --listen 127.0.0.1:30000-30099 --quiet' },
  ],
  clixml: [
    { what: 'an Export-Clixml file as JSON', command: 'tsremote clixml servers.xml' },
    { what: 'one JSON value per line', command: 'tsremote clixml --ndjson servers.xml' },
    { what: 'the #< CLIXML stderr of powershell.exe, readable', command: `ssh win 'powershell -c "fake"' 2>&1 | tsremote clixml --text -` },
  ],
  session: [
    { what: 'open a session on web1 and keep it for later runs', command: 'tsremote session new -c web1 -u admin --name s1' },
    { what: 'use it: state survives between processes', command: "tsremote invoke --session s1 -s '$x = 42'" },
    { what: 'recorded sessions and their state on their hosts', command: 'tsremote session list' },
    { what: 'check one: connect, report, disconnect again', command: 'tsremote session connect s1' },
    { what: 'close it on its host and forget it', command: 'tsremote session remove s1' },
    { what: 'forget every session, even on hosts that are gone', command: 'tsremote session remove --all --force' },
  ],
  enter: [
    { what: 'an interactive prompt on web1 (Enter-PSSession)', command: "tsremote enter web1 -u 'CORP\\admin'" },
    { what: 'in a recorded session', command: 'tsremote enter --session s1' },
    { what: 'on exit, keep it as session s2 for later runs (`invoke --session s2`, `enter --session s2`)', command: 'tsremote enter web1 --keep --name s2' },
  ],
  copy: [
    { what: 'upload into a directory (quote Windows paths: bash eats unquoted backslashes)', command: "tsremote copy ./app.zip 'web1:C:\\deploy\\'" },
    { what: 'upload to every -c host (":PATH")', command: "tsremote copy -c web1,web2 ./app.zip ':C:\\deploy\\'" },
    { what: 'a directory tree', command: 'tsremote copy -r ./site web1:/srv/www' },
    { what: 'download', command: "tsremote copy 'web1:C:\\logs\\x.log' ./" },
    { what: 'download from many hosts: ./logs/HOST/x.log', command: "tsremote copy -c @hosts.txt ':C:\\logs\\x.log' ./logs/" },
  ],
  enable: [
    { what: 'Linux/macOS: serve config, certificate and a user; print the systemd unit', command: 'tsremote enable --add-user me --https' },
    { what: '...and install and start it', command: 'tsremote enable --https --install' },
    { what: 'the PowerShell that enables HTTPS remoting on a Windows host', command: 'tsremote enable --script --https > enable-https.ps1' },
  ],
  completion: [
    { what: 'bash: add to ~/.bashrc', command: 'source <(tsremote completion bash)' },
    { what: 'zsh: save it on $fpath, then start a new shell', command: 'tsremote completion zsh > "${fpath[1]}/_tsremote"' },
    { what: 'PowerShell: add to $PROFILE', command: 'tsremote completion pwsh | Out-String | Invoke-Expression' },
  ],
};

/** The block as --help prints it: a `#` comment line above each command line. */
export function formatExamples(examples: readonly HelpExample[]): string {
  const lines = examples.flatMap((e) => [...(e.what ? [`  # ${e.what}`] : []), `  ${e.command}`]);
  return `\nExamples:\n${lines.join('\n')}\n`;
}

/** The command at `path` ("wsman get") under `program`, if registered. */
export function findCommand(program: Command, path: string): Command | undefined {
  let cmd: Command | undefined = program;
  for (const name of path.split(' ')) cmd = cmd?.commands.find((c) => c.name() === name || c.aliases().includes(name));
  return cmd;
}

/**
 * Adds each registered path's examples to its --help (after the options).
 * A command with its own after-help text keeps that text alone.
 */
export function applyHelpExamples(program: Command, examples: Readonly<Record<string, readonly HelpExample[]>> = HELP_EXAMPLES): void {
  for (const [path, list] of Object.entries(examples)) {
    const cmd = findCommand(program, path);
    // Commander's Command is an EventEmitter (its typings omit it); addHelpText listens on 'afterHelp'.
    if (cmd === undefined || (cmd as unknown as EventEmitter).listenerCount('afterHelp') > 0) continue;
    cmd.addHelpText('after', formatExamples(list));
  }
}
