// Types for mutate.mjs (plain JavaScript so scripts/fuzz.mjs can share it), as far as tests use it.
import type { Arbitrary } from 'fast-check';

/** Largest input any target is given. */
export const MAX_INPUT: number;
/** Mutated seeds: `seeds[i]` with up to `max` mutations. */
export function mutatedText(seeds: readonly string[], max?: number): Arbitrary<string>;
