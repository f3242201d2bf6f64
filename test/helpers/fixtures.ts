/**
 * Locates ../shared/fixtures (real WinRM/PSRP traffic recorded by other projects).
 *
 * The fixtures are not part of the repo. Tests that need them use `describeFixtures`, which skips
 * visibly when they are absent — unless TSREMOTE_REQUIRE_FIXTURES=1 (set by .ci/run), where their
 * absence fails the run.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The fixtures directory, or null when it is absent. */
export function fixturesDir(): string | null {
  const dir = process.env.TSREMOTE_FIXTURES
    ? path.resolve(process.env.TSREMOTE_FIXTURES)
    : path.resolve(repoRoot, '../shared/fixtures');
  return existsSync(path.join(dir, 'README.md')) ? dir : null;
}

/** `describe` that runs only when the fixtures exist; otherwise one visible skipped test says why. */
export function describeFixtures(name: string, body: (dir: string) => void): void {
  const dir = fixturesDir();
  if (dir) {
    describe(name, () => body(dir));
    return;
  }
  describe(name, () => {
    if (process.env.TSREMOTE_REQUIRE_FIXTURES === '1') {
      it('requires the fixtures (TSREMOTE_REQUIRE_FIXTURES=1)', () => {
        throw new Error('fixtures not found: set TSREMOTE_FIXTURES or place them at ../shared/fixtures');
      });
    } else {
      it.skip('skipped: fixtures not found (set TSREMOTE_FIXTURES)', () => {});
    }
  });
}

/** Every file below `dir` (recursively) whose name matches. */
export function listFiles(dir: string, match: RegExp = /./): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, match));
    else if (match.test(name)) out.push(full);
  }
  return out;
}

export interface PypsrpExchange {
  request: string;
  response: string;
  transport_error?: unknown;
  auth_error?: unknown;
  http_error?: unknown;
  timeout?: unknown;
  overrides?: unknown;
}

/** The messages of one pypsrp responses/*.yml file. */
export function readPypsrpYaml(file: string): PypsrpExchange[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { messages?: PypsrpExchange[] } | null;
  return doc?.messages ?? [];
}

export interface WinrmSharpExchange {
  Request: { Method: string; Url: string; Headers?: Record<string, unknown>; Body: string };
  Response: { StatusCode: number; Headers?: Record<string, unknown>; Body: string };
}

/** The exchanges of one winrmsharp Sessions/*.yml file. */
export function readWinrmSharpYaml(file: string): WinrmSharpExchange[] {
  return (parseYaml(readFileSync(file, 'utf8')) as WinrmSharpExchange[] | null) ?? [];
}
