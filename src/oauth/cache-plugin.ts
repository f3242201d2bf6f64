/**
 * msal-node's token cache, kept in a file of the user's state directory so a token (and, for the
 * device-code flow, the refresh token) outlives one CLI run.
 *
 * Where: `oauth-token-cache.json` next to the session registry (`$TSREMOTE_STATE_DIR`, else
 * `~/.local/state/tsremote` on Linux; see session/registry.ts). It holds bearer secrets, so the
 * directory is created 0700 and the file written 0600 through a temporary file and a rename (a
 * reader never sees half a file). Two CLIs writing at once: the last rename wins, and the loser's
 * token is simply fetched again next time; no lock is worth more than that.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { stateDir } from '../session/registry.js';

export const TOKEN_CACHE_FILE = 'oauth-token-cache.json';

/** The token cache file for this user (see the file comment). */
export function tokenCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir({ env }), TOKEN_CACHE_FILE);
}

/** A cache plugin reading and writing `file`. */
export function fileCachePlugin(file: string): ICachePlugin {
  return {
    async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      // A damaged cache costs one fresh token, never a failed run.
      try {
        if (text.trim() !== '') context.tokenCache.deserialize(text);
      } catch {
        return;
      }
    },
    async afterCacheAccess(context: TokenCacheContext): Promise<void> {
      if (!context.cacheHasChanged) return;
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        await writeFile(tmp, context.tokenCache.serialize(), { mode: 0o600 });
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
    },
  };
}
