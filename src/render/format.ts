/**
 * One-shot formatting: all values in, the text Out-Default would print out. For tests, for
 * `tsremote clixml`-style tools and for anything that already holds every object.
 */
import type { PSValue } from '../psrp/clixml/index.js';
import { ObjectRenderer } from './object-renderer.js';
import { createStyle } from './terminal.js';

export interface FormatOptions {
  /** Terminal width in cells (default 120, PowerShell's fallback width). */
  columns?: number;
  color?: boolean;
  /** Objects a generated table sizes its columns from (default: all of them). */
  batchSize?: number;
}

/** Formats output objects as PowerShell's default formatter would; returns the text. */
export function formatObjects(values: Iterable<PSValue>, opts: FormatOptions = {}): string {
  let out = '';
  const r = new ObjectRenderer((t) => { out += t; }, {
    columns: opts.columns ?? 120,
    style: createStyle(opts.color ?? false),
    batchSize: opts.batchSize ?? Number.MAX_SAFE_INTEGER,
  });
  for (const v of values) r.push(v);
  r.end();
  return out;
}
