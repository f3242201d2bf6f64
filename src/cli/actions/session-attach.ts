/**
 * Reaching a recorded session from a new process: what `session …`, `invoke --session` and
 * `enter --session` share.
 *
 * The record fixes where the runspace pool lives and as whom it was made (host, port, https, auth,
 * user, configuration name): a pool belongs to the user who created it, and any other user gets
 * the same fault as for a pool that does not exist. Everything else (CA file, certificate files,
 * timeouts, the password) comes from the flags, the config file and the environment, as for any
 * verb; credentials are looked up again on every run and never stored.
 *
 * The life of one use: attach (WS-Man Connect, MS-PSRP §3.1.4.10) → run → release (Disconnect
 * with the session's IdleTimeOut, then the record's lastUsed and command count are updated). The
 * caller releases in a `finally`, so an error or Ctrl+C does not leave the pool Connected to a
 * process that is gone (it would then refuse the next Connect on Windows until it idles out).
 */
import { TsrError } from '../../errors.js';
import { PowerShellSession, connect, isShellGone, type OpenPowerShellOptions, type WSManClient } from '../../session/index.js';
import { updateSession, type SessionRecord } from '../../session/registry.js';
import type { ConnectionOptions } from '../connection-options.js';
import { formatError } from '../print-error.js';
import { planHosts, planOf, type HostPlan } from './common.js';

/** Windows' default per-shell command quota (MaxConcurrentCommandsPerShell); we warn before it. */
export const COMMAND_QUOTA = 1000;
export const QUOTA_WARNING = 900;

/** The connection options that reach `rec`: the record's where-and-who over the flags' rest. */
export function connectionFor(rec: SessionRecord, conn: ConnectionOptions): ConnectionOptions {
  return {
    ...conn,
    hosts: [rec.host],
    settings: {
      ...conn.settings,
      https: rec.https,
      port: rec.port,
      auth: rec.auth as ConnectionOptions['settings']['auth'],
      username: rec.username ?? conn.settings.username,
      configurationName: rec.configurationName,
    },
  };
}

/** Plans the connection to a recorded session (config file, credentials). */
export async function planSession(rec: SessionRecord, conn: ConnectionOptions): Promise<HostPlan> {
  const plans = await planHosts(connectionFor(rec, conn), { credentialRequired: rec.auth !== 'certificate' });
  return planOf(plans, rec.host);
}

/** The error for a session whose pool the server no longer has, with the way out. */
export function brokenSession(rec: SessionRecord, cause?: unknown): TsrError {
  return new TsrError(
    'ETSR_PSRP_STATE',
    `session ${rec.name} is broken: the host no longer has its runspace pool ${rec.shellId} (removed, idle too long, or the server restarted)`,
    {
      host: rec.host,
      hint: `tsremote session remove ${rec.name}, then tsremote session new -c ${rec.host} --name ${rec.name}`,
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/**
 * Connects to the session's disconnected pool.
 * @throws the broken-session error when the server no longer has the pool; connection errors as they come.
 */
export async function attachSession(rec: SessionRecord, client: WSManClient, opts: OpenPowerShellOptions = {}): Promise<PowerShellSession> {
  try {
    return await PowerShellSession.reconnect(client, rec.shellId, { ...opts, configurationName: rec.configurationName });
  } catch (err) {
    if (isShellGone(err)) throw brokenSession(rec, err);
    throw err;
  }
}

/** What to do about a session whose pool could not be disconnected, for the end of its error line. */
function poolAdvice(rec: SessionRecord, err: unknown): string {
  return isShellGone(err)
    ? `(session ${rec.name} is broken; tsremote session remove ${rec.name})`
    : `(session ${rec.name} may stay connected until the host's idle timeout)`;
}

/**
 * Disconnects the pool again so the next process can connect, and records the use.
 * A failure to disconnect is printed (the pool stays Connected until the server's idle timeout),
 * never thrown: the caller's own outcome matters more.
 * @param ending the line of the error that ended the run, when the caller has not printed it: it
 *   is printed here, as the one line for the host, with the session advice appended when the
 *   disconnect fails too (most often the same error again: a session that failed cannot disconnect).
 */
export async function releaseSession(
  rec: SessionRecord,
  session: PowerShellSession,
  commandsRun: number,
  opts: { stderr?: NodeJS.WritableStream; ending?: string } = {},
): Promise<void> {
  const stderr = opts.stderr ?? process.stderr;
  let advice: string | undefined;
  let failure: unknown;
  if (session.phase === 'open') {
    await session.disconnect(rec.idleTimeoutSec).catch((err: unknown) => {
      failure = err;
      advice = poolAdvice(rec, err);
    });
  }
  const line = opts.ending ?? (advice === undefined ? undefined : formatError(failure, rec.host));
  if (line !== undefined) stderr.write(`${line}${advice === undefined ? '' : ` ${advice}`}\n`);
  let commands = rec.commands + commandsRun;
  const lastUsed = new Date().toISOString();
  await updateSession(rec.name, (r) => {
    commands = r.commands + commandsRun;
    return { ...r, lastUsed, commands };
  }).catch((err: unknown) => stderr.write(`${formatError(err)}\n`));
  if (commands >= QUOTA_WARNING) {
    stderr.write(
      `warning: session ${rec.name} has run ${commands} commands; hosts allow ${COMMAND_QUOTA} per shell. ` +
        `Recycle it: tsremote session remove ${rec.name}, then tsremote session new -c ${rec.host} --name ${rec.name}\n`,
    );
  }
}

/** A client for a planned session; close it when done. */
export function clientFor(rec: SessionRecord, plan: HostPlan): WSManClient {
  return connect(rec.host, plan.connect);
}
