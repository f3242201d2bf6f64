/**
 * What a CLI run loaded, as dist/ modules. The import trace (import-trace/register.mjs) lists the
 * files Node resolved; the CLI runs from dist/cli-bundle, whose files each hold several dist/
 * modules, so every bundle file is expanded into the modules its meta.json says it holds
 * (scripts/bundle-cli.mjs). Anything else (node_modules, node: builtins) is kept as resolved.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './cli.js';

const bundleDir = path.join(repoRoot, 'dist/cli-bundle');

function chunks(): Record<string, string[]> {
  const meta = JSON.parse(readFileSync(path.join(bundleDir, 'meta.json'), 'utf8')) as { chunks: Record<string, string[]> };
  return meta.chunks;
}

/** The trace file's URLs, bundle files replaced by the dist/ modules (repo-relative) they hold. */
export function loadedModules(traceFile: string): string[] {
  const map = chunks();
  const out: string[] = [];
  for (const url of readFileSync(traceFile, 'utf8').split('\n').filter(Boolean)) {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    const rel = path.relative(bundleDir, file);
    const held = rel.startsWith('..') || path.isAbsolute(rel) ? undefined : map[rel];
    if (held === undefined) out.push(url);
    else out.push(...held);
  }
  return out;
}
