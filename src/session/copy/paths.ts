/**
 * What a `copy` argument names: a local path, or `HOST:PATH` on a remote host.
 *
 * The rule (scp's, plus Windows drive letters and a port):
 * - `:PATH` is PATH on every `-c` host (uploads to many hosts).
 * - `[v6]:PATH` and `[v6]:PORT:PATH` name an IPv6 host.
 * - An argument is local when it has no colon, when a `/` or `\` comes before its first colon
 *   (`./a:b`, `/tmp/x:y`, `\\server\share`), or when it starts with a one-letter drive (`C:\x`,
 *   `C:/x`, `C:`): a host is never one letter long.
 * - Otherwise the host is what comes before the FIRST colon, so `web1:C:\deploy\` is host `web1`,
 *   path `C:\deploy\`. When the text after that colon is digits and another colon follows
 *   (`web1:5986:C:\x`), the digits are the port — a Windows path cannot start that way.
 */
import path from 'node:path';
import { InvalidArgumentError, TsrError } from '../../errors.js';

export type CopyLocation =
  | { kind: 'local'; path: string }
  /** `host` is a host spec for connect(): `name`, `name:port`, `[v6]` or `[v6]:port`; '' means every -c host. */
  | { kind: 'remote'; host: string; path: string };

/**
 * Parses one command-line argument of `copy`.
 * @throws InvalidArgumentError for an empty remote path or a malformed `[v6]` host.
 */
export function parseCopyLocation(arg: string): CopyLocation {
  if (arg.startsWith('[')) {
    const close = arg.indexOf(']');
    if (close < 0 || arg[close + 1] !== ':') {
      throw new InvalidArgumentError(`'${arg}': an IPv6 host is written [ADDRESS]:PATH`, { hint: "for example '[::1]:/tmp/x'" });
    }
    return remote(arg, arg.slice(0, close + 1), arg.slice(close + 2));
  }
  const colon = arg.indexOf(':');
  if (colon < 0) return { kind: 'local', path: arg };
  const before = arg.slice(0, colon);
  if (/[\\/]/.test(before) || /^[A-Za-z]$/.test(before)) return { kind: 'local', path: arg };
  return remote(arg, before, arg.slice(colon + 1));
}

function remote(arg: string, host: string, rest: string): CopyLocation {
  const port = /^(\d{1,5}):/.exec(rest);
  let path = rest;
  let spec = host;
  if (port?.[1] !== undefined) {
    spec = `${host}:${port[1]}`;
    path = rest.slice(port[0].length);
  }
  if (path === '') throw new InvalidArgumentError(`'${arg}' names no remote path`, { hint: `write ${spec || 'HOST'}:PATH, for example ${spec || 'web1'}:C:\\deploy\\` });
  return { kind: 'remote', host: spec, path };
}

/** The last name of a local or remote path (either separator), ignoring trailing separators. */
export function baseName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** True when a path says "a directory" by ending with a separator. */
export function endsWithSeparator(p: string): boolean {
  return /[\\/]$/.test(p);
}

/**
 * Joins a relative '/'-separated path onto a remote path, in the remote path's own style:
 * backslashes when it has any (Windows), else forward slashes.
 */
export function joinRemote(root: string, rel: string): string {
  if (rel === '') return root;
  const sep = root.includes('\\') ? '\\' : '/';
  const parts = rel.split('/').join(sep);
  return endsWithSeparator(root) ? `${root}${parts}` : `${root}${sep}${parts}`;
}

/**
 * Checks one relative path a remote host listed for a download (its `Rel`, '/'-separated) before
 * anything is created from it. A hostile or broken host must not make us write outside the
 * destination, so every component must be a plain name: not empty, `.` or `..`, no NUL, no
 * backslash (a separator on Windows; a remote listing turns its own into '/'), no drive letter
 * or other colon on Windows (`C:x`, alternate data streams), and the whole not absolute.
 * @returns the components, for path.join.
 * @throws TsrError ETSR_COPY_UNSAFE naming the entry.
 */
export function safeRelativeParts(rel: string, host: string, platform: NodeJS.Platform = process.platform): string[] {
  const refuse = (why: string): TsrError =>
    new TsrError('ETSR_COPY_UNSAFE', `refusing remote entry ${JSON.stringify(rel.slice(0, 200))}: ${why}`, {
      host,
      hint: 'the remote host listed a name that could land outside the destination; nothing was copied',
    });
  if (rel.includes('\u0000')) throw refuse('it contains a NUL character');
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel) || rel.startsWith('\\')) throw refuse('it is an absolute path');
  const parts = rel.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') throw refuse(`it has a '${part || '//'}' component`);
    if (part.includes('\\')) throw refuse('it contains a backslash');
    if (platform === 'win32' && (part.includes(':') || /[. ]$/.test(part))) throw refuse('it is not a valid Windows file name');
  }
  return parts;
}

/**
 * Checks the name a downloaded root (file or directory) lands under when the destination is a
 * directory: one plain component, as {@link safeRelativeParts} demands of each.
 * @throws TsrError ETSR_COPY_UNSAFE.
 */
export function safeEntryName(name: string, host: string, platform: NodeJS.Platform = process.platform): string {
  const parts = safeRelativeParts(name, host, platform);
  if (parts.length !== 1) throw new TsrError('ETSR_COPY_UNSAFE', `refusing remote name ${JSON.stringify(name)}: not a single name`, { host });
  return name;
}

/**
 * The folder name a host's download goes into when many hosts are copied from (`DEST/HOST/…`):
 * the host spec with anything but letters, digits, `.`, `-` and `_` made `_`, and never a name
 * the file system treats specially (`.`, `..`, empty, leading dots).
 */
export function hostFolderName(host: string): string {
  const name = host.replace(/[^\w.-]+/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  return name === '' ? '_' : name.slice(0, 200);
}

/**
 * True when `target` is `root` itself or lies under it (both already resolved). The last line of
 * defence after the name checks: every destination a download writes is tested with it.
 */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
