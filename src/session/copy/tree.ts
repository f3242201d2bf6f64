/**
 * Copying what the user named — files, and directories with `recurse` — as a series of single-file
 * transfers (transfer.ts). Where a copy lands follows `cp`:
 *
 * - a file into a destination that ends with a separator or is an existing directory lands under
 *   its own name; otherwise the destination is the new file's path;
 * - a directory (`-r`) into an existing directory lands under its own name; otherwise the
 *   destination becomes the copy. Directories are created first (one pipeline for all of them on
 *   upload), then each file is copied, in order.
 */
import { lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, TsrError } from '../../errors.js';
import { PSObject, type PSValue } from '../../psrp/index.js';
import { baseName, endsWithSeparator, isInside, joinRemote, safeEntryName, safeRelativeParts } from './paths.js';
import { LIST_SCRIPT, MKDIR_SCRIPT } from './scripts.js';
import { downloadFile, runChecked, uploadFile, type CopyRecord, type CopySession, type TransferOptions } from './transfer.js';

/** Total bytes of a copy, known before it starts (for the progress bar). */
export interface CopyPlanEvents {
  /** A file is about to be copied: its name and size. */
  onFile?: (name: string, bytes: number) => void;
  /** The bytes of the current file moved so far. */
  onProgress?: (bytes: number) => void;
  /** A file was copied. */
  onRecord?: (record: CopyRecord) => void;
}

export interface CopyTreeOptions extends Omit<TransferOptions, 'onProgress'>, CopyPlanEvents {
  recurse: boolean;
  /** Upload: follow symbolic links that lead outside the source folder too (default: refuse them). */
  followSymlinks?: boolean;
}

interface LocalEntry {
  rel: string;
  full: string;
  dir: boolean;
  size: number;
}

/**
 * A local directory's entries, relative '/'-separated paths, parents before children.
 *
 * Symbolic links are followed only while they stay inside the source tree (checked on their real
 * paths): a link to `/etc` or `~/.ssh` in a tree being uploaded is far more often an accident, or
 * a trap laid by whoever wrote the tree, than a wish to publish that folder. `followSymlinks`
 * lifts the rule. A link back to a folder above it (a loop) and a dangling link are errors.
 */
async function walkLocal(root: string, followSymlinks: boolean): Promise<LocalEntry[]> {
  const realRoot = await realpath(root);
  const out: LocalEntry[] = [];
  const walk = async (rel: string, ancestors: readonly string[]): Promise<void> => {
    const names = (await readdir(path.join(root, rel))).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const full = path.join(root, r);
      let st = await lstat(full);
      let real = full;
      if (st.isSymbolicLink()) {
        real = await realpath(full).catch(() => '');
        if (real === '') throw new InvalidArgumentError(`cannot copy '${full}': a symbolic link whose target does not exist`);
        if (!followSymlinks && !isInside(realRoot, real)) {
          throw new InvalidArgumentError(`refusing to upload '${full}': a symbolic link to '${real}', outside the folder being copied`, {
            hint: 'copy that target explicitly, or remove the link',
          });
        }
        st = await stat(real);
      }
      if (st.isDirectory()) {
        const realDir = real !== full ? real : await realpath(full);
        if (ancestors.includes(realDir)) throw new InvalidArgumentError(`cannot copy '${full}': a symbolic link loop (it leads back to '${realDir}')`);
        out.push({ rel: r, full, dir: true, size: 0 });
        await walk(r, [...ancestors, realDir]);
      } else {
        out.push({ rel: r, full, dir: false, size: st.size });
      }
    }
  };
  await walk('', [realRoot]);
  return out;
}

async function remoteIsDirectory(session: CopySession, remote: string, signal?: AbortSignal): Promise<boolean> {
  const out = await runChecked(session, '$p = [IO.Path]::Combine((Get-Location).Path, [string]$args[0]); Test-Path -LiteralPath $p -PathType Container', {
    args: [remote],
    ...(signal ? { signal } : {}),
  });
  return out[0] === true;
}

/**
 * Uploads each of `sources` to `remote`.
 * @throws InvalidArgumentError for a missing source or a directory without `recurse`;
 *   TsrError from the transfers.
 */
export async function upload(session: CopySession, sources: string[], remote: string, opts: CopyTreeOptions): Promise<CopyRecord[]> {
  const records: CopyRecord[] = [];
  const signal = opts.signal;
  for (const source of sources) {
    const st = await stat(source).catch(() => null);
    if (!st) throw new InvalidArgumentError(`cannot copy '${source}': no such file or directory`);
    if (!st.isDirectory()) {
      const into = sources.length > 1 && !endsWithSeparator(remote) ? `${remote}${remote.includes('\\') ? '\\' : '/'}` : remote;
      opts.onFile?.(source, st.size);
      const record = await uploadFile(session, source, into, opts);
      opts.onRecord?.(record);
      records.push(record);
      continue;
    }
    if (!opts.recurse) throw new InvalidArgumentError(`'${source}' is a directory`, { hint: 'add -r to copy directories' });
    const root = (await remoteIsDirectory(session, remote, signal)) ? joinRemote(remote, baseName(path.resolve(source))) : remote;
    const entries = await walkLocal(source, opts.followSymlinks === true);
    await runChecked(session, MKDIR_SCRIPT, { args: [root, ...entries.filter((e) => e.dir).map((e) => e.rel)], ...(signal ? { signal } : {}) });
    for (const e of entries.filter((x) => !x.dir)) {
      opts.onFile?.(e.full, e.size);
      const record = await uploadFile(session, e.full, joinRemote(root, e.rel), opts);
      opts.onRecord?.(record);
      records.push(record);
    }
  }
  return records;
}

interface RemoteEntry {
  rel: string;
  dir: boolean;
  length: number;
  fullName: string;
}

function entryOf(v: PSValue): RemoteEntry {
  const get = (k: string): PSValue | undefined => (v instanceof PSObject ? v.get(k) : undefined);
  const len = get('Length');
  return {
    rel: String(get('Rel') ?? ''),
    dir: get('Dir') === true,
    length: typeof len === 'number' ? len : len !== null && typeof len === 'object' && 'value' in len ? Number(len.value) : 0,
    fullName: String(get('FullName') ?? ''),
  };
}

/**
 * Downloads `remote` (a file, or a directory with `recurse`) to `local`.
 * @throws TsrError ETSR_COPY_FAILED for a missing remote path, InvalidArgumentError for a
 *   directory without `recurse`.
 */
export async function download(session: CopySession, remote: string, local: string, opts: CopyTreeOptions): Promise<CopyRecord[]> {
  const signal = opts.signal;
  const listed = (await runChecked(session, LIST_SCRIPT, { args: [remote], ...(signal ? { signal } : {}) })).map(entryOf);
  const top = listed[0];
  if (!top) throw new TsrError('ETSR_COPY_FAILED', `'${remote}' could not be listed`, { host: session.host });
  const localSt = await stat(local).catch(() => null);
  const intoDir = localSt?.isDirectory() === true || endsWithSeparator(local);
  const records: CopyRecord[] = [];
  const one = async (src: string, dest: string, size: number): Promise<void> => {
    opts.onFile?.(src, size);
    const record = await downloadFile(session, src, dest, opts);
    opts.onRecord?.(record);
    records.push(record);
  };
  if (!top.dir) {
    const dest = intoDir ? path.join(local, safeEntryName(baseName(top.fullName || remote), session.host)) : local;
    if (intoDir && !localSt) await mkdir(local, { recursive: true });
    await one(top.fullName || remote, dest, top.length);
    return records;
  }
  if (!opts.recurse) throw new InvalidArgumentError(`'${remote}' is a directory`, { host: session.host, hint: 'add -r to copy directories' });
  const root = path.resolve(localSt?.isDirectory() ? path.join(local, safeEntryName(baseName(top.fullName || remote), session.host)) : local);
  // Every name is checked before anything is created: a hostile listing leaves no trace.
  const entries = listed.slice(1).map((e) => {
    const dest = path.join(root, ...safeRelativeParts(e.rel, session.host));
    if (!isInside(root, dest)) throw new TsrError('ETSR_COPY_UNSAFE', `refusing remote entry ${JSON.stringify(e.rel)}: it lands outside ${root}`, { host: session.host });
    return { ...e, dest };
  });
  await mkdir(root, { recursive: true });
  for (const e of entries) if (e.dir) await mkdir(e.dest, { recursive: true });
  for (const e of entries) if (!e.dir) await one(e.fullName, e.dest, e.length);
  return records;
}
