/**
 * `tsremote enter`: get a runspace pool (open a new one on HOST, or connect to a recorded
 * session), run the REPL in it (src/repl), and let go of it the way the user asked:
 *
 *  - `enter HOST`: close the pool and delete the shell on exit, as Exit-PSSession does for a
 *    session Enter-PSSession made itself;
 *  - `enter HOST --keep [--name N]`: disconnect the pool and record it (`session new` does the same
 *    at once), so `enter --session N` or `invoke --session N` can carry on where this one stopped;
 *  - `enter --session NAME`: connect to the recorded pool and disconnect it again on exit.
 *
 * While the prompt is idle, a keep-alive goes every --keepalive seconds (default 240) so the
 * server's IdleTimeout does not delete the pool under a long session.
 *
 * A session that dies under the REPL (transport failure, pool gone) prints one line, exit 2.
 */
import { InvalidArgumentError } from '../../errors.js';
import { consoleHostInfo } from '../../psrp/client/index.js';
import { History, historyPath } from '../../repl/history.js';
import { LineEditor } from '../../repl/line-editor.js';
import { Repl, type ReplEnd } from '../../repl/repl.js';
import { PowerShellSession, connect, deleteShell, type OpenPowerShellOptions, type WSManClient } from '../../session/index.js';
import { addSession, checkSessionName, defaultSessionName, findSession, loadRegistry, type SessionRecord } from '../../session/registry.js';
import { consoleHost } from '../console-host.js';
import type { EnterOptions } from '../enter.js';
import { ExitCode } from '../exit-codes.js';
import { formatError } from '../print-error.js';
import { hostNameOf, interruptible, planHosts, planOf, type HostPlan } from './common.js';
import { attachSession, connectionFor, releaseSession } from './session-attach.js';

/** What `--keep` asks the host to keep the disconnected pool for (Windows' default IdleTimeout). */
const KEEP_IDLE_TIMEOUT_SEC = 7200;

/** The name `--keep` will record, checked before anything is opened. */
async function keepName(opts: EnterOptions, host: string): Promise<string> {
  const taken = (await loadRegistry()).map((r) => r.name);
  const name = opts.name ?? defaultSessionName(host, taken);
  checkSessionName(name);
  if (taken.some((t) => t.toLowerCase() === name.toLowerCase())) {
    throw new InvalidArgumentError(`a session named ${name} already exists`, {
      hint: `pick another --name, or enter it: tsremote enter --session ${name}`,
    });
  }
  return name;
}

/** Disconnects the pool and records it under `name`; a pool that cannot be recorded is deleted. */
async function keepSession(name: string, host: string, plan: HostPlan, session: PowerShellSession, client: WSManClient, commands: number): Promise<void> {
  await session.disconnect(KEEP_IDLE_TIMEOUT_SEC);
  const now = new Date().toISOString();
  const s = plan.settings;
  const rec: SessionRecord = {
    name,
    host,
    https: s.https,
    auth: s.auth,
    shellId: session.shellId,
    created: now,
    lastUsed: now,
    commands,
    idleTimeoutSec: KEEP_IDLE_TIMEOUT_SEC,
    ...(s.port === undefined ? {} : { port: s.port }),
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.configurationName === undefined ? {} : { configurationName: s.configurationName }),
  };
  try {
    await addSession(rec);
  } catch (err) {
    await deleteShell(client, rec.shellId, { configurationName: rec.configurationName }).catch(() => undefined);
    throw err;
  }
  process.stderr.write(`session ${name} kept (disconnected); continue with: tsremote enter --session ${name}\n`);
}

export async function runEnter(opts: EnterOptions): Promise<number> {
  const recorded = opts.session === undefined ? undefined : await findSession(opts.session);
  const conn = recorded ? connectionFor(recorded, opts) : opts;
  const host = conn.hosts[0] as string;
  const name = opts.keep ? await keepName(opts, host) : undefined;
  const plan = planOf(await planHosts(conn, { credentialRequired: true }), host);
  const stdout = process.stdout;
  const columns = stdout.columns || 120;
  const rows = stdout.rows || 30;

  const client = connect(host, plan.connect);
  const opening = interruptible('giving up on the connection');
  let session: PowerShellSession;
  try {
    const openOpts: OpenPowerShellOptions = {
      configurationName: plan.settings.configurationName,
      hostInfo: consoleHostInfo({ windowSize: { width: columns, height: rows } }),
      // Read-Host, Get-Credential and PromptForChoice are answered here, at the terminal.
      hostHandler: consoleHost({ stdin: process.stdin, prompt: stdout, columns, rows }),
      signal: opening.signal,
      ...(opts.keep ? { idleTimeoutSec: KEEP_IDLE_TIMEOUT_SEC } : {}),
    };
    session = recorded ? await attachSession(recorded, client, openOpts) : await PowerShellSession.open(client, openOpts);
  } catch (err) {
    await client.close();
    throw err;
  } finally {
    opening.dispose();
  }

  const history = await History.load(historyPath());
  let repl: Repl | undefined;
  const editor = new LineEditor({
    input: process.stdin,
    output: stdout,
    history: () => history.recent(),
    complete: (script, cursor) => repl?.complete(script, cursor) ?? Promise.resolve(null),
  });
  repl = new Repl({
    session,
    hostName: hostNameOf(host),
    editor,
    // Piped input is a script, not typing: like a non-interactive shell, it is not saved.
    ...(editor.terminal ? { history } : {}),
    terminal: {
      isTTY: Boolean(stdout.isTTY),
      // Read for each command: tables follow a resized window.
      get columns() {
        return stdout.columns || 120;
      },
      color: Boolean(stdout.isTTY) && !process.env.NO_COLOR,
      write: (text) => void stdout.write(text),
    },
    notes: (line) => void process.stderr.write(`${line}\n`),
    keepAliveMs: opts.keepAliveSec * 1000,
  });

  let end: ReplEnd;
  try {
    end = await repl.run();
  } finally {
    editor.close();
  }
  try {
    if (end.reason === 'lost') {
      process.stderr.write(`${formatError(end.error, host)} (the session is lost)\n`);
      await session.close(2_000).catch(() => undefined);
      return ExitCode.Unreachable;
    }
    if (recorded) await releaseSession(recorded, session, repl.pipelines);
    else if (name !== undefined) await keepSession(name, host, plan, session, client, repl.pipelines);
    else {
      await session.close().catch((err: unknown) => {
        process.stderr.write(`${formatError(err, host)} (runspace pool ${session.shellId} may still be open)\n`);
      });
    }
    return end.reason === 'terminated' ? ExitCode.Interrupted : ExitCode.Ok;
  } finally {
    await client.close();
  }
}
