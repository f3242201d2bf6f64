/**
 * Reads the Kerberos credential cache GSSAPI uses, for the session key Kerberos sealing needs
 * (src/auth/kerberos/ccache.ts says why tsremote seals itself). I/O only; parsing is in auth.
 *
 * Which cache: `KRB5CCNAME` as MIT reads it (`FILE:path` or a bare path; `DIR:dir` for a
 * collection, every `tkt*` file in it; `DIR::file` for one member), else MIT's built-in default
 * `/tmp/krb5cc_<uid>`. KCM:, KEYRING: and MEMORY: caches live outside the file system: nothing is
 * read, and sealing then fails with a hint to use HTTPS or a FILE cache.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The files of the ccache named by `name` (KRB5CCNAME syntax); empty for non-file types. */
export async function ticketCacheFiles(name: string | undefined, uid = process.getuid?.() ?? 0): Promise<string[]> {
  const spec = name === undefined || name === '' ? `FILE:/tmp/krb5cc_${uid}` : name;
  const colon = spec.indexOf(':');
  const type = colon > 0 && !/^[A-Za-z]:[\\/]/.test(spec) ? spec.slice(0, colon).toUpperCase() : 'FILE';
  const rest = colon > 0 && type !== 'FILE' ? spec.slice(colon + 1) : spec.replace(/^FILE:/i, '');
  if (type === 'FILE') return [rest];
  if (type !== 'DIR') return [];
  if (rest.startsWith(':')) return [rest.slice(1)];
  try {
    return (await readdir(rest)).filter((f) => f.startsWith('tkt')).map((f) => path.join(rest, f));
  } catch {
    return [];
  }
}

/** The contents of the ccache files GSSAPI uses under `env` (unreadable files are skipped). */
export async function readTicketCaches(env: NodeJS.ProcessEnv = process.env): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const file of await ticketCacheFiles(env.KRB5CCNAME)) {
    try {
      out.push(await readFile(file));
    } catch {
      // Not there (yet) or not ours: the caller reports the missing ticket with a hint.
    }
  }
  return out;
}
