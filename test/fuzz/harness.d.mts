/** Types for harness.mjs (plain JavaScript so scripts/fuzz.mjs can run it without a build). */
export type FuzzLib = Record<string, unknown>;
export interface Seeds {
  wsman: string[];
  clixml: { type?: number; data: string }[];
  payloads: Uint8Array[][];
  ntlm: Uint8Array[];
  encrypted: Uint8Array[];
}
export interface Target {
  name: string;
  run(input: unknown): void;
}
export interface TargetResult {
  name: string;
  cases: number;
  ms: number;
  slowest: number;
  slow: number;
  /** The slowest case's input, printable. */
  slowestInput: string;
  failure?: { seed: number; path?: string; counterexample: string; error: string };
}
export const DEFAULT_SEED: number;
export const TARGET_NAMES: string[];
export const SHARES: Record<string, number>;
export const HANG_MS: number;
export const SLOW_MS: number;
export function fixturesDir(repoRoot: string): string | null;
export function loadSeeds(lib: FuzzLib, dir: string | null): Seeds;
export function buildTargets(lib: FuzzLib, seeds: Seeds): Target[];
export function runTarget(target: Target, opts: { numRuns: number; seed?: number }): TargetResult;
export function show(input: unknown): string;
