/**
 * `copy`: decides the direction and the hosts from the arguments, then per host (fanned out,
 * throttled) opens a runspace pool, copies with session/copy, and closes it. Records go to stdout
 * with --json; a progress line goes to stderr on a TTY (never with --json); each failing host gets
 * one error line. Exit 0 when every file arrived, 1 when a copy failed, 2 when a host was unreachable.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { fanout } from '../../fanout/index.js';
import { PowerShellSession, connect, type WSManClient } from '../../session/index.js';
import { download, hostFolderName, parseCopyLocation, upload, type CopyLocation, type CopyRecord } from '../../session/copy/index.js';
import { exitCodeForHosts } from '../exit-codes.js';
import { formatError } from '../print-error.js';
import type { CopyOptions } from '../copy.js';
import { interruptible, isUnreachable, planHosts, planOf } from './common.js';

type Status = 'ok' | 'failed' | 'unreachable' | 'interrupted';

interface Plan {
  direction: 'up' | 'down';
  hosts: string[];
  locals: string[];
  remote: string;
}

/** Which way, to which hosts. @throws InvalidArgumentError for a mix that cannot be copied. */
export function planCopy(opts: Pick<CopyOptions, 'sources' | 'destination' | 'hosts'>): Plan {
  const sources = opts.sources.map(parseCopyLocation);
  const dest = parseCopyLocation(opts.destination);
  const remoteSources = sources.filter((s): s is Extract<CopyLocation, { kind: 'remote' }> => s.kind === 'remote');
  const hostsFor = (host: string): string[] => {
    if (host !== '' && opts.hosts.length > 0) throw new InvalidArgumentError('give the host either in HOST:PATH or with -c (then write :PATH), not both');
    if (host === '' && opts.hosts.length === 0) throw new InvalidArgumentError(':PATH needs hosts from -c', { hint: 'tsremote copy -c web1,web2 ./file :C:\\dest\\' });
    return host === '' ? opts.hosts : [host];
  };
  if (dest.kind === 'remote') {
    if (remoteSources.length > 0) throw new InvalidArgumentError('copy between two remote hosts is not supported', { hint: 'copy down to this machine, then up' });
    return { direction: 'up', hosts: hostsFor(dest.host), locals: sources.map((s) => s.path), remote: dest.path };
  }
  const only = remoteSources[0];
  if (!only) throw new InvalidArgumentError('nothing remote: write the remote side as HOST:PATH', { hint: 'for example web1:C:\\logs\\x.log' });
  if (sources.length !== 1) throw new InvalidArgumentError('download one remote path at a time (use -r for a directory)');
  const hosts = hostsFor(only.host);
  return { direction: 'down', hosts, locals: [dest.path], remote: only.path };
}

/** A progress line on stderr, redrawn at most 10 times a second. */
class ProgressLine {
  readonly #out: NodeJS.WriteStream;
  readonly #started = performance.now();
  #done = 0;
  #total = 0;
  #last = 0;
  #shown = false;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  add(total: number): void {
    this.#total += total;
  }

  advance(delta: number, label: string): void {
    this.#done += delta;
    const now = performance.now();
    if (now - this.#last < 100 && this.#done < this.#total) return;
    this.#last = now;
    const pct = this.#total > 0 ? Math.min(100, Math.floor((this.#done / this.#total) * 100)) : 100;
    const width = 24;
    const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, ' ');
    const mbps = this.#done / 1e6 / Math.max(0.001, (now - this.#started) / 1000);
    const cols = this.#out.columns || 80;
    const text = `${label} [${bar}] ${String(pct).padStart(3)}% ${mbps.toFixed(1)} MB/s`;
    this.#out.write(`\r\x1b[2K${text.length > cols - 1 ? text.slice(text.length - cols + 1) : text}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.#out.write('\r\x1b[2K');
    this.#shown = false;
  }
}

export async function runCopy(opts: CopyOptions): Promise<number> {
  const plan = planCopy(opts);
  if (plan.direction === 'up') {
    // Local mistakes are usage errors, found before any host is contacted.
    for (const source of plan.locals) {
      const st = await stat(source).catch(() => null);
      if (!st) throw new InvalidArgumentError(`cannot copy '${source}': no such file or directory`);
      if (st.isDirectory() && !opts.recurse) throw new InvalidArgumentError(`'${source}' is a directory`, { hint: 'add -r to copy directories' });
    }
  }
  const plans = await planHosts({ ...opts, hosts: plan.hosts }, { credentialRequired: true });
  const multi = plan.hosts.length > 1;
  const progress = process.stderr.isTTY && !opts.json ? new ProgressLine(process.stderr) : undefined;
  const interrupt = interruptible('stopping the copy and removing partial files');
  const printRecord = (r: CopyRecord): void => {
    if (opts.json) process.stdout.write(`${JSON.stringify({ ...r, seconds: Math.round(r.seconds * 1000) / 1000 })}\n`);
  };
  const errorLine = (line: string): void => {
    progress?.clear();
    process.stderr.write(`${line}\n`);
  };

  const runOne = async (host: string): Promise<Status> => {
    let client: WSManClient | undefined;
    let session: PowerShellSession | undefined;
    try {
      const hostPlan = planOf(plans, host);
      client = connect(host, hostPlan.connect);
      session = await PowerShellSession.open(client, { configurationName: hostPlan.settings.configurationName, signal: interrupt.signal });
      let moved = 0;
      const events = {
        recurse: opts.recurse,
        followSymlinks: opts.followSymlinks,
        signal: interrupt.signal,
        ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
        onFile: (_name: string, bytes: number) => {
          moved = 0;
          progress?.add(bytes);
        },
        onProgress: (bytes: number) => {
          progress?.advance(bytes - moved, multi ? `${plan.hosts.length} hosts` : host);
          moved = bytes;
        },
        onRecord: printRecord,
      };
      if (plan.direction === 'up') {
        await upload(session, plan.locals, plan.remote, events);
      } else {
        // From many hosts, each host's copy goes into its own folder: DEST/HOST/….
        let local = plan.locals[0] ?? '.';
        if (multi) {
          local = path.join(local, hostFolderName(host));
          await mkdir(local, { recursive: true });
          local += path.sep;
        }
        await download(session, plan.remote, local, events);
      }
      return 'ok';
    } catch (err) {
      if (interrupt.interrupted()) {
        errorLine(`${host}: interrupted`);
        return 'interrupted';
      }
      errorLine(formatError(err, host));
      if (opts.json) process.stdout.write(`${JSON.stringify({ host, error: formatError(err, host) })}\n`);
      return !session && isUnreachable(err) ? 'unreachable' : 'failed';
    } finally {
      await session?.close().catch(() => undefined);
      await client?.close();
    }
  };

  try {
    const outcomes = await fanout(plan.hosts, runOne, { throttle: opts.throttle });
    progress?.clear();
    if (interrupt.interrupted()) return interrupt.exitCode();
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw failed.error;
    return exitCodeForHosts(outcomes.map((o) => (o.ok ? o.value : 'failed')));
  } finally {
    interrupt.dispose();
  }
}
