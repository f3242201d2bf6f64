/**
 * Parsed scripts by their text, so a session that runs the same script again and again (a monitor
 * polling `$env:COMPUTERNAME`, `invoke --session` in a loop) parses it once.
 *
 * Sharing is safe because the engine never writes to an AST: it reads nodes and builds its own
 * values (test/server/engine/parse-cache.test.ts runs scripts on deep-frozen ASTs to hold it to
 * that). Parse failures are not kept: they are rare and each one builds its own error record.
 * Bounded: MAX_SCRIPTS entries, least recently used dropped first; longer scripts are not kept.
 */
import type { ScriptBlockAst } from './ast.js';
import { parseScript } from './parser.js';

const MAX_SCRIPTS = 256;
/** Characters of the longest script kept: a generated one-off (a big here-string) is not worth holding. */
const MAX_SCRIPT_LENGTH = 8192;

const parsed = new Map<string, ScriptBlockAst>();

/** {@link parseScript}, answered from the cache when the same text was parsed lately. Throws ParseFailure. */
export function parseScriptCached(text: string): ScriptBlockAst {
  if (text.length > MAX_SCRIPT_LENGTH) return parseScript(text);
  const hit = parsed.get(text);
  if (hit !== undefined) {
    // Map order is use order: move the hit to the young end.
    parsed.delete(text);
    parsed.set(text, hit);
    return hit;
  }
  const ast = parseScript(text);
  if (parsed.size >= MAX_SCRIPTS) parsed.delete(parsed.keys().next().value as string);
  parsed.set(text, ast);
  return ast;
}

/** Entries held now (for tests). */
export function parseCacheSize(): number {
  return parsed.size;
}
