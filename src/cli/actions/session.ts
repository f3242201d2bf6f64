/**
 * `tsremote session new|list|remove|disconnect|connect`: New/Get/Remove/Disconnect/Connect-PSSession
 * for sessions that outlive the process that made them.
 *
 * A session is a runspace pool left Disconnected on its host (MS-PSRP §3.1.4.9) plus a line in the
 * local registry (src/session/registry.ts). `new` opens the pool and disconnects it at once, since
 * this process is about to exit; every later use connects, works and disconnects again
 * (session-attach.ts). `list` asks each host for its pool's rsp:State without attaching to it.
 */
import { InvalidArgumentError, TsrError } from '../../errors.js';
import { PowerShellSession, connect, deleteShell, queryShellState, type WSManClient } from '../../session/index.js';
import { addSession, defaultSessionName, findSession, loadRegistry, removeSession, checkSessionName, type SessionRecord } from '../../session/registry.js';
import { ExitCode, isUnreachable } from '../exit-codes.js';
import { formatError } from '../print-error.js';
import type { SessionNewOptions, SessionTargetOptions } from '../session.js';
import { interruptible, planHosts, planOf } from './common.js';
import { attachSession, brokenSession, clientFor, planSession, releaseSession } from './session-attach.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** `session new`: open a pool, disconnect it, record it. */
export async function runSessionNew(opts: SessionNewOptions): Promise<number> {
  const host = opts.hosts[0] as string;
  const taken = (await loadRegistry()).map((r) => r.name);
  const name = opts.name ?? defaultSessionName(host, taken);
  checkSessionName(name);
  if (taken.some((t) => t.toLowerCase() === name.toLowerCase())) {
    throw new InvalidArgumentError(`a session named ${name} already exists`, {
      hint: `pick another --name, or tsremote session remove ${name}`,
    });
  }
  const plan = planOf(await planHosts(opts, { credentialRequired: true }), host);
  const interrupt = interruptible('disconnecting the new runspace pool');
  const client = connect(host, plan.connect);
  let session: PowerShellSession | undefined;
  try {
    session = await PowerShellSession.open(client, {
      configurationName: plan.settings.configurationName,
      idleTimeoutSec: opts.idleTimeoutSec,
      signal: interrupt.signal,
    });
    await session.disconnect(opts.idleTimeoutSec);
    const now = new Date().toISOString();
    const rec: SessionRecord = {
      name,
      host,
      https: plan.settings.https,
      auth: plan.settings.auth,
      shellId: session.shellId,
      created: now,
      lastUsed: now,
      commands: 0,
      idleTimeoutSec: opts.idleTimeoutSec,
      ...(plan.settings.port === undefined ? {} : { port: plan.settings.port }),
      ...(plan.settings.username === undefined ? {} : { username: plan.settings.username }),
      ...(plan.settings.configurationName === undefined ? {} : { configurationName: plan.settings.configurationName }),
    };
    try {
      await addSession(rec);
    } catch (e) {
      // Not recorded means nobody could ever reach it again: do not leave it behind.
      await deleteShell(client, rec.shellId, { configurationName: rec.configurationName }).catch(() => undefined);
      throw e;
    }
    if (opts.json) out(JSON.stringify({ ...rec, state: 'Disconnected' }));
    else out(`session ${name}: runspace pool ${rec.shellId} on ${host}, disconnected (kept ${opts.idleTimeoutSec} s when idle)`);
    return ExitCode.Ok;
  } catch (e) {
    // Opened but not disconnected and recorded: close it rather than leave an orphan.
    if (session !== undefined && session.phase === 'open') await session.close().catch(() => undefined);
    throw e;
  } finally {
    interrupt.dispose();
    await client.close();
  }
}

/** What `session list` found out about one session. */
interface Listed {
  record: SessionRecord;
  /** Disconnected, Connected, Broken, or unknown. */
  state: string;
  detail?: string;
}

async function probe(rec: SessionRecord, opts: SessionTargetOptions): Promise<Listed> {
  let client: WSManClient | undefined;
  try {
    const plan = await planSession(rec, opts);
    client = clientFor(rec, plan);
    const state = await queryShellState(client, rec.shellId, { operationTimeoutSec: 5 });
    if (state === 'NotFound') return { record: rec, state: 'Broken', detail: 'gone from the host' };
    return { record: rec, state: state || 'Opened' };
  } catch (e) {
    const code = e instanceof TsrError ? e.code : '';
    if (code === 'ETSR_CREDENTIALS') return { record: rec, state: 'unknown', detail: 'no credentials' };
    if (code.startsWith('ETSR_AUTH')) return { record: rec, state: 'unknown', detail: 'logon failed' };
    if (isUnreachable(e)) return { record: rec, state: 'unknown', detail: 'host unreachable' };
    return { record: rec, state: 'unknown', detail: e instanceof Error ? e.message : String(e) };
  } finally {
    await client?.close();
  }
}

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** `session list`: the registry, with each pool's state on its host unless --offline. */
export async function runSessionList(opts: SessionTargetOptions): Promise<number> {
  const records = await loadRegistry();
  const listed: Listed[] = opts.offline
    ? records.map((record) => ({ record, state: 'not checked' }))
    : await Promise.all(records.map((r) => probe(r, opts)));
  if (opts.json) {
    out(JSON.stringify(listed.map((l) => ({ ...l.record, state: l.state, ...(l.detail === undefined ? {} : { detail: l.detail }) }))));
    return ExitCode.Ok;
  }
  if (listed.length === 0) {
    out('no sessions (create one with: tsremote session new -c HOST)');
    return ExitCode.Ok;
  }
  const now = Date.now();
  const rows = [
    ['NAME', 'HOST', 'USER', 'STATE', 'COMMANDS', 'LAST USED'],
    ...listed.map((l) => [
      l.record.name,
      l.record.host,
      l.record.username ?? '-',
      l.detail === undefined ? l.state : `${l.state} (${l.detail})`,
      String(l.record.commands),
      ago(l.record.lastUsed, now),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  return ExitCode.Ok;
}

async function targets(opts: SessionTargetOptions): Promise<SessionRecord[]> {
  if (opts.all) return loadRegistry();
  return Promise.all(opts.names.map((n) => findSession(n)));
}

/** `session remove NAME…|--all`: delete each pool on its host, then drop its record. */
export async function runSessionRemove(opts: SessionTargetOptions): Promise<number> {
  const records = await targets(opts);
  let code: number = ExitCode.Ok;
  for (const rec of records) {
    let client: WSManClient | undefined;
    try {
      const plan = await planSession(rec, opts);
      client = clientFor(rec, plan);
      const existed = await deleteShell(client, rec.shellId, { configurationName: rec.configurationName });
      await removeSession(rec.name);
      out(existed ? `removed session ${rec.name} (runspace pool deleted on ${rec.host})` : `removed session ${rec.name} (its runspace pool was already gone from ${rec.host})`);
    } catch (e) {
      if (opts.force) {
        await removeSession(rec.name);
        err(`${formatError(e, rec.host)}`);
        out(`removed session ${rec.name} from the registry only (--force); its runspace pool may live on ${rec.host} until its idle timeout`);
        continue;
      }
      err(`${formatError(e, rec.host)} (session ${rec.name} kept; --force drops the record anyway)`);
      code = isUnreachable(e) ? ExitCode.Unreachable : ExitCode.Failure;
    } finally {
      await client?.close();
    }
  }
  if (records.length === 0 && opts.all) out('no sessions');
  return code;
}

/**
 * `session connect NAME` (check and repair: connect, report, disconnect again) and
 * `session disconnect NAME` (disconnect a pool a dead process left Connected).
 */
export async function runSessionAttach(opts: SessionTargetOptions, verb: 'connect' | 'disconnect'): Promise<number> {
  let code: number = ExitCode.Ok;
  for (const rec of await targets(opts)) {
    let client: WSManClient | undefined;
    const interrupt = interruptible(`disconnecting session ${rec.name}`);
    try {
      const plan = await planSession(rec, opts);
      client = clientFor(rec, plan);
      if (verb === 'disconnect') {
        const state = await queryShellState(client, rec.shellId, { operationTimeoutSec: 5 });
        if (state === 'NotFound') throw brokenSession(rec);
        if (state === 'Disconnected') {
          out(`session ${rec.name} is already disconnected`);
          continue;
        }
      }
      const session = await attachSession(rec, client, { signal: interrupt.signal });
      await releaseSession(rec, session, 0);
      out(
        verb === 'connect'
          ? `session ${rec.name}: connected to ${rec.host} (runspace pool ${rec.shellId}, protocol ${session.pool.protocolVersion ?? '?'}), then disconnected again for the next run`
          : `session ${rec.name} disconnected`,
      );
    } catch (e) {
      err(formatError(e, rec.host));
      if (interrupt.interrupted()) return interrupt.exitCode();
      code = e instanceof TsrError && e.code === 'ETSR_ABORTED' ? ExitCode.Interrupted : isUnreachable(e) ? ExitCode.Unreachable : ExitCode.Failure;
    } finally {
      interrupt.dispose();
      await client?.close();
    }
  }
  return code;
}
