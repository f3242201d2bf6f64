/**
 * `invoke --session NAME -s …`: the PSRP invoke run inside a recorded session instead of a pool of
 * its own. invoke-ps.ts asks this file for the host and settings, for how to get the pool
 * (Connect instead of Create) and for how to let go of it (Disconnect instead of Delete).
 */
import { InvalidArgumentError } from '../../errors.js';
import type { OpenPowerShellOptions, PowerShellSession, WSManClient } from '../../session/index.js';
import { findSession } from '../../session/registry.js';
import type { InvokeOptions } from '../invoke.js';
import { attachSession, connectionFor, releaseSession } from './session-attach.js';

export interface RecordedSession {
  /** The invoke options aimed at the session's host, with its recorded settings. */
  opts: InvokeOptions;
  /** Connects to the disconnected pool (in place of PowerShellSession.open). */
  open: (client: WSManClient, o: OpenPowerShellOptions) => Promise<PowerShellSession>;
  /**
   * Disconnects it again and records the run (in place of close). Never throws. `ending`: the
   * host's error line, not printed yet; release prints it as one line with any session advice.
   */
  release: (session: PowerShellSession, ending?: string) => Promise<void>;
}

/**
 * Loads the session named by `opts.session`.
 * @throws InvalidArgumentError when there is no such session or it cannot take this invoke.
 */
export async function recordedSession(opts: InvokeOptions & { session?: string | undefined }): Promise<RecordedSession> {
  const name = opts.session as string;
  if (opts.hosts.length > 0) throw new InvalidArgumentError('--session already names the host: drop -c');
  const rec = await findSession(name);
  const conn = connectionFor(rec, opts);
  return {
    opts: { ...opts, hosts: conn.hosts, settings: conn.settings },
    open: (client, o) => attachSession(rec, client, o),
    release: (session, ending) => releaseSession(rec, session, 1, ending === undefined ? {} : { ending }),
  };
}
