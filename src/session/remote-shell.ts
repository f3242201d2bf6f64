/**
 * Looking at and deleting a runspace pool's shell without attaching to it: what `session list`
 * and `session remove` need for a pool another process disconnected.
 *
 * A Get of the shell collection with the ShellId selector (Get-WSManInstance, pypsrp's is_alive:
 * test_psrp_is_alive_*.yml) answers rsp:State — Connected or Disconnected — and a shell the server
 * no longer has gives w:InvalidSelectors. A Delete of a disconnected shell needs no Connect first
 * (WSManDeleteShell addresses it by ShellId, as Remove-PSSession does for a session Get-PSSession
 * found on the server).
 */
import { configurationResourceUri, psrpDelete, readShellState, shellGet } from '../psrp/wsman/index.js';
import { WSManFault } from '../wsman/index.js';
import type { WSManClient } from './wsman-client.js';

/** The shell's rsp:State ('Connected', 'Disconnected' …), or 'NotFound' when the server has no such shell. */
export type RemoteShellState = string;

/** True for the fault a server gives for a ShellId it does not have (any more). */
export function isShellGone(err: unknown): boolean {
  return err instanceof WSManFault && err.subcode === 'InvalidSelectors';
}

/**
 * Asks the server for the state of one shell.
 * @param operationTimeoutSec a short OperationTimeout for the probe (pypsrp uses 5 s).
 * @returns rsp:State, '' when the server does not say, 'NotFound' when the shell is gone.
 * @throws transport errors (host unreachable, logon rejected) and faults other than InvalidSelectors.
 */
export async function queryShellState(client: WSManClient, shellId: string, opts: { signal?: AbortSignal; operationTimeoutSec?: number } = {}): Promise<RemoteShellState> {
  const ctx = opts.operationTimeoutSec === undefined ? client.context : { ...client.context, operationTimeoutSec: opts.operationTimeoutSec };
  try {
    const resp = await client.send(shellGet(ctx, shellId), { idempotent: true, ...(opts.signal ? { signal: opts.signal } : {}) });
    return readShellState(resp);
  } catch (err) {
    if (isShellGone(err)) return 'NotFound';
    throw err;
  }
}

/**
 * Deletes a runspace pool's shell (WS-Man Delete), connected or not.
 * @returns false when the server no longer had it.
 * @throws transport errors and faults other than InvalidSelectors.
 */
export async function deleteShell(client: WSManClient, shellId: string, opts: { configurationName?: string | undefined; signal?: AbortSignal } = {}): Promise<boolean> {
  const built = psrpDelete(client.context, configurationResourceUri(opts.configurationName), shellId);
  try {
    await client.send(built, { idempotent: true, retransmit: 'delete', ...(opts.signal ? { signal: opts.signal } : {}) });
    return true;
  } catch (err) {
    if (isShellGone(err)) return false;
    throw err;
  }
}
