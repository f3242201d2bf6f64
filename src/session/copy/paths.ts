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
import { InvalidArgumentError } from '../../errors.js';

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
